"""An approved expense is corrected by a reversal (红冲), never edited: the negated amount on the same
line, through the same chain, giving the money back once approved; one live reversal at most."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from jingpei.core.errors import Conflict, DomainError
from jingpei.core.models import AuditLog
from jingpei.funds import queries, services
from jingpei.funds.models import Expense, State
from tests.funds.conftest import approved_budget

pytestmark = pytest.mark.django_db


def _approved_expense(cast, funds, amount="3000"):
    budget = approved_budget(cast, funds)
    expense = services.save_expense(actor=cast.officer, budget=budget, line=budget.lines.order_by("pk").first(),
                                    spent_on=budget.approved_at.date(), amount=amount, payee="区委党校", purpose="课酬")
    services.submit(actor=cast.officer, item=expense)
    services.approve(actor=funds.approver_cz, item=expense, step=1)
    return services.approve(actor=funds.approver_qy, item=expense, step=2)


def _line(expense):
    return next(f for f in queries.figures([expense.budget])[0].lines if f.line.pk == expense.line_id)


def test_a_reversal_gives_the_money_back_once_approved(cast, funds):
    expense = _approved_expense(cast, funds)
    assert _line(expense).remaining == Decimal("7000.00")
    with pytest.raises(DomainError, match="冲销须写明原因"):
        services.reverse_expense(actor=cast.officer, expense=expense, reason=" ")
    reversal = services.reverse_expense(actor=cast.officer, expense=expense, reason="发票重复报销")
    assert (reversal.state, reversal.amount, reversal.reverses_id) == (State.PENDING, Decimal("-3000.00"), expense.pk)
    assert reversal.purpose == "冲销“课酬”：发票重复报销"
    assert _line(expense).remaining == Decimal("7000.00")  # nothing given back before approval
    with pytest.raises(Conflict, match="不能重复冲销"):
        services.reverse_expense(actor=cast.officer, expense=expense, reason="再来一次")
    services.approve(actor=funds.approver_cz, item=reversal, step=1)
    services.approve(actor=funds.approver_qy, item=reversal, step=2)
    line = _line(expense)
    assert (line.approved, line.remaining) == (Decimal("0.00"), Decimal("10000.00"))
    expense.refresh_from_db()
    assert expense.state == State.APPROVED and expense.amount == Decimal("3000.00")  # the record itself stands
    assert AuditLog.objects.filter(action="funds.expense.reverse", object_id=str(reversal.pk)).exists()


def test_only_approved_expenses_are_reversed_and_reversals_are_not_edited(cast, funds):
    expense = _approved_expense(cast, funds)
    reversal = services.reverse_expense(actor=cast.officer, expense=expense, reason="金额有误")
    with pytest.raises(Conflict, match="只有已批准的支出可以冲销"):
        services.reverse_expense(actor=cast.officer, expense=reversal, reason="冲销的冲销")
    services.return_item(actor=funds.approver_cz, item=reversal, step=1, reason="请附说明")
    with pytest.raises(Conflict, match="不能修改"):
        services.save_expense(actor=cast.officer, budget=expense.budget, line=expense.line, expense=reversal,
                              spent_on=expense.spent_on, amount="1", payee="x", purpose="y")
    services.submit(actor=cast.officer, item=reversal)  # mended by its invoices or reasons, sent again
    # a returned reversal no longer blocks a new one, a pending one does
    with pytest.raises(Conflict):
        services.reverse_expense(actor=cast.officer, expense=expense, reason="again")
    draft = services.save_expense(actor=cast.officer, budget=expense.budget, line=expense.line,
                                  spent_on=expense.spent_on, amount="10", payee="x", purpose="y")
    with pytest.raises(Conflict, match="只有已批准的支出可以冲销"):
        services.reverse_expense(actor=cast.officer, expense=draft, reason="草稿")


def test_the_page_offers_the_reversal_to_the_manager_only(cast, funds):
    expense = _approved_expense(cast, funds)
    officer, auditor = Client(), Client()
    officer.force_login(cast.officer)
    auditor.force_login(funds.auditor)
    assert 'data-testid="reverse"' in officer.get(expense.get_absolute_url()).content.decode()
    assert 'data-testid="reverse"' not in auditor.get(expense.get_absolute_url()).content.decode()
    auditor.post(reverse("funds:expense_act", args=[expense.pk]), {"action": "reverse", "reason": "审计"})
    assert not Expense.objects.filter(reverses=expense).exists()
    response = officer.post(reverse("funds:expense_act", args=[expense.pk]), {"action": "reverse", "reason": "重复报销"})
    reversal = Expense.objects.get(reverses=expense)
    assert response["Location"] == reversal.get_absolute_url()
    page = officer.get(reversal.get_absolute_url()).content.decode()
    assert "这是一条冲销记录" in page and "-3,000.00" in page


def test_reverse_is_an_expense_action_only(cast, funds):
    """The budget's route refuses it (it once took the budget's id for an expense's)."""
    expense = _approved_expense(cast, funds)
    officer = Client()
    officer.force_login(cast.officer)
    response = officer.post(reverse("funds:budget_act", args=[expense.budget_id]), {"action": "reverse", "reason": "错路"},
                            follow=True)
    assert "未知的操作" in response.content.decode()
    assert not Expense.objects.filter(reverses__isnull=False).exists()


def test_the_reason_is_kept_whole_beside_a_long_purpose(cast, funds):
    budget = approved_budget(cast, funds)
    expense = services.save_expense(actor=cast.officer, budget=budget, line=budget.lines.order_by("pk").first(),
                                    spent_on=budget.approved_at.date(), amount="100", payee="x", purpose="事" * 200)
    services.submit(actor=cast.officer, item=expense)
    services.approve(actor=funds.approver_cz, item=expense, step=1)
    services.approve(actor=funds.approver_qy, item=expense, step=2)
    reason = "发票重复报销，已由财务核实并收回款项"
    reversal = services.reverse_expense(actor=cast.officer, expense=expense, reason=reason)
    assert len(reversal.purpose) == 200 and reversal.purpose.endswith("…”：" + reason)
    with pytest.raises(DomainError, match="冲销原因不能超过 100 个字"):
        services.reverse_expense(actor=cast.officer, expense=expense, reason="因" * 101)
