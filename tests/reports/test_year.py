"""The year's figures of a subtree (年度培训工作统计): right on a hand-counted district, each township
seeing its own, the Excel file, and a large subtree's figures made by a job and kept."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from jingpei.activities import services as activities
from jingpei.activities.models import Meeting
from jingpei.activities.queries import Period, district_summary, meeting_summary
from jingpei.classes import services as classes
from jingpei.core.jobs import run_job
from jingpei.core.models import Job
from jingpei.core.permissions import Role
from jingpei.ledger import services as ledger
from jingpei.orgs.models import Person
from jingpei.reports.figures import YearFigures, year_figures
from tests.classes.conftest import enrol
from tests.factories import make_user

TODAY = timezone.localdate()
YEAR = TODAY.year


@pytest.fixture
def year_of_work(cast):
    """A district class with one trainee of each township, a study tour called off, a plan, hours
    online (one corrected), a branch session in township A and a district meeting."""
    head = make_user("head", role=Role.CLASS_HEAD, org=cast.town_a)
    klass = classes.create_class(actor=cast.officer, organizer=cast.district, title="乡村振兴专题培训班",
                                 start_date=TODAY - timedelta(days=1), end_date=TODAY, capacity=10, tier="special",
                                 head=head, place="区委党校")
    plan = classes.create_plan(actor=cast.officer, org=cast.district, year=YEAR, title="召陵区年度培训计划",
                               total_target=4)
    klass.plan = plan
    klass.save()
    enrol(cast, klass, cast.person_a, head)
    enrol(cast, klass, cast.person_b, head)
    tour = classes.create_class(actor=cast.officer, organizer=cast.town_b, title="赴兰考考察", form="study_tour",
                                start_date=TODAY, end_date=TODAY, capacity=5)
    classes.cancel_class(actor=cast.officer, klass=tour, reason="天气")
    ledger.credit_hours(person=cast.person_a, hours=Decimal("6"), form="online", occurred_on=TODAY,
                        idempotency_key="t:a")
    wrong = ledger.credit_hours(person=cast.person_a2, hours=Decimal("2"), form="online", occurred_on=TODAY,
                                idempotency_key="t:a2")
    ledger.reverse_entry(entry=wrong.entry, reason="重复登记")
    ledger.credit_hours(person=cast.person_b, hours=Decimal("1.5"), form="online", occurred_on=TODAY,
                        idempotency_key="t:b")
    activities.create_session(actor=cast.secretary_a, branch=cast.branch_a, held_on=TODAY, topic="学习乡村振兴促进法",
                              hours=Decimal("2"), attendee_ids=[cast.person_a.pk, cast.person_a2.pk],
                              guest_names=["张大爷"])
    activities.create_meeting(actor=cast.officer, organizer=cast.district, held_on=TODAY, kind="study",
                              subject="理论学习中心组学习", hours=Decimal("1"), attendee_ids=[cast.person_b.pk])
    return klass


def key(figures: YearFigures) -> dict:
    return {label: value for label, value, _unit in figures.key}


def table(figures: YearFigures, title: str) -> dict:
    return {str(row[0]): row[1:] for row in next(t for t in figures.tables if t.title == title).rows}


def test_the_district_figures_counted_by_hand(cast, year_of_work):
    figures = year_figures(cast.district, YEAR)
    assert key(figures) == {
        "在册人员": 3, "主办班次": 1, "参训人次": 2,
        # online 6 + 1.5 (the corrected 2 nets to 0), the branch session 2 × 2, the meeting 1
        "总学时": 12.5, "人均学时": 4.2, "获得学时人数": 3, "远程教育学习": 1, "以会代训": 1,
    }
    assert table(figures, "培训班（按形式）") == {
        "培训班": [1, 2, 0], "交流考察": [0, 0, 0], "移动讲堂": [0, 0, 0], "合计": [1, 2, 0]}
    assert table(figures, "年度培训计划") == {"召陵区年度培训计划": ["召陵区", 4, 2, "50.0%"]}
    assert table(figures, "学时（按培训形式）") == {
        "以会代训": [1.0, 1, 1.0], "网络培训": [7.5, 2, 3.8], "远程教育": [4.0, 2, 2.0], "合计": [12.5, 3, 4.2]}
    assert table(figures, "基层学习") == {
        "党支部数": [2], "开展远程教育的支部数": [1], "支部开展率": ["50.0%"], "远程教育学习次数": [1],
        "远程教育参学人次": [3], "以会代训次数": [1], "以会代训参会人次": [1]}  # the guest is a person-time
    # The same figures as the activities pages show (a year-end report must not contradict them).
    district = district_summary(cast.district, Period.parse(None))
    assert (district.sessions, district.person_times, district.active_branches) == (1, 3, 1)
    assert meeting_summary(Meeting.objects.all(), YEAR).person_times == 1
    # Side by side per township: the district's totals split, nothing lost between them.
    assert table(figures, "各下级组织") == {"老窝镇": [2, 1, 10.0, 5.0, 1, 3], "万金镇": [1, 1, 2.5, 2.5, 0, 0]}
    month = TODAY.month - 1
    assert {s["name"]: s["data"][month] for s in figures.chart["series"]} == {
        "以会代训": 1.0, "网络培训": 7.5, "远程教育": 4.0}
    assert sum(sum(s["data"]) for s in figures.chart["series"]) == 12.5


def test_a_township_sees_its_own_people_and_branches(cast, year_of_work):
    figures = year_figures(cast.town_b, YEAR)
    # The district ran the class: none organised here; the called-off tour counts nowhere.
    assert key(figures) == {"在册人员": 1, "主办班次": 0, "参训人次": 1, "总学时": 2.5, "人均学时": 2.5,
                            "获得学时人数": 1, "远程教育学习": 0, "以会代训": 0}
    assert table(figures, "年度培训计划") == {}
    assert table(figures, "基层学习")["党支部数"] == [1]
    assert year_figures(cast.district, YEAR - 1).key[3][1] == 0.0  # nothing last year


def test_the_page_and_its_excel_for_each_role(cast, year_of_work, client_as):
    client = client_as(cast.liaison_a)
    assert client.get("/reports/").url == f"/reports/year/{cast.town_a.pk}/"
    page = client.get(f"/reports/year/{cast.town_a.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "老窝镇 " + str(YEAR) + " 年度培训工作统计" in html
    assert 'data-testid="year-chart"' in html  # the child to drill into, from its row of 各下级组织:
    assert f'<a href="/reports/year/{cast.village_a.pk}/?year={YEAR}">朱集村</a>' in html
    assert client.get(f"/reports/year/{cast.district.pk}/").status_code == 404  # above their grant
    assert client.get(f"/reports/year/{cast.town_b.pk}/").status_code == 404  # the neighbour's
    assert client_as(cast.secretary_a).get(f"/reports/year/{cast.branch_a.pk}/").status_code == 404  # no grant
    assert client_as(cast.trainee).get("/reports/").status_code == 404

    officer = client_as(cast.officer)
    html = officer.get(f"/reports/year/{cast.town_a.pk}/").content.decode()
    assert f'href="/reports/year/{cast.district.pk}/?year={YEAR}"' in html  # the trail back up
    download = officer.get(f"/reports/year/{cast.district.pk}/xlsx/?year={YEAR}")
    assert unquote(download["Content-Disposition"]).endswith(f"召陵区 {YEAR} 年度培训工作统计.xlsx")
    book = load_workbook(io.BytesIO(download.content))
    assert book.sheetnames == ["年度统计", "月度学时"]
    rows = [[c for c in row if c is not None] for row in book["年度统计"].iter_rows(values_only=True)]
    assert ["总学时", 12.5, "学时"] in rows and ["召陵区年度培训计划", "召陵区", 4, 2, "50.0%"] in rows
    months = list(book["月度学时"].iter_rows(values_only=True))
    assert months[0] == ("月份", "以会代训", "网络培训", "远程教育", "合计")
    assert months[TODAY.month][-1] == 12.5


def test_a_year_to_come_or_typed_wrong_shows_this_year(cast, client_as):
    client = client_as(cast.officer)
    for year in ("2999", "1999", "二〇二六", "99999999999999999999", "-1"):
        page = client.get(f"/reports/year/{cast.district.pk}/?year={year}")
        assert page.status_code == 200 and page.context["year"] == YEAR


def test_a_large_subtree_is_counted_by_a_job_and_kept(cast, year_of_work, client_as, settings):
    settings.REPORTS_INLINE_PEOPLE = 1
    client = client_as(cast.officer)
    url = f"/reports/year/{cast.district.pk}/?year={YEAR}"
    first = client.get(url)
    job = Job.objects.get(name="reports.year")
    assert first.url == f"/jobs/{job.pk}/"
    assert client.get(url).url == first.url and Job.objects.count() == 1  # not a second job while it runs
    run_job(job.pk)
    job.refresh_from_db()
    assert job.result["url"] == url and (job.done, job.total, job.message) == (4, 4, "统计完成")
    page = client.get(url)
    assert page.status_code == 200 and page.context["figures"].key == year_figures(cast.district, YEAR).key
    assert client.get(url.replace("/?", "/xlsx/?")).status_code == 200  # the kept figures, as a file
    assert 'data-testid="recompute"' in page.content.decode()  # kept figures say so, and can be made again
    assert client.post(url).url != first.url  # 重新计算: a fresh job
    assert Job.objects.filter(name="reports.year").count() == 2
    other = client_as(cast.liaison_a).get(f"/reports/year/{cast.town_a.pk}/?year={YEAR}")
    assert other.status_code == 302 and Job.objects.filter(created_by=cast.liaison_a).count() == 1  # their own


def test_the_menu_offers_the_report_to_those_who_may_read_it(cast, client_as):
    assert "年度统计" in client_as(cast.officer).get("/").content.decode()
    assert "年度统计" not in client_as(cast.secretary_a).get("/").content.decode()


def test_the_api_answers_the_page_figures_then_a_job_for_a_large_subtree(cast, year_of_work, client_as, settings):
    client = client_as(cast.liaison_a)
    answer = client.get(f"/api/v1/reports/year/{cast.town_a.pk}?year={YEAR}")
    assert answer.status_code == 200
    body = answer.json()
    assert body["org_name"] == "老窝镇" and ["总学时", 10.0, "学时"] in body["key"]  # 6 online, 2 × 2 at the branch
    assert client.get(f"/api/v1/reports/year/{cast.town_b.pk}?year={YEAR}").status_code == 404
    refused = client.get(f"/api/v1/reports/year/{cast.town_a.pk}?year={YEAR + 1}")
    assert refused.status_code == 400 and refused.json()["error"]["fields"] == [
        {"field": "year", "message": "年度不能晚于今年。"}]
    assert client.get(f"/api/v1/reports/year/{cast.town_a.pk}?year=1900").status_code == 422
    settings.REPORTS_INLINE_PEOPLE = 1
    waiting = client.get(f"/api/v1/reports/year/{cast.town_a.pk}?year={YEAR}")
    job = Job.objects.get(name="reports.year")
    assert waiting.status_code == 202 and waiting.json() == {"job_id": str(job.pk), "url": f"/jobs/{job.pk}/"}
    run_job(job.pk)
    assert client.get(f"/api/v1/reports/year/{cast.town_a.pk}?year={YEAR}").json()["key"] == body["key"]


def test_this_years_standing_per_rule_as_kept(cast, year_of_work):
    from jingpei.ledger import compliance, standing
    from jingpei.ledger.models import RequirementRule

    assert not any(t.title.startswith("学时达标") for t in year_figures(cast.district, YEAR).tables)  # none kept yet
    standing.rebuild()
    day = compliance.today().isoformat()
    rows = table(year_figures(cast.district, YEAR), f"学时达标（截至 {day}）")
    monthly = RequirementRule.objects.get(code="online-monthly")
    kept = next(s for s in standing.summary(cast.district).summaries if s.rule.pk == monthly.pk)
    assert rows[monthly.name][1:] == [kept.total.covered, kept.total.met, kept.total.behind, f"{kept.total.rate}%"]
    assert rows[monthly.name][1:3] == [3, 1]  # person_a's 6 online hours meet the month's 5; the others do not
    # A past year: the standing at its end, evaluated exactly (as 学时达标 shows it for that date). Everyone
    # registered two years ago; person_b studied 60 hours online last year.
    end = date(YEAR - 1, 12, 31)
    Person.objects.update(created_at=timezone.now() - timedelta(days=800))
    ledger.credit_hours(person=cast.person_b, hours=Decimal("60"), form="online", occurred_on=date(YEAR - 1, 12, 1),
                        idempotency_key="t:last-year")
    past = table(year_figures(cast.district, YEAR - 1), f"学时达标（截至 {end.isoformat()}）")
    exact = standing.summary_at(cast.district, end, RequirementRule.objects.switched_on())
    assert past == {s.rule.name: [s.period.label, s.total.covered, s.total.met, s.total.behind, f"{s.total.rate}%"]
                    for s in exact if s.total.covered}
    yearly = RequirementRule.objects.get(code="online-yearly")
    assert past[yearly.name] == [f"{YEAR - 1}年", 3, 1, 2, "33.3%"]  # met: person_b; the other two fell short


def test_a_past_year_goes_to_a_job_sooner(cast, settings):
    from jingpei.reports.jobs import inline_limit

    settings.REPORTS_INLINE_PEOPLE = 10_000
    assert inline_limit(YEAR) == 10_000 and inline_limit(YEAR - 1) == 2_000


def test_people_on_the_top_organisation_itself_are_a_row_of_their_own(cast):
    from tests.factories import make_person

    staff = make_person(cast.district, "区委组织部干部")
    ledger.credit_hours(person=staff, hours=Decimal("4"), form="online", occurred_on=TODAY, idempotency_key="t:staff")
    rows = table(year_figures(cast.district, YEAR), "各下级组织")
    assert list(rows) == ["本级", "老窝镇", "万金镇"] and rows["本级"] == [1, 0, 4.0, 4.0, 0, 0]
