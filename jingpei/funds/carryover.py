"""Closing a year's budget (年终有总结), one of two ways, from 1 December of its year:

- carry-over (年终结转): what an approved budget has left becomes the draft of a budget for the next year, one
  line per line with a balance. The draft goes through the chain like any budget (a carry-over is approved,
  not assumed); deleting it reopens the closed budget.
- return (结余收回): the balance goes back where the money came from (``settle_note``: 缴回区财政, 退回帮扶企业…)
  and is recorded as returned; a budget spent whole is closed this way with nothing to return. Undone only
  with a reason (:func:`reopen`).

Either way the budget is closed — no more expenses, reversals or adjustments — so that its figures are the
year's final ones. Both are refused while an expense or an adjustment is still in the chain.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jingpei.core import audit
from jingpei.core.errors import Conflict, DomainError
from jingpei.core.text import clean_text
from jingpei.funds.models import Adjustment, Budget, BudgetLine, Expense, State
from jingpei.funds.queries import figures
from jingpei.funds.services import clean_reason, lock_open_budget, require_manager, yuan

OPENS_ON = (12, 1)  # month and day of the budget's year from which it may be carried over


def opens_on(budget: Budget) -> date:
    return date(budget.year, *OPENS_ON)


def can_close(budget: Budget) -> bool:
    """Whether the budget's page offers the year-end close (the services check the rest when asked)."""
    return budget.state == State.APPROVED and not budget.closed and timezone.localdate() >= opens_on(budget)


def _title(budget: Budget) -> str:
    text = _("%(t)s（%(y)s 年结转）") % {"t": budget.title, "y": budget.year}
    return text[: Budget._meta.get_field("title").max_length]


def _lock_for_closing(actor, budget: Budget, act: str) -> Budget:
    """``budget`` locked with its lines, checked ready to close by ``act`` (结转, 结余收回): approved, open, in
    or after December of its year, nothing of it still in the chain."""
    budget = lock_open_budget(actor, budget, unapproved=_("只有已批准的预算可以%(act)s。") % {"act": act})
    if timezone.localdate() < opens_on(budget):
        raise Conflict(_("%(y)s 年的预算从 %(y)s 年 12 月 1 日起才能%(act)s。") % {"y": budget.year, "act": act})
    list(BudgetLine.objects.select_for_update().filter(budget=budget))  # an expense submitted now waits, then finds it closed
    pending = Expense.objects.filter(budget=budget, state=State.PENDING).count()
    if pending:
        raise Conflict(_("还有 %(n)s 笔支出在审批中：请等审批完或撤回后再%(act)s。") % {"n": pending, "act": act})
    if Adjustment.objects.open().filter(budget=budget).exists():
        raise Conflict(_("这份预算还有一项调整在办理中：请办完、删除或作废后再%(act)s。") % {"act": act})
    return budget


@transaction.atomic
def carry_over(*, actor, budget: Budget) -> Budget:
    """Close ``budget`` and draw up next year's budget from its balance; returns the draft."""
    budget = _lock_for_closing(actor, budget, pgettext("year-end act", "结转"))
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


NOTE_LENGTH = Budget._meta.get_field("settle_note").max_length


@transaction.atomic
def settle(*, actor, budget: Budget, note: str) -> Budget:
    """Close ``budget`` returning its balance (结余收回); ``note`` says where it goes, required when there is
    one. A budget spent whole is closed with 0 returned."""
    note = clean_text(note, field="settle_note", label=_("收回去向"), required=False, max_length=NOTE_LENGTH)
    budget = _lock_for_closing(actor, budget, pgettext("year-end act", "办理结余收回"))
    balance = figures([budget])[0].remaining
    if balance > 0 and len(note) < 2:
        raise DomainError(_("结余 %(a)s 收回到哪里？请写明去向，如“缴回区财政”。") % {"a": yuan(balance)}, field="settle_note")
    budget.settled_at, budget.settled_by, budget.returned, budget.settle_note = timezone.now(), actor, balance, note
    budget.save(update_fields=["settled_at", "settled_by", "returned", "settle_note"])
    audit.record("funds.budget.settle", budget, actor=actor, org_path=budget.org.path,
                 after={"returned": str(balance), "note": note})
    return budget


@transaction.atomic
def reopen(*, actor, budget: Budget, reason: str) -> Budget:
    """Undo a return of the balance (撤销结余收回) recorded by mistake: the budget is open again, and the audit
    log keeps what was undone and why. A carry-over is undone by deleting its draft instead."""
    reason = clean_reason(reason, label=_("撤销原因"), missing=_("撤销须写明原因，如“收回金额有误，重新办理”。"))
    budget = Budget.objects.select_for_update(of=("self",)).select_related("org").get(pk=budget.pk)
    require_manager(actor, budget.org)
    if budget.settled_at is None:
        raise Conflict(_("这份预算没有办理结余收回，无需撤销。"))
    before = {"returned": str(budget.returned), "note": budget.settle_note,
              "settled_at": budget.settled_at.isoformat(timespec="seconds")}
    budget.settled_at, budget.settled_by, budget.returned, budget.settle_note = None, None, None, ""
    budget.save(update_fields=["settled_at", "settled_by", "returned", "settle_note"])
    audit.record("funds.budget.reopen", budget, actor=actor, org_path=budget.org.path, before=before,
                 after={"reason": reason})
    return budget
