"""At the same moment: two expenses that each fit the line but not together are submitted (one goes
through, the other is told the line's balance); two clicks approve the same step (one approves, the
other is told it was decided)."""

from __future__ import annotations

import pytest

from jingpei.funds import queries, services
from jingpei.funds.models import Decision, State
from tests.concurrency import at_once
from tests.funds.conftest import approved_budget, make_budget

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_expenses_never_overspend_a_line(cast, funds):
    budget = approved_budget(cast, funds)  # teachers: 10,000
    line = budget.lines.order_by("pk").first()
    drafts = [services.save_expense(actor=cast.officer, budget=budget, line=line, spent_on=budget.approved_at.date(),
                                    amount="6000", payee="党校", purpose=f"课酬{n}") for n in range(2)]
    outcomes = at_once(*[lambda e=e: services.submit(actor=cast.officer, item=e) for e in drafts])
    assert outcomes == ["DomainError", "done"]
    assert queries.figures([budget])[0].lines[0].remaining == 4000


def test_one_step_is_decided_once(cast, funds):
    budget = make_budget(cast)
    services.submit(actor=cast.officer, item=budget)
    outcomes = at_once(lambda: services.approve(actor=funds.approver_cz, item=budget, step=1),
                        lambda: services.return_item(actor=funds.approver_cz, item=budget, step=1, reason="重编"))
    assert outcomes == ["Conflict", "done"]
    budget.refresh_from_db()
    assert budget.decisions.exclude(outcome=Decision.Outcome.SUBMIT).count() == 1
    assert budget.state in (State.PENDING, State.RETURNED)


def test_one_expense_is_reversed_once(cast, funds):
    budget = approved_budget(cast, funds)
    expense = services.save_expense(actor=cast.officer, budget=budget, line=budget.lines.order_by("pk").first(),
                                    spent_on=budget.approved_at.date(), amount="500", payee="党校", purpose="课酬")
    services.submit(actor=cast.officer, item=expense)
    services.approve(actor=funds.approver_cz, item=expense, step=1)
    services.approve(actor=funds.approver_qy, item=expense, step=2)
    outcomes = at_once(*[lambda: services.reverse_expense(actor=cast.officer, expense=expense, reason="重复报销")] * 2)
    assert outcomes == ["Conflict", "done"]
    assert expense.reversals.count() == 1
