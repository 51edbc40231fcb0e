"""Fetch-and-authorise for accounts, grants and the audit trail."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from jingpei.accounts.models import Grant, User
from jingpei.core.models import AuditLog
from jingpei.core.permissions import Perm
from jingpei.core.scoping import scope_for


def visible_grants(user):
    return Grant.objects.filter(scope_for(user, Perm.GRANT_MANAGE).q("org__path"))


def get_grant(user, grant_id) -> Grant:
    try:
        return visible_grants(user).select_related("user", "org").get(pk=int(grant_id))
    except (Grant.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def _accounts_in(scope):
    """Accounts attached to people in the scope, or holding a grant inside it."""
    return User.objects.filter(
        Q(person__memberships__in=_memberships(scope))
        | Q(grants__in=Grant.objects.filter(scope.q("org__path")))
    ).distinct()


def _memberships(scope):
    from jingpei.orgs.models import Membership

    return Membership.objects.filter(scope.q("org__path"))


def visible_accounts(user, perm: str = Perm.ACCOUNT_MANAGE):
    scope = scope_for(user, perm)
    if scope.empty:
        return User.objects.none()
    return _accounts_in(scope)


def get_account(user, account_id, perm: str = Perm.ACCOUNT_MANAGE) -> User:
    try:
        return visible_accounts(user, perm).get(pk=int(account_id))
    except (User.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def visible_audit(user):
    """Audit rows under the audit administrator's subtrees; rows tied to no organisation (account
    changes, system events) only for those whose grant is on a root of the tree."""
    scope = scope_for(user, Perm.AUDIT_VIEW)
    if scope.empty:
        return AuditLog.objects.none()
    condition = scope.q("org_path")
    if any(len(p) == 4 for p in scope.prefixes):
        condition |= Q(org_path="")
    return AuditLog.objects.filter(condition)
