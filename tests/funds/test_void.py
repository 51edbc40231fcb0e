"""Giving up a returned or withdrawn item (作废): it stays with its trail as 已作废, holds nothing, leaves the
to-do list and no longer stands in the way of a new adjustment, a new reversal or the year-end carry-over."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from jingpei.core.errors import Conflict, DomainError
from jingpei.core.models import AuditLog
from jingpei.funds import access, adjustments, carryover, queries, services
from jingpei.funds.adjustments import LineChange
from jingpei.funds.models import Decision, State
from tests.funds.conftest import approved_budget, logged_in, make_budget, spend

pytestmark = pytest.mark.django_db


def test_a_returned_adjustment_given_up_unblocks_the_budget(cast, funds):
    budget = approved_budget(cast, funds)
    teachers = budget.lines.order_by("pk").first()
    asked = adjustments.save_adjustment(actor=cast.officer, budget=budget, reason="追加师资",
                                        changes=[LineChange(teachers.pk, "12000")])
    services.submit(actor=cast.officer, item=asked)
    services.return_item(actor=funds.approver_cz, item=asked, step=1, reason="年度内不再追加")
    with pytest.raises(Conflict, match="已有一项调整在办理中"):
        adjustments.save_adjustment(actor=cast.officer, budget=budget, reason="压减师资", changes=[LineChange(teachers.pk, "9000")])
    with pytest.raises(DomainError, match="作废须写明原因"):
        services.void(actor=cast.officer, item=asked, reason=" ")
    voided = services.void(actor=cast.officer, item=asked, reason="按审核意见不再追加")
    assert voided.state == State.VOID and voided.decisions.order_by("-pk").first().outcome == Decision.Outcome.VOID
    assert AuditLog.objects.filter(action="funds.adjustment.void").exists()
    assert not access.returned_to(cast.officer)[2].exists()  # off the to-do list
    adjustments.save_adjustment(actor=cast.officer, budget=budget, reason="压减师资", changes=[LineChange(teachers.pk, "9000")])
    with pytest.raises(Conflict, match="只有被退回或撤回的事项可以作废"):
        services.void(actor=cast.officer, item=voided, reason="再作废")


def test_a_returned_expense_given_up_holds_nothing_and_lets_a_budget_close(cast, funds):
    budget = approved_budget(cast, funds)
    teachers = budget.lines.order_by("pk").first()
    claim = spend(cast, funds, budget, teachers, "4000", approve=False)
    services.return_item(actor=funds.approver_cz, item=claim, step=1, reason="发票不合规")
    services.void(actor=cast.officer, item=claim, reason="发票无法补开，不再报销")
    assert queries.figures([budget])[0].lines[0].remaining == 10000
    paid = spend(cast, funds, budget, teachers, "500")
    reversal = services.reverse_expense(actor=cast.officer, expense=paid, reason="重复报销")
    services.withdraw(actor=cast.officer, item=reversal)
    services.void(actor=cast.officer, item=reversal, reason="核实后并未重复")
    services.reverse_expense(actor=cast.officer, expense=paid, reason="确认重复报销")  # a new one may follow
    with time_machine.travel(date(2026, 12, 15), tick=False):
        with pytest.raises(Conflict, match="还有 1 笔支出在审批中"):  # the live reversal, not the voided ones
            carryover.carry_over(actor=cast.officer, budget=budget)


def test_what_cannot_be_voided(cast, funds):
    draft = make_budget(cast)
    with pytest.raises(Conflict, match="从未提交的草稿直接删除"):
        services.void(actor=cast.officer, item=draft, reason="不要了")
    services.submit(actor=cast.officer, item=draft)
    with pytest.raises(Conflict, match="只有被退回或撤回的事项可以作废"):
        services.void(actor=cast.officer, item=draft, reason="不要了")
    services.withdraw(actor=cast.officer, item=draft)
    with pytest.raises(Exception, match="经费管理权限"):
        services.void(actor=funds.officer_b, item=draft, reason="不要了")
    page = logged_in(cast.officer).get(f"/funds/budgets/{draft.pk}/").content.decode()
    assert 'data-testid="void"' in page
    logged_in(cast.officer).post(f"/funds/budgets/{draft.pk}/act/", {"action": "void", "reason": "并入年度总预算"})
    draft.refresh_from_db()
    assert draft.state == State.VOID
    assert "已作废" in logged_in(cast.officer).get(f"/funds/budgets/{draft.pk}/").content.decode()
