"""Checking roster rows: one row at a time against the file's mapping (``RowChecker``), then a batch
at a time against the people already registered (``classify``).

Nothing here writes. The checks reuse the people module's own rules (``parse_id_number``,
``validate_phone``, the name cleaning of ``orgs.services``) so an imported person is exactly what the
one-at-a-time form would have produced.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.core import crypto
from jingpei.core.errors import DomainError
from jingpei.core.permissions import Perm
from jingpei.core.scoping import scope_for
from jingpei.orgs import ranks
from jingpei.orgs.choices import Gender
from jingpei.orgs.idnumbers import parse_id_number, validate_phone
from jingpei.orgs.models import Category, Membership, Organization, Person, PersonCategory
from jingpei.orgs.services import clean_person_name
from jingpei.roster import cleaning
from jingpei.roster.columns import BY_KEY
from jingpei.roster.inserts import ids_by

NEW, UPDATED, UNCHANGED, SKIPPED, REJECTED = "new", "updated", "unchanged", "skipped", "rejected"
OUTCOMES = (NEW, UPDATED, UNCHANGED, SKIPPED, REJECTED)


def _key(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name or "").split())


class OrgIndex:
    """Active organisations the user can see, findable by full path or by any unique tail of it
    (``老窝镇/朱集村`` or just ``朱集村``): one query, then dictionary lookups."""

    def __init__(self, actor):
        view, self.import_scope = scope_for(actor, Perm.ORG_VIEW), scope_for(actor, Perm.PERSON_IMPORT)
        step = Organization.steplen
        names: dict[str, str] = {}
        rows = list(Organization.objects.filter(archived_at__isnull=True).values_list("id", "path", "name"))
        for _id, path, name in rows:
            names[path] = _key(name)
        self.by_tail: dict[tuple[str, ...], list[tuple[int, str, str]]] = defaultdict(list)
        self.full_names: dict[str, str] = {}
        for org_id, path, name in rows:
            if not (view.covers(path) or self.import_scope.covers(path)):
                continue
            chain = tuple(names.get(path[: i * step], "") for i in range(1, len(path) // step + 1))
            self.full_names[path] = "/".join(chain)
            for k in range(1, len(chain) + 1):
                self.by_tail[chain[-k:]].append((org_id, path, name))

    def resolve(self, raw: object) -> tuple[int, str]:
        parts = tuple(_key(p) for p in cleaning.split_path(raw))
        label = cleaning.text(raw)
        found = self.by_tail.get(parts, []) if parts else []
        if not found:
            raise DomainError(
                _("找不到组织“%(v)s”，请填写系统中的组织全称或完整路径（如 召陵区/老窝镇/朱集村）。") % {"v": label},
                field="org")
        if len(found) > 1:
            example = self.full_names[min((len(p), p) for _i, p, _n in found)[1]]
            raise DomainError(
                _("组织名称“%(v)s”对应 %(n)d 个组织，请填写完整路径（如 %(e)s）。")
                % {"v": label, "n": len(found), "e": example}, field="org")
        org_id, path, name = found[0]
        if not self.import_scope.covers(path):
            raise DomainError(_("您没有向“%(org)s”导入人员的权限。") % {"org": name}, field="org")
        return org_id, path


class CategoryIndex:
    def __init__(self):
        self.by_name: dict[str, int] = {}
        self.names: dict[int, str] = {}
        for cat_id, code, name in Category.objects.filter(active=True).values_list("id", "code", "name"):
            self.by_name[_key(name)] = cat_id
            self.by_name[code.lower()] = cat_id
            self.names[cat_id] = name

    def resolve(self, raw: object) -> tuple[int, ...]:
        ids = []
        for part in cleaning.split_list(raw):
            cat_id = self.by_name.get(_key(part)) or self.by_name.get(part.lower())
            if cat_id is None:
                options = "、".join(self.names.values()) or _("（尚未设置类别）")
                raise DomainError(_("人员类别“%(v)s”不存在，可填写：%(o)s。") % {"v": part, "o": options},
                                  field="categories")
            if cat_id not in ids:
                ids.append(cat_id)
        return tuple(sorted(ids))


@dataclass
class CleanRow:
    row: int
    values: list
    name: str
    id_number: str
    id_hash: str
    gender: str
    birth_date: date
    org_id: int
    org_path: str
    ethnicity: str = ""  # "" (and None below): the cell was blank, keep what is registered
    phone: str | None = None
    political_status: str = ""
    position: str = ""
    rank_level: str = ""
    rank_since: date | None = None
    category_ids: tuple[int, ...] | None = None
    warnings: list[dict] = field(default_factory=list)


@dataclass
class Checked:
    row: int
    values: list
    clean: CleanRow | None
    problems: list[dict]
    outcome: str = ""
    person: Person | None = None
    changes: dict = field(default_factory=dict)
    # The ID number's first 17 digits as an int whenever they parsed, the row rejected or not: a number
    # repeated in the file is reported on its later rows even when its first row has another mistake.
    id_key: int | None = None

    def reject(self, column: str, message: str) -> None:
        self.problems.append({"column": column, "message": message, "level": "error"})
        self.clean = None
        self.outcome = REJECTED


class RowChecker:
    """Checks one row of cells against the mapping; collects every problem of the row, not only
    the first, each named by the file's own column header."""

    def __init__(self, *, actor, headers: list[str], mapping: dict[str, int]):
        self.orgs = OrgIndex(actor)
        self.categories = CategoryIndex()
        self.mapping = {k: int(v) for k, v in mapping.items() if v is not None and v != ""}
        self.headers = headers
        self.steps = self._steps()
        self.id_index = crypto.blind_indexer("id_number")
        self.today = timezone.localdate()

    def column(self, key: str) -> str:
        index = self.mapping.get(key)
        if index is not None and index < len(self.headers) and self.headers[index]:
            return self.headers[index]
        return BY_KEY[key].header

    def cell(self, cells: list, key: str):
        index = self.mapping.get(key)
        if index is None or index >= len(cells):
            return None
        return cells[index]

    # Columns whose cells repeat (a few hundred organisations, a handful of ranks, birth dates): each
    # distinct cell is cleaned once per file and its result — value or message — reused. (Names and
    # numbers are nearly all distinct: a memo would only cost memory.)
    MEMO_KEYS = ("gender", "birth_date", "ethnicity", "political_status", "position", "rank_level", "rank_since",
                 "org", "categories")
    MEMO_LIMIT = 100_000  # distinct cells kept per column: bounded memory on a million-row file

    def _steps(self) -> list[tuple[str, int | None, object, dict | None]]:
        fns = {
            "name": lambda v: clean_person_name(cleaning.text(v)),
            "id_number": lambda v: parse_id_number(cleaning.id_number_text(v)),
            "gender": cleaning.gender,
            "birth_date": cleaning.birth_date,
            "ethnicity": cleaning.ethnicity,
            "phone": lambda v: validate_phone(cleaning.text(v)) or None,
            "political_status": cleaning.political_status,
            "position": self._position,
            "rank_level": cleaning.rank_level,
            "rank_since": cleaning.rank_since,
            "org": self._org,
        }
        if "categories" in self.mapping:
            fns["categories"] = lambda v: self.categories.resolve(v) if cleaning.text(v) else None
        return [(key, self.mapping.get(key), fn, {} if key in self.MEMO_KEYS else None) for key, fn in fns.items()]

    def check(self, row: int, cells: list) -> Checked:
        errors: list[dict] = []
        out: dict = {}
        width = len(cells)
        for key, index, fn, memo in self.steps:
            raw = cells[index] if index is not None and index < width else None
            if memo is not None:
                # Keyed by type too: 1, 1.0 and True are equal as dict keys but clean differently.
                hit = memo.get((raw.__class__, raw))
                if hit is None:
                    try:
                        hit = (True, fn(raw))
                    except DomainError as exc:
                        hit = (False, exc.message)
                    if len(memo) < self.MEMO_LIMIT:
                        memo[(raw.__class__, raw)] = hit
                if hit[0]:
                    out[key] = hit[1]
                else:
                    errors.append({"column": self.column(key), "message": hit[1], "level": "error"})
                continue
            try:
                out[key] = fn(raw)
            except DomainError as exc:
                errors.append({"column": self.column(key), "message": exc.message, "level": "error"})
        parsed = out.get("id_number")
        warnings = []
        if parsed is not None:
            if parsed.warnings:
                warnings = [{"column": self.column("id_number"), "message": w, "level": "warning"}
                            for w in parsed.warnings]
            self._agree(parsed, out, errors)
            self._rank(parsed, out, errors)
        id_key = int(parsed.number[:17]) if parsed is not None else None
        if errors:
            return Checked(row, cells, None, errors + warnings, REJECTED, id_key=id_key)
        org_id, org_path = out["org"]
        clean = CleanRow(
            row=row, values=cells, name=out["name"], id_number=parsed.number,
            id_hash=self.id_index(parsed.number), gender=parsed.gender,
            birth_date=parsed.birth_date, org_id=org_id, org_path=org_path, ethnicity=out["ethnicity"],
            phone=out["phone"], political_status=out["political_status"], position=out["position"],
            rank_level=out["rank_level"], rank_since=out.get("rank_since"), category_ids=out.get("categories"), warnings=warnings,
        )
        return Checked(row, cells, clean, warnings, id_key=id_key)

    def _position(self, raw) -> str:
        value = cleaning.text(raw)
        if len(value) > 100:
            raise DomainError(_("职务不能超过 100 个字。"), field="position")
        return value

    def _org(self, raw) -> tuple[int, str]:
        if not cleaning.text(raw):
            raise DomainError(_("请填写所在组织。"), field="org")
        return self.orgs.resolve(raw)

    def _rank(self, parsed, out: dict, errors: list[dict]) -> None:
        if out.get("rank_since") is None or "rank_level" not in out:
            return
        try:
            ranks.check(out["rank_level"], out["rank_since"], birth_date=parsed.birth_date, today=self.today)
        except DomainError as exc:
            errors.append({"column": self.column("rank_since"), "message": exc.message, "level": "error"})

    def _agree(self, parsed, out: dict, errors: list[dict]) -> None:
        """Gender and birth date, when given, must agree with what the ID number encodes."""
        given = out.get("gender")
        if given and given != parsed.gender:
            errors.append({"column": self.column("gender"), "level": "error", "message": _(
                "性别与身份证号不一致：身份证号第 17 位表示“%(g)s”。") % {"g": Gender(parsed.gender).label}})
        birth = out.get("birth_date")
        if birth is None:
            return
        same = (birth == parsed.birth_date if isinstance(birth, date)  # else (year, month) or (year,)
                else birth == (parsed.birth_date.year, parsed.birth_date.month)[: len(birth)])
        if not same:
            errors.append({"column": self.column("birth_date"), "level": "error", "message": _(
                "出生日期与身份证号不一致：身份证号中为 %(d)s。") % {"d": parsed.birth_date.isoformat()}})


EXISTING_FIELDS = ("id", "name", "gender", "birth_date", "ethnicity", "phone_hash", "phone_masked",
                   "political_status", "position", "rank_level", "rank_since", "primary_org_id", "id_masked", "pinyin",
                   "initials", "archived_at")


def classify(batch: list[Checked], *, actor, on_duplicate: str, category_year: int,
             id_column: str = BY_KEY["id_number"].header, rank_column: str = BY_KEY["rank_since"].header) -> None:
    """Decide each clean row's outcome against the registered people: three queries a batch at most
    (the people, their organisations, their categories of the year), none when all are new."""
    clean = [c for c in batch if c.clean is not None]
    if not clean:
        return
    # Usually (a first import) nobody is registered yet: a bare look-up of the hashes first, the people
    # themselves only for those found.
    found = ids_by(Person, "id_hash", [c.clean.id_hash for c in clean])
    people = {p.id_hash: p for p in Person.objects.filter(pk__in=list(found.values()))
              .only("id_hash", *EXISTING_FIELDS)} if found else {}
    if people:
        ids = [p.pk for p in people.values()]
        scope = scope_for(actor, Perm.PERSON_IMPORT)
        manageable = {pid for pid, path in Membership.objects.filter(person_id__in=ids)
                      .values_list("person_id", "org__path") if scope.covers(path)}
        categories: dict[int, set[int]] = defaultdict(set)
        for pid, cat_id in PersonCategory.objects.filter(person_id__in=ids, year=category_year).values_list(
                "person_id", "category_id"):
            categories[pid].add(cat_id)
        rank_history = ranks.history_of(ids)
    for checked in clean:
        person = people.get(checked.clean.id_hash)
        if person is None:
            checked.outcome = NEW
            continue
        if person.pk not in manageable:
            checked.reject(id_column, _(
                "身份证号 %(m)s 已登记在您管理范围以外的组织，您不能导入或修改该人员，请联系上级组织部门。")
                % {"m": person.id_masked})
            continue
        checked.person = person
        person.category_ids = categories.get(person.pk, set())
        checked.changes = changes_of(person, checked.clean)
        if "rank_level" in checked.changes or "rank_since" in checked.changes:
            try:
                ranks.check_change(rank_history.get(person.pk, []), (person.rank_level, person.rank_since), (
                    checked.changes.get("rank_level", person.rank_level), checked.changes.get("rank_since", person.rank_since)))
            except DomainError as exc:
                checked.reject(rank_column, exc.message)
                continue
        if not checked.changes:
            checked.outcome = UNCHANGED
        elif on_duplicate == "update":
            checked.outcome = UPDATED
        else:
            checked.outcome = SKIPPED


def changes_of(person: Person, row: CleanRow) -> dict:
    """Field -> new value for what the row would change; blank optional cells change nothing."""
    changes: dict = {}
    if row.name != person.name:
        changes["name"] = row.name
    for key in ("ethnicity", "political_status", "position", "rank_level", "rank_since"):
        value = getattr(row, key)
        if value and value != getattr(person, key):
            changes[key] = value
    if row.phone and crypto.blind_index(row.phone, "phone") != person.phone_hash:
        changes["phone"] = row.phone
    if row.org_id != person.primary_org_id:
        changes["primary_org_id"] = row.org_id
    if row.category_ids is not None and set(row.category_ids) != person.category_ids:
        changes["category_ids"] = row.category_ids
    return changes
