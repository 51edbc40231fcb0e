"""Pages of the training funds: parse → access → service or query → respond."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingpei.classes.access import visible_plans
from jingpei.classes.models import TrainingClass
from jingpei.core import params, uploads
from jingpei.core.errors import Conflict, DomainError, NotAllowed
from jingpei.core.filetypes import XLSX
from jingpei.core.forms import add_formset_error, show_domain_error
from jingpei.core.permissions import Perm
from jingpei.core.scoping import scope_for
from jingpei.funds import access, adjustments, carryover, exports, queries, services
from jingpei.funds.forms import (
    AdjustmentForm,
    BudgetForm,
    ChangeFormSet,
    DecisionForm,
    ExpenseForm,
    LineFormSet,
    StepFormSet,
)
from jingpei.funds.models import Adjustment, Budget, Expense, Item, State
from jingpei.funds.todo import waiting_count
from jingpei.orgs.access import picked_org


def _year_budgets(request) -> tuple[int, list[Budget]]:
    """The year asked for (this year by default) and the user's budgets of it."""
    if not access.can_view_funds(request.user):
        raise Http404
    year = params.year_asked(request)
    return year, list(access.visible_budgets(request.user).filter(year=year).select_related("org").order_by("org__path", "pk"))


@login_required
def index(request):
    year, budgets = _year_budgets(request)
    rows = queries.figures(budgets)
    return render(request, "funds/index.html", {
        "year": year, "years": params.recent_years(), "rows": rows, "totals": queries.year_totals(rows),
        "can_manage": not scope_for(request.user, Perm.FUNDS_MANAGE).empty, "waiting": waiting_count(request.user)})


@login_required
def export(request):
    year, budgets = _year_budgets(request)
    expenses = (access.visible_expenses(request.user).filter(budget__in=[b.pk for b in budgets])
                .select_related("org", "budget", "line").order_by("spent_on", "pk"))
    changes = (access.visible_adjustments(request.user).filter(budget__in=[b.pk for b in budgets])
               .select_related("org", "budget").order_by("created_at", "pk"))
    data = exports.year_workbook(year, queries.figures(budgets), list(expenses), list(changes))
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, _("培训经费执行-%(y)s.xlsx") % {"y": year})
    return response


# --- budgets ------------------------------------------------------------------------------------------
def _budget_choices(user):
    manage = scope_for(user, Perm.FUNDS_MANAGE)
    this = timezone.localdate().year
    plans = visible_plans(user).filter(year__range=(this - 1, this + 1)).order_by("-year", "pk")[:100]
    classes = (TrainingClass.objects.filter(manage.q("organizer__path"), start_date__year__range=(this - 1, this + 1))
               .exclude(status=TrainingClass.Status.CANCELLED).order_by("-start_date", "pk")[:300])
    return list(plans), list(classes)


def _line_inputs(formset) -> list[services.LineInput]:
    return [services.LineInput(item=f.cleaned_data["item"], amount=f.cleaned_data["amount"],
                               description=f.cleaned_data.get("description", ""),
                               training_class_id=f.cleaned_data.get("training_class"))
            for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


def _budget_form(request, budget: Budget | None):
    user = request.user
    plans, classes = _budget_choices(user)
    if budget is None:
        tops = access.chain_owners(user)
        initial = {"year": timezone.localdate().year, "org": tops[0].pk if tops else None}
        lines_initial = []
    else:
        initial = {"title": budget.title, "year": budget.year, "org": budget.org_id, "plan": budget.plan_id,
                   "note": budget.note}
        lines_initial = [{"item": ln.item, "description": ln.description, "amount": ln.amount,
                          "training_class": ln.training_class_id} for ln in budget.lines.all()]
    data = request.POST if request.method == "POST" else None
    form = BudgetForm(data, initial=initial, plans=plans)
    # a bound formset gets no initial: Django skips an extra row equal to its initial as "unchanged"
    formset = LineFormSet(data, initial=None if data else lines_initial, prefix="lines", form_kwargs={"classes": classes})
    if request.method == "POST" and form.is_valid() & formset.is_valid():  # & not and: both show their errors
        try:
            org = access.get_managed_org(user, form.cleaned_data["org"])
            plan = next((p for p in plans if p.pk == form.cleaned_data["plan"]), None)
            saved = services.save_budget(actor=user, org=org, year=form.cleaned_data["year"], title=form.cleaned_data["title"],
                                         note=form.cleaned_data["note"], plan=plan, lines=_line_inputs(formset), budget=budget)
        except Http404:
            form.add_error("org", _("请从搜索结果中点选您有经费管理权限的单位。"))
        except DomainError as exc:
            show_domain_error(exc, form, formset, rows_field="lines")
        else:
            messages.success(request, _("预算已保存（草稿）。核对无误后点“提交审批”。"))
            return redirect("funds:budget", budget_id=saved.pk)
    picked = picked_org(user, form["org"].value(), Perm.FUNDS_MANAGE)
    return render(request, "funds/budget_form.html", {"form": form, "formset": formset, "budget": budget, "picked": picked})


@login_required
def budget_new(request):
    if scope_for(request.user, Perm.FUNDS_MANAGE).empty:
        raise Http404
    return _budget_form(request, None)


@login_required
def budget_edit(request, budget_id):
    budget = access.get_budget(request.user, budget_id, write=True)  # NotAllowed: Django's 403 page says why
    return _locked_page(request, budget) or _budget_form(request, budget)


def _locked_page(request, item):
    """Back to the item's page, saying why, when it is past editing (submitted or approved)."""
    if item.editable:
        return None
    messages.warning(request, _("%(l)s%(state)s，不能再修改。") % {"l": services.describe(item), "state": item.get_state_display()})
    return redirect(item.get_absolute_url())


def _decision_context(user, item) -> dict:
    return {"can_manage": access.can_manage(user, item.org), "can_approve": access.can_approve(user, item),
            "decision_form": DecisionForm(initial={"step": item.step}), "trail": list(item.decisions.all())}


@login_required
def budget_detail(request, budget_id):
    budget = access.get_budget(request.user, budget_id)
    figures = queries.figures([budget])[0]
    expenses = (access.visible_expenses(request.user).filter(budget=budget).select_related("line")
                .order_by("-spent_on", "-pk"))
    changes = list(access.visible_adjustments(request.user).filter(budget=budget).order_by("-pk"))
    return render(request, "funds/budget_detail.html", {
        "budget": budget, "figures": figures, "expenses": list(expenses), "owner_chain": access.chain_for(budget.org)[1],
        "adjustments": changes, "adjusting": next((a for a in changes if a.state not in (State.APPROVED, State.VOID)), None),
        "can_close": carryover.can_close(budget),
        # the budgets either side of a carry-over, as far as this user may see them (an approver on the chain
        # of one need not see the other)
        "carried_from": access.visible_budgets(request.user).filter(carried_to=budget).first(),
        "carried_to": access.visible_budgets(request.user).filter(pk=budget.carried_to_id).first() if budget.carried_to_id else None,
        **_decision_context(request.user, budget)})


# --- expenses -----------------------------------------------------------------------------------------
def _expense_form(request, budget: Budget, expense: Expense | None):
    figures = queries.figures([budget])[0]
    if expense is None:
        initial = {"spent_on": min(timezone.localdate(), timezone.localdate().replace(year=budget.year, month=12, day=31))}
    else:
        initial = {"line": expense.line_id, "spent_on": expense.spent_on, "amount": expense.amount, "payee": expense.payee,
                   "purpose": expense.purpose, "invoice_no": expense.invoice_no}
    form = ExpenseForm(request.POST or None, request.FILES or None, initial=initial, lines=figures.lines, year=budget.year,
                       invoices_kept=expense.invoices.count() if expense else 0)
    if request.method == "POST" and form.is_valid():
        line = next(f.line for f in figures.lines if f.line.pk == form.cleaned_data["line"])
        submitting = request.POST.get("action") == "submit"
        try:
            with transaction.atomic():  # the expense and its scans, or neither
                saved = services.save_expense(actor=request.user, budget=budget, line=line, expense=expense,
                                              **{k: form.cleaned_data[k] for k in ("spent_on", "amount", "payee", "purpose", "invoice_no")})
                services.add_invoices(actor=request.user, expense=saved, files=form.cleaned_data["invoices"])
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            if submitting:
                try:
                    services.submit(actor=request.user, item=saved)
                except DomainError as exc:
                    messages.error(request, _("支出已保存为草稿，但未能提交：%(m)s") % {"m": exc.message})
                    return redirect("funds:expense", expense_id=saved.pk)
            messages.success(request, _("支出已提交审批。") if submitting else _("支出已保存（草稿）。"))
            return redirect("funds:expense", expense_id=saved.pk)
    return render(request, "funds/expense_form.html", {"form": form, "budget": budget, "expense": expense, "figures": figures})


@login_required
def expense_new(request, budget_id):
    budget = access.get_budget(request.user, budget_id, write=True)  # NotAllowed: Django's 403 page says why
    if budget.state != State.APPROVED:
        messages.warning(request, _("预算尚未批准，不能登记支出。"))
        return redirect("funds:budget", budget_id=budget.pk)
    return _closed_page(request, budget) or _expense_form(request, budget, None)


def _closed_page(request, budget: Budget):
    """Back to a budget closed at year end (carried over, or its balance returned), saying why nothing more
    is booked on it."""
    try:
        services.require_open(budget)
    except Conflict as exc:
        messages.warning(request, exc.message)
        return redirect(budget.get_absolute_url())
    return None


@login_required
def expense_edit(request, expense_id):
    expense = access.get_expense(request.user, expense_id, write=True)
    return _locked_page(request, expense) or _expense_form(request, expense.budget, expense)


@login_required
def expense_detail(request, expense_id):
    expense = access.get_expense(request.user, expense_id)
    line = next(f for f in queries.figures([expense.budget])[0].lines if f.line.pk == expense.line_id)
    return render(request, "funds/expense_detail.html", {"expense": expense, "line": line,
                                                         "invoices": list(expense.invoices.all()),
                                                         "reversals": list(expense.reversals.order_by("pk")),
                                                         **_decision_context(request.user, expense)})


@login_required
@require_POST
def invoices_add(request, expense_id):
    expense = access.get_expense(request.user, expense_id, write=True)
    try:
        added = services.add_invoices(actor=request.user, expense=expense, files=request.FILES.getlist("invoices"))
    except NotAllowed:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        uploads.report_added(request, added, added_text=_("已上传 %(n)s 个票据文件。"),
                             nothing_text=_("没有收到文件：请先选择票据的扫描件或照片，再点“上传”。"))
    return redirect(expense.get_absolute_url())


@login_required
def invoice(request, invoice_id):
    """Scans are not under a public MEDIA_URL: each request is authorised like the expense itself, and
    the file is sent as a download under the name it was uploaded with."""
    item = access.get_invoice(request.user, invoice_id)
    return uploads.private_file(item.file, item.content_type, download_as=item.name)


@login_required
@require_POST
def invoice_delete(request, invoice_id):
    item = access.get_invoice(request.user, invoice_id)
    try:
        services.delete_invoice(actor=request.user, invoice=item)
    except NotAllowed:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("票据“%(n)s”已删除。") % {"n": item.name})
    return redirect(item.expense.get_absolute_url())


# --- adjustments --------------------------------------------------------------------------------------
def _change_rows(budget: Budget, adjustment: Adjustment | None) -> list[dict]:
    """The form's rows: every line of the budget with what its expenses hold (the amount as the adjustment
    plans it, or as it stands), then the lines the adjustment adds."""
    held = adjustments.held_by_line(budget)
    planned = {c["line"]: c for c in adjustment.changes} if adjustment else {}
    rows = [{"line": ln.pk, "label": ln.get_item_display(), "description": ln.description, "before": ln.amount,
             "held": held.get(ln.pk, 0), "amount": planned[ln.pk]["after"] if ln.pk in planned else ln.amount}
            for ln in budget.lines.order_by("pk")]
    return rows + [{"line": None, "item": c["item"], "description": c["description"], "amount": c["after"]}
                   for c in (adjustment.changes if adjustment else []) if c["line"] is None]


def _adjustment_form(request, budget: Budget, adjustment: Adjustment | None):
    data = request.POST if request.method == "POST" else None
    form = AdjustmentForm(data, initial={"reason": adjustment.reason if adjustment else ""})
    # initial also for a bound formset: the rows of existing lines show their item and held amount from it
    formset = ChangeFormSet(data, initial=_change_rows(budget, adjustment), prefix="lines")
    if request.method == "POST" and form.is_valid() & formset.is_valid():  # & not and: both show their errors
        changes = [adjustments.LineChange(line_id=f.cleaned_data.get("line"), amount=f.cleaned_data["amount"],
                                          item=f.cleaned_data.get("item", ""), description=f.cleaned_data.get("description", ""))
                   for f in formset.forms if f.cleaned_data]
        try:
            saved = adjustments.save_adjustment(actor=request.user, budget=budget, reason=form.cleaned_data["reason"],
                                                changes=changes, adjustment=adjustment)
        except NotAllowed:
            raise
        except DomainError as exc:
            show_domain_error(exc, form, formset, rows_field="lines")
        else:
            messages.success(request, _("预算调整已保存（草稿）。核对无误后点“提交审批”，批准后预算才按调整变更。"))
            return redirect(saved.get_absolute_url())
    return render(request, "funds/adjustment_form.html", {"budget": budget, "adjustment": adjustment, "form": form,
                                                          "formset": formset})


@login_required
def adjustment_new(request, budget_id):
    budget = access.get_budget(request.user, budget_id, write=True)  # NotAllowed: Django's 403 page says why
    if budget.state != State.APPROVED:
        messages.warning(request, _("预算尚未批准，直接修改即可，不需要调整。"))
        return redirect(budget.get_absolute_url())
    if (current := Adjustment.objects.open().filter(budget=budget).first()) is not None:
        messages.info(request, _("这份预算已有一项调整在办理中，请先办完它。"))
        return redirect(current.get_absolute_url())
    return _closed_page(request, budget) or _adjustment_form(request, budget, None)


@login_required
def adjustment_edit(request, adjustment_id):
    adjustment = access.get_adjustment(request.user, adjustment_id, write=True)
    return _locked_page(request, adjustment) or _adjustment_form(request, adjustment.budget, adjustment)


@login_required
def adjustment_detail(request, adjustment_id):
    adjustment = access.get_adjustment(request.user, adjustment_id)
    held = adjustments.held_by_line(adjustment.budget)
    changes = [{**c, "label": Item(c["item"]).label, "before": Decimal(c["before"]), "after": Decimal(c["after"]),
                "difference": Decimal(c["after"]) - Decimal(c["before"]), "held": held.get(c["line"], 0)}
               for c in adjustment.changes]
    return render(request, "funds/adjustment_detail.html", {"adjustment": adjustment, "budget": adjustment.budget,
                                                            "changes": changes, "owner_chain": access.chain_for(adjustment.org)[1],
                                                            **_decision_context(request.user, adjustment)})


@login_required
@require_POST
def adjustment_act(request, adjustment_id):
    adjustment = access.get_adjustment(request.user, adjustment_id)
    return _act(request, adjustment, _back(request, adjustment))


# --- decisions ----------------------------------------------------------------------------------------
def _act(request, item, back):
    action = request.POST.get("action")
    form = DecisionForm(request.POST)
    try:
        if action == "submit":
            services.submit(actor=request.user, item=item)
            messages.success(request, _("已提交，等待“%(s)s”审批。") % {"s": item.steps[0]["name"] if item.steps else ""})
        elif action == "withdraw":
            services.withdraw(actor=request.user, item=item)
            messages.success(request, _("已撤回为草稿。"))
        elif action == "reverse" and isinstance(item, Expense):
            reversal = services.reverse_expense(actor=request.user, expense=item, reason=request.POST.get("reason", ""))
            messages.success(request, _("已提交冲销，审批通过后该科目结余相应增加。"))
            return redirect(reversal.get_absolute_url())
        elif action == "carry_over" and isinstance(item, Budget):
            draft = carryover.carry_over(actor=request.user, budget=item)
            messages.success(request, _("已结转。本预算不再登记支出；结余已编入下年度预算草稿，核对后提交审批。"))
            return redirect(draft.get_absolute_url())
        elif action == "settle" and isinstance(item, Budget):
            carryover.settle(actor=request.user, budget=item, note=request.POST.get("settle_note", ""))
            messages.success(request, _("已办理结余收回，本预算关闭，不再登记支出。"))
        elif action == "reopen" and isinstance(item, Budget):
            carryover.reopen(actor=request.user, budget=item, reason=request.POST.get("reason", ""))
            messages.success(request, _("已撤销结余收回，本预算可以继续登记支出。"))
        elif action == "void":
            services.void(actor=request.user, item=item, reason=request.POST.get("reason", ""))
            messages.success(request, _("已作废，审批记录保留。"))
        elif action == "discard":
            services.discard(actor=request.user, item=item)
            messages.success(request, _("草稿已删除。"))
            return redirect(item.budget.get_absolute_url() if isinstance(item, Adjustment) else "funds:index")
        elif action in ("approve", "return"):
            if "step" in form.errors:  # no step: a page from before this one, or a hand-made request
                raise DomainError(_("页面已过期，请刷新后再审批。"))
            if not form.is_valid():
                raise DomainError(_("审批意见不能超过 500 个字。"))
            step, comment = form.cleaned_data["step"], form.cleaned_data["comment"]
            if action == "approve":
                services.approve(actor=request.user, item=item, step=step, comment=comment)
                messages.success(request, _("已同意。"))
            else:
                services.return_item(actor=request.user, item=item, step=step, reason=comment)
                messages.success(request, _("已退回，对方会收到通知和您的理由。"))
        else:
            raise DomainError(_("未知的操作。"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(back)


def _back(request, item) -> str:
    """Where a decision returns to: the waiting list it was taken from, or the item's page."""
    return reverse("funds:approvals") if request.POST.get("next") == "approvals" else item.get_absolute_url()


@login_required
@require_POST
def budget_act(request, budget_id):
    budget = access.get_budget(request.user, budget_id)
    return _act(request, budget, _back(request, budget))


@login_required
@require_POST
def expense_act(request, expense_id):
    expense = access.get_expense(request.user, expense_id)
    return _act(request, expense, _back(request, expense))


@login_required
def approvals(request):
    if scope_for(request.user, Perm.FUNDS_APPROVE).empty:
        raise Http404
    budgets, expenses, changes = access.waiting_for(request.user)
    budgets = list(budgets.select_related("org").order_by("submitted_at"))
    expenses = list(expenses.select_related("org", "budget", "line").order_by("submitted_at"))
    lines = {f.line.pk: f for fig in queries.figures(list({e.budget for e in expenses})) for f in fig.lines}
    return render(request, "funds/approvals.html", {
        "budgets": budgets, "expenses": [(e, lines.get(e.line_id)) for e in expenses],
        "adjustments": list(changes.select_related("org", "budget").order_by("submitted_at")),
        "decision_form": DecisionForm()})


# --- the chain ----------------------------------------------------------------------------------------
@login_required
def chain(request):
    owners = access.chain_owners(request.user)
    if not owners:
        raise Http404
    owner = next((o for o in owners if o.pk == params.number(request.GET.get("owner") or request.POST.get("owner"))), owners[0])
    parties = access.approving_parties(request.user, owner)
    current = access.chain_for(owner)
    inherited_from = current[0] if current[0] and current[0].pk != owner.pk else None
    steps = current[1] if not inherited_from else []
    initial = [{"name": s.name, "approver_org": s.approver_org_id, "min_amount": s.min_amount or ""} for s in steps]
    bound = request.POST or None
    formset = StepFormSet(bound, initial=None if bound else initial, prefix="steps", form_kwargs={"orgs": parties})
    if request.method == "POST" and formset.is_valid():
        by_pk = {o.pk: o for o in parties}
        wanted = [(f.cleaned_data["name"], by_pk[f.cleaned_data["approver_org"]], f.cleaned_data["min_amount"])
                  for f in formset.forms if f.cleaned_data.get("name", "").strip()]
        try:
            services.set_chain(actor=request.user, owner=owner, steps=wanted)
        except DomainError as exc:
            add_formset_error(formset, exc.message)
        else:
            messages.success(request, _("审批流程已保存。此后提交的预算和支出按新流程审批；已在审批中的不受影响。"))
            return redirect(f"{request.path}?owner={owner.pk}")
    return render(request, "funds/chain.html", {"owners": owners, "owner": owner, "formset": formset,
                                                "inherited_from": inherited_from, "parties": parties})
