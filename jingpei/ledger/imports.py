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
from jingpei.orgs.models import Membership, Organization
from jingpei.orgs.services import clean_person_name
from jingpei.roster import cleaning
from jingpei.roster.readers import read_small_table

MAX_ROWS = 20000
EARLIEST_YEAR = 2000  # no platform exported hours before
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


def _parse_date(value) -> date:
    """A day as people type it (2026-03-05, 2026/3/5, 2026年3月5日, full-width digits, an Excel serial),
    read by the roster's date cleaning; a month alone is not a day."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        parsed = cleaning.birth_date(value)
    except DomainError:
        raise ValueError from None
    if not isinstance(parsed, date):
        raise ValueError
    return parsed


_HOURS = re.compile(r"^(\d+(?:\.\d+)?)\s*(?:学时|小时|课时|h)?$", re.IGNORECASE)


def _parse_hours(value) -> Decimal:
    """Hours to the tenth, above 0; "2学时" and "1.5 小时" as typed, and Excel's float noise (1.2000000000000002)."""
    if isinstance(value, float):
        value = round(value, 6)
    match = _HOURS.match(cleaning.text(value))
    if not match:
        raise ValueError
    hours = Decimal(match.group(1))
    if hours != hours.quantize(Decimal("0.1")) or not 0 < hours <= MAX_HOURS_PER_ENTRY:
        raise ValueError
    return Decimal(int(hours)) if hours == hours.to_integral() else hours.quantize(Decimal("0.1"))  # "2", "1.5"


def _source_key(platform: str, person_id: int, day: date, title: str) -> str:
    digest = hashlib.sha256(f"{platform}\x1f{title}".encode()).hexdigest()[:24]
    return f"import:{person_id}:{day.isoformat()}:{digest}"


def _name_key(value) -> str:
    """A name as registered (``clean_person_name``: a Chinese name loses its spaces, another keeps single
    ones), or as typed when it could not be registered."""
    text = cleaning.text(value)
    try:
        return clean_person_name(text)
    except DomainError:
        return text


def _chunks(values: list, size: int = 500):
    for start in range(0, len(values), size):
        yield values[start : start + size]


class _Resolver:
    """Finds the person of a row inside the uploader's subtree, by ID number or by name + organisation.
    A person outside the subtree is reported exactly like an unknown one (no existence leak). Every number
    and name of the file is looked up first, a few queries per 500 rows (``load``), not one per row."""

    def __init__(self, root: Organization):
        self.root = root
        self.orgs: dict[str, list[int]] = {}
        for org_id, name in Organization.objects.filter(path__startswith=root.path, archived_at__isnull=True
                                                         ).values_list("id", "name"):
            self.orgs.setdefault(cleaning.compact(name), []).append(org_id)
        self.by_hash: dict[str, tuple[int, str]] = {}  # ID hash -> (person, registered name)
        self.by_name: dict[tuple[str, int], set[int]] = {}  # (name, organisation) -> people

    def load(self, hashes: set[str], names: set[str]) -> None:
        members = Membership.objects.filter(org__path__startswith=self.root.path, person__archived_at__isnull=True)
        for chunk in _chunks(sorted(hashes)):
            for pk, id_hash, name in members.filter(person__id_hash__in=chunk).values_list(
                    "person_id", "person__id_hash", "person__name"):
                self.by_hash[id_hash] = (pk, name)
        for chunk in _chunks(sorted(names)):
            for pk, name, org_id in members.filter(person__name__in=chunk).values_list("person_id", "person__name", "org_id"):
                self.by_name.setdefault((name, org_id), set()).add(pk)

    @staticmethod
    def id_hash(raw) -> str:
        try:
            number = parse_id_number(raw).number
        except DomainError as exc:
            raise ValueError(exc.message) from None
        return crypto.blind_index(number, "id_number")

    def by_id(self, id_hash: str) -> tuple[int, str]:
        try:
            return self.by_hash[id_hash]
        except KeyError:
            raise ValueError(_("在本单位范围内未找到该身份证号对应的人员。")) from None

    def by_name_in(self, name: str, org_name: str) -> int:
        orgs = self.orgs.get(cleaning.compact(org_name), [])
        if not orgs:
            raise LookupError("org", _("在本单位范围内未找到组织“%(o)s”。") % {"o": org_name})
        people = set().union(*(self.by_name.get((name, org), set()) for org in orgs))
        if not people:
            raise LookupError("name", _("组织“%(o)s”中没有名为“%(n)s”的人员。") % {"o": org_name, "n": name})
        if len(people) > 1:
            raise LookupError("name", _("组织“%(o)s”中有多人名为“%(n)s”，请改用身份证号。") % {"o": org_name, "n": name})
        return people.pop()


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

    def cell(r, key):
        i = cols.get(key)
        value = r[i] if i is not None and i < len(r) else ""
        return value if isinstance(value, (date, datetime, int, float)) else str(value or "").strip()

    # First every row's person key (an ID hash, or a name), then the people, all at once.
    resolver = _Resolver(org)
    keys: list[str | ValueError | None] = []
    for _number, r in body:
        if cols.get("id_number") is not None and cell(r, "id_number"):
            try:
                keys.append(resolver.id_hash(cell(r, "id_number")))
            except ValueError as exc:
                keys.append(exc)
        else:
            keys.append(None)
    resolver.load({k for k in keys if isinstance(k, str)},
                  {_name_key(cell(r, "name")) for (_n, r), k in zip(body, keys, strict=True) if k is None and cell(r, "name")})

    rows, errors, seen = [], [], set()
    for (number, r), key in zip(body, keys, strict=True):
        row_errors = []

        def err(column_key, message, number=number, row_errors=row_errors):
            row_errors.append({"row": number, "column": COLUMNS[column_key][0], "message": message})

        person = None
        given_name = _name_key(cell(r, "name"))
        try:
            if isinstance(key, ValueError):
                raise key
            if key is not None:
                person = resolver.by_id(key)
                if given_name and given_name != _name_key(person[1]):  # a mistyped number credits someone else
                    err("name", _("身份证号对应的人员为“%(p)s”，与本行姓名“%(n)s”不一致，请核对身份证号和姓名。")
                        % {"p": person[1], "n": given_name})
            elif given_name and cell(r, "org"):
                person = (resolver.by_name_in(given_name, cell(r, "org")), given_name)
            else:
                err("id_number", _("请填写身份证号，或填写姓名和所在组织。"))
        except ValueError as exc:
            err("id_number", str(exc))
        except LookupError as exc:
            err(exc.args[0], exc.args[1])
        raw_day = cell(r, "date")
        try:
            day = _parse_date(raw_day)
            if day > timezone.localdate():
                err("date", _("日期 %(d)s 晚于今天，请核对。") % {"d": day.isoformat()})
            elif day.year < EARLIEST_YEAR:  # a number taken for Excel's day count (36000: 1998-07-24)
                err("date", _("日期 %(d)s 早于 %(y)s 年，请核对。") % {"d": day.isoformat(), "y": EARLIEST_YEAR})
        except (ValueError, TypeError):
            day = None
            err("date", _("日期“%(v)s”无法识别，请填写如 2026-03-05、2026/3/5 或 2026年3月5日。") % {"v": cleaning.text(raw_day)}
                if cleaning.text(raw_day) else _("请填写日期。"))
        raw_hours = cell(r, "hours")
        try:
            hours = _parse_hours(raw_hours)
        except (ValueError, InvalidOperation):
            hours = None
            err("hours", _("学时“%(v)s”须为大于 0 的数字，最多一位小数。") % {"v": cleaning.text(raw_hours)}
                if cleaning.text(raw_hours) else _("请填写学时。"))
        title = cleaning.text(cell(r, "title"))
        if not title:
            err("title", _("请填写课程名称。"))
        if row_errors:
            errors += row_errors
            continue
        key = _source_key(platform, person[0], day, title)
        rows.append({"row": number, "person_id": person[0], "person": person[1], "date": day.isoformat(),
                     "hours": str(hours), "title": title[:200], "key": key, "repeat": key in seen})
        seen.add(key)
    existing = set()
    for chunk in _chunks([r["key"] for r in rows]):
        existing.update(LedgerEntry.objects.filter(idempotency_key__in=chunk).values_list("idempotency_key", flat=True))
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
