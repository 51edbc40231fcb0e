"""The roster page costs a fixed number of queries, whatever the page size (no N+1)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jingpei.orgs import people_views
from tests.factories import make_person, numbered


def _queries_for(client, url):
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200
    return len(ctx.captured_queries), resp


def test_query_count_does_not_grow_with_page_size(client_as, cast, monkeypatch):
    for i in range(30):
        make_person(cast.branch_a, numbered("测试", i))
    client = client_as(cast.liaison_a)
    client.get("/people/")  # warm the session
    monkeypatch.setattr(people_views, "PER_PAGE", 5)
    small, resp_small = _queries_for(client, f"/people/?org={cast.town_a.pk}")
    monkeypatch.setattr(people_views, "PER_PAGE", 30)
    large, resp_large = _queries_for(client, f"/people/?org={cast.town_a.pk}")
    assert small == large
    assert resp_small.context["page"].paginator.count == resp_large.context["page"].paginator.count == 32
    assert len(resp_large.context["page"].object_list) == 30
    assert large <= 12, f"{large} queries for one roster page"


def test_api_list_query_count_is_flat(client_as, cast):
    for i in range(25):
        make_person(cast.branch_a, numbered("接口", i))
    client = client_as(cast.liaison_a)
    client.get("/api/v1/people/")
    counts = []
    for per_page in (2, 25):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/people/", {"per_page": per_page}).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
