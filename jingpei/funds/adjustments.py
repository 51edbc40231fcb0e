"""Budget adjustments (预算调整): the writes that draw one up and, once the whole chain has approved it,
change the budget. It goes through the chain with the other items (``services.submit`` / ``approve`` /
``return_item`` / ``withdraw`` / ``discard``), which call back here at submission and at the last approval.

A line is never lowered below what its expenses hold (approved, or still in the chain), nor removed: it
may go down to 0, so that every expense keeps the line it was booked on. Both checks are made again, with
the lines locked, when the adjustment is submitted and when it is applied: expenses go on being booked on
the budget as it stands while the adjustment is decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from jingpei.core import audit
from jingpei.core.errors import Conflict, DomainError
from jingpei.core.money import yuan_text
from jingpei.core.text import clean_text
from jingpei.funds.models import MAX_AMOUNT, Adjustment, Budget, BudgetLine, Expense, Item
from jingpei.funds.services import (
    budget_snapshot,
    clean_amount,
    clean_reason,
    lock_open_budget,
    require_open,
    rewrite,
    yuan,
)

MAX_LINES = 50  # as the budget form: a budget is a page, not a ledger


@dataclass(frozen=True)
class LineChange:
    """One row of the adjustment form: an existing line's new amount, or a new line (``line_id`` None)."""

    line_id: int | None
    amount: Decimal | str
    item: str = ""
    description: str = ""


def held_by_line(budget: Budget) -> dict[int, Decimal]:
    """What the budget's expenses hold on each line: approved ones, and those still in the chain."""
    return dict(Expense.objects.filter(budget=budget).held().values_list("line_id").annotate(Sum("amount")).order_by())


def _floor_error(line: BudgetLine, held: Decimal) -> DomainError:
    return DomainError(_("“%(l)s”已支出和审批中的共 %(h)s，调整后不能少于这个数。") % {"l": line, "h": yuan(held)},
                       field="lines")


def _changed_line(line: BudgetLine, amount, held: Decimal) -> dict | None:
    try:
        after = clean_amount(amount, zero=True)
    except DomainError as exc:
        raise DomainError(_("“%(l)s”：%(m)s") % {"l": line, "m": exc.message}, field="lines") from None
    if after < held:
        raise _floor_error(line, held)
    if after == line.amount:
        return None
    return {"line": line.pk, "item": line.item, "description": line.description, "before": str(line.amount),
            "after": str(after)}


def _new_line(n: int, change: LineChange) -> dict:
    if change.item not in Item.values:
        raise DomainError(_("新增的第 %(n)s 行：请选择科目。") % {"n": n}, field="lines")
    try:
        amount = clean_amount(change.amount)
        description = clean_text(change.description, field="lines", label=_("用途说明"), required=False)
    except DomainError as exc:
        raise DomainError(_("新增的第 %(n)s 行：%(m)s") % {"n": n, "m": exc.message}, field="lines") from None
    return {"line": None, "item": change.item, "description": description, "before": "0.00", "after": str(amount)}


def _checked(budget: Budget, lines: list[BudgetLine], changes: list[LineChange]) -> list[dict]:
    """The rows that change, each checked: an existing line of this budget, once, not below what it holds;
    a new line with its item and an amount above 0."""
    by_id, held = {line.pk: line for line in lines}, held_by_line(budget)
    out, seen, added = [], set(), 0
    for change in changes:
        if change.line_id is None:
            added += 1
            out.append(_new_line(added, change))
            continue
        line = by_id.get(change.line_id)
        if line is None or line.pk in seen:
            raise Conflict(_("预算明细已变化，请刷新页面后重新填写。"))
        seen.add(line.pk)
        if (row := _changed_line(line, change.amount, held.get(line.pk, Decimal(0)))) is not None:
            out.append(row)
    if not out:
        raise DomainError(_("调整前后没有变化：请改动至少一个科目的金额，或新增科目。"), field="lines")
    if len(lines) + added > MAX_LINES:
        raise DomainError(_("一份预算最多 %(n)s 条明细。") % {"n": MAX_LINES}, field="lines")
    return out


def _total_after(budget: Budget, changes: list[dict]) -> Decimal:
    total = budget.total + sum((Decimal(c["after"]) - Decimal(c["before"]) for c in changes), Decimal(0))
    if total > MAX_AMOUNT:
        raise DomainError(_("调整后预算总额不能超过 %(max)s 元。") % {"max": yuan_text(MAX_AMOUNT)}, field="lines")
    return total


def snapshot(adjustment: Adjustment) -> dict:
    return {"reason": adjustment.reason, "total_before": str(adjustment.total_before),
            "total_after": str(adjustment.total_after),
            "changes": [f"{Item(c['item']).label} {c['description']} {c['before']} → {c['after']}".replace("  ", " ")
                        for c in adjustment.changes]}


@transaction.atomic
def save_adjustment(*, actor, budget: Budget, reason: str, changes: list[LineChange],
                    adjustment: Adjustment | None = None) -> Adjustment:
    """Draw up an adjustment of an approved budget, or rewrite a draft or returned one. ``changes`` holds the
    form's rows: every line's amount (those unchanged are left out of the adjustment) and the new lines."""
    budget = lock_open_budget(actor, budget, unapproved=_("只有已批准的预算需要走调整；未批准的预算直接修改即可。"))
    reason = clean_reason(reason, label=_("调整理由"), missing=_("调整须写明理由，如“增开一期致富带头人培训班”。"), max_length=500)
    checked = _checked(budget, list(budget.lines.select_for_update().order_by("pk")), changes)
    fields = {"reason": reason, "changes": checked, "total_before": budget.total, "total_after": _total_after(budget, checked)}
    if adjustment is None:
        if Adjustment.objects.open().filter(budget=budget).exists():
            raise Conflict(_("这份预算已有一项调整在办理中，请先办完、删除或作废它。"))
        try:
            with transaction.atomic():
                adjustment = Adjustment.objects.create(budget=budget, org=budget.org, created_by=actor, **fields)
        except IntegrityError:  # the constraint, should the check above be raced past
            raise Conflict(_("这份预算已有一项调整在办理中，请先办完、删除或作废它。")) from None
        audit.record("funds.adjustment.create", adjustment, actor=actor, after=snapshot(adjustment), org_path=budget.org.path)
        return adjustment
    adjustment = Adjustment.objects.select_for_update().select_related("budget").get(pk=adjustment.pk)
    if adjustment.budget_id != budget.pk:
        raise Conflict(_("这项调整不属于这份预算。"))
    if not adjustment.editable:
        raise Conflict(_("这项调整%(state)s，不能再修改。") % {"state": adjustment.get_state_display()})
    return rewrite(adjustment, fields, snapshot=snapshot, action="funds.adjustment.update", actor=actor)


def check_still_fits(adjustment: Adjustment) -> dict[int, BudgetLine]:
    """The budget's lines, locked, after checking that each line changed still has the amount the adjustment
    started from and is not lowered below what its expenses hold now (they were booked meanwhile)."""
    lines = {line.pk: line for line in BudgetLine.objects.select_for_update().filter(budget_id=adjustment.budget_id)}
    require_open(Budget.objects.get(pk=adjustment.budget_id))
    held = held_by_line(adjustment.budget)
    for change in adjustment.changes:
        if change["line"] is None:
            continue
        line = lines.get(change["line"])
        if line is None or line.amount != Decimal(change["before"]):
            raise Conflict(_("预算明细已变化，请修改这项调整后重新提交。"))
        if Decimal(change["after"]) < held.get(line.pk, Decimal(0)):
            raise _floor_error(line, held[line.pk])
    return lines


def apply(actor, adjustment: Adjustment) -> Budget:
    """Change the budget as the adjustment says (called at its last approval, in that transaction)."""
    budget = Budget.objects.select_for_update(of=("self",)).get(pk=adjustment.budget_id)
    before = budget_snapshot(budget)
    try:
        lines = check_still_fits(adjustment)
    except DomainError as exc:
        raise DomainError(_("%(m)s 这项调整已不能执行，请退回给预算单位修改。") % {"m": exc.message}) from None
    added = []
    for change in adjustment.changes:
        if change["line"] is None:
            added.append(BudgetLine(budget=budget, item=change["item"], description=change["description"],
                                    amount=Decimal(change["after"])))
        else:
            line = lines[change["line"]]
            line.amount = Decimal(change["after"])
            line.save(update_fields=["amount"])
    BudgetLine.objects.bulk_create(added)
    budget.total = BudgetLine.objects.filter(budget=budget).aggregate(s=Sum("amount"))["s"].quantize(Decimal("0.01"))
    budget.save(update_fields=["total"])
    b, a = audit.diff(before, budget_snapshot(budget))
    audit.record("funds.budget.adjust", budget, actor=actor, before=b, after={**a, "adjustment": adjustment.pk},
                 org_path=budget.org.path)
    return budget

