"""Every write of roster imports and exports. The bulk path for people lives here: it runs the same
checks and computes the same fields as ``orgs.services.create_person``/``update_person`` but writes a
thousand rows per statement, and commits a whole file in ONE transaction or not at all."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager, nullcontext
from itertools import islice
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.core import audit, crypto
from jingpei.core.bulkload import indexes_built_after
from jingpei.core.errors import Conflict, DomainError, NotAllowed
from jingpei.core.jobs import enqueue
from jingpei.core.middleware import client_ip
from jingpei.core.models import AuditLog
from jingpei.core.permissions import Perm
from jingpei.core.pinyin import name_keys
from jingpei.core.scoping import has_perm_anywhere
from jingpei.orgs import ranks
from jingpei.orgs.choices import PoliticalStatus
from jingpei.orgs.models import Membership, Organization, Person, PersonCategory, PersonRank
from jingpei.orgs.services import apply_phone, person_snapshot
from jingpei.roster import exports, inserts
from jingpei.roster.columns import BY_KEY, REQUIRED, guess_mapping
from jingpei.roster.inserts import Prepared, allocate_ids, insert_rows, prepare_rows
from jingpei.roster.models import ImportRow, RosterExport, RosterImport
from jingpei.roster.readers import detect_format, find_header, is_blank, open_table
from jingpei.roster.validation import NEW, OUTCOMES, REJECTED, UPDATED, Checked, RowChecker, classify

# Rows checked and written together: a handful of statements per batch, so about one statement per
# 1,000 rows, with a few MB of rows in memory.
BATCH = 5000
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
Progress = Callable[..., None]


def _no_progress(*args, **kwargs) -> None:
    return None


def storage_dir(kind: str) -> Path:
    path = Path(settings.MEDIA_ROOT) / "roster" / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def _require_import(actor) -> None:
    if not has_perm_anywhere(actor, Perm.PERSON_IMPORT):
        raise NotAllowed(_("您没有导入人员的权限。"))


# --- upload and mapping ---------------------------------------------------------------------------
def start_import(*, actor, upload) -> RosterImport:
    """Keep the uploaded file, find its header row and guess which column is which."""
    _require_import(actor)
    if upload.size > MAX_UPLOAD_BYTES:
        raise DomainError(_("文件超过 200 MB，请拆分后分批导入。"), field="file")
    head = upload.read(8)
    upload.seek(0)
    fmt = detect_format(upload.name, head)
    digest = hashlib.sha256()
    stored = storage_dir("imports") / f"{uuid.uuid4().hex}.{fmt}"
    with stored.open("wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    try:
        table = open_table(stored, fmt)
        header_index, headers = find_header(table)
    except DomainError:
        stored.unlink(missing_ok=True)
        raise
    with transaction.atomic():
        imp = RosterImport.objects.create(
            created_by=actor, filename=Path(upload.name).name[:255], file_format=fmt,
            file_sha256=digest.hexdigest(), file_size=upload.size, stored_name=stored.name,
            header_row=header_index + 1, headers=headers, mapping=guess_mapping(headers),
            category_year=timezone.localdate().year,
        )
        audit.record("roster.upload", imp, actor=actor, after={"file": imp.filename, "sha256": imp.file_sha256})
    return imp


def check_mapping(headers: list[str], mapping: dict[str, int | None]) -> dict[str, int]:
    clean = {k: int(v) for k, v in mapping.items() if k in BY_KEY and v not in (None, "")}
    missing = [BY_KEY[k].header for k in REQUIRED if k not in clean]
    if missing:
        raise DomainError(_("请为必填项选择对应的列：%(f)s。") % {"f": "、".join(missing)}, field="mapping")
    for key, index in clean.items():
        if not 0 <= index < len(headers):
            raise DomainError(_("“%(f)s”选择的列不存在。") % {"f": BY_KEY[key].header}, field=key)
    used = Counter(clean.values())
    twice = [headers[i] or str(i + 1) for i, n in used.items() if n > 1]
    if twice:
        raise DomainError(_("同一列不能对应两个项目：%(c)s。") % {"c": "、".join(twice)}, field="mapping")
    return clean


def configure_import(*, actor, roster_import: RosterImport, mapping: dict, on_duplicate: str,
                     category_year: int):
    """Save the user's column mapping and choices, and start checking every row (a job)."""
    _require_import(actor)
    if on_duplicate not in RosterImport.OnDuplicate.values:
        raise DomainError(_("请选择如何处理已登记的人员。"), field="on_duplicate")
    if not 2000 <= int(category_year) <= 2100:
        raise DomainError(_("类别年度不正确。"), field="category_year")
    clean = check_mapping(roster_import.headers, mapping)
    with transaction.atomic():
        imp = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
        if imp.status in (RosterImport.Status.COMMITTING, RosterImport.Status.COMMITTED):
            raise Conflict(_("该文件已导入，不能再修改。"))
        imp.mapping, imp.on_duplicate, imp.category_year = clean, on_duplicate, int(category_year)
        imp.status, imp.error, imp.counts = RosterImport.Status.VALIDATING, "", {}
        imp.validate_job = enqueue("roster.validate", user=actor, title=_("校验花名册：%(f)s") % {"f": imp.filename},
                                   import_id=imp.pk)
        imp.save(update_fields=["mapping", "on_duplicate", "category_year", "status", "error", "counts",
                                "validate_job"])
    return imp.validate_job


# --- the row pipeline -----------------------------------------------------------------------------
def _jsonable(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value.isoformat() if hasattr(value, "isoformat") else value)


def _data_rows(imp: RosterImport, table) -> Iterator[tuple[int, list]]:
    for index, cells in enumerate(table.rows()):
        if index < imp.header_row or is_blank(cells):
            continue
        yield table.first_row + index, cells


def _batches(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


def _run(imp: RosterImport, *, write: bool, progress: Progress) -> Counter:
    table = open_table(Path(storage_dir("imports")) / imp.stored_name, imp.file_format)
    checker = RowChecker(actor=imp.created_by, headers=imp.headers, mapping=imp.mapping)
    counts: Counter = Counter()
    total = max(table.total - imp.header_row, 0)
    ImportRow.objects.filter(roster_import=imp).delete()
    writer = BatchWriter(imp, imp.created_by) if write else None
    try:
        with _bulk_load_indexes(total) if write else nullcontext():
            _pipeline(imp, table, checker, writer, counts, total, progress)
    finally:
        if writer:
            writer.close()
    return counts


def _pipeline(imp: RosterImport, table, checker: RowChecker, writer: BatchWriter | None, counts: Counter,
              total: int, progress: Progress) -> None:
    actor = imp.created_by
    first_seen: dict[int, int] = {}  # int of the ID number's first 17 digits -> first row holding it
    for batch in _batches(_data_rows(imp, table), BATCH):
        # While this batch is checked (pure Python), the previous one is still being written.
        checked = [checker.check(row, cells) for row, cells in batch]
        for c in checked:
            if c.id_key is None:
                continue
            first = first_seen.setdefault(c.id_key, c.row)
            if first != c.row:
                c.reject(checker.column("id_number"),
                         _("身份证号与第 %(r)d 行重复，同一人只能出现一次，请删除或合并重复的行。") % {"r": first})
        if writer:
            writer.settle()  # the connection is the writer's until its batch is in
        classify(checked, actor=actor, on_duplicate=imp.on_duplicate, category_year=imp.category_year,
                 id_column=checker.column("id_number"), rank_column=checker.column("rank_since"))
        if writer:
            writer.write(checked)
        else:
            insert_rows(ImportRow, _problem_rows(imp, checked))
        counts.update(c.outcome for c in checked)
        counts["warnings"] += sum(1 for c in checked if c.clean and c.clean.warnings)
        counts["total"] += len(checked)
        progress(counts["total"], max(total, counts["total"]))
    if writer:
        writer.finish(counts)


# Tables a commit fills; their plain (non-unique) indexes may be rebuilt after a large load.
BULK_TABLES = (Person, Membership, PersonCategory, AuditLog, ImportRow)


@contextmanager
def _bulk_load_indexes(rows: int):
    """SQLite: a table about to receive at least as many rows as it holds loses its plain indexes for
    the load and gets them back at its end (``core.bulkload``) — cheaper than keeping a dozen B-trees
    keyed by random hashes up to date row by row (about a third of the write). Unique indexes stay:
    they enforce the rules and serve the look-ups of the load itself. (Not on PostgreSQL: DROP INDEX
    locks the whole table against readers until the commit.)"""
    if connection.vendor != "sqlite" or not rows:
        yield
        return
    quote = connection.ops.quote_name
    tables = []
    with connection.cursor() as cursor:
        for model in BULK_TABLES:
            table = model._meta.db_table
            # The highest id, never below the row count: a cheap, cautious size of the table.
            cursor.execute(f"SELECT COALESCE(MAX({quote(model._meta.pk.column)}), 0) FROM {quote(table)}")  # noqa: S608
            if cursor.fetchone()[0] <= rows:
                tables.append(table)
    with indexes_built_after(tables):
        yield


_ID_NUMBER = re.compile(r"\b\d{17}[\dX]\b")


def _masked(problems: list[dict]) -> list[dict]:
    """Messages name the ID number at fault; kept in the database they show it masked (the row's
    cells, encrypted, keep the full number for the rejected-rows file)."""
    return [p | {"message": _ID_NUMBER.sub(lambda m: crypto.mask_id_number(m.group()), p["message"])}
            for p in problems]


def _problem_rows(imp: RosterImport, checked: list[Checked]) -> list[dict]:
    """ImportRow rows of the batch's rejected and warned rows (the same fields as the model's
    ``values`` setter gives), for one insert."""
    encrypt = crypto.encryptor()
    return [
        {"roster_import": imp.pk, "row": c.row, "rejected": c.outcome == REJECTED, "problems": _masked(c.problems),
         "values_cipher": encrypt(json.dumps([_jsonable(v) for v in c.values], ensure_ascii=False))}
        for c in checked if c.problems]


def _as_counts(counter: Counter) -> dict[str, int]:
    return {key: counter.get(key, 0) for key in (*OUTCOMES, "warnings", "total")}


def validate_import(*, roster_import: RosterImport, progress: Progress = _no_progress) -> RosterImport:
    """Check every row (nothing is written to people) and keep the counts and the problem rows."""
    imp = roster_import
    try:
        counts = _run(imp, write=False, progress=progress)
    except Exception as exc:
        RosterImport.objects.filter(pk=imp.pk).update(status=RosterImport.Status.FAILED,
                                                      error=getattr(exc, "message", "") or str(exc))
        raise
    imp.counts, imp.status, imp.validated_at = _as_counts(counts), RosterImport.Status.VALIDATED, timezone.now()
    imp.save(update_fields=["counts", "status", "validated_at"])
    return imp


def request_commit(*, actor, roster_import: RosterImport):
    """Queue the commit of a checked file. Claiming the import with a conditional UPDATE means two
    clicks (or two tabs) can never commit it twice."""
    _require_import(actor)
    claimed = RosterImport.objects.filter(
        pk=roster_import.pk, status__in=[RosterImport.Status.VALIDATED, RosterImport.Status.FAILED],
        validated_at__isnull=False,
    ).update(status=RosterImport.Status.COMMITTING, error="")
    if not claimed:
        raise Conflict(_("该文件尚未校验完成或已经导入。"))
    with transaction.atomic():
        job = enqueue("roster.commit", user=actor, title=_("导入花名册：%(f)s") % {"f": roster_import.filename},
                      import_id=roster_import.pk)
        RosterImport.objects.filter(pk=roster_import.pk).update(commit_job=job)
    return job


def commit_import(*, roster_import: RosterImport, progress: Progress = _no_progress) -> RosterImport:
    """Write every accepted row in ONE transaction. The file is checked again against the people as
    they are now (others may have registered someone since the preview), so a row rejected now is
    reported, not forced in. Any failure — a bug, a constraint, the database going away — rolls the
    whole file back and leaves the import ready to commit again."""
    imp = roster_import
    try:
        with transaction.atomic():
            imp = RosterImport.objects.select_for_update().get(pk=imp.pk)
            if imp.status != RosterImport.Status.COMMITTING:
                raise Conflict(_("该文件尚未校验完成或已经导入。"))
            with _large_page_cache():
                counts = _run(imp, write=True, progress=progress)
            imp.counts, imp.status, imp.committed_at = _as_counts(counts), RosterImport.Status.COMMITTED, timezone.now()
            imp.save(update_fields=["counts", "status", "committed_at"])
            # The uploaded file holds every number in clear: once its rows are in, it goes (the
            # rejected rows stay, encrypted, for the user to download and fix).
            transaction.on_commit(lambda: (storage_dir("imports") / imp.stored_name).unlink(missing_ok=True))
    except Conflict:
        raise  # not ours to commit (already committed, or never claimed): leave its status alone
    except IntegrityError:
        _mark_failed(imp, _("导入期间有其他操作登记了相同身份证号的人员，本次导入已全部撤销，请重新校验后再导入。"))
        raise DomainError(_("导入期间数据发生变化，本次导入已全部撤销，请重新校验后再导入。")) from None
    except Exception as exc:
        _mark_failed(imp, getattr(exc, "message", "") or _("导入失败，数据未做任何修改，请稍后重试。"))
        raise
    _refresh_planner_statistics(sum(imp.counts.get(k, 0) for k in ("new", "updated")))
    return imp


# Rows after which an import refreshes PostgreSQL's statistics itself instead of waiting for autovacuum.
ANALYZE_AFTER_ROWS = 10_000


def _refresh_planner_statistics(written: int) -> None:
    """Right after a bulk load, before autovacuum has analysed the tables, PostgreSQL plans the people
    list from the old row counts: on a freshly filled 30k-person database its first page took 35 s.
    ANALYZE of the tables the import fills costs a second or two at 100k rows."""
    if connection.vendor != "postgresql" or written < ANALYZE_AFTER_ROWS:
        return
    tables = [m._meta.db_table for m in (Person, Membership, PersonCategory)]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))


# Part of the import's memory budget (< 500 MB at 1M rows: 480 MB with 64 MB of cache).
SQLITE_CACHE_KIB = 32768


@contextmanager
def _large_page_cache():
    """SQLite keeps 2 MB of pages by default; a large import inserts into a dozen indexes keyed by
    random hashes, and with so small a cache most inserts re-read index pages. A larger cache for the
    commit (a per-connection setting, restored after) about halves the time of the inserts."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _mark_failed(imp: RosterImport, message: str) -> None:
    RosterImport.objects.filter(pk=imp.pk).update(status=RosterImport.Status.FAILED, error=message[:2000])


# --- bulk writes ----------------------------------------------------------------------------------
UPDATE_FIELDS = ["name", "pinyin", "initials", "ethnicity", "phone_cipher", "phone_hash", "phone_masked",
                 "political_status", "position", "rank_level", "rank_since", "primary_org", "updated_at"]


class BatchWriter:
    """Writes one batch of checked rows: a handful of statements whatever the batch size, plus an
    audit row per person changed (bulk) and one summary row for the file.

    Every row is built and its values converted here, on the caller's thread; the INSERTs then run on
    one writer thread, in the same transaction (the same connection object), while the caller checks
    the next batch: SQLite's B-tree work and PostgreSQL's round trips release the GIL, so the two
    overlap. One batch at most is in flight, and nothing else touches the connection meanwhile:
    ``settle()`` waits for it (and raises its error) before any other statement."""

    def __init__(self, imp: RosterImport, actor):
        self.imp, self.actor, self.year = imp, actor, imp.category_year
        self.actor_name = actor.get_username() if actor else "system"
        self.ip = client_ip()
        self.low_path, self.high_path = "", ""
        self.ids: dict = {}  # allocate_ids' state
        self.memo: dict = {}  # prepare_rows' converted dates and times, across batches
        self.conn = connections[DEFAULT_DB_ALIAS]
        self.conn.inc_thread_sharing()
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="roster-write")
        self.pending: Future | None = None

    def write(self, checked: list[Checked]) -> None:
        self.settle()
        audits: list[dict] = []
        self.now = timezone.now()
        statements = self._create([c for c in checked if c.outcome == NEW], audits)
        self._update([c for c in checked if c.outcome == UPDATED], audits)  # rare: the ORM, synchronously
        statements += [prepare_rows(AuditLog, audits, self.memo),
                       prepare_rows(ImportRow, _problem_rows(self.imp, checked), self.memo)]
        self.pending = self.pool.submit(self._execute, statements)

    def _execute(self, statements: list[Prepared | None]) -> None:
        for prepared in statements:
            inserts.execute(prepared, self.conn)

    def settle(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        """Wait for the writer thread whatever happened: the transaction must not end (commit or
        roll back) under a statement still running."""
        try:
            if self.pending is not None:
                wait([self.pending])
        finally:
            self.pool.shutdown(wait=True)
            self.conn.dec_thread_sharing()

    def _audit(self, action: str, person, path: str, before=None, after=None) -> dict:
        self.low_path = min(self.low_path or path, path)
        self.high_path = max(self.high_path, path)
        return {"at": self.now, "actor": self.actor.pk if self.actor else None, "actor_name": self.actor_name,
                "ip": self.ip, "action": action, "object_type": "orgs.person", "object_id": str(person.pk),
                "object_repr": person.name[:200], "org_path": path, "before": before, "after": after}

    def _create(self, rows: list[Checked], audits: list[dict]) -> list[Prepared | None]:
        if not rows:
            return []
        now, none = self.now, PoliticalStatus.NONE
        encrypt, phone_index = crypto.encryptor(), crypto.blind_indexer("phone")
        people = []
        pks = allocate_ids(Person, len(rows), self.ids)
        for pk, c in zip(pks, rows, strict=True):
            r = c.clean
            # The fields exactly as orgs.services.create_person computes them (identity as in
            # _apply_identity, phone as apply_phone, pinyin through name_keys), as plain dicts:
            # no model instance per row.
            phone = r.phone or ""
            pinyin, initials = name_keys(r.name)
            people.append({
                "id": pk, "name": r.name, "gender": r.gender, "ethnicity": r.ethnicity or "汉族", "birth_date": r.birth_date,
                "id_cipher": encrypt(r.id_number), "id_hash": r.id_hash,
                "id_masked": crypto.mask_id_number(r.id_number), "phone_cipher": encrypt(phone),
                "phone_hash": phone_index(phone), "phone_masked": crypto.mask_phone(phone) if phone else "",
                "political_status": r.political_status or none, "position": r.position, "rank_level": r.rank_level,
                "rank_since": r.rank_since, "pinyin": pinyin, "initials": initials, "archived_at": None, "primary_org": r.org_id,
                "created_at": now, "updated_at": now,
            })
        statements = [
            prepare_rows(Person, people, self.memo),
            prepare_rows(Membership, [{"person": pk, "org": p["primary_org"], "is_primary": True, "created_at": now}
                                      for pk, p in zip(pks, people, strict=True)], self.memo),
            prepare_rows(PersonCategory, [{"person": pk, "category": cat, "year": self.year}
                                          for pk, c in zip(pks, rows, strict=True) for cat in (c.clean.category_ids or ())],
                         self.memo),
            prepare_rows(PersonRank, [{"person": pk, "rank_level": p["rank_level"], "since": p["rank_since"]}
                                      for pk, p in zip(pks, people, strict=True) if p["rank_since"]], self.memo),
        ]
        for pk, p, c in zip(pks, people, rows, strict=True):
            # person_snapshot's keys, from the row just written
            after = {"name": p["name"], "gender": p["gender"], "ethnicity": p["ethnicity"],
                     "birth_date": p["birth_date"].isoformat(), "political_status": p["political_status"],
                     "position": p["position"], "rank_level": p["rank_level"],
                     "rank_since": p["rank_since"].isoformat() if p["rank_since"] else None, "id_number": p["id_masked"],
                     "phone": p["phone_masked"], "primary_org": p["primary_org"]}
            if c.clean.category_ids:
                after["categories"] = {"year": self.year, "ids": list(c.clean.category_ids)}
            audits.append(self._audit("person.import.create", SimpleNamespace(pk=pk, name=p["name"]),
                                      c.clean.org_path, after=after))
        return statements

    def _update(self, rows: list[Checked], audits: list[dict]) -> None:
        if not rows:
            return
        moved, recategorised, promoted = [], [], []
        for c in rows:
            person, changes = c.person, c.changes
            before = person_snapshot(person)
            promoted.append((person, (person.rank_level, person.rank_since)))
            if "name" in changes:
                person.name = changes["name"]
                person.pinyin, person.initials = name_keys(person.name)
            for key in ("ethnicity", "political_status", "position", "rank_level", "rank_since"):
                if key in changes:
                    setattr(person, key, changes[key])
            if "phone" in changes:
                apply_phone(person, changes["phone"])
            if "primary_org_id" in changes:
                person.primary_org_id = changes["primary_org_id"]
                moved.append(person.pk)
            person.updated_at = self.now
            b, a = audit.diff(before, person_snapshot(person))
            if "category_ids" in changes:
                recategorised.append(c)
                b["categories"] = {"year": self.year, "ids": sorted(person.category_ids)}
                a["categories"] = {"year": self.year, "ids": list(changes["category_ids"])}
            audits.append(self._audit("person.import.update", person, c.clean.org_path, before=b, after=a))
        Person.objects.bulk_update([c.person for c in rows], UPDATE_FIELDS, batch_size=BATCH)
        ranks.record(promoted)  # checked against the history in classify
        if moved:
            # The new primary organisation replaces the old one; an existing secondary membership
            # in the new organisation is promoted rather than duplicated.
            Membership.objects.filter(person_id__in=moved, is_primary=True).delete()
            Membership.objects.bulk_create(
                [Membership(person_id=c.person.pk, org_id=c.person.primary_org_id, is_primary=True)
                 for c in rows if "primary_org_id" in c.changes], batch_size=BATCH, ignore_conflicts=True)
            Membership.objects.filter(person_id__in=moved, org_id=F("person__primary_org_id")).update(is_primary=True)
        if recategorised:
            PersonCategory.objects.filter(person_id__in=[c.person.pk for c in recategorised], year=self.year).delete()
            PersonCategory.objects.bulk_create(
                [PersonCategory(person_id=c.person.pk, category_id=cat, year=self.year)
                 for c in recategorised for cat in c.changes["category_ids"]], batch_size=BATCH)

    def finish(self, counts: Counter) -> None:
        self.settle()
        imp = self.imp
        audit.record("roster.import", imp, actor=self.actor, org_path=common_path(self.low_path, self.high_path), after={
            "file": imp.filename, "sha256": imp.file_sha256, "on_duplicate": imp.on_duplicate,
            "category_year": imp.category_year, "counts": _as_counts(counts),
        })


def common_path(low: str, high: str) -> str:
    """The deepest organisation path above every path between ``low`` and ``high`` (sorted order)."""
    n = 0
    while n < min(len(low), len(high)) and low[n] == high[n]:
        n += 1
    return low[: n - n % Organization.steplen]


# --- exports --------------------------------------------------------------------------------------
def start_export(*, actor, query: str = "", org: Organization | None = None, category_id: int | None = None,
                 year: int | None = None) -> RosterExport:
    """Queue an export of the people list as filtered on screen (``org`` already fetched through
    ``orgs.access.get_org``, so it is one the user may see)."""
    if not has_perm_anywhere(actor, Perm.PERSON_EXPORT):
        raise NotAllowed(_("您没有导出人员名单的权限。"))
    filters = {"q": query or "", "org": org.pk if org else None, "category": category_id, "year": year}
    with transaction.atomic():
        export = RosterExport.objects.create(created_by=actor, filters=filters)
        export.job = enqueue("roster.export", user=actor, title=_("导出人员名单"), export_id=export.pk)
        export.save(update_fields=["job"])
    return export


def write_export(*, export: RosterExport, progress: Progress = _no_progress) -> RosterExport:
    """Write the file, then record it: rows, filters and whether numbers left unmasked (audited)."""
    actor, f = export.created_by, export.filters
    org = Organization.objects.filter(pk=f.get("org")).first() if f.get("org") else None
    year = exports.default_year(f.get("year"))
    rows_qs = exports.export_queryset(actor, query=f.get("q") or "", org=org, category_id=f.get("category"),
                                      year=f.get("year"))
    stored = storage_dir("exports") / f"{uuid.uuid4().hex}.xlsx"
    stats = {"rows": 0, "revealed": 0}
    exports.write_xlsx(stored, exports.export_rows(rows_qs, year=year, stats=stats, progress=progress))
    with transaction.atomic():
        export.stored_name, export.rows, export.revealed = stored.name, stats["rows"], stats["revealed"]
        export.save(update_fields=["stored_name", "rows", "revealed"])
        audit.record("roster.export.reveal" if export.revealed else "roster.export", export, actor=actor,
                     org_path=org.path if org else "",
                     after={"filters": f, "rows": export.rows, "revealed": export.revealed})
    return export
