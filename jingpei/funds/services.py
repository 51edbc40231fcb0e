"""Every write of the funds: the approval chain, budgets, expenses, and their way through the chain.

One transaction each, audit rows inside it. An item moves draft → pending (step 1 … n) → approved, or is
returned with a reason at any step and mended and submitted again; the one who submitted may withdraw it
while it waits. Amounts are ``Decimal`` to the fen. Pending and approved expenses both hold their amount
against the budget line, so two expenses submitted at once can never together overspend it (the line is
locked while the sum is taken).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.core import audit, dates, uploads
from jingpei.core.errors import Conflict, DomainError, NotAllowed
from jingpei.core.money import yuan_text
from jingpei.core.text import clean_text
from jingpei.funds import access
from jingpei.funds.models import (
    MAX_AMOUNT,
    Adjustment,
    Approvable,
    ApprovalStep,
    Budget,
    BudgetLine,
    Decision,
    Expense,
    Invoice,
    Item,
    State,
)
from jingpei.orgs.models import Organization

MAX_STEPS = 6
STEP_NAME_LENGTH = 50
REASON_LENGTH = 100  # of a return or a reversal: said in a sentence
MAX_INVOICES = 9
MAX_INVOICE_BYTES = 10 * 1024 * 1024
AMOUNT_TEXT = re.compile(r"[+-]?\d+(\.\d*)?")


def yuan(value: Decimal) -> str:
    return "¥" + yuan_text(value)


# --- single-field checks (the forms run them too, see core.forms.checked) ----------------------------
def clean_amount(value, *, field: str = "amount", zero: bool = False) -> Decimal:
    """``zero``: 0 is an amount too (a budget line lowered to nothing by an adjustment)."""
    # as typed: full-width digits, thousands separators, a currency sign or 元 (１２，０００元, ¥3,000)
    text = unicodedata.normalize("NFKC", str(value)).replace(",", "").strip().lstrip("¥").removesuffix("元").strip()
    try:
        if not AMOUNT_TEXT.fullmatch(text):  # no exponents, NaN or Infinity: what Decimal reads, nobody types
            raise InvalidOperation
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        raise DomainError(_("金额“%(v)s”不是数字，请填写如 12000 或 12000.50。") % {"v": value}, field=field) from None
    if amount < 0 or (amount == 0 and not zero):
        raise DomainError(_("金额不能小于 0。") if zero else _("金额须大于 0。"), field=field)
    if amount > MAX_AMOUNT:
        raise DomainError(_("金额不能超过 %(max)s 元。") % {"max": yuan_text(MAX_AMOUNT)}, field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise DomainError(_("金额最多精确到分（两位小数）。"), field=field)
    return amount.quantize(Decimal("0.01"))


def clean_spent_on(value: date, *, year: int | None = None) -> date:
    if value > timezone.localdate():
        raise DomainError(_("支出日期不能晚于今天。"), field="spent_on")
    if year is not None and value.year != year:
        raise DomainError(_("支出日期须在预算年度（%(y)s 年）内。") % {"y": year}, field="spent_on")
    return value


def clean_year(value: int) -> int:
    return dates.clean_year(value, label=_("预算年度"))


def clean_reason(value, *, label: str, missing: str, field: str = "reason", max_length: int = REASON_LENGTH) -> str:
    """A reason said in a sentence (a return, a reversal, a void, an adjustment, an undo): tidied, at most
    ``max_length`` characters, and at least two, else ``missing`` (which says what is expected)."""
    reason = clean_text(value, field=field, label=label, required=False, max_length=max_length)
    if len(reason) < 2:
        raise DomainError(missing, field=field)
    return reason


def _actor_name(actor) -> str:
    return str(actor)[:150]


def require_manager(actor, org: Organization) -> None:
    if not access.can_manage(actor, org):
        raise NotAllowed(_("您没有“%(org)s”的经费管理权限。") % {"org": org.name})


def lock_open_budget(actor, budget: Budget, *, unapproved: str) -> Budget:
    """``budget`` locked, for a change to it as a whole (an adjustment, closing it at year end): by a funds
    manager of its organisation, approved (``unapproved`` says why not otherwise) and not closed."""
    budget = Budget.objects.select_for_update(of=("self",)).select_related("org").get(pk=budget.pk)
    require_manager(actor, budget.org)
    if budget.state != State.APPROVED:
        raise Conflict(unapproved)
    require_open(budget)
    return budget


def require_open(budget: Budget) -> None:
    """A budget closed at year end (carried over, or its balance returned) takes no more expenses, reversals
    or adjustments."""
    if budget.carried_to_id is not None:
        raise Conflict(_("预算“%(b)s”已结转至下年度，不能再登记支出、冲销或调整。") % {"b": budget.title})
    if budget.settled_at is not None:
        raise Conflict(_("预算“%(b)s”已办理结余收回，不能再登记支出、冲销或调整。") % {"b": budget.title})


# --- the chain ----------------------------------------------------------------------------------------
@transaction.atomic
def set_chain(*, actor, owner: Organization, steps: list[tuple]) -> list[ApprovalStep]:
    """Replace ``owner``'s chain (it applies to every budget of its subtree that has none closer) by ``steps``,
    each ``(name, approving organisation)`` or ``(name, organisation, minimum amount or None)``: a step with a
    minimum is taken only by items of at least that amount. Items already submitted keep their chain."""
    if owner.path not in {o.path for o in access.chain_owners(actor)}:
        raise NotAllowed(_("只有“%(org)s”的经费管理人员可以设置它的审批流程。") % {"org": owner.name})
    if not steps:
        raise DomainError(_("审批流程至少要有一个环节。"), field="steps")
    if len(steps) > MAX_STEPS:
        raise DomainError(_("审批流程最多 %(n)s 个环节。") % {"n": MAX_STEPS}, field="steps")
    seen: set[int] = set()
    named = []
    for n, (name, org, *rest) in enumerate(steps, 1):
        threshold = rest[0] if rest and rest[0] not in (None, "") else None
        name = " ".join((name or "").split())
        if not name:
            raise DomainError(_("第 %(n)s 个环节没有名称。") % {"n": n}, field="steps")
        if len(name) > STEP_NAME_LENGTH:
            raise DomainError(_("第 %(n)s 个环节的名称不能超过 %(m)s 个字。") % {"n": n, "m": STEP_NAME_LENGTH}, field="steps")
        if threshold is not None:
            if n == 1:
                raise DomainError(_("第 1 个环节审批所有金额的事项，不能设起审金额。"), field="steps")
            try:
                threshold = clean_amount(threshold)
            except DomainError as exc:
                raise DomainError(_("第 %(n)s 个环节的起审金额：%(m)s") % {"n": n, "m": exc.message}, field="steps") from None
        named.append((name, org, threshold))
        if org.archived_at is not None:
            raise DomainError(_("第 %(n)s 个环节的审批单位“%(org)s”已归档。") % {"n": n, "org": org.name}, field="steps")
        if org.pk in seen:
            raise DomainError(_("“%(org)s”在流程中出现了两次：每个单位只审批一次。") % {"org": org.name}, field="steps")
        seen.add(org.pk)
    before = [step_text(s) for s in ApprovalStep.objects.filter(owner=owner).select_related("approver_org")]
    ApprovalStep.objects.filter(owner=owner).delete()
    made = ApprovalStep.objects.bulk_create(
        ApprovalStep(owner=owner, position=n, name=name, approver_org=org, min_amount=threshold)
        for n, (name, org, threshold) in enumerate(named, 1))
    audit.record("funds.chain.set", owner, actor=actor, object_type="funds.chain", org_path=owner.path,
                 before={"steps": before}, after={"steps": [step_text(s) for s in made]})
    return made


def step_text(step: ApprovalStep) -> str:
    """财政局审核（区财政局）, with its threshold when it has one: …（集团扶贫办，100,000.00 元及以上）."""
    if step.min_amount is None:
        return _("%(s)s（%(o)s）") % {"s": step.name, "o": step.approver_org.name}
    return _("%(s)s（%(o)s，%(a)s 元及以上）") % {"s": step.name, "o": step.approver_org.name, "a": yuan_text(step.min_amount)}


# --- budgets ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LineInput:
    item: str
    amount: Decimal
    description: str = ""
    training_class_id: int | None = None


def budget_snapshot(budget: Budget) -> dict:
    return {"title": budget.title, "year": budget.year, "total": str(budget.total), "note": budget.note,
            "lines": [f"{line.get_item_display()} {line.description} {line.amount}".replace("  ", " ")
                      for line in budget.lines.all()]}


def _checked_lines(lines: list[LineInput]) -> list[BudgetLine]:
    """The budget's lines as rows to insert (no budget yet), every one checked, the total within bounds."""
    if not lines:
        raise DomainError(_("预算至少要有一条明细。"), field="lines")
    rows = []
    for n, line in enumerate(lines, 1):
        if line.item not in Item.values:
            raise DomainError(_("第 %(n)s 条明细的科目无效。") % {"n": n}, field="lines")
        try:
            rows.append(BudgetLine(item=line.item, amount=clean_amount(line.amount), training_class_id=line.training_class_id,
                                   description=clean_text(line.description, field="lines", label=_("用途说明"), required=False)))
        except DomainError as exc:
            raise DomainError(_("第 %(n)s 条明细：%(m)s") % {"n": n, "m": exc.message}, field="lines") from None
    if sum(row.amount for row in rows) > MAX_AMOUNT:
        raise DomainError(_("预算总额不能超过 %(max)s 元。") % {"max": yuan_text(MAX_AMOUNT)}, field="lines")
    return rows


@transaction.atomic
def save_budget(*, actor, org: Organization, year: int, title: str, lines: list[LineInput], note: str = "",
                plan=None, budget: Budget | None = None) -> Budget:
    """Create a budget, or rewrite a draft or returned one (lines replaced whole: no expense can hang on a
    line before the budget is approved)."""
    require_manager(actor, org)
    clean_year(year)
    title = clean_text(title, field="title", label=_("预算名称"))
    rows = _checked_lines(lines)
    total = sum(row.amount for row in rows)
    related = org.path.startswith(plan.org.path) or plan.org.path.startswith(org.path) if plan is not None else True
    if plan is not None and (plan.year != year or not related):
        raise DomainError(_("所选年度计划与预算的年度或单位不符。"), field="plan")
    if budget is None:
        budget = Budget.objects.create(org=org, year=year, title=title, note=note.strip(), plan=plan,
                                       total=total, created_by=actor)
        before = None
    else:
        budget = Budget.objects.select_for_update().get(pk=budget.pk)
        require_manager(actor, budget.org)
        if not budget.editable:
            raise Conflict(_("这份预算%(state)s，不能再修改。") % {"state": budget.get_state_display()})
        before = budget_snapshot(budget)
        budget.org, budget.year, budget.title, budget.note, budget.plan, budget.total = (
            org, year, title, note.strip(), plan, total)
        budget.save(update_fields=["org", "year", "title", "note", "plan", "total"])
        budget.lines.all().delete()
    for row in rows:
        row.budget = budget
    BudgetLine.objects.bulk_create(rows)
    after = budget_snapshot(budget)
    if before is None:
        audit.record("funds.budget.create", budget, actor=actor, after=after, org_path=org.path)
    else:
        b, a = audit.diff(before, after)
        audit.record("funds.budget.update", budget, actor=actor, before=b, after=a, org_path=org.path)
    return budget


# --- expenses -----------------------------------------------------------------------------------------
def line_remaining(line: BudgetLine, *, excluding: Expense | None = None) -> Decimal:
    held = Expense.objects.filter(line=line).held()
    if excluding is not None and excluding.pk:
        held = held.exclude(pk=excluding.pk)
    return line.amount - (held.aggregate(s=Sum("amount"))["s"] or Decimal(0))


def _check_within(line: BudgetLine, amount: Decimal, *, excluding: Expense | None) -> None:
    left = line_remaining(line, excluding=excluding)
    if amount > left:
        raise DomainError(_("超出“%(line)s”的结余：结余 %(left)s，本笔 %(amount)s。请调小金额或改用其他科目。")
                          % {"line": line, "left": yuan(left), "amount": yuan(amount)}, field="amount")


def _expense_snapshot(expense: Expense) -> dict:
    return {"line": str(expense.line), "spent_on": expense.spent_on.isoformat(), "amount": str(expense.amount),
            "payee": expense.payee, "purpose": expense.purpose, "invoice_no": expense.invoice_no}


@transaction.atomic
def save_expense(*, actor, budget: Budget, line: BudgetLine, spent_on: date, amount, payee: str, purpose: str,
                 invoice_no: str = "", expense: Expense | None = None) -> Expense:
    budget = Budget.objects.select_related("org").get(pk=budget.pk)  # its state now, not the caller's copy
    line = BudgetLine.objects.get(pk=line.pk)  # its amount now: an approved adjustment may have changed it
    require_manager(actor, budget.org)
    if budget.state != State.APPROVED:
        raise DomainError(_("预算“%(b)s”尚未批准，不能登记支出。") % {"b": budget.title})
    require_open(budget)
    if line.budget_id != budget.pk or (expense is not None and expense.budget_id != budget.pk):
        raise DomainError(_("所选科目不属于这份预算。"), field="line")
    amount = clean_amount(amount)
    clean_spent_on(spent_on, year=budget.year)
    fields = {"line": line, "spent_on": spent_on, "amount": amount,
              "payee": clean_text(payee, field="payee", label=_("收款单位或个人"), max_length=100),
              "purpose": clean_text(purpose, field="purpose", label=_("支出事由")),
              "invoice_no": clean_text(invoice_no, field="invoice_no", label=_("票据号"), required=False, max_length=50)}
    _check_within(line, amount, excluding=expense)
    if expense is None:
        expense = Expense.objects.create(budget=budget, org=budget.org, created_by=actor, **fields)
        audit.record("funds.expense.create", expense, actor=actor, after=_expense_snapshot(expense), org_path=budget.org.path)
        return expense
    expense = Expense.objects.select_for_update().select_related("line").get(pk=expense.pk)
    if expense.reverses_id:
        raise Conflict(_("冲销记录的金额和科目随原支出，不能修改；可撤回后重新提交，或保留退回的记录。"))
    if not expense.editable:
        raise Conflict(_("这笔支出%(state)s，不能再修改。") % {"state": expense.get_state_display()})
    return rewrite(expense, fields, snapshot=_expense_snapshot, action="funds.expense.update", actor=actor)


def rewrite(item: Approvable, fields: dict, *, snapshot, action: str, actor):
    """Save ``fields`` on a draft or returned ``item`` (locked by the caller) and audit what changed."""
    before = snapshot(item)
    for name, value in fields.items():
        setattr(item, name, value)
    item.save(update_fields=list(fields))
    b, a = audit.diff(before, snapshot(item))
    audit.record(action, item, actor=actor, before=b, after=a, org_path=item.org.path)
    return item


def _reversal_purpose(purpose: str, reason: str) -> str:
    """冲销“<purpose>”：<reason> within the field's 200 characters; the reason kept whole, the purpose it
    names shortened if it must be (the reversal links to the expense itself)."""
    text = _("冲销“%(p)s”：%(r)s") % {"p": purpose, "r": reason}
    over = len(text) - Expense._meta.get_field("purpose").max_length
    return text if over <= 0 else _("冲销“%(p)s”：%(r)s") % {"p": purpose[: len(purpose) - over - 1] + "…", "r": reason}


@transaction.atomic
def reverse_expense(*, actor, expense: Expense, reason: str) -> Expense:
    """Correct an approved expense (红冲): a new expense of the negated amount on the same line, which goes
    through the chain like any other and gives the money back to the line once approved. The approved
    expense itself is never changed."""
    reason = clean_reason(reason, label=_("冲销原因"), missing=_("冲销须写明原因，如“发票重复报销”。"))
    original = Expense.objects.select_for_update(of=("self",)).select_related("org", "budget", "line").get(pk=expense.pk)
    require_manager(actor, original.org)
    if original.state != State.APPROVED or original.reverses_id or original.amount <= 0:
        raise Conflict(_("只有已批准的支出可以冲销。"))
    require_open(original.budget)
    if original.reversals.exclude(state__in=(State.RETURNED, State.VOID)).exists():
        raise Conflict(_("这笔支出已有冲销记录（审批中或已批准），不能重复冲销。"))
    last_day = date(original.budget.year, 12, 31)
    reversal = Expense.objects.create(
        budget=original.budget, org=original.org, line=original.line, reverses=original, created_by=actor,
        spent_on=min(timezone.localdate(), last_day), amount=-original.amount, payee=original.payee,
        purpose=_reversal_purpose(original.purpose, reason), invoice_no=original.invoice_no)
    audit.record("funds.expense.reverse", reversal, actor=actor, org_path=original.org.path,
                 after={"reverses": original.pk, "amount": str(reversal.amount), "reason": reason})
    return submit(actor=actor, item=reversal)


# --- through the chain --------------------------------------------------------------------------------
def _kind(item: Approvable) -> str:
    """The item's name in its decisions' foreign key."""
    return {Budget: "budget", Expense: "expense", Adjustment: "adjustment"}[type(item)]


# The audit codes of the chain's steps, spelt out whole: the audit page's labels are checked against the source.
AUDIT_ACTIONS = {
    Budget: {"submit": "funds.budget.submit", "approve": "funds.budget.approve", "return": "funds.budget.return",
             "withdraw": "funds.budget.withdraw", "discard": "funds.budget.discard", "void": "funds.budget.void"},
    Expense: {"submit": "funds.expense.submit", "approve": "funds.expense.approve", "return": "funds.expense.return",
              "withdraw": "funds.expense.withdraw", "discard": "funds.expense.discard", "void": "funds.expense.void"},
    Adjustment: {"submit": "funds.adjustment.submit", "approve": "funds.adjustment.approve",
                 "return": "funds.adjustment.return", "withdraw": "funds.adjustment.withdraw",
                 "discard": "funds.adjustment.discard", "void": "funds.adjustment.void"},
}


def _locked(item: Approvable) -> Approvable:
    model = type(item)
    related = {Expense: ["org", "budget", "line"], Adjustment: ["org", "budget"]}.get(model, ["org"])
    return model.objects.select_for_update(of=("self",)).select_related(*related).get(pk=item.pk)


def _decide(item: Approvable, actor, outcome: str, *, position: int = 0, step_name: str = "", comment: str = "") -> None:
    Decision.objects.create(**{_kind(item): item}, outcome=outcome, position=position, step_name=step_name,
                            comment=comment, actor=actor, actor_name=_actor_name(actor))


def describe(item: Approvable) -> str:
    if isinstance(item, Budget):
        return _("预算“%(t)s”（%(a)s）") % {"t": item.title, "a": yuan(item.total)}
    if isinstance(item, Adjustment):
        return _("预算调整“%(t)s”（%(a)s → %(b)s）") % {"t": item.budget.title, "a": yuan(item.total_before),
                                                    "b": yuan(item.total_after)}
    return _("支出“%(t)s”（%(a)s）") % {"t": item.purpose, "a": yuan(item.amount)}


def _tell_approvers(item: Approvable) -> None:
    from jingpei.ledger.services import notify

    step = item.current_step
    if step:
        notify(access.approvers_of(item.pending_path), title=_("待您审批：%(l)s") % {"l": describe(item)},
               body=_("%(org)s 提交，现到“%(s)s”环节。") % {"org": item.org.name, "s": step["name"]}, url=item.get_absolute_url())


def _tell_creator(item: Approvable, title: str, body: str = "") -> None:
    from jingpei.ledger.services import notify

    if item.created_by_id and item.created_by.is_active:
        notify([item.created_by], title=title, body=body, url=item.get_absolute_url())


@transaction.atomic
def submit(*, actor, item: Approvable) -> Approvable:
    item = _locked(item)
    require_manager(actor, item.org)
    if not item.editable:
        raise Conflict(_("%(l)s%(state)s，不能再提交。") % {"l": describe(item), "state": item.get_state_display()})
    if isinstance(item, Expense):
        if item.budget.state != State.APPROVED:
            raise DomainError(_("预算尚未批准，支出不能提交。"))
        clean_spent_on(item.spent_on, year=item.budget.year)
        _check_within(BudgetLine.objects.select_for_update().get(pk=item.line_id), item.amount, excluding=item)
        require_open(Budget.objects.get(pk=item.budget_id))  # read after the line's lock: a carry-over locks it too
    if isinstance(item, Adjustment):
        from jingpei.funds import adjustments

        adjustments.check_still_fits(item)
    _owner, steps = access.chain_for(item.org)
    steps = [s for s in steps if s.applies_to(item.weighed_amount)]  # the first step always does
    if not steps:
        raise DomainError(_("“%(org)s”及其上级都还没有设置经费审批流程，请先在“审批流程”页设置。") % {"org": item.org.name})
    item.steps = [{"name": s.name, "org": s.approver_org_id, "path": s.approver_org.path, "org_name": s.approver_org.name}
                  for s in steps]
    item.step_paths = access.step_paths_key([s.approver_org.path for s in steps])
    item.state, item.step, item.pending_path = State.PENDING, 1, steps[0].approver_org.path
    item.submitted_at = timezone.now()
    item.save(update_fields=["steps", "step_paths", "state", "step", "pending_path", "submitted_at"])
    _decide(item, actor, Decision.Outcome.SUBMIT)
    audit.record(AUDIT_ACTIONS[type(item)]["submit"], item, actor=actor, org_path=item.org.path,
                 after={"steps": [s["name"] for s in item.steps]})
    _tell_approvers(item)
    return item


def _check_turn(actor, item: Approvable, step: int) -> dict:
    if item.state != State.PENDING or item.step != step:
        raise Conflict(_("%(l)s已由他人处理（现为：%(state)s），请刷新页面后再看。")
                       % {"l": describe(item), "state": item.get_state_display()})
    current = item.current_step
    if current is None or not access.can_approve(actor, item):
        raise NotAllowed(_("这一环节（%(s)s）不由您审批。") % {"s": current["name"] if current else "—"})
    return current


@transaction.atomic
def approve(*, actor, item: Approvable, step: int, comment: str = "") -> Approvable:
    """Approve the step ``step`` (the one the approver saw: a step decided meanwhile is a conflict)."""
    comment = clean_text(comment, field="comment", label=_("审批意见"), required=False, max_length=500)
    item = _locked(item)
    current = _check_turn(actor, item, step)
    if item.created_by_id == actor.pk or item.decisions.filter(outcome=Decision.Outcome.SUBMIT, actor=actor).exists():
        raise NotAllowed(_("不能审批本人编制或提交的事项。"))
    this_round = item.decisions.filter(outcome=Decision.Outcome.SUBMIT).order_by("-pk").values_list("pk", flat=True)[:1]
    if item.decisions.filter(outcome=Decision.Outcome.APPROVE, actor=actor, pk__gt=this_round[0]).exists():
        raise NotAllowed(_("您已审批过这一事项的前一环节，同一人不能审批两个环节。"))
    _decide(item, actor, Decision.Outcome.APPROVE, position=step, step_name=current["name"], comment=comment)
    if step < len(item.steps):
        item.step, item.pending_path = step + 1, item.steps[step]["path"]
        item.save(update_fields=["step", "pending_path"])
        _tell_approvers(item)
    else:
        if isinstance(item, Adjustment):
            from jingpei.funds import adjustments

            adjustments.apply(actor, item)  # refused (and all undone) if the budget has moved under it
        item.state, item.step, item.pending_path, item.approved_at = State.APPROVED, 0, "", timezone.now()
        item.save(update_fields=["state", "step", "pending_path", "approved_at"])
        _tell_creator(item, _("已批准：%(l)s") % {"l": describe(item)})
    audit.record(AUDIT_ACTIONS[type(item)]["approve"], item, actor=actor, org_path=item.org.path,
                 after={"step": current["name"], "comment": comment, "state": item.state})
    return item


@transaction.atomic
def return_item(*, actor, item: Approvable, step: int, reason: str) -> Approvable:
    """Send the item back to its organisation with a reason; it is mended and goes through the whole
    chain again."""
    reason = clean_reason(reason, label=_("退回理由"), missing=_("退回须写明理由，告诉对方要改什么。"), field="comment",
                          max_length=500)
    item = _locked(item)
    current = _check_turn(actor, item, step)
    _decide(item, actor, Decision.Outcome.RETURN, position=step, step_name=current["name"], comment=reason)
    item.state, item.step, item.pending_path = State.RETURNED, 0, ""
    item.save(update_fields=["state", "step", "pending_path"])
    audit.record(AUDIT_ACTIONS[type(item)]["return"], item, actor=actor, org_path=item.org.path,
                 after={"step": current["name"], "reason": reason})
    _tell_creator(item, _("被退回：%(l)s") % {"l": describe(item)}, _("%(s)s：%(r)s") % {"s": current["name"], "r": reason})
    return item


@transaction.atomic
def withdraw(*, actor, item: Approvable) -> Approvable:
    """Take a pending item back to draft (a mistake seen after submitting)."""
    item = _locked(item)
    require_manager(actor, item.org)
    if item.state != State.PENDING:
        raise Conflict(_("%(l)s%(state)s，不能撤回。") % {"l": describe(item), "state": item.get_state_display()})
    _decide(item, actor, Decision.Outcome.WITHDRAW)
    item.state, item.step, item.pending_path = State.DRAFT, 0, ""
    item.save(update_fields=["state", "step", "pending_path"])
    audit.record(AUDIT_ACTIONS[type(item)]["withdraw"], item, actor=actor, org_path=item.org.path)
    return item


def _snapshot(item: Approvable) -> dict:
    if isinstance(item, Adjustment):
        from jingpei.funds import adjustments

        return adjustments.snapshot(item)
    return budget_snapshot(item) if isinstance(item, Budget) else _expense_snapshot(item)


@transaction.atomic
def discard(*, actor, item: Approvable) -> None:
    """Delete a draft that never went anywhere (once submitted, an item stays, for the trail)."""
    item = _locked(item)
    require_manager(actor, item.org)
    if item.state != State.DRAFT or item.decisions.exists():
        raise Conflict(_("只有从未提交过的草稿可以删除；提交过的事项保留审批记录。"))
    if isinstance(item, Budget) and item.expenses.exists():
        raise Conflict(_("这份预算已有支出记录，不能删除。"))
    audit.record(AUDIT_ACTIONS[type(item)]["discard"], item, actor=actor, org_path=item.org.path, before=_snapshot(item))
    item.delete()


@transaction.atomic
def void(*, actor, item: Approvable, reason: str) -> Approvable:
    """Give up an item that was submitted and came back (returned, or withdrawn to draft): it stays, with
    its trail, as 已作废 — holding no money, off the to-do list, no longer in the way of a new adjustment
    or of the year-end carry-over. A draft never submitted is deleted instead (:func:`discard`)."""
    reason = clean_reason(reason, label=_("作废原因"), missing=_("作废须写明原因，如“活动取消，不再报销”。"))
    item = _locked(item)
    require_manager(actor, item.org)
    if not item.editable or not item.decisions.exists():
        raise Conflict(_("只有被退回或撤回的事项可以作废；从未提交的草稿直接删除。"))
    if isinstance(item, Budget) and item.expenses.exists():
        raise Conflict(_("这份预算已有支出记录，不能作废。"))
    _decide(item, actor, Decision.Outcome.VOID, comment=reason)
    item.state, item.step, item.pending_path = State.VOID, 0, ""
    item.save(update_fields=["state", "step", "pending_path"])
    audit.record(AUDIT_ACTIONS[type(item)]["void"], item, actor=actor, org_path=item.org.path, after={"reason": reason})
    return item


# --- invoices -----------------------------------------------------------------------------------------
def check_invoice(upload) -> tuple[bytes, str, str]:
    """The bytes, extension and media type of a scan (JPG, PNG, WEBP or PDF) of at most 10 MB."""
    name = _file_name(upload)
    if upload.size > MAX_INVOICE_BYTES:
        raise DomainError(_("文件“%(n)s”超过 10 MB，请压缩或分页扫描后再上传。") % {"n": name}, field="invoices")
    data = upload.read()
    kind = uploads.image_type(data) or uploads.pdf_type(data)
    if kind is None:
        raise DomainError(_("文件“%(n)s”不是有效的图片或 PDF：票据请上传扫描件或照片（JPG、PNG、WEBP、PDF）。") % {"n": name},
                          field="invoices")
    return data, *kind


def _invoices_open(expense: Expense) -> None:
    if not expense.editable:
        raise Conflict(_("%(l)s%(state)s，票据不能再增删。") % {"l": describe(expense), "state": expense.get_state_display()})


def _file_name(upload) -> str:
    return PurePath(getattr(upload, "name", "") or "").name[:100] or _("票据")


@transaction.atomic
def add_invoices(*, actor, expense: Expense, files) -> list[Invoice]:
    """Attach scans to an expense that can still be edited: all of them or, if one is refused, none."""
    files = list(files or [])
    if not files:
        return []
    expense = _locked(expense)
    require_manager(actor, expense.org)
    _invoices_open(expense)
    if expense.invoices.count() + len(files) > MAX_INVOICES:
        raise DomainError(_("每笔支出最多 %(n)s 个票据文件。") % {"n": MAX_INVOICES}, field="invoices")
    checked = [(_file_name(f), *check_invoice(f)) for f in files]
    made = []
    for name, data, ext, content_type in checked:
        invoice = Invoice(expense=expense, token=secrets.token_hex(16), extension=ext, name=name,
                          content_type=content_type, size=len(data), uploaded_by=actor)
        invoice.file.save("invoice", ContentFile(data), save=False)
        invoice.save()
        made.append(invoice)
    audit.record("funds.expense.invoices", expense, actor=actor, org_path=expense.org.path,
                 after={"added": [i.name for i in made]})
    return made


@transaction.atomic
def delete_invoice(*, actor, invoice: Invoice) -> None:
    expense = _locked(invoice.expense)
    require_manager(actor, expense.org)
    _invoices_open(expense)
    audit.record("funds.expense.invoice_delete", expense, actor=actor, org_path=expense.org.path,
                 before={"file": invoice.name})
    storage, name = invoice.file.storage, invoice.file.name
    invoice.delete()
    transaction.on_commit(lambda: storage.delete(name))
