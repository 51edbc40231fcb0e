"""Fetch-and-authorise for budgets and expenses (see ``jingpei.orgs.access`` for the style).

Who sees an item (a budget, an expense, an adjustment of a budget):
* ``Perm.FUNDS_VIEW`` over the organisation that holds the budget (the officer, the auditor, an approver
  granted over that organisation);
* every party of the chain the item went to, once submitted: an approver granted over another branch of the
  tree (the assisting enterprise, the local government) sees what its chain brings to it, never drafts;
* the budget of such an expense or adjustment too (the approver weighs it against the budget).

Who writes: ``Perm.FUNDS_MANAGE`` over the organisation edits, submits and withdraws; ``Perm.FUNDS_APPROVE``
over the organisation of the step now waiting approves or returns.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from jingpei.core.errors import NotAllowed
from jingpei.core.lookups import id_or_404
from jingpei.core.permissions import Perm, roles_with
from jingpei.core.scoping import Scope, scope_for
from jingpei.funds.models import Adjustment, Approvable, ApprovalStep, Budget, Expense, Invoice, State
from jingpei.orgs.access import acting_orgs, get_acting_org
from jingpei.orgs.models import Organization


def step_paths_key(paths: list[str]) -> str:
    """``|p1|p2|…|``: a scope prefix P covers a step exactly when ``|P`` occurs in it (paths are whole
    levels of four characters, so a prefix can only match at a step's start)."""
    return "|" + "|".join(paths) + "|" if paths else ""


def _on_chain(scope: Scope) -> Q:
    if scope.empty:
        return Q(pk__in=[])
    q = Q()
    for prefix in scope.prefixes:
        q |= Q(step_paths__contains="|" + prefix)
    return q


def can_view_funds(user) -> bool:
    return not (scope_for(user, Perm.FUNDS_VIEW).empty and scope_for(user, Perm.FUNDS_APPROVE).empty)


def can_manage(user, org: Organization) -> bool:
    return scope_for(user, Perm.FUNDS_MANAGE).covers(org.path)


def can_approve(user, item: Approvable) -> bool:
    return item.state == State.PENDING and scope_for(user, Perm.FUNDS_APPROVE).covers(item.pending_path)


def _visible(model, user) -> QuerySet:
    """Expenses or adjustments: under the user's funds.view, or sent along a chain the user approves on."""
    view, approve = scope_for(user, Perm.FUNDS_VIEW), scope_for(user, Perm.FUNDS_APPROVE)
    if view.empty and approve.empty:
        return model.objects.none()
    return model.objects.filter(view.q("org__path") | _on_chain(approve))


def visible_expenses(user) -> QuerySet[Expense]:
    return _visible(Expense, user)


def visible_adjustments(user) -> QuerySet[Adjustment]:
    return _visible(Adjustment, user)


def visible_budgets(user) -> QuerySet[Budget]:
    view, approve = scope_for(user, Perm.FUNDS_VIEW), scope_for(user, Perm.FUNDS_APPROVE)
    if view.empty and approve.empty:
        return Budget.objects.none()
    condition = view.q("org__path")
    if not approve.empty:
        on_chain = _on_chain(approve)
        condition |= (on_chain | Q(Exists(Expense.objects.filter(on_chain, budget=OuterRef("pk"))))
                      | Q(Exists(Adjustment.objects.filter(on_chain, budget=OuterRef("pk")))))
    return Budget.objects.filter(condition)


APPROVABLE = (Budget, Expense, Adjustment)


def waiting_for(user) -> tuple[QuerySet[Budget], QuerySet[Expense], QuerySet[Adjustment]]:
    """What waits for this user's decision (待我审批): budgets, expenses, adjustments."""
    approve = scope_for(user, Perm.FUNDS_APPROVE)
    return tuple(model.objects.none() if approve.empty else  # type: ignore[return-value]
                 model.objects.filter(approve.q("pending_path"), state=State.PENDING) for model in APPROVABLE)


def to_close(user, today) -> QuerySet[Budget]:
    """Approved budgets this user manages that are still open although their year-end close is due (from
    1 December of their year): to carry over or to return the balance of (年终结算)."""
    manage = scope_for(user, Perm.FUNDS_MANAGE)
    if manage.empty:
        return Budget.objects.none()
    due = today.year if (today.month, today.day) >= (12, 1) else today.year - 1  # the latest year whose close is due
    return Budget.objects.filter(manage.q("org__path"), state=State.APPROVED, year__lte=due, carried_to__isnull=True,
                                 settled_at__isnull=True)


def returned_to(user) -> tuple[QuerySet[Budget], QuerySet[Expense], QuerySet[Adjustment]]:
    """Returned items this user may mend and submit again: budgets, expenses, adjustments."""
    manage = scope_for(user, Perm.FUNDS_MANAGE)
    return tuple(model.objects.none() if manage.empty else  # type: ignore[return-value]
                 model.objects.filter(manage.q("org__path"), state=State.RETURNED) for model in APPROVABLE)


def get_budget(user, budget_id, *, write: bool = False) -> Budget:
    budget = visible_budgets(user).select_related("org", "plan", "settled_by__person").filter(pk=id_or_404(budget_id)).first()
    if budget is None:
        raise Http404
    if write and not can_manage(user, budget.org):
        raise NotAllowed(_("只有预算单位的经费管理人员可以修改、提交这份预算。"))
    return budget


def get_expense(user, expense_id, *, write: bool = False) -> Expense:
    expense = (visible_expenses(user).select_related("org", "budget", "line", "created_by__person")
               .filter(pk=id_or_404(expense_id)).first())
    if expense is None:
        raise Http404
    if write and not can_manage(user, expense.org):
        raise NotAllowed(_("只有预算单位的经费管理人员可以修改、提交这笔支出。"))
    return expense


def get_adjustment(user, adjustment_id, *, write: bool = False) -> Adjustment:
    adjustment = (visible_adjustments(user).select_related("org", "budget", "created_by")
                  .filter(pk=id_or_404(adjustment_id)).first())
    if adjustment is None:
        raise Http404
    if write and not can_manage(user, adjustment.org):
        raise NotAllowed(_("只有预算单位的经费管理人员可以修改、提交这项调整。"))
    return adjustment


def get_invoice(user, invoice_id) -> Invoice:
    """An invoice scan, for whoever may see its expense."""
    invoice = Invoice.objects.select_related("expense").filter(pk=id_or_404(invoice_id)).first()
    if invoice is None or not visible_expenses(user).filter(pk=invoice.expense_id).exists():
        raise Http404
    return invoice


def managed_orgs(user) -> QuerySet[Organization]:
    """Organisations the user may hold budgets for (the tops of their funds scope and everything under)."""
    return acting_orgs(user, Perm.FUNDS_MANAGE)


def get_managed_org(user, org_id) -> Organization:
    return get_acting_org(user, org_id, Perm.FUNDS_MANAGE)


def chain_owners(user) -> list[Organization]:
    """The organisations whose chain this user may set: the tops of their funds-managing scope."""
    return list(Organization.objects.filter(path__in=scope_for(user, Perm.FUNDS_MANAGE).prefixes,
                                            archived_at__isnull=True).order_by("path"))


def chain_for(org: Organization) -> tuple[Organization | None, list[ApprovalStep]]:
    """The chain that applies to ``org``'s budgets: its own, or that of its nearest ancestor with one."""
    steps = list(ApprovalStep.objects.filter(owner__path__in=Organization.paths_through(org.path)).select_related("owner", "approver_org")
                 .order_by("-owner__depth", "position"))
    if not steps:
        return None, []
    owner = steps[0].owner
    return owner, [s for s in steps if s.owner_id == owner.pk]


def _approver_grants():
    from jingpei.accounts.models import Grant

    return Grant.objects.active().filter(role__in=roles_with(Perm.FUNDS_APPROVE))


def approvers_of(path: str) -> list:
    """The active accounts whose funds-approving grant covers ``path`` (told when an item reaches them)."""
    from jingpei.accounts.models import User

    grants = _approver_grants().filter(org__path__in=Organization.paths_through(path), org__archived_at__isnull=True)
    return list(User.objects.filter(is_active=True, pk__in=grants.values("user_id")).order_by("pk"))


def approving_parties(user, owner: Organization) -> list[Organization]:
    """Who may be a step of ``owner``'s chain: the owner and its direct children (the 财政局, the 扶贫办 …)
    and any organisation of the user's sight holding a funds approver's grant; and the partners:
    organisations holding such a grant in another tree altogether (the assisting enterprise, the group),
    never a sibling subtree of the user's own tree (township B's office is not township A's to see)."""
    scope = scope_for(user, Perm.ORG_VIEW)
    live = Organization.objects.filter(archived_at__isnull=True)
    near = live.filter(scope.q("path"), path__startswith=owner.path, depth__lte=owner.depth + 1)
    own_trees = Q()
    for prefix in scope.prefixes:
        own_trees |= Q(path__startswith=prefix[:Organization.steplen])
    partners = live.filter(pk__in=_approver_grants().values("org_id")).filter(scope.q("path") | ~own_trees)
    return list((near | partners).distinct().order_by("path"))
