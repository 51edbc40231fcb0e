"""A person's 修改记录 as people read it: the audit rows of ``orgs.person`` with their actions, fields and
values in words (操作：修改; 职级：副科级 → 正科级; 所在组织：老窝镇), not the codes the audit log keeps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Field
from django.utils.translation import gettext_lazy as _

from jingpei.core import audit_labels
from jingpei.core.models import AuditLog
from jingpei.orgs.models import Category, Organization, Person

ACTIONS = {
    "person.create": _("新建"),
    "person.update": _("修改"),
    "person.categories": _("调整人员类别"),
    "person.archive": _("归档"),
    "person.membership_add": _("加入组织"),
    "person.membership_remove": _("移出组织"),
    "person.import.create": _("花名册导入：新增"),
    "person.import.update": _("花名册导入：更新"),
    "person.reveal": _("查看完整证件号码"),
}
# person.membership_add rows carry the membership's "title" (its 职务), not a field of Person; the other keys
# read as on the audit page (core.audit_labels).
LABELS = {"title": _("职务")}


@dataclass
class Entry:
    at: datetime
    actor_name: str
    action: str
    before: list[tuple[str, str]]
    after: list[tuple[str, str]]


def _field(key: str) -> Field | None:
    return audit_labels.model_field(Person, key)


def _label(key: str) -> str:
    return str(LABELS[key]) if key in LABELS else audit_labels.key_label(Person, key)


class _Values:
    """Turns stored values into words; organisations and categories named by id are looked up once."""

    def __init__(self, rows: list[AuditLog]):
        org_ids: set[int] = set()
        cat_ids: set[int] = set()
        for row in rows:
            for changes in (row.before, row.after):
                if isinstance(changes, dict):
                    if isinstance(changes.get("primary_org"), int):
                        org_ids.add(changes["primary_org"])
                    cats = changes.get("categories")
                    if isinstance(cats, dict):
                        cat_ids.update(i for i in cats.get("ids", []) if isinstance(i, int))
        self.orgs = dict(Organization.objects.filter(pk__in=org_ids).values_list("pk", "name"))
        self.cats = dict(Category.objects.filter(pk__in=cat_ids).values_list("pk", "name"))

    def show(self, key: str, value, changes: dict) -> str:
        if value is None or value == "":
            return "—"
        if key == "primary_org" and isinstance(value, int):
            return self.orgs.get(value, f"#{value}")
        if key == "categories":
            names = value.get("ids", []) if isinstance(value, dict) else value
            names = [self.cats.get(n, f"#{n}") if isinstance(n, int) else str(n) for n in names]
            year = value.get("year") if isinstance(value, dict) else changes.get("year")
            text = "、".join(names) or "—"
            return f"{year}：{text}" if year else text
        field = _field(key)
        if field is None:
            return str(value)
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        return str(value)

    def pairs(self, changes) -> list[tuple[str, str]]:
        if not changes:
            return []
        if not isinstance(changes, dict):
            return [("", str(changes))]
        # "year" only qualifies the categories of person.categories rows: shown with them
        keys = [k for k in changes if not (k == "year" and "categories" in changes)]
        return [(_label(k), self.show(k, changes[k], changes)) for k in keys]


def person_history(person: Person, limit: int = 50) -> list[Entry]:
    rows = list(AuditLog.objects.filter(object_type="orgs.person", object_id=str(person.pk)).order_by("-at")[:limit])
    values = _Values(rows)
    return [Entry(row.at, row.actor_name, str(ACTIONS.get(row.action, row.action)), values.pairs(row.before),
                  values.pairs(row.after)) for row in rows]
