"""Writes to accounts and grants. Separation of the three administrators (三员分立) is enforced here."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.accounts.models import Grant, User
from jingpei.core import audit
from jingpei.core.actors import Actor
from jingpei.core.errors import Conflict, DomainError, NotAllowed
from jingpei.core.permissions import SEPARATED_ADMIN_ROLES, Perm, Role
from jingpei.core.scoping import forget_grants, scope_for
from jingpei.orgs.models import Organization, Person


def _grant_snapshot(grant: Grant) -> dict:
    return {"user": grant.user.username, "role": grant.role, "org": grant.org.name, "org_id": grant.org_id}


def create_user(
    *,
    actor: Actor,
    username: str,
    password: str,
    person: Person | None = None,
    must_change_password: bool = True,
) -> User:
    if actor is not None:
        scope = scope_for(actor, Perm.ACCOUNT_MANAGE)
        if scope.empty:
            raise NotAllowed(_("您没有创建账号的权限。"))
        if person is not None and not person.memberships.filter(scope.q("org__path")).exists():
            raise NotAllowed(_("该人员不在您的管理范围内。"), field="person_id")
    username = (username or "").strip()
    if not username:
        raise DomainError(_("请填写用户名。"), field="username")
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise Conflict(_("用户名“%(u)s”已被使用。") % {"u": username}, field="username")
        if person is not None and User.objects.filter(person=person).exists():
            raise Conflict(_("该人员已有账号。"), field="person")
        user = User(username=username, person=person, must_change_password=must_change_password)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages), field="password") from None
        user.set_password(password)
        user.save()
        audit.record(
            "user.create",
            user,
            actor=actor,
            after={"username": username, "person": getattr(person, "pk", None)},
        )
    return user


def grant_role(*, actor: Actor, user: User, role: str, org: Organization) -> Grant:
    """Give ``user`` the role on the subtree of ``org``. The granting security administrator must
    cover ``org`` and may not grant to themselves; no account holds two of the three admin roles."""
    if role not in Role.values:
        raise DomainError(_("未知角色：%(r)s") % {"r": role}, field="role")
    if actor is not None:
        if not scope_for(actor, Perm.GRANT_MANAGE).covers(org.path):
            raise NotAllowed(_("您没有在该组织范围内授权的权限。"))
        if actor.pk == user.pk:
            raise NotAllowed(_("不能给自己授权。"))
    with transaction.atomic():
        if role in SEPARATED_ADMIN_ROLES:
            clash = (
                Grant.objects.active().filter(user=user, role__in=SEPARATED_ADMIN_ROLES).exclude(role=role)
            )
            if clash.exists():
                raise Conflict(
                    _("系统管理员、安全管理员、审计管理员须由不同的人担任（三员分立）。"), field="role"
                )
        existing = Grant.objects.active().filter(user=user, role=role, org=org).first()
        if existing:
            return existing
        grant = Grant.objects.create(user=user, role=role, org=org, granted_by=actor)
        audit.record("grant.create", grant, actor=actor, after=_grant_snapshot(grant), org_path=org.path)
    forget_grants(user)
    return grant


def revoke_grant(*, actor: Actor, grant: Grant) -> Grant:
    if actor is not None:
        if not scope_for(actor, Perm.GRANT_MANAGE).covers(grant.org.path):
            raise NotAllowed(_("您没有撤销该授权的权限。"))
        if actor.pk == grant.user_id:
            raise NotAllowed(_("不能撤销自己的授权。"))
    with transaction.atomic():
        grant = Grant.objects.select_for_update().get(pk=grant.pk)
        if grant.revoked_at is None:
            grant.revoked_at = timezone.now()
            grant.revoked_by = actor
            grant.save(update_fields=["revoked_at", "revoked_by"])
            audit.record(
                "grant.revoke", grant, actor=actor, before=_grant_snapshot(grant), org_path=grant.org.path
            )
    forget_grants(grant.user)
    return grant


def _set_password(user: User, new_password: str, *, field: str, must_change: bool, action: str, actor: Actor) -> None:
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field=field) from None
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = must_change
        user.save(update_fields=["password", "must_change_password"])
        audit.record(action, user, actor=actor)


def change_password(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise DomainError(_("原密码不正确。"), field="old_password")
    _set_password(user, new_password, field="new_password", must_change=False, action="user.password", actor=user)


def reset_password(*, actor: Actor, user: User, new_password: str) -> None:
    """An administrator sets a new password; the user must change it at next login."""
    if actor is not None and scope_for(actor, Perm.ACCOUNT_MANAGE).empty:
        raise NotAllowed(_("您没有重置密码的权限。"))
    _set_password(user, new_password, field="password", must_change=True, action="user.reset_password", actor=actor)


def set_active(*, actor: Actor, user: User, active: bool) -> None:
    if actor is not None and (scope_for(actor, Perm.ACCOUNT_MANAGE).empty or actor.pk == user.pk):
        raise NotAllowed(_("您没有停用或启用该账号的权限。"))
    with transaction.atomic():
        before = user.is_active
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit.record(
            "user.activate" if active else "user.deactivate",
            user,
            actor=actor,
            before={"active": before},
            after={"active": active},
        )


# --- first start of a new installation -------------------------------------------------------------
# The first accounts of an installation: the three administrators (三员分立) and, usually, the training
# officer who then builds the tree and the roster. Their grants cover the whole new tree.
FIRST_ROLES = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.TRAINING_OFFICER)
_LEGIBLE = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"  # no 0/O, 1/l/I to misread


def initial_password() -> str:
    """A one-time password to hand over on paper: 12 characters without look-alikes, never all digits."""
    while True:
        password = "".join(secrets.choice(_LEGIBLE) for _i in range(12))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def initialise_site(*, org_name: str, kind: str, usernames: dict[str, str]) -> tuple[Organization, list[tuple[User, str, str]]]:
    """Create the top organisation of a new installation and its first accounts, ``{role: username}`` for
    roles of :data:`FIRST_ROLES` (a role left out gets no account), each with a one-time password that
    must be changed at first login. All or nothing; refused once the installation has a top organisation.
    Returns the organisation and ``(user, role, password)`` for each account."""
    from jingpei.orgs import services as org_services

    unknown = set(usernames) - set(FIRST_ROLES)
    if unknown:
        raise DomainError(_("初始化只能创建管理员和培训专员账号，不能创建：%(r)s") % {"r": "、".join(sorted(unknown))}, field="role")
    names = [(u or "").strip() for u in usernames.values()]
    if len(set(names)) != len(names):
        raise DomainError(_("三员分立：每个角色须使用不同的用户名。"), field="username")
    with transaction.atomic():
        if (first := Organization.objects.filter(depth=1).first()) is not None:
            raise Conflict(_("系统已初始化（已有顶级组织“%(o)s”），不能再次初始化。") % {"o": first.name})
        org = org_services.create_org(actor=None, parent=None, name=org_name, kind=kind)
        made = []
        for role in FIRST_ROLES:
            if role not in usernames:
                continue
            password = initial_password()
            user = create_user(actor=None, username=usernames[role], password=password)
            grant_role(actor=None, user=user, role=role, org=org)
            made.append((user, role, password))
    return org, made
