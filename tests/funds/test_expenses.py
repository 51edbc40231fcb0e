"""Expenses against an approved budget's line: never more than the line has left (pending expenses hold
their amount), dated in the budget's year and not in the future, amounts to the fen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jingpei.core.errors import DomainError
from jingpei.funds import queries, services
from jingpei.funds.models import Expense, State
from tests.funds.conftest import approved_budget, make_budget

pytestmark = pytest.mark.django_db


def _expense(cast, budget, amount, *, line=None, spent_on=date(2026, 6, 1)):
    return services.save_expense(actor=cast.officer, budget=budget, line=line or budget.lines.order_by("pk").first(),
                                 spent_on=spent_on, amount=amount, payee="区委党校", purpose="授课课酬")


def _through(funds, expense):
    services.approve(actor=funds.approver_cz, item=expense, step=1)
    return services.approve(actor=funds.approver_qy, item=expense, step=2)


def test_pending_and_approved_expenses_hold_the_line(cast, funds):
    budget = approved_budget(cast, funds)  # teachers 10,000 + lodging 5,000
    first = _expense(cast, budget, "6000")
    services.submit(actor=cast.officer, item=first)
    with pytest.raises(DomainError, match=r"超出“师资费 明细0”的结余：结余 ¥4,000.00，本笔 ¥4,000.01"):
        _expense(cast, budget, "4000.01")
    second, third = _expense(cast, budget, "4000"), _expense(cast, budget, "1")  # drafts, each within the room
    services.submit(actor=cast.officer, item=second)
    with pytest.raises(DomainError, match=r"结余 ¥0.00，本笔 ¥1.00"):  # checked again when submitted
        services.submit(actor=cast.officer, item=third)
    _through(funds, first)
    figures = queries.figures([budget])[0]
    line = figures.lines[0]
    assert (line.approved, line.pending, line.remaining) == (Decimal("6000.00"), Decimal("4000.00"), Decimal("0.00"))
    assert (figures.approved, figures.pending, figures.remaining, figures.rate) == (
        Decimal("6000.00"), Decimal("4000.00"), Decimal("5000.00"), Decimal("40.0"))
    # a returned expense frees its amount again
    services.return_item(actor=funds.approver_cz, item=second, step=1, reason="票据不全")
    assert queries.figures([budget])[0].lines[0].remaining == Decimal("4000.00")


def test_an_expense_needs_an_approved_budget(cast, funds):
    draft = make_budget(cast)
    with pytest.raises(DomainError, match="尚未批准"):
        _expense(cast, draft, "100")


@pytest.mark.parametrize(("amount", "spent_on", "message"), [
    ("0", date(2026, 6, 1), "金额须大于 0"),
    ("-5", date(2026, 6, 1), "金额须大于 0"),
    ("12.345", date(2026, 6, 1), "最多精确到分"),
    ("一百", date(2026, 6, 1), "金额“一百”不是数字"),
    ("NaN", date(2026, 6, 1), "金额“NaN”不是数字"),
    ("1e5", date(2026, 6, 1), "金额“1e5”不是数字"),
    ("100000000", date(2026, 6, 1), "不能超过 99,999,999.99 元"),
    ("100", date(2026, 6, 16), "不能晚于今天"),
    ("100", date(2025, 12, 31), "须在预算年度（2026 年）内"),
])
def test_bad_expenses_are_refused_and_nothing_is_written(cast, funds, amount, spent_on, message):
    budget = approved_budget(cast, funds)
    with pytest.raises(DomainError, match=message):
        _expense(cast, budget, amount, spent_on=spent_on)
    assert not Expense.objects.exists()


def test_a_line_of_another_budget_is_refused(cast, funds):
    budget = approved_budget(cast, funds)
    other = approved_budget(cast, funds, title="另一份")
    with pytest.raises(DomainError, match="不属于这份预算"):
        _expense(cast, budget, "100", line=other.lines.first())


def test_amounts_typed_with_separators_are_read(cast, funds):
    budget = approved_budget(cast, funds)
    assert [services.clean_amount(v) for v in ("１２，０００元", "￥3,000", " 2500 元 ", "0.5")] == [
        Decimal("12000.00"), Decimal("3000.00"), Decimal("2500.00"), Decimal("0.50")]
    expense = _expense(cast, budget, "1,234.5")
    assert expense.amount == Decimal("1234.50")
    services.submit(actor=cast.officer, item=expense)
    expense = _through(funds, expense)
    assert expense.state == State.APPROVED


@pytest.mark.parametrize(("lines", "message"), [
    ([], "至少要有一条明细"),
    ([("teachers", "0")], "第 1 条明细：金额须大于 0"),
    ([("teachers", "100"), ("bogus", "5")], "第 2 条明细的科目无效"),
    ([("teachers", "99999999.99"), ("lodging", "1")], "预算总额不能超过"),
])
def test_bad_budgets_are_refused(cast, funds, lines, message):
    from jingpei.funds.models import Budget

    with pytest.raises(DomainError, match=message):
        services.save_budget(actor=cast.officer, org=cast.district, year=2026, title="x",
                             lines=[services.LineInput(item=i, amount=Decimal(a)) for i, a in lines])
    assert not Budget.objects.exists()


def test_budget_year_and_title(cast, funds):
    with pytest.raises(DomainError, match="预算年度只能是 2025—2027 年"):
        make_budget(cast, year=2020)
    with pytest.raises(DomainError, match="请填写预算名称"):
        make_budget(cast, title="  ")


def test_an_approved_budget_is_not_edited(cast, funds):
    from jingpei.core.errors import Conflict

    budget = approved_budget(cast, funds)
    with pytest.raises(Conflict, match="已批准，不能再修改"):
        services.save_budget(actor=cast.officer, org=cast.district, year=2026, title="改", budget=budget,
                             lines=[services.LineInput(item="teachers", amount=Decimal(1))])
    assert budget.lines.count() == 2


def test_overlong_text_is_refused_not_cut(cast, funds):
    budget = approved_budget(cast, funds)
    with pytest.raises(DomainError, match="收款单位或个人不能超过 100 个字"):
        services.save_expense(actor=cast.officer, budget=budget, line=budget.lines.first(), spent_on=date(2026, 6, 1),
                              amount="10", payee="单" * 101, purpose="课酬")
    with pytest.raises(DomainError, match="第 1 条明细：用途说明不能超过 200 个字"):
        services.save_budget(actor=cast.officer, org=cast.district, year=2026, title="x",
                             lines=[services.LineInput(item="teachers", amount=Decimal(1), description="用" * 201)])
    assert not Expense.objects.exists()
