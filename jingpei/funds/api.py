"""/api/v1/funds/: budgets with their execution, expenses, budget adjustments, what waits for the caller. Read-only: the
decisions are taken on the pages, where the approver sees the whole item. Thin: access → query → schema."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema

from jingpei.core.apitypes import Year
from jingpei.funds import access, queries
from jingpei.funds.models import Adjustment, Expense

router = Router(tags=["funds"])


class StepOut(Schema):
    name: str
    org_name: str


class LineOut(Schema):
    id: int
    item: str
    item_label: str
    description: str
    amount: Decimal
    spent: Decimal
    pending: Decimal
    remaining: Decimal


class BudgetOut(Schema):
    id: int
    org_id: int
    org_name: str
    year: int
    title: str
    state: str
    state_label: str
    total: Decimal
    spent: Decimal
    pending: Decimal
    remaining: Decimal
    steps: list[StepOut]
    step: int
    carried_to: int | None  # the next year's budget this one's balance was carried to (closed)
    settled_at: datetime | None  # when its balance was returned (结余收回: closed)
    returned: Decimal | None  # the balance returned then (0 for a budget spent whole)
    settle_note: str  # where it went
    lines: list[LineOut] = []


class ExpenseOut(Schema):
    id: int
    budget_id: int
    line_id: int
    spent_on: date
    amount: Decimal
    payee: str
    purpose: str
    invoice_no: str
    state: str
    state_label: str
    steps: list[StepOut]
    step: int
    submitted_at: datetime | None


class ChangeOut(Schema):
    line: int | None  # null: a line the adjustment adds
    item: str
    description: str
    before: Decimal
    after: Decimal


class AdjustmentOut(Schema):
    id: int
    budget_id: int
    reason: str
    total_before: Decimal
    total_after: Decimal
    changes: list[ChangeOut]
    state: str
    state_label: str
    steps: list[StepOut]
    step: int
    submitted_at: datetime | None
    approved_at: datetime | None


class WaitingOut(Schema):
    budgets: list[BudgetOut]
    expenses: list[ExpenseOut]
    adjustments: list[AdjustmentOut]


def _steps(item) -> list[dict]:
    return [{"name": s["name"], "org_name": s["org_name"]} for s in item.steps]


def budget_out(f: queries.BudgetFigures, *, lines: bool = False) -> dict:
    b = f.budget
    out = {"id": b.pk, "org_id": b.org_id, "org_name": b.org.name, "year": b.year, "title": b.title, "state": b.state,
           "state_label": b.get_state_display(), "total": b.total, "spent": f.approved, "pending": f.pending,
           "remaining": f.remaining, "steps": _steps(b), "step": b.step, "carried_to": b.carried_to_id,
           "settled_at": b.settled_at, "returned": b.returned, "settle_note": b.settle_note}
    if lines:
        out["lines"] = [{"id": lf.line.pk, "item": lf.line.item, "item_label": lf.line.get_item_display(),
                         "description": lf.line.description, "amount": lf.line.amount, "spent": lf.approved,
                         "pending": lf.pending, "remaining": lf.remaining} for lf in f.lines]
    return out


def expense_out(e: Expense) -> dict:
    return {"id": e.pk, "budget_id": e.budget_id, "line_id": e.line_id, "spent_on": e.spent_on, "amount": e.amount,
            "payee": e.payee, "purpose": e.purpose, "invoice_no": e.invoice_no, "state": e.state,
            "state_label": e.get_state_display(), "steps": _steps(e), "step": e.step, "submitted_at": e.submitted_at}


def adjustment_out(a: Adjustment) -> dict:
    return {"id": a.pk, "budget_id": a.budget_id, "reason": a.reason, "total_before": a.total_before,
            "total_after": a.total_after, "changes": a.changes, "state": a.state, "state_label": a.get_state_display(),
            "steps": _steps(a), "step": a.step, "submitted_at": a.submitted_at, "approved_at": a.approved_at}


def _require_funds(request) -> None:
    if not access.can_view_funds(request.user):
        raise Http404


@router.get("/budgets", response=list[BudgetOut])
def list_budgets(request, year: Year | None = None):
    """The budgets of ``year`` (this year when absent) the caller may see, with their execution."""
    _require_funds(request)
    budgets = access.visible_budgets(request.user).filter(year=year or timezone.localdate().year)
    return [budget_out(f) for f in queries.figures(list(budgets.select_related("org").order_by("org__path", "pk")))]


@router.get("/budgets/{budget_id}", response=BudgetOut)
def get_budget(request, budget_id: int):
    return budget_out(queries.figures([access.get_budget(request.user, budget_id)])[0], lines=True)


@router.get("/budgets/{budget_id}/expenses", response=list[ExpenseOut])
def budget_expenses(request, budget_id: int):
    budget = access.get_budget(request.user, budget_id)
    return [expense_out(e) for e in access.visible_expenses(request.user).filter(budget=budget).order_by("-spent_on", "-pk")]


@router.get("/expenses/{expense_id}", response=ExpenseOut)
def get_expense(request, expense_id: int):
    return expense_out(access.get_expense(request.user, expense_id))


@router.get("/budgets/{budget_id}/adjustments", response=list[AdjustmentOut])
def budget_adjustments(request, budget_id: int):
    """The budget's adjustments (预算调整) the caller may see, the latest first."""
    budget = access.get_budget(request.user, budget_id)
    return [adjustment_out(a) for a in access.visible_adjustments(request.user).filter(budget=budget).order_by("-pk")]


@router.get("/adjustments/{adjustment_id}", response=AdjustmentOut)
def get_adjustment(request, adjustment_id: int):
    return adjustment_out(access.get_adjustment(request.user, adjustment_id))


@router.get("/waiting", response=WaitingOut)
def waiting(request):
    """What waits for the caller's decision (待我审批)."""
    budgets, expenses, adjustments = access.waiting_for(request.user)
    return {"budgets": [budget_out(f) for f in queries.figures(list(budgets.select_related("org").order_by("submitted_at")))],
            "expenses": [expense_out(e) for e in expenses.order_by("submitted_at")],
            "adjustments": [adjustment_out(a) for a in adjustments.order_by("submitted_at")]}
