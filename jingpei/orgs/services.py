"""Every write to organisations and people. Each function checks permission, runs in one
transaction and writes its audit row in that transaction."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.core import audit, crypto
from jingpei.core.actors import Actor
from jingpei.core.errors import Conflict, DomainError, NotAllowed
from jingpei.core.locks import xact_lock
from jingpei.core.permissions import Perm
from jingpei.core.pinyin import name_keys, search_keys
from jingpei.core.scoping import scope_for
from jingpei.orgs import ranks
from jingpei.orgs.choices import Gender, OrgKind
from jingpei.orgs.idnumbers import parse_id_number, validate_phone
from jingpei.orgs.models import Category, Membership, Organization, Person, PersonCategory

TREE_LOCK = "orgs.tree"


# --- organisations --------------------------------------------------------------------------------
def org_snapshot(org: Organization) -> dict:
    return {
        "name": org.name,
        "kind": org.kind,
        "code": org.code,
        "path": org.path,
        "archived": org.archived_at is not None,
    }


def _require_manage(actor: Actor, path: str) -> None:
    if actor is None:  # the system itself (demo builder, CLI): no request, no grants
        return
    if not scope_for(actor, Perm.ORG_MANAGE).covers(path):
        raise NotAllowed(_("您没有管理该组织的权限。"))


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("请填写组织名称。"), field="name")
    if len(name) > 100:
        raise DomainError(_("组织名称不能超过 100 个字。"), field="name")
    return name


def _check_kind(kind: str) -> str:
    if kind not in OrgKind.values:
        raise DomainError(_("未知的组织类型：%(kind)s。") % {"kind": kind}, field="kind")
    return kind


def _check_sibling_name(parent: Organization | None, name: str, exclude_pk: int | None = None) -> None:
    siblings = (
        Organization.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        if parent
        else Organization.objects.filter(depth=1)
    )
    if siblings.filter(name=name, archived_at__isnull=True).exclude(pk=exclude_pk).exists():
        raise Conflict(_("同一上级组织下已有名为“%(name)s”的组织。") % {"name": name}, field="name")


def create_org(
    *, actor: Actor, parent: Organization | None, name: str, kind: str, code: str = ""
) -> Organization:
    name, kind = _clean_name(name), _check_kind(kind)
    with transaction.atomic():
        xact_lock(TREE_LOCK)
        if parent is None:
            if actor is not None:
                # A new root is a new top-level tree: only for the system's own setup (demo, CLI).
                raise NotAllowed(_("只有系统初始化可以创建顶级组织。"))
            _check_sibling_name(None, name)
            full, initials = search_keys(name)
            org = Organization.objects.add_root(
                {"name": name, "kind": kind, "code": code, "pinyin": full, "initials": initials}
            )
        else:
            parent = Organization.objects.get(pk=parent.pk)  # fresh numchild under the lock
            _require_manage(actor, parent.path)
            if parent.archived:
                raise DomainError(_("上级组织已归档，不能在其下新建组织。"), field="parent")
            _check_sibling_name(parent, name)
            full, initials = search_keys(name)
            org = Organization.objects.add_child(
                parent, {"name": name, "kind": kind, "code": code, "pinyin": full, "initials": initials}
            )
        audit.record("org.create", org, actor=actor, after=org_snapshot(org), org_path=org.path)
    return org


def rename_org(*, actor: Actor, org: Organization, name: str, kind: str | None = None) -> Organization:
    name = _clean_name(name)
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=org.pk)
        _require_manage(actor, org.path)
        _check_sibling_name(org.parent(), name, exclude_pk=org.pk)
        before = org_snapshot(org)
        org.name = name
        if kind:
            org.kind = _check_kind(kind)
        org.pinyin, org.initials = search_keys(name)
        org.save(update_fields=["name", "kind", "pinyin", "initials", "updated_at"])
        audit.record(
            "org.rename", org, actor=actor, before=before, after=org_snapshot(org), org_path=org.path
        )
    return org


def move_org(*, actor: Actor, org: Organization, new_parent: Organization) -> Organization:
    """Move ``org`` and its whole subtree under ``new_parent``. Serialised by the tree lock, so two
    concurrent moves can never produce a cycle or clashing paths."""
    with transaction.atomic():
        xact_lock(TREE_LOCK)
        org = Organization.objects.get(pk=org.pk)
        new_parent = Organization.objects.get(pk=new_parent.pk)
        _require_manage(actor, org.path)
        _require_manage(actor, new_parent.path)
        if new_parent.path.startswith(org.path):
            raise DomainError(_("不能把组织移动到它自己或它的下级组织之下。"), field="new_parent")
        if new_parent.archived:
            raise DomainError(_("目标上级组织已归档。"), field="new_parent")
        if org.parent_path() == new_parent.path:
            return org
        _check_sibling_name(new_parent, org.name)
        before = org_snapshot(org)
        Organization.objects.move(org, new_parent, pos="last-child")
        org.refresh_from_db()
        audit.record("org.move", org, actor=actor, before=before, after=org_snapshot(org), org_path=org.path)
    return org


def archive_org(*, actor: Actor, org: Organization) -> Organization:
    """Archive a node: it disappears from pickers and scopes but keeps its history. Refused while it
    still has active child organisations or people whose primary organisation it is."""
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=org.pk)
        _require_manage(actor, org.path)
        if org.archived:
            return org
        if Organization.objects.filter(
            path__startswith=org.path, depth=org.depth + 1, archived_at__isnull=True
        ).exists():
            raise DomainError(_("该组织下还有未归档的下级组织，请先移走或归档它们。"))
        people = Person.objects.filter(primary_org=org, archived_at__isnull=True).count()
        if people:
            raise DomainError(
                _("该组织还有 %(n)d 名人员以它为主要组织，请先调整他们的组织。") % {"n": people}
            )
        before = org_snapshot(org)
        org.archived_at = timezone.now()
        org.save(update_fields=["archived_at", "updated_at"])
        audit.record(
            "org.archive", org, actor=actor, before=before, after=org_snapshot(org), org_path=org.path
        )
    return org


def restore_org(*, actor: Actor, org: Organization) -> Organization:
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=org.pk)
        _require_manage(actor, org.path)
        parent = org.parent()
        if parent and parent.archived:
            raise DomainError(_("上级组织已归档，请先恢复上级组织。"))
        before = org_snapshot(org)
        org.archived_at = None
        org.save(update_fields=["archived_at", "updated_at"])
        audit.record(
            "org.restore", org, actor=actor, before=before, after=org_snapshot(org), org_path=org.path
        )
    return org


def delete_org(*, actor: Actor, org: Organization) -> None:
    """Delete a node created by mistake: only one with no history (no children, members or grants)."""
    with transaction.atomic():
        xact_lock(TREE_LOCK)
        org = Organization.objects.get(pk=org.pk)
        _require_manage(actor, org.path)
        if org.numchild or org.memberships.exists() or org.grants.exists():
            raise DomainError(_("该组织已有下级组织、人员或授权记录，不能删除，只能归档。"))
        snapshot = org_snapshot(org)
        audit.record("org.delete", org, actor=actor, before=snapshot, org_path=org.path)
        try:
            org.delete()
        except ProtectedError:
            raise DomainError(_("该组织已被其他记录引用，不能删除，只能归档。")) from None


# --- people ---------------------------------------------------------------------------------------
PERSON_FIELDS = ("name", "gender", "ethnicity", "birth_date", "political_status", "position", "rank_level",
                 "rank_since")


def person_snapshot(person: Person) -> dict:
    data = {f: getattr(person, f) for f in PERSON_FIELDS}
    data["birth_date"] = person.birth_date.isoformat() if person.birth_date else None
    data["rank_since"] = person.rank_since.isoformat() if person.rank_since else None
    data["id_number"] = person.id_masked  # never the plain number in the audit trail
    data["phone"] = person.phone_masked
    data["primary_org"] = person.primary_org_id
    return data


def person_rank_since(snapshot: dict) -> date | None:
    return date.fromisoformat(snapshot["rank_since"]) if snapshot["rank_since"] else None


def _check_rank(person: Person, before: tuple[str, date | None]) -> None:
    if not person.rank_level and person.rank_since == before[1]:
        person.rank_since = None  # the rank cleared: its date goes with it (the history keeps what was held)
    ranks.check(person.rank_level, person.rank_since, birth_date=person.birth_date, today=timezone.localdate())
    ranks.check_change(ranks.history_of([person.pk]).get(person.pk, []), before,
                       (person.rank_level, person.rank_since))


def clean_person_name(name: str) -> str:
    name = "".join((name or "").split()) if _is_chinese(name) else " ".join((name or "").split())
    if not name:
        raise DomainError(_("请填写姓名。"), field="name")
    if len(name) > 50:
        raise DomainError(_("姓名不能超过 50 个字。"), field="name")
    if _DIGIT.search(name):  # a slipped finger (张三1) or a number typed in the wrong column
        raise DomainError(_("姓名中不能有数字（“%(name)s”），请核对。") % {"name": name}, field="name")
    return name


_DIGIT = re.compile(r"\d")  # any script's digits, full-width included


_CJK = re.compile("[\u4e00-\u9fff]")


def _is_chinese(text: str | None) -> bool:
    return _CJK.search(text or "") is not None  # a regex: a bulk import checks 100k names


def _apply_identity(person: Person, id_number: str, gender: str | None, birth_date: date | None) -> list[str]:
    parsed = parse_id_number(id_number)
    if gender and gender != parsed.gender:
        raise DomainError(
            _("性别与身份证号不一致：身份证号第 17 位表示“%(g)s”。") % {"g": Gender(parsed.gender).label},
            field="gender",
        )
    if birth_date and birth_date != parsed.birth_date:
        raise DomainError(
            _("出生日期与身份证号不一致：身份证号中为 %(d)s。") % {"d": parsed.birth_date.isoformat()},
            field="birth_date",
        )
    id_hash = crypto.blind_index(parsed.number, "id_number")
    if Person.objects.filter(id_hash=id_hash).exclude(pk=person.pk).exists():
        raise Conflict(
            _("身份证号 %(m)s 已登记在另一人员名下，同一身份证号不能重复登记。")
            % {"m": crypto.mask_id_number(parsed.number)},
            field="id_number",
        )
    person.id_cipher = crypto.encrypt(parsed.number)
    person.id_hash = id_hash
    person.id_masked = crypto.mask_id_number(parsed.number)
    person.gender = parsed.gender
    person.birth_date = parsed.birth_date
    return parsed.warnings


def apply_phone(person: Person, phone: str) -> None:
    phone = validate_phone(phone)
    person.phone_cipher = crypto.encrypt(phone)
    person.phone_hash = crypto.blind_index(phone, "phone")
    person.phone_masked = crypto.mask_phone(phone) if phone else ""


def _require_person_manage(actor: Actor, org: Organization) -> None:
    if actor is None:
        return
    if not scope_for(actor, Perm.PERSON_MANAGE).covers(org.path):
        raise NotAllowed(_("您没有在“%(org)s”登记或修改人员的权限。") % {"org": org.name})


def _set_memberships(person: Person, primary: Organization, others: Iterable[Organization]) -> None:
    wanted = {primary.pk: True} | {o.pk: False for o in others if o.pk != primary.pk}
    Membership.objects.filter(person=person).exclude(org_id__in=wanted).delete()
    Membership.objects.filter(person=person, is_primary=True).exclude(org_id=primary.pk).update(
        is_primary=False
    )
    existing = dict(Membership.objects.filter(person=person).values_list("org_id", "is_primary"))
    for org_id, is_primary in wanted.items():
        if org_id not in existing:
            Membership.objects.create(person=person, org_id=org_id, is_primary=is_primary)
        elif existing[org_id] != is_primary:
            Membership.objects.filter(person=person, org_id=org_id).update(is_primary=is_primary)


def set_categories(*, actor: Actor, person: Person, year: int, categories: Iterable[Category]) -> None:
    with transaction.atomic():
        _require_person_manage(actor, person.primary_org)
        before = sorted(
            PersonCategory.objects.filter(person=person, year=year).values_list("category__name", flat=True)
        )
        PersonCategory.objects.filter(person=person, year=year).delete()
        PersonCategory.objects.bulk_create(
            [PersonCategory(person=person, category=c, year=year) for c in categories]
        )
        after = sorted(c.name for c in categories)
        if before != after:
            audit.record(
                "person.categories",
                person,
                actor=actor,
                before={"year": year, "categories": before},
                after={"year": year, "categories": after},
                org_path=person.primary_org.path,
            )


def create_person(
    *,
    actor: Actor,
    name: str,
    id_number: str,
    primary_org: Organization,
    phone: str = "",
    gender: str | None = None,
    birth_date: date | None = None,
    ethnicity: str = "汉族",
    political_status: str = "masses",
    position: str = "",
    rank_level: str = "",
    rank_since: date | None = None,
    other_orgs: Iterable[Organization] = (),
    categories: Iterable[Category] = (),
    category_year: int | None = None,
) -> tuple[Person, list[str]]:
    """Register a person; returns the person and any warnings (e.g. an unknown region code)."""
    other_orgs = list(other_orgs)
    for org in [primary_org, *other_orgs]:
        _require_person_manage(actor, org)
        if org.archived:
            raise DomainError(_("组织“%(org)s”已归档。") % {"org": org.name}, field="primary_org")
    person = Person(
        name=clean_person_name(name),
        ethnicity=ethnicity,
        political_status=political_status,
        position=position.strip(),
        rank_level=rank_level,
        rank_since=rank_since,
        primary_org=primary_org,
    )
    person.pinyin, person.initials = name_keys(person.name)
    with transaction.atomic():
        warnings = _apply_identity(person, id_number, gender, birth_date)
        ranks.check(rank_level, rank_since, birth_date=person.birth_date, today=timezone.localdate())
        apply_phone(person, phone)
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError:
            raise Conflict(_("身份证号已登记在另一人员名下。"), field="id_number") from None
        _set_memberships(person, primary_org, other_orgs)
        ranks.record([(person, ("", None))])
        audit.record(
            "person.create", person, actor=actor, after=person_snapshot(person), org_path=primary_org.path
        )
        categories = list(categories)
        if categories:
            set_categories(
                actor=actor,
                person=person,
                year=category_year or timezone.localdate().year,
                categories=categories,
            )
    return person, warnings


def update_person(
    *,
    actor: Actor,
    person: Person,
    primary_org: Organization | None = None,
    other_orgs: Iterable[Organization] | None = None,
    id_number: str | None = None,
    phone: str | None = None,
    categories: Iterable[Category] | None = None,
    category_year: int | None = None,
    **fields: Any,
) -> tuple[Person, list[str]]:
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"unknown person fields: {unknown}")
    with transaction.atomic():
        person = Person.objects.select_for_update().select_related("primary_org").get(pk=person.pk)
        _require_person_manage(actor, person.primary_org)
        before = person_snapshot(person)
        warnings: list[str] = []
        if "name" in fields:
            person.name = clean_person_name(fields.pop("name"))
            person.pinyin, person.initials = name_keys(person.name)
        gender, birth = fields.pop("gender", None), fields.pop("birth_date", None)
        if (
            id_number is not None
            and crypto.blind_index(parse_id_number(id_number).number, "id_number") != person.id_hash
        ):
            warnings = _apply_identity(person, id_number, gender, birth)
        else:
            current = parse_id_number(person.reveal_id_number())
            if gender and gender != current.gender:
                raise DomainError(_("性别与身份证号不一致。"), field="gender")
            if birth and birth != current.birth_date:
                raise DomainError(_("出生日期与身份证号不一致。"), field="birth_date")
        if phone is not None:
            apply_phone(person, phone)
        for key, value in fields.items():
            setattr(person, key, value.strip() if isinstance(value, str) else value)
        rank_before = (before["rank_level"], person_rank_since(before))
        _check_rank(person, rank_before)
        if primary_org is not None or other_orgs is not None:
            new_primary = primary_org or person.primary_org
            others = (
                list(other_orgs)
                if other_orgs is not None
                else [m.org for m in person.memberships.select_related("org").filter(is_primary=False)]
            )
            for org in [new_primary, *others]:
                _require_person_manage(actor, org)
            person.primary_org = new_primary
            _set_memberships(person, new_primary, others)
        person.save()
        ranks.record([(person, rank_before)])
        after = person_snapshot(person)
        b, a = audit.diff(before, after)
        if b or a:
            audit.record(
                "person.update", person, actor=actor, before=b, after=a, org_path=person.primary_org.path
            )
        if categories is not None:
            set_categories(
                actor=actor,
                person=person,
                year=category_year or timezone.localdate().year,
                categories=list(categories),
            )
    return person, warnings


def add_membership(*, actor: Actor, person: Person, org: Organization, title: str = "") -> Membership:
    """Add a secondary place (a township cadre stationed in a village…)."""
    with transaction.atomic():
        person = Person.objects.select_for_update().select_related("primary_org").get(pk=person.pk)
        _require_person_manage(actor, person.primary_org)
        _require_person_manage(actor, org)
        if org.archived:
            raise DomainError(_("组织“%(org)s”已归档。") % {"org": org.name}, field="org")
        membership, created = Membership.objects.get_or_create(
            person=person, org=org, defaults={"title": title.strip()[:100]}
        )
        if not created:
            raise Conflict(_("该人员已在“%(org)s”。") % {"org": org.name}, field="org")
        audit.record(
            "person.membership_add",
            person,
            actor=actor,
            after={"org": org.name, "title": title},
            org_path=person.primary_org.path,
        )
    return membership


def remove_membership(*, actor: Actor, person: Person, org: Organization) -> None:
    with transaction.atomic():
        person = Person.objects.select_for_update().select_related("primary_org").get(pk=person.pk)
        _require_person_manage(actor, person.primary_org)
        membership = Membership.objects.filter(person=person, org=org).first()
        if membership is None:
            return
        if membership.is_primary:
            raise DomainError(_("不能移除主要组织；请先修改人员的所在组织。"), field="org")
        membership.delete()
        audit.record(
            "person.membership_remove",
            person,
            actor=actor,
            before={"org": org.name},
            org_path=person.primary_org.path,
        )


def archive_person(*, actor: Actor, person: Person, reason: str = "") -> Person:
    with transaction.atomic():
        person = Person.objects.select_for_update().select_related("primary_org").get(pk=person.pk)
        _require_person_manage(actor, person.primary_org)
        if person.archived_at is None:
            person.archived_at = timezone.now()
            person.save(update_fields=["archived_at", "updated_at"])
            audit.record(
                "person.archive",
                person,
                actor=actor,
                after={"reason": reason},
                org_path=person.primary_org.path,
            )
    return person
