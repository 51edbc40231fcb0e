"""The training funds in the year report (年终有总结): the subtree's approved budgets of the year by item,
counted by hand, shown only to readers whose ``funds.view`` covers the subtree."""

from __future__ import annotations

import io
from datetime import date

import pytest
import time_machine
from openpyxl import load_workbook

from jingpei.core.jobs import run_job
from jingpei.core.models import Job
from jingpei.core.scoping import forget_grants
from jingpei.funds import carryover, services
from jingpei.funds.models import Budget
from jingpei.funds.queries import by_item, by_org
from jingpei.reports.figures import year_figures
from tests.funds.conftest import approved_budget, make_budget, spend

pytestmark = pytest.mark.django_db
TITLE = "培训经费执行（已批准预算 %s 份，单位：元）"
BY_ORG = "培训经费执行（按单位，单位：元）"




@pytest.fixture
def year_of_funds(cast, funds):
    """The district: 师资 10,000 + 食宿 5,000, 2,000 spent on 师资 and 1,000 in the chain on 食宿; 老窝镇:
    师资 3,000, 500 spent and its reversal in the chain (which gives nothing back yet). Not counted: 万金镇's
    draft of 9,000 and the district's approved budget of last year."""
    district = approved_budget(cast, funds)
    spend(cast, funds, district, district.lines.order_by("pk")[0], "2000")
    spend(cast, funds, district, district.lines.order_by("pk")[1], "1000", approve=False)
    town = approved_budget(cast, funds, cast.town_a, title="老窝镇培训经费", amounts=("3000",))
    paid = spend(cast, funds, town, town.lines.get(), "500")
    services.reverse_expense(actor=cast.officer, expense=paid, reason="发票重复报销")
    make_budget(cast, cast.town_b, title="万金镇培训经费", amounts=("9000",))
    approved_budget(cast, funds, title="2025年培训经费", amounts=("7000",), year=2025)


def funds_table(figures) -> list[list] | None:
    return next((t.rows for t in figures.tables if t.title.startswith("培训经费执行")), None)


def test_the_year_by_item_counted_by_hand(cast, year_of_funds):
    figures = year_figures(cast.district, 2026, funds=True)
    assert [t.title for t in figures.tables if t.title.startswith("培训经费")] == [TITLE % 2, BY_ORG]
    assert funds_table(figures) == [
        ["师资费", 13000.0, 2500.0, 0.0, 10500.0, "19.2%"],
        ["食宿费", 5000.0, 0.0, 1000.0, 4000.0, "0.0%"],
        ["合计", 18000.0, 2500.0, 1000.0, 14500.0, "13.9%"],
    ]
    assert funds_table(year_figures(cast.town_a, 2026, funds=True)) == [
        ["师资费", 3000.0, 500.0, 0.0, 2500.0, "16.7%"], ["合计", 3000.0, 500.0, 0.0, 2500.0, "16.7%"]]
    last_year = year_figures(cast.district, 2025, funds=True)
    assert funds_table(last_year)[-1] == ["合计", 7000.0, 0.0, 0.0, 7000.0, "0.0%"]
    empty = year_figures(cast.town_b, 2026, funds=True)  # a draft is not money yet
    assert [t.rows for t in empty.tables if t.title == TITLE % 0] == [[]]
    assert funds_table(year_figures(cast.district, 2026)) is None  # not asked for


def test_only_readers_of_the_funds_see_them(cast, funds, year_of_funds, client_as):
    officer = client_as(cast.officer).get(f"/reports/year/{cast.district.pk}/?year=2026").content.decode()
    assert TITLE % 2 in officer and "13,000.00" in officer and "14,500.00" in officer
    auditor = client_as(funds.auditor).get(f"/reports/year/{cast.district.pk}/?year=2026").content.decode()
    assert TITLE % 2 in auditor
    liaison = client_as(cast.liaison_a).get(f"/reports/year/{cast.town_a.pk}/?year=2026").content.decode()
    assert "培训经费" not in liaison  # a liaison reads the report, never the money
    api = client_as(cast.liaison_a).get(f"/api/v1/reports/year/{cast.town_a.pk}?year=2026").json()
    assert not any(t["title"].startswith("培训经费") for t in api["tables"])
    api = client_as(cast.officer).get(f"/api/v1/reports/year/{cast.town_a.pk}?year=2026").json()
    assert next(t for t in api["tables"] if t["title"] == TITLE % 1)["money"] == [1, 2, 3, 4]


def test_the_excel_holds_the_amounts_as_numbers_to_the_fen(cast, year_of_funds, client_as):
    download = client_as(cast.officer).get(f"/reports/year/{cast.district.pk}/xlsx/?year=2026")
    sheet = load_workbook(io.BytesIO(download.content))["年度统计"]
    total = next(row for row in sheet.iter_rows() if row[0].value == "合计" and row[1].value == 18000)
    assert [c.value for c in total[:6]] == ["合计", 18000, 2500, 1000, 14500, "13.9%"]
    assert {c.number_format for c in total[1:5]} == {"#,##0.00"}


def test_a_kept_job_is_made_again_for_a_reader_whose_funds_right_changed(cast, year_of_funds, client_as, settings):
    settings.REPORTS_INLINE_PEOPLE = 1
    client = client_as(cast.officer)
    url = f"/reports/year/{cast.district.pk}/?year=2026"
    job = Job.objects.get(pk=client.get(url).url.split("/")[-2])
    assert job.params["funds"] is True
    run_job(job.pk)
    assert TITLE % 2 in client.get(url).content.decode()
    cast.officer.grants.update(role="liaison")  # now a reader of the report without the money
    forget_grants(cast.officer)
    assert client.get(url).status_code == 302  # not the kept figures with the funds: a job of its own
    assert Job.objects.filter(name="reports.year", params__funds=False).count() == 1


def test_the_funds_table_costs_three_queries_whatever_the_budgets(cast, funds, year_of_funds, django_assert_num_queries):
    with django_assert_num_queries(3):
        assert by_item(Budget.objects.filter(year=2026))[0] == 2
    for n in range(5):
        approved_budget(cast, funds, title=f"追加预算{n}", amounts=("100", "200"))
    with django_assert_num_queries(3):
        assert by_item(Budget.objects.filter(year=2026))[0] == 7


def by_org_table(figures):
    return next((t for t in figures.tables if t.title == BY_ORG), None)


def test_the_year_by_organisation_with_how_each_closed(cast, funds):
    """本级 carried over, 老窝镇 returned its balance, 万金镇 still open: each a row, linked to its own report."""
    district = approved_budget(cast, funds)
    spend(cast, funds, district, district.lines.order_by("pk")[0], "2000")
    town_a = approved_budget(cast, funds, cast.town_a, title="老窝镇培训经费", amounts=("3000",))
    spend(cast, funds, town_a, town_a.lines.get(), "500")
    town_b = approved_budget(cast, funds, cast.town_b, title="万金镇培训经费", amounts=("4000",))
    spend(cast, funds, town_b, town_b.lines.get(), "300", approve=False)
    with time_machine.travel(date(2026, 12, 15), tick=False):
        carryover.carry_over(actor=cast.officer, budget=district)
        carryover.settle(actor=cast.officer, budget=town_a, note="缴回镇财政")
    table = by_org_table(year_figures(cast.district, 2026, funds=True))
    assert table.rows == [
        ["本级", 1, 15000.0, 2000.0, 0.0, 13000.0, "13.3%", 13000.0, 0.0],
        ["老窝镇", 1, 3000.0, 500.0, 0.0, 2500.0, "16.7%", 0.0, 2500.0],
        ["万金镇", 1, 4000.0, 0.0, 300.0, 3700.0, "0.0%", 0.0, 0.0],
        ["合计", 3, 22000.0, 2500.0, 300.0, 19200.0, "11.4%", 13000.0, 2500.0],
    ]
    assert table.org_ids == [None, cast.town_a.pk, cast.town_b.pk, None] and table.money == [2, 3, 4, 5, 7, 8]
    assert by_org_table(year_figures(cast.town_a, 2026, funds=True)) is None  # its own budget alone: nothing more to say
    assert by_org_table(year_figures(cast.district, 2026)) is None


def test_the_table_by_organisation_costs_two_queries_whatever_the_budgets(cast, funds, year_of_funds, django_assert_num_queries):
    with django_assert_num_queries(2):
        assert set(by_org(Budget.objects.filter(year=2026), cast.district.child_cut)) == {cast.district.path, cast.town_a.path}
    for org in (cast.town_b, cast.village_a, cast.district):
        approved_budget(cast, funds, org, title=f"{org.name}追加预算", amounts=("100", "200"))
    with django_assert_num_queries(2):
        figures = by_org(Budget.objects.filter(year=2026), cast.district.child_cut)
    assert {path: f.budgets for path, f in figures.items()} == {cast.district.path: 2, cast.town_a.path: 2, cast.town_b.path: 1}
