"""Year-end return of the balance (结余收回), the other way to close a year's budget: from 1 December, with
nothing in the chain, saying where the money goes; the budget then takes nothing more, shows how it was
closed, and can be reopened only with a reason, both audited."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from openpyxl import load_workbook

from jingpei.core.errors import Conflict, DomainError, NotAllowed
from jingpei.core.models import AuditLog
from jingpei.funds import adjustments, carryover, services
from jingpei.funds.adjustments import LineChange
from jingpei.funds.models import Budget, State
from tests.concurrency import at_once
from tests.funds.conftest import approved_budget, logged_in, make_budget, spend, takes_nothing_more

pytestmark = pytest.mark.django_db
DECEMBER = date(2026, 12, 15)




def test_the_balance_is_returned_and_the_budget_closes(cast, funds, year):
    budget, teachers, paid = year
    with time_machine.travel(DECEMBER, tick=False):
        carryover.settle(actor=cast.officer, budget=budget, note="  缴回区财政 ")
        budget.refresh_from_db()
        assert budget.closed and budget.returned == Decimal("8000.00") and budget.settle_note == "缴回区财政"
        assert budget.settled_by == cast.officer and budget.carried_to is None
        closed = "已办理结余收回，不能再登记支出、冲销或调整"
        takes_nothing_more(cast, budget, teachers, paid, closed)
        with pytest.raises(Conflict, match=closed):
            carryover.settle(actor=cast.officer, budget=budget, note="缴回区财政")
        assert AuditLog.objects.get(action="funds.budget.settle").after == {"returned": "8000.00", "note": "缴回区财政"}


def test_a_budget_spent_whole_is_closed_with_nothing_returned(cast, funds):
    budget = approved_budget(cast, funds, amounts=("800",))
    spend(cast, funds, budget, budget.lines.get(), "800")
    with time_machine.travel(DECEMBER, tick=False):
        carryover.settle(actor=cast.officer, budget=budget, note="")  # nothing to say where it goes
    budget.refresh_from_db()
    assert budget.closed and budget.returned == 0


def test_what_stops_a_return(cast, funds, year):
    budget, teachers, _paid = year
    with pytest.raises(Conflict, match="2026 年的预算从 2026 年 12 月 1 日起才能办理结余收回"):
        carryover.settle(actor=cast.officer, budget=budget, note="缴回区财政")
    waiting = spend(cast, funds, budget, teachers, "300", approve=False)
    with time_machine.travel(DECEMBER, tick=False):
        with pytest.raises(Conflict, match="还有 1 笔支出在审批中：请等审批完或撤回后再办理结余收回"):
            carryover.settle(actor=cast.officer, budget=budget, note="缴回区财政")
        services.withdraw(actor=cast.officer, item=waiting)
        adjustment = adjustments.save_adjustment(actor=cast.officer, budget=budget, reason="追加",
                                                 changes=[LineChange(teachers.pk, "12000")])
        with pytest.raises(Conflict, match="还有一项调整在办理中"):
            carryover.settle(actor=cast.officer, budget=budget, note="缴回区财政")
        services.discard(actor=cast.officer, item=adjustment)
        for blank in ("", " ", "缴"):
            with pytest.raises(DomainError, match="结余 ¥8,000.00 收回到哪里？请写明去向") as refused:
                carryover.settle(actor=cast.officer, budget=budget, note=blank)
            assert refused.value.field == "settle_note"
        with pytest.raises(DomainError, match="收回去向不能超过 100 个字"):
            carryover.settle(actor=cast.officer, budget=budget, note="缴" * 101)
        for outsider in (funds.officer_b, funds.auditor, funds.approver_cz):
            with pytest.raises(NotAllowed):
                carryover.settle(actor=outsider, budget=budget, note="缴回区财政")
        with pytest.raises(Conflict, match="只有已批准的预算可以办理结余收回"):
            carryover.settle(actor=cast.officer, budget=make_budget(cast, title="草稿预算"), note="缴回区财政")
        carried = approved_budget(cast, funds, title="已结转的预算", amounts=("600",))
        carryover.carry_over(actor=cast.officer, budget=carried)
        with pytest.raises(Conflict, match="已结转至下年度"):
            carryover.settle(actor=cast.officer, budget=carried, note="缴回区财政")
    assert not Budget.objects.exclude(settled_at=None).exists() and not AuditLog.objects.filter(action="funds.budget.settle").exists()


def test_a_return_is_undone_only_with_a_reason(cast, funds, year):
    budget, teachers, _paid = year
    with time_machine.travel(DECEMBER, tick=False):
        carryover.settle(actor=cast.officer, budget=budget, note="缴回区财政")
        with pytest.raises(DomainError, match="撤销须写明原因"):
            carryover.reopen(actor=cast.officer, budget=budget, reason=" ")
        with pytest.raises(NotAllowed):
            carryover.reopen(actor=funds.officer_b, budget=budget, reason="收回金额有误")
        carryover.reopen(actor=cast.officer, budget=budget, reason="收回金额有误，重新办理")
        budget.refresh_from_db()
        assert not budget.closed and budget.returned is None and budget.settle_note == ""
        row = AuditLog.objects.get(action="funds.budget.reopen")
        assert row.before["returned"] == "8000.00" and row.after == {"reason": "收回金额有误，重新办理"}
        with pytest.raises(Conflict, match="没有办理结余收回，无需撤销"):
            carryover.reopen(actor=cast.officer, budget=budget, reason="再撤一次")
        spend(cast, funds, budget, teachers, "1000")  # open again: a late invoice is booked
        carryover.settle(actor=cast.officer, budget=budget, note="缴回区财政")
        budget.refresh_from_db()
        assert budget.returned == Decimal("7000.00")


def test_the_budget_page_offers_both_ways_in_december(cast, funds, year, client_as):
    budget, _teachers, _paid = year
    url = f"/funds/budgets/{budget.pk}/"
    assert 'data-testid="year-end"' not in logged_in(cast.officer).get(url).content.decode()
    with time_machine.travel(DECEMBER, tick=False):
        officer = logged_in(cast.officer)
        page = officer.get(url).content.decode()
        assert 'value="carry_over"' in page and 'value="settle"' in page and 'name="settle_note"' in page
        assert 'data-testid="year-end"' not in logged_in(funds.auditor).get(url).content.decode()
        refused = officer.post(f"{url}act/", {"action": "settle", "settle_note": ""}, follow=True).content.decode()
        assert "收回到哪里？请写明去向" in refused and not Budget.objects.exclude(settled_at=None).exists()
        done = officer.post(f"{url}act/", {"action": "settle", "settle_note": "退回帮扶企业"}, follow=True).content.decode()
        assert "已办理结余收回" in done and 'data-testid="settled"' in done and "收回 8,000.00" in done
        assert "退回帮扶企业" in done and "登记支出</a>" not in done and 'data-testid="adjust"' not in done
        assert 'data-testid="year-end"' not in done and 'data-testid="reopen"' in done
        assert "已结算" in officer.get("/funds/?year=2026").content.decode()
        assert 'data-testid="reopen"' not in logged_in(funds.auditor).get(url).content.decode()
        api = officer.get(f"/api/v1/funds/budgets/{budget.pk}").json()
        assert (api["returned"], api["settle_note"]) == ("8000.00", "退回帮扶企业") and api["settled_at"]
        sheet = load_workbook(io.BytesIO(officer.get("/funds/export/?year=2026").content))["预算执行"]
        subtotal = next(row for row in sheet.iter_rows(values_only=True) if row[3] == "小计")
        assert subtotal[-1] == "结余收回：退回帮扶企业"
        assert logged_in(funds.officer_b).post(f"{url}act/", {"action": "reopen", "reason": "越权"}).status_code in (302, 403, 404)
        budget.refresh_from_db()
        assert budget.closed
        officer.post(f"{url}act/", {"action": "reopen", "reason": "收回金额有误"})
        budget.refresh_from_db()
        assert not budget.closed


def test_a_spent_budget_offers_only_to_close(cast, funds, client_as):
    budget = approved_budget(cast, funds, amounts=("800",))
    spend(cast, funds, budget, budget.lines.get(), "800")
    with time_machine.travel(DECEMBER, tick=False):
        page = logged_in(cast.officer).get(f"/funds/budgets/{budget.pk}/").content.decode()
    assert 'value="settle"' in page and 'value="carry_over"' not in page and 'name="settle_note"' not in page
    assert "关闭预算" in page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_expense_submitted_as_the_balance_is_returned_is_one_or_the_other(cast, funds):
    budget = approved_budget(cast, funds)
    draft = services.save_expense(actor=cast.officer, budget=budget, line=budget.lines.order_by("pk").first(),
                                  spent_on=date(2026, 6, 1), amount="500", payee="党校", purpose="课酬")
    with time_machine.travel(DECEMBER, tick=False):
        outcomes = at_once(lambda: carryover.settle(actor=cast.officer, budget=budget, note="缴回区财政"),
                           lambda: services.submit(actor=cast.officer, item=draft))
    assert sorted(outcomes) == ["Conflict", "done"]
    budget.refresh_from_db()
    draft.refresh_from_db()
    assert (budget.settled_at is None) == (draft.state == State.PENDING)  # never closed with money in the chain
    assert budget.returned in (None, Decimal("15000.00"))


def test_the_home_page_lists_the_budgets_to_close_from_december(cast, funds, year, client_as):
    budget, _teachers, _paid = year
    todo = "待年终结算（结转或结余收回）：2026年培训经费"
    assert todo not in logged_in(cast.officer).get("/").content.decode()  # June: not yet
    with time_machine.travel(DECEMBER, tick=False):
        assert todo in logged_in(cast.officer).get("/").content.decode()
        assert todo not in logged_in(funds.officer_b).get("/").content.decode()  # not theirs to close
        assert todo not in logged_in(funds.auditor).get("/").content.decode()  # reads, closes nothing
        other = approved_budget(cast, funds, cast.town_a, title="老窝镇培训经费", amounts=("600",))
        page = logged_in(cast.officer).get("/").content.decode()
        assert todo not in page and '2 份预算待年终结算（结转或结余收回）' in page and 'href="/funds/?year=2026"' in page
        carryover.settle(actor=cast.officer, budget=budget, note="缴回区财政")
        carryover.carry_over(actor=cast.officer, budget=other)
        assert "待年终结算" not in logged_in(cast.officer).get("/").content.decode()
    with time_machine.travel(date(2027, 3, 1), tick=False):  # a year not closed stays on the list the next spring
        carryover.reopen(actor=cast.officer, budget=budget, reason="重新办理")
        assert todo in logged_in(cast.officer).get("/").content.decode()
