"""Writes to accounts and grants. Separation of the three administrators (三员分立) is enforced here."""

from __future__ import annotations

import re
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.accounts import activation
from jingpei.accounts.backends import proves
from jingpei.accounts.models import Grant, User
from jingpei.core import audit
from jingpei.core.actors import Actor
from jingpei.core.errors import Conflict, DomainError, NotAllowed
from jingpei.core.locks import xact_lock
from jingpei.core.permissions import SEPARATED_ADMIN_ROLES, Perm, Role
from jingpei.core.pinyin import name_keys
from jingpei.core.scoping import forget_grants, scope_for
from jingpei.orgs.models import Organization, Person, PersonQuerySet


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
        user.activation_digest, user.activation_expires = "", None  # a password ends the activation code
        user.save(update_fields=["password", "must_change_password", "activation_digest", "activation_expires"])
        audit.record(action, user, actor=actor)


def change_password(*, user: User, old_password: str, new_password: str) -> None:
    if not proves(user, old_password):
        raise DomainError(_("原密码（或激活码）不正确。"), field="old_password")
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


def initial_password(username: str = "") -> str:
    """A one-time password to hand over on paper: 12 characters without look-alikes, never all digits, and
    passing the password rules for ``username``. Those rules include Django's similarity check, which
    compares only which letters occur (``quick_ratio``): about one draw in 2,000 holds seven of
    "secadmin"'s or "sysadmin"'s letters and would be refused, so such a draw is drawn again."""
    while True:
        password = "".join(secrets.choice(_LEGIBLE) for _i in range(12))
        if not (any(c.isdigit() for c in password) and any(c.isalpha() for c in password)):
            continue
        try:
            validate_password(password, User(username=username))
        except ValidationError:
            continue
        return password


def initialise_site(*, org_name: str, kind: str, usernames: dict[Role, str]) -> tuple[Organization, list[tuple[User, Role, str]]]:
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
        xact_lock(org_services.TREE_LOCK)  # two first starts at once: the second finds the first's root
        if (first := Organization.objects.filter(depth=1).first()) is not None:
            raise Conflict(_("系统已初始化（已有顶级组织“%(o)s”），不能再次初始化。") % {"o": first.name})
        org = org_services.create_org(actor=None, parent=None, name=org_name, kind=kind)
        made = []
        for role in FIRST_ROLES:
            if role not in usernames:
                continue
            password = initial_password(usernames[role])
            user = create_user(actor=None, username=usernames[role], password=password)
            grant_role(actor=None, user=user, role=role, org=org)
            made.append((user, role, password))
    return org, made


# --- opening the accounts of a whole subtree (开通账号) -----------------------------------------------
@dataclass(frozen=True)
class OpeningOutlook:
    """What opening the accounts of ``org``'s subtree would do: people with no account yet, accounts opened
    earlier whose code was never used (their codes can be issued again), and people already using theirs."""

    org: Organization
    without: int
    pending: int
    active: int


@dataclass(frozen=True)
class Opened:
    user: User
    person: Person
    code: str


def _people_in(org: Organization) -> PersonQuerySet:
    return Person.objects.active().in_subtree(org)


def _require_account_manage(actor: Actor, org: Organization) -> None:
    if actor is not None and not scope_for(actor, Perm.ACCOUNT_MANAGE).covers(org.path):
        raise NotAllowed(_("您没有在该组织范围内开通账号的权限。"))


def opening_outlook(*, actor: Actor, org: Organization) -> OpeningOutlook:
    _require_account_manage(actor, org)
    people = _people_in(org)
    users = User.objects.filter(person__in=people)
    pending = users.exclude(activation_digest="").count()
    return OpeningOutlook(org, people.filter(user__isnull=True).count(), pending, users.count() - pending)


def _usernames(people: list[Person]) -> list[str]:
    """A login name per person: the full pinyin of the name (王小明 → wangxiaoming), or with the person's
    number after it (wangxiaoming3817) where that is taken or shared within the batch. People may log in
    with their phone number instead."""
    bases = []
    for person in people:
        full = name_keys(person.name)[0].split()
        letters = re.sub(r"[^a-z0-9]", "", full[0]) if full else ""  # 阿依古丽·买买提 → ayigulimaimaiti
        bases.append((letters or "user")[:120])
    shared = {b for b, n in Counter(bases).items() if n > 1}
    wanted = [b if b not in shared else f"{b}{p.pk}" for b, p in zip(bases, people, strict=True)]
    taken = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    wanted = [w if w not in taken else f"{b}{p.pk}" for w, b, p in zip(wanted, bases, people, strict=True)]
    taken = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    return [w if w not in taken else f"{w}x{secrets.randbelow(10**6):06d}" for w in wanted]


def open_accounts(*, actor: Actor, org: Organization, reissue: bool = False) -> list[Opened]:
    """Open an account for everyone in ``org``'s subtree who has none, each with a one-time activation code
    (see :mod:`jingpei.accounts.activation`); with ``reissue``, also give new codes to accounts opened
    earlier and never activated (a lost list). One transaction; returns what to hand out, by organisation
    and name. The codes are not kept: the caller hands the list over once."""
    _require_account_manage(actor, org)
    try:
        return _open_accounts(actor, org, reissue)
    except IntegrityError:  # another administrator opened some of the same people's accounts meanwhile
        raise Conflict(_("部分人员的账号刚刚已由他人开通，请刷新人数后重试。")) from None


def _org_path(person: Person) -> str:
    return person.primary_org.path if person.primary_org_id else ""


def _create(actor: Actor, people: list[Person], expires: datetime) -> list[Opened]:
    """Accounts with activation codes for ``people`` (none of whom has one), in the caller's transaction."""
    opened = [Opened(User(username=name, person=p, must_change_password=True, password=make_password(None),
                          activation_expires=expires), p, activation.new_code())
              for name, p in zip(_usernames(people), people, strict=True)]
    for o in opened:
        o.user.activation_digest = activation.digest(o.code)
    User.objects.bulk_create([o.user for o in opened], batch_size=500)
    audit.record_many("user.open", ((o.user, None, {"username": o.user.username, "person": o.person.pk,
                                      "expires": expires.isoformat()}, _org_path(o.person)) for o in opened), actor=actor)
    return opened


def _open_accounts(actor: Actor, org: Organization, reissue: bool) -> list[Opened]:
    with transaction.atomic():
        people = list(_people_in(org).filter(user__isnull=True).select_related("primary_org")
                      .order_by("primary_org__path", "pinyin", "pk"))
        expires = activation.expiry()
        opened = _create(actor, people, expires)
        renewed: list[Opened] = []
        if reissue:
            for user in (User.objects.select_for_update().filter(person__in=_people_in(org)).exclude(activation_digest="")
                         .select_related("person__primary_org")):
                assert user.person is not None  # noqa: S101 — chosen by person above
                renewed.append(Opened(user, user.person, activation.new_code()))
                user.activation_digest, user.activation_expires = activation.digest(renewed[-1].code), expires
            User.objects.bulk_update([o.user for o in renewed], ["activation_digest", "activation_expires"], batch_size=500)
            audit.record_many("user.reissue_code", ((o.user, None, {"expires": expires.isoformat()}, _org_path(o.person))
                                                    for o in renewed), actor=actor)
    return opened + sorted(renewed, key=lambda o: (_org_path(o.person), o.person.pinyin, o.person.pk))
