"""Objects of township A for the global leak test (see tests/test_scoping_leaks.py)."""

from jingpei.core.models import Job


def make_objects(cast) -> dict[str, object]:
    from jingpei.accounts.models import Grant

    job = Job.objects.create(name="demo", title="甲镇机密导出", created_by=cast.liaison_a)
    return {
        "org_id": cast.village_a,
        "person_id": cast.person_a,
        "job_id": job,
        "grant_id": Grant.objects.get(user=cast.liaison_a),
        "account_id": cast.trainee,
    }


# Extra GETs whose query string names A's objects: (path template, kwargs used to format it).
EXTRA_GETS = [
    "/people/?org={org_id}",
    "/people/?q=wxm",
    "/people/?q=lf",
    "/orgs/search/?q=zjc",
    "/orgs/search/?q=lwz&picker=1",
    "/people/?q=1111",
    "/api/v1/people/?org={org_id}",
    "/api/v1/people/?q=wxm",
    "/api/v1/orgs/?parent={org_id}",
    "/api/v1/orgs/?q=zjc",
]
