"""Fetch-and-authorise for accounts, grants and the audit trail."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jingpei.accounts.models import Grant, GrantQuerySet, User
from jingpei.core.actors import Viewer
from jingpei.core.lookups import get_or_404
from jingpei.core.models import AuditLog
from jingpei.core.permissions import Perm
from jingpei.core.scoping import Scope, scope_for
from jingpei.orgs.models import Membership


def visible_grants(user: Viewer) -> GrantQuerySet:
    return Grant.objects.filter(scope_for(user, Perm.GRANT_MANAGE).q("org__path"))


def get_grant(user: Viewer, grant_id: int | str | None) -> Grant:
    return get_or_404(visible_grants(user).select_related("user", "org"), grant_id)


def _accounts_in(scope: Scope) -> QuerySet[User]:
    """Accounts attached to people in the scope, or holding a grant inside it."""
    return User.objects.filter(
        Q(person__memberships__in=_memberships(scope))
        | Q(grants__in=Grant.objects.filter(scope.q("org__path")))
    ).distinct()


def _memberships(scope: Scope) -> QuerySet[Membership]:
    return Membership.objects.filter(scope.q("org__path"))


def visible_accounts(user: Viewer, perm: str = Perm.ACCOUNT_MANAGE) -> QuerySet[User]:
    scope = scope_for(user, perm)
    if scope.empty:
        return User.objects.none()
    return _accounts_in(scope)


def get_account(user: Viewer, account_id: int | str | None, perm: str = Perm.ACCOUNT_MANAGE) -> User:
    return get_or_404(visible_accounts(user, perm), account_id)


def visible_audit(user: Viewer) -> QuerySet[AuditLog]:
    """Audit rows under the audit administrator's subtrees; rows tied to no organisation (account
    changes, system events) only for those whose grant is on a root of the tree."""
    scope = scope_for(user, Perm.AUDIT_VIEW)
    if scope.empty:
        return AuditLog.objects.none()
    condition = scope.q("org_path")
    if any(len(p) == 4 for p in scope.prefixes):
        condition |= Q(org_path="")
    return AuditLog.objects.filter(condition)
