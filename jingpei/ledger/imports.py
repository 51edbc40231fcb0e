"""Import of hours from external platforms (provincial cadre academy, 学习强国…): an Excel or CSV
export with one row per course. Upload → every row checked and shown (preview) → confirm: all rows are
credited in one transaction, or, if any row is wrong, none. Each row's idempotency key is derived from
platform + person + date + course, so importing the same file again credits nothing twice."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.core import audit, crypto
from jingpei.core.errors import DomainError, NotAllowed
from jingpei.core.permissions import Perm
from jingpei.core.scoping import scope_for
from jingpei.ledger.models import ImportBatch, LedgerEntry, TrainingForm
from jingpei.ledger.services import MAX_HOURS_PER_ENTRY, CreditItem, credit_many
from jingpei.orgs.idnumbers import parse_id_number
from jingpei.orgs.models import Membership, Organization, Person
from jingpei.roster.readers import read_small_table

MAX_ROWS = 20000
COLUMNS = {
    "id_number": ("身份证号", "公民身份号码", "身份证"),
    "name": ("姓名",),
    "org": ("所在组织", "组织", "单位"),
    "date": ("日期", "学习日期", "完成日期"),
    "hours": ("学时",),
    "title": ("课程名称", "课程", "内容"),
}
REQUIRED = ("date", "hours", "title")


def _header_map(header: list) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        label = str(cell or "").strip()
        for key, names in COLUMNS.items():
            if label in names and key not in found:
                found[key] = index
    missing = [COLUMNS[k][0] for k in REQUIRED if k not in found]
    if missing:
        raise DomainError(_("缺少必需的列：%(c)s。第一行须为表头。") % {"c": "、".join(missing)}, field="file")
    if "id_number" not in found and not {"name", "org"} <= set(found):
        raise DomainError(_("须有“身份证号”列，或同时有“姓名”和“所在组织”列。"), field="file")
    return found


_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def _parse_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE.match(str(value or "").strip())
    if not match:
        raise ValueError
    return date(*(int(g) for g in match.groups()))


def _source_key(platform: str, person_id: int, day: date, title: str) -> str:
    digest = hashlib.sha256(f"{platform}\x1f{title}".encode()).hexdigest()[:24]
    return f"import:{person_id}:{day.isoformat()}:{digest}"


class _Resolver:
    """Finds the person of a row inside the uploader's subtree, by ID number or by name + organisation.
    A person outside the subtree is reported exactly like an unknown one (no existence leak)."""

    def __init__(self, root: Organization):
        self.root = root
        self.orgs: dict[str, list[Organization]] = {}
        for org in Organization.objects.filter(path__startswith=root.path, archived_at__isnull=True):
            self.orgs.setdefault(org.name, []).append(org)

    def _in_root(self, person_id: int) -> bool:
        return Membership.objects.filter(person_id=person_id, org__path__startswith=self.root.path).exists()

    def by_id(self, raw) -> Person:
        try:
            number = parse_id_number(raw).number
        except DomainError as exc:
            raise ValueError(exc.message) from None
        person = Person.objects.filter(id_hash=crypto.blind_index(number, "id_number"), archived_at__isnull=True).first()
        if person is None or not self._in_root(person.pk):
            raise ValueError(_("在本单位范围内未找到该身份证号对应的人员。"))
        return person

    def by_name(self, name: str, org_name: str) -> Person:
        orgs = self.orgs.get(org_name, [])
        if not orgs:
            raise LookupError("org", _("在本单位范围内未找到组织“%(o)s”。") % {"o": org_name})
        people = list(Person.objects.filter(name=name, archived_at__isnull=True, memberships__org__in=orgs).distinct()[:2])
        if not people:
            raise LookupError("name", _("组织“%(o)s”中没有名为“%(n)s”的人员。") % {"o": org_name, "n": name})
        if len(people) > 1:
            raise LookupError("name", _("组织“%(o)s”中有多人名为“%(n)s”，请改用身份证号。") % {"o": org_name, "n": name})
        return people[0]


def preview_import(*, actor, org: Organization, platform: str, filename: str, content: bytes) -> ImportBatch:
    """Read and check every row; nothing is credited yet. The batch is ``preview`` when every row is
    valid, ``invalid`` otherwise (and then it can never be applied)."""
    if not scope_for(actor, Perm.LEDGER_MANAGE).covers(org.path):
        raise NotAllowed(_("您没有为该单位导入学时的权限。"))
    platform = (platform or "").strip()
    if not platform:
        raise DomainError(_("请填写来源平台，例如“河南干部网络学院”。"), field="platform")
    table = read_small_table(filename, content)
    if not table:
        raise DomainError(_("文件是空的。"), field="file")
    cols = _header_map(table[0])
    body = [(i + 2, r) for i, r in enumerate(table[1:]) if any(str(c or "").strip() for c in r)]
    if not body:
        raise DomainError(_("文件中没有数据行。"), field="file")
    if len(body) > MAX_ROWS:
        raise DomainError(_("一次最多导入 %(n)s 行，请分批导入。") % {"n": MAX_ROWS}, field="file")
    resolver = _Resolver(org)
    rows, errors, seen = [], [], set()

    def cell(r, key):
        i = cols.get(key)
        value = r[i] if i is not None and i < len(r) else ""
        return value if isinstance(value, (date, datetime, int, float)) else str(value or "").strip()

    for number, r in body:
        row_errors = []

        def err(column_key, message, number=number, row_errors=row_errors):
            row_errors.append({"row": number, "column": COLUMNS[column_key][0], "message": message})

        person = None
        try:
            if cols.get("id_number") is not None and cell(r, "id_number"):
                person = resolver.by_id(cell(r, "id_number"))
            elif cell(r, "name") and cell(r, "org"):
                person = resolver.by_name(cell(r, "name"), cell(r, "org"))
            else:
                err("id_number", _("请填写身份证号，或填写姓名和所在组织。"))
        except ValueError as exc:
            err("id_number", str(exc))
        except LookupError as exc:
            err(exc.args[0], exc.args[1])
        try:
            day = _parse_date(cell(r, "date"))
            if day > timezone.localdate():
                err("date", _("日期不能晚于今天。"))
        except (ValueError, TypeError):
            day = None
            err("date", _("日期格式应为 2026-03-05。"))
        try:
            hours = Decimal(str(cell(r, "hours")))
            if hours != hours.quantize(Decimal("0.1")) or not 0 < hours <= MAX_HOURS_PER_ENTRY:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            hours = None
            err("hours", _("学时须为大于 0 的数字，最多一位小数。"))
        title = str(cell(r, "title"))
        if not title:
            err("title", _("请填写课程名称。"))
        if row_errors:
            errors += row_errors
            continue
        key = _source_key(platform, person.pk, day, title)
        rows.append({"row": number, "person_id": person.pk, "person": person.name, "date": day.isoformat(),
                     "hours": str(hours), "title": title[:200], "key": key, "repeat": key in seen})
        seen.add(key)
    existing = set(LedgerEntry.objects.filter(idempotency_key__in=[r["key"] for r in rows]).values_list(
        "idempotency_key", flat=True))
    for r in rows:
        r["exists"] = r["key"] in existing
    status = ImportBatch.Status.INVALID if errors else ImportBatch.Status.PREVIEW
    return ImportBatch.objects.create(platform=platform[:50], filename=filename[:200], org=org, status=status,
                                      rows=rows, errors=errors, uploaded_by=actor)


def apply_import(*, actor, batch: ImportBatch) -> ImportBatch:
    """Credit every row of a checked batch in one transaction; rows already in the ledger are skipped."""
    if not scope_for(actor, Perm.LEDGER_MANAGE).covers(batch.org.path):
        raise NotAllowed(_("您没有为该单位导入学时的权限。"))
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == ImportBatch.Status.INVALID:
            raise DomainError(_("文件有错误，不能导入。请修改后重新上传。"))
        if batch.status == ImportBatch.Status.APPLIED:
            raise DomainError(_("该文件已经导入。"), code="conflict")
        items = [CreditItem(r["person_id"], Decimal(r["hours"]), TrainingForm.EXTERNAL, date.fromisoformat(r["date"]),
                            r["key"], title=r["title"], source_type="import", source_id=str(batch.pk))
                 for r in batch.rows]
        created = credit_many(items, actor=actor)
        batch.status = ImportBatch.Status.APPLIED
        batch.created = created
        batch.duplicates = len(items) - created
        batch.applied_at = timezone.now()
        batch.save(update_fields=["status", "created", "duplicates", "applied_at"])
        audit.record("ledger.import", batch, actor=actor, after={"platform": batch.platform, "rows": len(items),
                     "created": created}, org_path=batch.org.path)
    return batch
