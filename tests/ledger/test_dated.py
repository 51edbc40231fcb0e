"""Another date's summary of a subtree too large to evaluate on the request: a background job, its
result shown when the user comes back, kept a day, computed again on request, and only for its owner."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from jingpei.core.models import Job
from jingpei.ledger import dated
from jingpei.ledger.compliance import subtree_summary
from jingpei.ledger.models import RequirementRule
from tests.ledger.test_standing import _nonzero, town  # noqa: F401  (the fixture)

OTHER = date(2026, 3, 31)


@pytest.fixture
def small_limit(settings, tmp_path):
    settings.LEDGER_INLINE_PEOPLE = 10  # the town's district holds 30+ people: a "large" subtree here
    settings.MEDIA_ROOT = tmp_path  # the export jobs' files


def _figures(summaries) -> dict:
    return {s.rule.code: (s.total, _nonzero(s.by_child), _nonzero(s.by_category)) for s in summaries}


def test_a_large_subtree_is_computed_in_the_background_and_shown_when_done(town, client, small_limit,  # noqa: F811
                                                                            django_capture_on_commit_callbacks):
    client.force_login(town.officer)
    url = f"/ledger/org/{town.district.pk}/?as_of={OTHER.isoformat()}"
    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(url)
    job = Job.objects.get(name=dated.JOB)
    assert first.status_code == 302 and first.url == f"/jobs/{job.pk}/"
    assert job.status == Job.Status.DONE, job.error
    assert job.title == f"{town.district.name} 截至 2026-03-31 的学时达标情况" and job.done == job.total > 0
    assert job.message == "计算完成"
    progress = client.get(first.url)
    assert "查看达标情况" in progress.content.decode() and url in progress.content.decode()
    page = client.get(url)
    assert page.status_code == 200 and page.context["computed"] == job and page.context["materialised"] is None
    assert "后台计算完成于" in page.content.decode() and 'data-testid="recompute"' in page.content.decode()
    shown = [row["summary"] for row in page.context["rows"]]
    assert _figures(shown) == _figures(subtree_summary(town.district, as_of=OTHER))
    assert Job.objects.filter(name=dated.JOB).count() == 1  # coming back did not start another
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url)  # 重新计算
    assert again.status_code == 302 and Job.objects.filter(name=dated.JOB).count() == 2


def test_a_small_subtree_is_computed_on_the_request(town, client, settings):  # noqa: F811
    settings.LEDGER_INLINE_PEOPLE = 10_000
    client.force_login(town.officer)
    page = client.get(f"/ledger/org/{town.district.pk}/?as_of={OTHER.isoformat()}")
    assert page.status_code == 200 and page.context["computed"] is None
    assert not Job.objects.filter(name=dated.JOB).exists()


def test_results_are_their_owners_and_a_day_old_one_is_computed_again(town, client, small_limit,  # noqa: F811
                                                                        django_capture_on_commit_callbacks):
    from jingpei.accounts.models import User

    rule_ids = set(RequirementRule.objects.switched_on().values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        mine = dated.start(town.officer, town.district, OTHER, rule_ids)
    assert dated.latest(town.officer, town.district, OTHER, rule_ids) == mine
    other_officer = User.objects.create_user("officer-two", password="x" * 12)
    assert dated.latest(other_officer, town.district, OTHER, rule_ids) is None
    assert dated.latest(town.officer, town.district, date(2026, 4, 30), rule_ids) is None  # another date
    assert dated.latest(town.officer, town.district, OTHER, rule_ids - {min(rule_ids)}) is None  # other rules
    Job.objects.filter(pk=mine.pk).update(finished_at=timezone.now() - timedelta(days=2))
    assert dated.latest(town.officer, town.district, OTHER, rule_ids) is None
    Job.objects.filter(pk=mine.pk).update(finished_at=timezone.now(), status=Job.Status.FAILED)
    assert dated.latest(town.officer, town.district, OTHER, rule_ids) is None


def test_a_rule_switched_off_since_is_left_out(town, small_limit, django_capture_on_commit_callbacks):  # noqa: F811
    rules = list(RequirementRule.objects.switched_on())
    with django_capture_on_commit_callbacks(execute=True):
        job = dated.start(town.officer, town.district, OTHER, {r.pk for r in rules})
    job.refresh_from_db()
    shown = dated.summaries_of(job, rules[1:])
    assert [s.rule for s in shown] == rules[1:]
    assert _figures(shown) == _figures(subtree_summary(town.district, as_of=OTHER, rules=rules[1:]))


def _sheet_names(content: bytes) -> list[str]:
    import io

    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(min_row=2, values_only=True))
    return [r[0] for r in rows]


def test_a_large_subtree_lists_another_date_only_as_an_export_job(town, client, small_limit,  # noqa: F811
                                                                   django_capture_on_commit_callbacks):
    from jingpei.accounts.models import User
    from jingpei.ledger import lists
    from jingpei.ledger.compliance import people_for_rule

    rule = RequirementRule.objects.get(code="online-yearly")
    client.force_login(town.officer)
    url = f"/ledger/org/{town.district.pk}/rule/{rule.pk}/?as_of=2026-03-31&status=all&sort=name"
    page = client.get(url)
    assert page.status_code == 200 and page.context["too_large"] and page.context["page"] is None
    html = page.content.decode()
    assert 'data-testid="too-large"' in html and "超过 10 人" in html and 'data-testid="export-job"' in html
    assert 'data-testid="people"' not in html
    bookmarked = client.get(url + "&format=xlsx")  # a GET never starts a job: back to the page
    assert bookmarked.status_code == 302 and "format" not in bookmarked.url and not Job.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(url + "&format=xlsx")
    job = Job.objects.get(name=lists.JOB)
    assert started.url == f"/jobs/{job.pk}/" and job.status == Job.Status.DONE, job.error
    exact = people_for_rule(town.district, rule, as_of=OTHER)
    assert job.result["rows"] == len(exact) > 10
    download = client.get(job.result["url"])
    assert download.status_code == 200
    assert _sheet_names(b"".join(download.streaming_content)) == [p.name for p, _r in exact]
    stranger = User.objects.create_user("officer-two", password="x" * 12)
    client.force_login(stranger)
    assert client.get(job.result["url"]).status_code == 404  # only its owner downloads it


def test_a_long_materialised_list_is_exported_by_a_job(town, client, small_limit,  # noqa: F811
                                                       django_capture_on_commit_callbacks):
    from jingpei.ledger import lists, standing

    standing.rebuild(date(2026, 6, 30))
    rule = RequirementRule.objects.get(code="online-yearly")
    client.force_login(town.officer)
    url = f"/ledger/org/{town.district.pk}/rule/{rule.pk}/?status=all"
    page = client.get(url)
    assert page.context["background_export"] and not page.context["too_large"]
    assert page.context["page"].paginator.count > 10  # the page itself still lists them, 50 at a time
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url + "&format=xlsx")
    job = Job.objects.get(name=lists.JOB)
    listing = standing.fact_listing(town.district, rule, statuses=None, order="gap")
    assert job.result["rows"] == listing.count()
    content = b"".join(client.get(job.result["url"]).streaming_content)
    assert _sheet_names(content) == [p.name for p, _r in listing]


def test_a_short_list_is_still_written_in_the_request(town, client, settings):  # noqa: F811
    settings.LEDGER_INLINE_PEOPLE = 10_000
    rule = RequirementRule.objects.get(code="online-yearly")
    client.force_login(town.officer)
    response = client.get(f"/ledger/org/{town.district.pk}/rule/{rule.pk}/?as_of=2026-03-31&status=all&format=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert len(_sheet_names(response.content)) > 10 and not Job.objects.exists()


def test_a_large_subtree_without_todays_figures_waits_for_the_one_rebuild(town, client, small_limit):  # noqa: F811
    from jingpei.ledger import standing

    client.force_login(town.officer)
    url = f"/ledger/org/{town.district.pk}/"
    for _ in range(2):  # two viewers (or one, twice): one rebuild queued, no job of their own
        page = client.get(url)
        assert page.status_code == 200 and page.context["rebuilding"] and page.context["rows"] == []
        html = page.content.decode()
        assert 'data-testid="rebuilding"' in html and "没有启用的学时规则" not in html
    assert list(Job.objects.values_list("name", "status")) == [(standing.JOB, Job.Status.QUEUED)]
    standing.rebuild()
    page = client.get(url)
    assert not page.context["rebuilding"] and page.context["materialised"] is not None
    assert 'data-testid="rebuilding"' not in page.content.decode()


def test_the_api_answers_202_with_the_job_then_200_with_its_result(town, client, small_limit,  # noqa: F811
                                                                    django_capture_on_commit_callbacks):
    from jingpei.ledger import standing

    client.force_login(town.officer)
    url = f"/api/v1/ledger/orgs/{town.district.pk}/compliance?as_of=2026-03-31"
    first = client.get(url)
    job = Job.objects.get(name=dated.JOB)
    assert first.status_code == 202 and first.json() == {"job_id": str(job.pk), "url": f"/jobs/{job.pk}/"}
    assert client.get(url).status_code == 202 and Job.objects.count() == 1  # still running: the same job
    from jingpei.core.jobs import run_job

    run_job(job.pk)
    done = client.get(url)
    assert done.status_code == 200
    exact = {s.rule.pk: s.total for s in subtree_summary(town.district, as_of=OTHER)}
    assert {r["rule_id"]: r["total"]["behind"] for r in done.json()} == {k: v.behind for k, v in exact.items()}
    assert {r["as_of"] for r in done.json()} == {"2026-03-31"}
    standing.rebuild(date(2026, 6, 30))  # no date asked: the materialised figures, at once
    latest = client.get(f"/api/v1/ledger/orgs/{town.district.pk}/compliance")
    assert latest.status_code == 200 and {r["as_of"] for r in latest.json()} == {"2026-06-30"}


def test_the_list_file_keeps_text_as_text(tmp_path):
    """A name or an organisation typed like a formula is written as text, never as a formula."""
    import io
    from decimal import Decimal
    from types import SimpleNamespace

    from openpyxl import load_workbook

    from jingpei.ledger import lists

    org = SimpleNamespace(name='=HYPERLINK("http://evil.example","点此")')
    person = SimpleNamespace(name="=SUM(A:A)", primary_org=org)
    from jingpei.ledger.rules import Period

    period = Period(date(2026, 1, 1), date(2026, 12, 31))
    result = SimpleNamespace(period=period, required=Decimal("60"), earned=Decimal("12.5"),
                             gap=Decimal("47.5"), status="behind", status_label="落后", notes=("2026-03 入职，按比例",))
    for target in (tmp_path / "list.xlsx", io.BytesIO()):
        assert lists.write([(person, result)], target) == 1
        book = load_workbook(target if not isinstance(target, io.BytesIO) else io.BytesIO(target.getvalue()))
        cells = list(book.active.iter_rows(min_row=2))[0]
        assert [c.value for c in cells] == ["=SUM(A:A)", org.name, period.label, 60, 12.5, 47.5, "落后",
                                            "2026-03 入职，按比例"]
        assert cells[0].data_type == "s" and cells[1].data_type == "s"
        assert book.active.freeze_panes == "A2"


def test_a_made_up_child_or_date_in_the_address_is_not_an_error(town, client):  # noqa: F811
    rule = RequirementRule.objects.get(code="online-yearly")
    client.force_login(town.officer)
    base = f"/ledger/org/{town.district.pk}/rule/{rule.pk}/"
    for query in (f"?as_of=2026-03-31&child={town.district.path}9999", f"?child={town.district.path}9999",
                  "?as_of=2026-13-45", "?as_of=2026-03-31&category=abc&sort=nonsense&status=nonsense"):
        page = client.get(base + query)
        assert page.status_code == 200, query
    assert client.get(base + "?child=9999").status_code == 404  # outside the subtree
