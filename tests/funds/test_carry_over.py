"""Year-end carry-over (年终结转): from 1 December the balance of an approved budget becomes next year's draft,
line by line, and the budget closes; refused by name while something is still in the chain, with nothing
left, twice, too early or by someone else; deleting the draft reopens the budget."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from jingpei.core.errors import Conflict, NotAllowed
from jingpei.core.models import AuditLog
from jingpei.funds import adjustments, carryover, services
from jingpei.funds.adjustments import LineChange
from jingpei.funds.models import Budget, State
from tests.concurrency import at_once
from tests.funds.conftest import approved_budget, logged_in, make_budget, spend, takes_nothing_more

pytestmark = pytest.mark.django_db
DECEMBER = date(2026, 12, 15)






def test_the_balance_becomes_next_years_draft_and_the_budget_closes(cast, funds, year):
    budget, teachers, paid = year
    with time_machine.travel(DECEMBER, tick=False):
        draft = carryover.carry_over(actor=cast.officer, budget=budget)
        assert (draft.year, draft.state, draft.total, draft.org) == (2027, State.DRAFT, Decimal("8000"), cast.district)
        assert draft.title == "2026年培训经费（2026 年结转）" and "结余 ¥8,000.00" in draft.note
        assert [(ln.item, ln.amount, ln.description) for ln in draft.lines.all()] == [
            ("teachers", Decimal("8000"), "上年结转：明细0")]  # 食宿 had nothing left
        budget.refresh_from_db()
        assert budget.carried_to == draft
        takes_nothing_more(cast, budget, teachers, paid, "已结转至下年度，不能再登记支出、冲销或调整")
        assert AuditLog.objects.get(action="funds.budget.carry_over").after["carried_to"] == draft.pk

        services.discard(actor=cast.officer, item=draft)  # the draft deleted: the budget is open again
        budget.refresh_from_db()
        assert budget.carried_to is None and Budget.objects.filter(year=2027).count() == 0


def test_a_budget_carried_over_late_goes_into_this_years(cast, funds, year):
    budget, _teachers, _paid = year
    with time_machine.travel(date(2028, 3, 1), tick=False):
        assert carryover.carry_over(actor=cast.officer, budget=budget).year == 2028


def test_what_stops_a_carry_over(cast, funds, year):
    budget, teachers, _paid = year
    with pytest.raises(Conflict, match="2026 年的预算从 2026 年 12 月 1 日起才能结转"):
        carryover.carry_over(actor=cast.officer, budget=budget)
    waiting = spend(cast, funds, budget, teachers, "300", approve=False)
    with time_machine.travel(DECEMBER, tick=False):
        with pytest.raises(Conflict, match="还有 1 笔支出在审批中"):
            carryover.carry_over(actor=cast.officer, budget=budget)
        services.withdraw(actor=cast.officer, item=waiting)
        adjustment = adjustments.save_adjustment(actor=cast.officer, budget=budget, reason="追加",
                                                 changes=[LineChange(teachers.pk, "12000")])
        with pytest.raises(Conflict, match="还有一项调整在办理中"):
            carryover.carry_over(actor=cast.officer, budget=budget)
        services.discard(actor=cast.officer, item=adjustment)
        with pytest.raises(NotAllowed):
            carryover.carry_over(actor=funds.officer_b, budget=budget)
        with pytest.raises(Conflict, match="只有已批准的预算可以结转"):
            carryover.carry_over(actor=cast.officer, budget=make_budget(cast, title="草稿预算"))
        spent = approved_budget(cast, funds, title="花完的预算", amounts=("800",))
        spend(cast, funds, spent, spent.lines.get(), "800")
        with pytest.raises(Conflict, match="没有结余可以结转"):
            carryover.carry_over(actor=cast.officer, budget=spent)
    assert not Budget.objects.filter(year=2027).exists() and not Budget.objects.exclude(carried_to=None).exists()


def test_the_budget_page_offers_it_in_december_and_links_both_ways(cast, funds, year):
    budget, _teachers, _paid = year
    officer = logged_in(cast.officer)
    assert 'data-testid="carry-over"' not in officer.get(f"/funds/budgets/{budget.pk}/").content.decode()
    with time_machine.travel(DECEMBER, tick=False):
        officer = logged_in(cast.officer)  # a session of December: June's has long expired
        waiting = spend(cast, funds, budget, budget.lines.order_by("pk")[0], "300", approve=False)
        page = officer.get(f"/funds/budgets/{budget.pk}/").content.decode()
        assert "还有 300.00 的支出在审批中，办完后才能办理" in page and 'value="carry_over"' not in page
        services.withdraw(actor=cast.officer, item=waiting)
        page = officer.get(f"/funds/budgets/{budget.pk}/").content.decode()
        assert 'data-testid="carry-over"' in page and "结余 8,000.00" in page and 'value="carry_over"' in page
        assert 'data-testid="carry-over"' not in logged_in(funds.auditor).get(f"/funds/budgets/{budget.pk}/").content.decode()
        done = officer.post(f"/funds/budgets/{budget.pk}/act/", {"action": "carry_over"})
        draft = Budget.objects.get(year=2027)
        assert done.url == f"/funds/budgets/{draft.pk}/"
        closed = officer.get(f"/funds/budgets/{budget.pk}/").content.decode()
        assert 'data-testid="carried-to"' in closed and "登记支出</a>" not in closed and 'data-testid="adjust"' not in closed
        assert f'href="/funds/budgets/{budget.pk}/"' in officer.get(done.url).content.decode()  # 结转自
        for typed in ("expenses/new/", "adjustments/new/"):  # a bookmarked form: back to the budget, saying why
            assert officer.get(f"/funds/budgets/{budget.pk}/{typed}").url == f"/funds/budgets/{budget.pk}/"
        assert officer.get(f"/api/v1/funds/budgets/{budget.pk}").json()["carried_to"] == draft.pk



def test_an_approver_of_the_draft_only_is_not_shown_the_budget_it_came_from(cast, funds):
    services.set_chain(actor=cast.officer, owner=cast.district, steps=[("财政局审核", funds.caizheng)])
    budget = services.submit(actor=cast.officer, item=make_budget(cast, title="区级培训经费"))
    services.approve(actor=funds.approver_cz, item=budget, step=1)  # never on the enterprise's chain
    with time_machine.travel(DECEMBER, tick=False):
        draft = carryover.carry_over(actor=cast.officer, budget=budget)
        services.set_chain(actor=cast.officer, owner=cast.district,
                           steps=[("财政局审核", funds.caizheng), ("帮扶企业审批", funds.enterprise)])
        services.submit(actor=cast.officer, item=draft)
        services.approve(actor=funds.approver_cz, item=draft, step=1)
        enterprise = logged_in(funds.approver_qy)
        page = enterprise.get(f"/funds/budgets/{draft.pk}/").content.decode()
        assert page.startswith("<!doctype") and "上年结转" in page  # the draft itself, its note naming its source …
        assert f'href="/funds/budgets/{budget.pk}/"' not in page and "结转自" not in page  # … but no link to one not theirs
        assert enterprise.get(f"/funds/budgets/{budget.pk}/").status_code == 404
        assert 'data-testid="carried-to"' in logged_in(cast.officer).get(f"/funds/budgets/{budget.pk}/").content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_expense_submitted_as_the_budget_is_carried_over_is_one_or_the_other(cast, funds):
    budget = approved_budget(cast, funds)
    draft = services.save_expense(actor=cast.officer, budget=budget, line=budget.lines.order_by("pk").first(),
                                  spent_on=date(2026, 6, 1), amount="500", payee="党校", purpose="课酬")
    with time_machine.travel(DECEMBER, tick=False):
        outcomes = at_once(lambda: carryover.carry_over(actor=cast.officer, budget=budget),
                           lambda: services.submit(actor=cast.officer, item=draft))
    assert outcomes == ["Conflict", "done"]
    budget.refresh_from_db()
    draft.refresh_from_db()
    assert (budget.carried_to_id is None) == (draft.state == State.PENDING)  # never closed with money in the chain
