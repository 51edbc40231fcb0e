"""Year-end carry-over (年终结转): what an approved budget has left becomes the draft of a budget for the next
year, one line per line with a balance, and the budget is closed — no more expenses, reversals or
adjustments — so that its figures are the year's final ones (年终有总结). The draft goes through the chain
like any budget (a carry-over is approved, not assumed); deleting it reopens the closed budget.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.core import audit
from jingpei.core.errors import Conflict
from jingpei.funds.models import Adjustment, Budget, BudgetLine, Expense, State
from jingpei.funds.queries import figures
from jingpei.funds.services import lock_open_budget, yuan

OPENS_ON = (12, 1)  # month and day of the budget's year from which it may be carried over


def opens_on(budget: Budget) -> date:
    return date(budget.year, *OPENS_ON)


def can_carry_over(budget: Budget) -> bool:
    """Whether the budget's page offers the carry-over (the service checks the rest when asked)."""
    return budget.state == State.APPROVED and budget.carried_to_id is None and timezone.localdate() >= opens_on(budget)


def _title(budget: Budget) -> str:
    text = _("%(t)s（%(y)s 年结转）") % {"t": budget.title, "y": budget.year}
    return text[: Budget._meta.get_field("title").max_length]


@transaction.atomic
def carry_over(*, actor, budget: Budget) -> Budget:
    """Close ``budget`` and draw up next year's budget from its balance; returns the draft."""
    budget = lock_open_budget(actor, budget, unapproved=_("只有已批准的预算可以结转。"))
    if timezone.localdate() < opens_on(budget):
        raise Conflict(_("%(y)s 年的预算从 %(y)s 年 12 月 1 日起才能结转。") % {"y": budget.year})
    list(BudgetLine.objects.select_for_update().filter(budget=budget))  # an expense submitted now waits, then finds it closed
    pending = Expense.objects.filter(budget=budget, state=State.PENDING).count()
    if pending:
        raise Conflict(_("还有 %(n)s 笔支出在审批中：请等审批完或撤回后再结转。") % {"n": pending})
    if Adjustment.objects.open().filter(budget=budget).exists():
        raise Conflict(_("这份预算还有一项调整在办理中：请办完、删除或作废后再结转。"))
    left = [f for f in figures([budget])[0].lines if f.remaining > 0]
    if not left:
        raise Conflict(_("这份预算已全部支出，没有结余可以结转。"))
    balance = sum((f.remaining for f in left), Decimal(0))
    draft = Budget.objects.create(
        # next year's; a budget carried over late goes into this year's (the budget form offers no year gone by)
        org=budget.org, year=max(budget.year + 1, timezone.localdate().year), title=_title(budget), plan=None,
        created_by=actor, total=balance,
        note=_("由 %(y)s 年预算“%(t)s”结转：结余 %(a)s。") % {"y": budget.year, "t": budget.title, "a": yuan(balance)})
    BudgetLine.objects.bulk_create(
        BudgetLine(budget=draft, item=f.line.item, amount=f.remaining,
                   description=(_("上年结转") + (f"：{f.line.description}" if f.line.description else ""))[:200])
        for f in left)
    budget.carried_to = draft
    budget.save(update_fields=["carried_to"])
    audit.record("funds.budget.carry_over", budget, actor=actor, org_path=budget.org.path,
                 after={"carried_to": draft.pk, "amount": str(draft.total), "lines": len(left)})
    return draft
