"""Read side of the funds: how far each budget and each of its lines has been spent (预算执行)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.db.models import BooleanField, Case, Count, Sum, Value, When
from django.db.models.functions import Substr

from jingpei.funds.models import Budget, BudgetLine, Expense, Item, State

ZERO = Decimal("0.00")


def _rate(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.1")) if whole else Decimal("0.0")


@dataclass
class LineFigures:
    line: BudgetLine
    approved: Decimal = ZERO  # spent: expenses through the whole chain
    pending: Decimal = ZERO  # held by expenses still in the chain

    @property
    def remaining(self) -> Decimal:
        return self.line.amount - self.approved - self.pending

    @property
    def rate(self) -> Decimal:
        return _rate(self.approved, self.line.amount)


@dataclass
class BudgetFigures:
    budget: Budget
    lines: list[LineFigures] = field(default_factory=list)
    expenses: int = 0

    @property
    def approved(self) -> Decimal:
        return sum((f.approved for f in self.lines), ZERO)

    @property
    def pending(self) -> Decimal:
        return sum((f.pending for f in self.lines), ZERO)

    @property
    def remaining(self) -> Decimal:
        return self.budget.total - self.approved - self.pending

    @property
    def rate(self) -> Decimal:
        return _rate(self.approved, self.budget.total)


def figures(budgets: list[Budget]) -> list[BudgetFigures]:
    """Execution figures of ``budgets``, in their order: three queries whatever their number."""
    out = {b.pk: BudgetFigures(b) for b in budgets}
    held: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for line_id, state, total in (Expense.objects.filter(budget_id__in=out).held()
                                  .values_list("line_id", "state").annotate(Sum("amount")).order_by()):
        held[(line_id, state)] = total
    for budget_id, n in Expense.objects.filter(budget_id__in=out).values_list("budget_id").annotate(Count("id")).order_by():
        out[budget_id].expenses = n
    for line in BudgetLine.objects.filter(budget_id__in=out).select_related("training_class").order_by("budget_id", "pk"):
        out[line.budget_id].lines.append(
            LineFigures(line, approved=held[(line.pk, State.APPROVED)], pending=held[(line.pk, State.PENDING)]))
    return list(out.values())


@dataclass
class YearTotals:
    budgets: int = 0
    approved_budgets: int = 0
    total: Decimal = ZERO  # of approved budgets: what may be spent
    spent: Decimal = ZERO
    pending: Decimal = ZERO

    @property
    def rate(self) -> Decimal:
        return _rate(self.spent, self.total)


def year_totals(rows: list[BudgetFigures]) -> YearTotals:
    totals = YearTotals(budgets=len(rows))
    for f in rows:
        if f.budget.state == State.APPROVED:
            totals.approved_budgets += 1
            totals.total += f.budget.total
        totals.spent += f.approved
        totals.pending += f.pending
    return totals


@dataclass
class Execution:
    """Approved budgets summed: what was approved, spent (through the whole chain) and is still in the chain;
    what is left, and the rate."""

    budget: Decimal = ZERO
    spent: Decimal = ZERO
    pending: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.spent - self.pending

    @property
    def rate(self) -> Decimal:
        return _rate(self.spent, self.budget)

    def add(self, other: Execution) -> None:
        """Add ``other``'s figures (every number of it) to these: a total row."""
        for f in fields(self):
            value = getattr(other, f.name)
            if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
                setattr(self, f.name, getattr(self, f.name) + value)


@dataclass
class ItemFigures(Execution):
    """One budget item (科目) summed over many budgets."""

    item: str = ""
    label: str = ""


def by_item(budgets) -> tuple[int, list[ItemFigures]]:
    """The approved budgets among ``budgets`` (a queryset) summed by item, in the items' order, with the
    number of those budgets: three aggregate queries whatever their number (the year report's 培训经费)."""
    approved = budgets.filter(state=State.APPROVED)
    out = {value: ItemFigures(item=value, label=str(label)) for value, label in Item.choices}
    for item, total in BudgetLine.objects.filter(budget__in=approved).values_list("item").annotate(Sum("amount")).order_by():
        out[item].budget = total
    for item, state, total in (Expense.objects.filter(budget__in=approved).held()
                               .values_list("line__item", "state").annotate(Sum("amount")).order_by()):
        if state == State.APPROVED:
            out[item].spent += total
        else:
            out[item].pending += total
    rows = [f for f in out.values() if f.budget or f.spent or f.pending]
    return approved.count(), rows


@dataclass
class OrgFigures(Execution):
    """The approved budgets of one organisation's subtree (a child of the report's root, or the root's own),
    how many, and of what was left, how much was closed at year end by a carry-over (结转) or a return (收回)."""

    path: str = ""
    budgets: int = 0
    carried: Decimal = ZERO
    returned: Decimal = ZERO


def _carried(prefix: str = "") -> Case:
    return Case(When(**{f"{prefix}carried_to__isnull": False}, then=Value(True)), default=Value(False),
                output_field=BooleanField())


def by_org(budgets, cut: int) -> dict[str, OrgFigures]:
    """The approved budgets among ``budgets`` (a queryset) summed by their organisation's path cut to ``cut``
    characters (the child of the report's root they fall under): two aggregate queries whatever their number.
    A closed budget's balance is frozen, so what a carried-over budget had left is what it carried."""
    approved = budgets.filter(state=State.APPROVED)
    out: dict[str, OrgFigures] = {}
    for path, carried, n, total, returned in (
            approved.annotate(child=Substr("org__path", 1, cut), carried=_carried()).order_by()
            .values_list("child", "carried").annotate(Count("id"), Sum("total"), Sum("returned"))):
        f = out.setdefault(path, OrgFigures(path=path))
        f.budgets += n
        f.budget += total
        f.returned += returned or ZERO
        if carried:
            f.carried += total
    for path, carried, state, total in (
            Expense.objects.filter(budget__in=approved).held()
            .annotate(child=Substr("budget__org__path", 1, cut), carried=_carried("budget__")).order_by()
            .values_list("child", "carried", "state").annotate(Sum("amount"))):
        f = out[path]
        if state == State.APPROVED:
            f.spent += total
            if carried:
                f.carried -= total
        else:
            f.pending += total
    return out
