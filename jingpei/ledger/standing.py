"""Materialised compliance: every person's standing per rule "as of" one date, and per organisation the
counts of its WHOLE subtree by rule, category and status, so a subtree summary reads O(children) rows.

- :func:`rebuild` (daily job ``ledger.standing`` / ``manage.py ledger_standing``) re-evaluates everyone:
  set-based SQL for the regular people (one scan of the month rollups for all rules), the existing
  Python functions for the special ones (joined in the period, exempted, in grace, carry-over) — the
  same split as :func:`compliance.subtree_summary` — and swaps facts and counts in one transaction.
- Credits only mark the person dirty (one batched upsert in the credit transaction). Before reading,
  :func:`summary` re-evaluates the dirty people in Python and moves their counts along their ancestor
  paths; the background job drains the dirty set too.
- Rule and organisation-tree changes make the state stale (summaries take the exact path) and enqueue a
  rebuild; an explicit as-of date other than the materialised one takes the exact path as well.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_CEILING
from functools import cached_property
from itertools import chain, groupby, repeat
from operator import itemgetter
from types import SimpleNamespace

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from jingpei.core import prepared
from jingpei.core.locks import xact_lock
from jingpei.ledger import compliance as c
from jingpei.ledger.models import (
    ComplianceCount,
    ComplianceDirty,
    ComplianceFact,
    ComplianceState,
    MonthRollup,
    RequirementRule,
    hours_of,
)
from jingpei.ledger.rules import (
    Period,
    PersonFacts,
    Status,
    add_months,
    elapsed_fraction,
    month_end,
    period_for,
    requirement,
)
from jingpei.orgs.models import Organization, Person, PersonCategory

LOCK = "ledger.standing"
JOB = "ledger.standing"  # the background task (jobs.standing_job) that rebuilds or drains
STEP = Organization.steplen
# category_id of the rows counting the people placed on the organisation itself (not in a child). Only
# the all-categories rows carry parent_path: the by-category and direct rows are read through org_path
# (when that organisation is the root), so the parent's scan of its children's rows does not read them.
DIRECT = -2
FACT_INDEX = "ledger_fact_rule_path_idx"  # ComplianceFact's drill-down index (models.py)
REFRESH_LIMIT = 500  # people a summary folds in before reading; more (a big import) is left to the job
# Column of ComplianceCount (met, on_track, behind, exempt) each status counts in.
COLUMN = {Status.MET: 0, Status.ON_TRACK: 1, Status.NOT_STARTED: 1, Status.BEHIND: 2, Status.WILL_MISS: 2,
          Status.MISSED: 2, Status.EXEMPT: 3}


def _pg() -> bool:
    return connection.vendor == "postgresql"


# --- marking ----------------------------------------------------------------------------------------
def mark_dirty(person_ids) -> None:
    """Record that these people's standing may have changed (called inside the writer's transaction).
    Ids are upserted in order, so concurrent batches lock the marks in the same order (no deadlock)."""
    ids = sorted(set(person_ids))
    if not ids:
        return
    table = ComplianceDirty._meta.db_table
    upsert = f"ON CONFLICT (person_id) DO UPDATE SET version = {table}.version + 1"
    with connection.cursor() as cursor:
        if _pg():
            cursor.execute(f"INSERT INTO {table} (person_id, version) SELECT unnest(%s::bigint[]), 1 {upsert}",  # noqa: S608
                           [ids])
            return
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cursor.execute(f"INSERT INTO {table} (person_id, version) VALUES {', '.join(['(%s, 1)'] * len(chunk))} "  # noqa: S608
                           f"{upsert}", chunk)


def mark_stale() -> None:
    """A rule or the organisation tree changed: summaries take the exact path until the rebuild (enqueued
    when the caller's transaction commits) has run."""
    from django.utils.translation import gettext as _

    from jingpei.core.jobs import enqueue

    if ComplianceState.objects.filter(pk=1, stale=False).update(stale=True):
        enqueue(JOB, title=_("学时达标统计重建"))


def renew_if_old(as_of: date) -> None:
    """Figures of an earlier day (the daily run missed: no cron on this install, or the server was down):
    queue today's rebuild once; meanwhile the page shows the older figures under their date."""
    if as_of < c.today():
        queue_rebuild()


def queue_rebuild() -> None:
    """Queue today's full build unless one is queued or running."""
    from django.utils.translation import gettext as _

    from jingpei.core.jobs import enqueue
    from jingpei.core.models import Job

    if not Job.objects.filter(name=JOB, status__in=(Job.Status.QUEUED, Job.Status.RUNNING)).exists():
        enqueue(JOB, title=_("学时达标统计重建"), full=True)


# --- shared evaluation pieces ---------------------------------------------------------------------------
def _live(rules, as_of: date) -> list[tuple[RequirementRule, Period]]:
    out = []
    for rule in rules:
        p = period_for(rule, as_of)
        if not ((rule.valid_from and rule.valid_from > p.end) or (rule.valid_to and rule.valid_to < p.start)):
            out.append((rule, p))
    return out


def _cats_text(ids) -> str:
    return "," + ",".join(str(i) for i in sorted(ids)) + "," if ids else ""


def _ancestors(path: str) -> list[str]:
    return [path[:i] for i in range(STEP, len(path) + 1, STEP)]


# --- full build ----------------------------------------------------------------------------------------
def _in_subtree(column: str, root_path: str) -> tuple[str, list]:
    """`` AND column IN (the people placed in root_path's subtree)``; nothing for the whole tree."""
    if not root_path:
        return "", []
    person, org = Person._meta.db_table, Organization._meta.db_table
    return (f" AND {column} IN (SELECT sp.id FROM {person} sp JOIN {org} so ON so.id = sp.primary_org_id "  # noqa: S608
            "WHERE so.path LIKE %s ESCAPE '\\')", [c._like(root_path)])


def _earned_sql(live, as_of: date, caps: dict[str, int], root_path: str = "") -> tuple[str, list]:
    """One scan of the rollups (of ``root_path``'s people, everyone's when empty): per person, tenths
    earned in each rule's period and in the recent window (current month and the two before), forms
    filtered and capped per (year, form) like ``_earned``."""
    rollup = MonthRollup._meta.db_table
    recent = Period(add_months(as_of.replace(day=1), -2), as_of)
    periods = sorted({p for _r, p in live} | {recent}, key=lambda p: (p.start, p.end))
    index = {p: i for i, p in enumerate(periods)}
    year = "CAST(EXTRACT(YEAR FROM r.month) AS integer)" if _pg() else "strftime('%%Y', r.month)"
    least = "LEAST" if _pg() else "MIN"
    sums, params = [], []
    for i, p in enumerate(periods):
        sums.append(f"SUM(CASE WHEN r.month >= %s AND r.month <= %s THEN r.tenths ELSE 0 END) AS s{i}")
        params += [p.start, p.end]
    outer, oparams = [], []

    def capped(col: str, rule) -> tuple[str, list]:
        forms = [f for f in caps if not rule.forms or f in rule.forms]
        cases = " ".join(f"WHEN %s THEN {least}({col}, %s)" for _ in forms)
        expr = f"CASE y.form {cases} ELSE {col} END" if forms else col
        return expr, [v for f in forms for v in (f, caps[f])]

    for k, (rule, p) in enumerate(live):
        for name, col in ((f"e{k}", f"y.s{index[p]}"), (f"r{k}", f"y.s{index[recent]}")):
            expr, eparams = capped(col, rule)
            if rule.forms:
                outer.append(f"SUM(CASE WHEN y.form IN ({', '.join(['%s'] * len(rule.forms))}) THEN {expr} ELSE 0 END) "
                             f"AS {name}")
                oparams += [*rule.forms, *eparams]
            else:
                outer.append(f"SUM({expr}) AS {name}")
                oparams += eparams
    lo, hi = min(p.start for p in periods), max(p.end for p in periods)
    subtree, sparams = _in_subtree("r.person_id", root_path)
    sql = (f"SELECT y.person_id, {', '.join(outer)} FROM (SELECT r.person_id, r.form, {year} AS yr, "  # noqa: S608
           f"{', '.join(sums)} FROM {rollup} r WHERE r.month >= %s AND r.month <= %s{subtree} "
           f"GROUP BY r.person_id, r.form, {year}) y GROUP BY y.person_id")
    return sql, oparams + params + [lo, hi] + sparams


def _status_sql(rule, period: Period, as_of: date, k: int) -> tuple[str, list, int]:
    """CASE giving a regular person's status from ``e.e{k}`` (earned) and ``e.r{k}`` (recent), the same
    decisions as ``rules.status`` in integer tenths. Returns (sql, params, required tenths)."""
    req = requirement(rule, PersonFacts(0), period, category_ids=set())
    required = int(req.required * 10)
    if req.exempt:
        return "'exempt'", [], required
    earned, recent = f"COALESCE(e.e{k}, 0)", f"COALESCE(e.r{k}, 0)"
    if as_of > period.end:
        return f"CASE WHEN {earned} >= %s THEN 'met' ELSE 'missed' END", [required], required
    # on track: earned >= required × elapsed fraction (smallest whole tenth that satisfies it)
    floor = int((req.required * elapsed_fraction(period, as_of) * 10).to_integral_value(rounding=ROUND_CEILING))
    # behind vs will miss: earned + recent/span × remaining >= required, with span = 2 + d/md and
    # remaining = M + (md − d + 1)/md, i.e. recent × (M·md + md − d + 1) >= (required − earned) × (2md + d).
    md, d = month_end(as_of).day, as_of.day
    months = (period.end.year - as_of.year) * 12 + period.end.month - as_of.month
    a, b = months * md + md - d + 1, 2 * md + d
    sql = (f"CASE WHEN {earned} >= %s THEN 'met' WHEN {earned} >= %s THEN 'on_track' "
           f"WHEN {recent} * %s >= (%s - {earned}) * %s THEN 'behind' ELSE 'will_miss' END")
    return sql, [required, floor, a, required, b], required


def _category_lists_sql(year: int, root_path: str = "") -> tuple[str, list]:
    """(person_id, cats): the categories each person (of ``root_path``) holds in ``year``, as ",3,5,"
    (one pass, joined below)."""
    pcat = PersonCategory._meta.db_table
    agg = ("string_agg(CAST(category_id AS text), ',' ORDER BY category_id)" if _pg()
           else "group_concat(category_id, ',')")
    subtree, sparams = _in_subtree("person_id", root_path)
    return (f"SELECT person_id, ',' || {agg} || ',' AS cats FROM {pcat} WHERE year = %s{subtree} "  # noqa: S608
            "GROUP BY person_id", [year, *sparams])


def _special_facts(live, as_of: date, caps, rule_cats, root_path: str = "") -> list[ComplianceFact]:
    """The special people of every rule (in ``root_path``), evaluated in Python by the person page's
    functions."""
    candidates = c._special_candidates(SimpleNamespace(path=root_path), live, rule_cats)  # type: ignore[arg-type]
    if not candidates:
        return []
    facts = c.person_facts(candidates)
    out = []
    for rule, period in live:
        cats = rule_cats.get(rule.pk, set())
        specials = [p for p in candidates if c._is_special(rule, period, p, facts[p.pk], cats)]
        if specials:
            out += _facts_for(rule, specials, as_of, cats, caps, facts)
    return out


def _facts_for(rule, people, as_of, cats, caps, facts) -> list[ComplianceFact]:
    out = []
    period = period_for(rule, as_of)
    for person, result in c._evaluate_many(rule, people, as_of, cats, caps, facts=facts):
        if result is None:
            continue
        held = [k for k, years in facts[person.pk].category_years.items() if as_of.year in years]
        out.append(ComplianceFact(person_id=person.pk, rule_id=rule.pk, org_path=person.primary_org.path,
                                  categories=_cats_text(held), required=int(result.required * 10),
                                  earned=int(result.earned * 10), status=result.status, pinyin=person.pinyin,
                                  special=c._is_special(rule, period, person, facts[person.pk], cats)))
    return out


def _depths_sql(max_depth: int) -> str:
    return " UNION ALL ".join(f"SELECT {d} AS d" for d in range(1, max_depth + 1))


def _status_sums(col: str) -> str:
    """met, on_track, behind, exempt as four SUMs over the statuses in ``col``."""
    return (f"SUM(CASE WHEN {col} = 'met' THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {col} IN ('on_track', 'not_started') THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {col} IN ('behind', 'will_miss', 'missed') THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {col} = 'exempt' THEN 1 ELSE 0 END)")


def rebuild(as_of: date | None = None) -> dict:
    """Re-evaluate everyone as of ``as_of`` (today) and swap facts and counts in one transaction."""
    as_of = as_of or c.today()
    fact, count, dirty = (ComplianceFact._meta.db_table, ComplianceCount._meta.db_table,
                          ComplianceDirty._meta.db_table)
    pcat = PersonCategory._meta.db_table
    rules = list(RequirementRule.objects.switched_on().select_related("org"))
    rule_cats = c._rule_categories(rules)
    caps = c.year_caps()
    live = _live(rules, as_of)
    with transaction.atomic(), connection.cursor() as cursor:
        xact_lock(LOCK)
        if _pg():  # the per (person, form, year) and per (organisation, rule, status) aggregates stay in memory
            cursor.execute("SET LOCAL work_mem = '256MB'")
        # The marks seen now are the ones this build answers for; later marks survive it.
        cursor.execute("DROP TABLE IF EXISTS ledger_dirty_seen")
        cursor.execute(f"CREATE TEMP TABLE ledger_dirty_seen AS SELECT person_id, version FROM {dirty}")  # noqa: S608
        cursor.execute(f"DELETE FROM {fact}" if not _pg() else f"TRUNCATE {fact}")  # noqa: S608
        rebuilt_index = _drop_drilldown_index(cursor)
        specials = _evaluate_into(cursor, fact, live, as_of, caps, rule_cats)
        if rebuilt_index:
            cursor.execute(rebuilt_index)
        cursor.execute(f"DELETE FROM {count}")  # noqa: S608  (readers keep the old counts until commit)
        max_depth = Organization.objects.order_by("-depth").values_list("depth", flat=True).first() or 1
        prefix, parent = f"substr(f.org_path, 1, {STEP} * d.d)", f"substr(f.org_path, 1, {STEP} * d.d - {STEP})"
        cursor.execute(
            # ordered by parent, then rule: a summary's children rows sit in a few pages and arrive grouped
            # by rule, so the shaping's sort by rule finds them (nearly) in order
            f"INSERT INTO {count} (org_path, parent_path, rule_id, category_id, met, on_track, behind, exempt) "  # noqa: S608
            f"SELECT * FROM (SELECT {prefix} AS o, {parent} AS p, f.rule_id, 0, {_status_sums('f.status')} "
            f"FROM {fact} f JOIN ({_depths_sql(max_depth)}) d ON {STEP} * d.d <= length(f.org_path) "
            f"GROUP BY {prefix}, {parent}, f.rule_id "
            f"UNION ALL SELECT {prefix}, '', f.rule_id, pc.category_id, {_status_sums('f.status')} "
            f"FROM {fact} f JOIN {pcat} pc ON pc.person_id = f.person_id AND pc.year = %s "
            f"JOIN ({_depths_sql(max_depth)}) d ON {STEP} * d.d <= length(f.org_path) "
            f"GROUP BY {prefix}, f.rule_id, pc.category_id "
            f"UNION ALL SELECT f.org_path, '', f.rule_id, {DIRECT}, {_status_sums('f.status')} FROM {fact} f "
            f"GROUP BY f.org_path, f.rule_id) u ORDER BY p, rule_id, o",
            [as_of.year],
        )
        counts = cursor.rowcount
        if _pg():  # fresh statistics: the drill-down's plans depend on how many facts a rule has
            cursor.execute(f"ANALYZE {count}")
            cursor.execute(f"ANALYZE {fact}")
        cursor.execute(f"SELECT COUNT(*) FROM {fact}")  # noqa: S608
        facts = cursor.fetchone()[0]
        _forget_seen(cursor)
        cursor.execute("DROP TABLE IF EXISTS ledger_dirty_seen")
        ComplianceState.objects.update_or_create(pk=1, defaults={
            "as_of": as_of, "built_at": timezone.now(), "stale": False, "build": time.time_ns()})
    return {"as_of": as_of.isoformat(), "facts": facts, "counts": counts, "special": specials}


FACT_COLUMNS = ("person_id", "rule_id", "org_path", "categories", "required", "earned", "status", "pinyin",
                "special")


def _evaluate_into(cursor, table: str, live, as_of: date, caps, rule_cats, root_path: str = "",
                   progress=None) -> int:
    """Insert into ``table`` (FACT_COLUMNS) the standing of every person of ``root_path``'s subtree
    (everyone when empty) under the ``live`` rules as of ``as_of``: set-based SQL for the regular people,
    the person page's functions for the special ones. Returns how many facts were special.
    ``progress(step)`` is called after each of its ``len(live) + 2`` steps."""
    person, org = Person._meta.db_table, Organization._meta.db_table
    progress = progress or (lambda step: None)
    if live:
        sql, params = _earned_sql(live, as_of, caps, root_path)
        cursor.execute("DROP TABLE IF EXISTS ledger_earned")
        cursor.execute(f"CREATE TEMP TABLE ledger_earned AS {sql}", params)
        if _pg():
            cursor.execute("CREATE INDEX ON ledger_earned (person_id)")
            cursor.execute("ANALYZE ledger_earned")
    cursor.execute("DROP TABLE IF EXISTS ledger_cats")
    sql, params = _category_lists_sql(as_of.year, root_path)
    cursor.execute(f"CREATE TEMP TABLE ledger_cats AS {sql}", params)
    progress(1)
    root = SimpleNamespace(path=root_path)
    for k, (rule, period) in enumerate(live):
        cats = rule_cats.get(rule.pk, set())
        where, wparams = c._population_sql(rule, period, root, cats)  # type: ignore[arg-type]
        special, sparams = c._special_sql(rule, period, cats)
        status_sql, stparams, required = _status_sql(rule, period, as_of, k)
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(FACT_COLUMNS)}) "  # noqa: S608
            f"SELECT p.id, %s, o.path, COALESCE(pcs.cats, ''), %s, COALESCE(e.e{k}, 0), {status_sql}, p.pinyin, %s "
            f"FROM {person} p JOIN {org} o ON o.id = p.primary_org_id "
            f"LEFT JOIN ledger_earned e ON e.person_id = p.id LEFT JOIN ledger_cats pcs ON pcs.person_id = p.id "
            f"WHERE {where} AND NOT {special}",
            [rule.pk, required, *stparams, False, *wparams, *sparams],
        )
        progress(2 + k)
    specials = _special_facts(live, as_of, caps, rule_cats, root_path)
    for start in range(0, len(specials), 500):
        chunk = specials[start : start + 500]
        cursor.execute(f"INSERT INTO {table} ({', '.join(FACT_COLUMNS)}) VALUES "  # noqa: S608
                       f"{', '.join(['(' + ', '.join(['%s'] * len(FACT_COLUMNS)) + ')'] * len(chunk))}",
                       [getattr(f, col) for f in chunk for col in FACT_COLUMNS])
    cursor.execute("DROP TABLE IF EXISTS ledger_earned")
    cursor.execute("DROP TABLE IF EXISTS ledger_cats")
    progress(len(live) + 2)
    return len(specials)


def _facts_table(cursor) -> str:
    """A temporary table shaped like the facts, for an evaluation of another date than the materialised."""
    cursor.execute("DROP TABLE IF EXISTS ledger_facts_at")
    cursor.execute(f"CREATE TEMP TABLE ledger_facts_at AS SELECT {', '.join(FACT_COLUMNS)} "  # noqa: S608
                   f"FROM {ComplianceFact._meta.db_table} WHERE 1 = 0")
    return "ledger_facts_at"


def summary_at(root: Organization, as_of: date, rules, progress=None) -> list[c.RuleSummary]:
    """The subtree summary for any date (the exact path): ``root``'s people evaluated as the daily
    build evaluates everyone, into a temporary table, and counted there by child and by category.
    ``progress(done, total)`` follows the steps (for the background job of a large subtree)."""
    rules = list(rules)
    rule_cats, caps = c._rule_categories(rules), c.year_caps()
    live = _live(rules, as_of)
    steps = len(live) + 3
    step = (lambda done: progress(done, steps)) if progress else None
    summaries = {r.pk: c.RuleSummary(r, period_for(r, as_of)) for r in rules}
    pcat, child = PersonCategory._meta.db_table, f"substr(f.org_path, 1, {len(root.path) + STEP})"
    with transaction.atomic(), connection.cursor() as cursor:
        if _pg():
            cursor.execute("SET LOCAL work_mem = '256MB'")
        table = _facts_table(cursor)
        _evaluate_into(cursor, table, live, as_of, caps, rule_cats, root.path, step)
        cursor.execute(f"SELECT f.rule_id, {child}, {_status_sums('f.status')} FROM {table} f "  # noqa: S608
                       f"GROUP BY f.rule_id, {child}")
        for rule_id, path, *counts in cursor.fetchall():
            s = summaries[rule_id]
            s.by_child[path] = c.Counts._make(counts)
            s.total = s.total.plus(s.by_child[path])
        cursor.execute(f"SELECT f.rule_id, pc.category_id, {_status_sums('f.status')} FROM {table} f "  # noqa: S608
                       f"JOIN {pcat} pc ON pc.person_id = f.person_id AND pc.year = %s "
                       "GROUP BY f.rule_id, pc.category_id", [as_of.year])
        for rule_id, category_id, *counts in cursor.fetchall():
            summaries[rule_id].by_category[category_id] = c.Counts._make(counts)
        cursor.execute(f"DROP TABLE {table}")
    return list(summaries.values())


def _drop_drilldown_index(cursor) -> str | None:
    """PostgreSQL: drop the facts' drill-down index for the load and return the statement that makes it
    again (one sorted build instead of millions of inserts into it: the rebuild took 22% longer with it
    kept). The TRUNCATE before already locks the table until the commit, so readers lose nothing more."""
    if not _pg():
        return None
    cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexname = %s",
                   [ComplianceFact._meta.db_table, FACT_INDEX])
    row = cursor.fetchone()
    if row is None:
        return None
    cursor.execute(f"DROP INDEX {connection.ops.quote_name(FACT_INDEX)}")
    return row[0]


def _forget_seen(cursor) -> None:
    dirty = ComplianceDirty._meta.db_table
    match = (f"SELECT d.person_id FROM {dirty} d JOIN ledger_dirty_seen s "  # noqa: S608
             "ON s.person_id = d.person_id AND s.version = d.version")
    if _pg():  # locked in key order, like the credits' marks: no deadlock with a concurrent batch
        cursor.execute(f"DELETE FROM {dirty} WHERE person_id IN ({match} ORDER BY d.person_id FOR UPDATE OF d)")  # noqa: S608
    else:
        cursor.execute(f"DELETE FROM {dirty} WHERE person_id IN ({match})")  # noqa: S608


# --- incremental refresh --------------------------------------------------------------------------------
def refresh_dirty(*, wait: bool = True, limit: int = 5000) -> int:
    """Re-evaluate up to ``limit`` dirty people as of the materialised date and move their counts.
    Returns how many were refreshed (-1 when another refresh or build holds the lock and ``wait`` is
    false)."""
    state = ComplianceState.objects.filter(pk=1).first()
    if state is None or state.stale:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        if _pg():
            import zlib

            key = zlib.crc32(LOCK.encode())
            if wait:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
            else:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [key])
                if not cursor.fetchone()[0]:
                    return -1
        state = ComplianceState.objects.get(pk=1)
        if state.stale:
            return 0
        marks = list(ComplianceDirty.objects.order_by("person_id").values_list("person_id", "version")[:limit])
        if not marks:
            return 0
        ids = [pid for pid, _v in marks]
        new = _evaluate_people(ids, state.as_of)
        old = list(ComplianceFact.objects.filter(person_id__in=ids))
        deltas: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for f, sign in [(f, -1) for f in old] + [(f, 1) for f in new]:
            cats = [0] + [int(x) for x in f.categories.strip(",").split(",") if x]
            for path in _ancestors(f.org_path):
                for cat in cats:
                    deltas[(path, "" if cat else path[:-STEP], f.rule_id, cat)][COLUMN[f.status]] += sign
            deltas[(f.org_path, "", f.rule_id, DIRECT)][COLUMN[f.status]] += sign
        ComplianceFact.objects.filter(person_id__in=ids).delete()
        ComplianceFact.objects.bulk_create(new, batch_size=1000)
        _bump_counts(cursor, {k: v for k, v in deltas.items() if any(v)})
        cursor.execute("DROP TABLE IF EXISTS ledger_dirty_seen")
        cursor.execute("CREATE TEMP TABLE ledger_dirty_seen (person_id bigint, version bigint)")
        for start in range(0, len(marks), 500):
            chunk = marks[start : start + 500]
            cursor.execute(f"INSERT INTO ledger_dirty_seen VALUES {', '.join(['(%s, %s)'] * len(chunk))}",  # noqa: S608
                           [v for m in chunk for v in m])
        _forget_seen(cursor)
        cursor.execute("DROP TABLE IF EXISTS ledger_dirty_seen")
    return len(marks)


def _evaluate_people(ids: list[int], as_of: date) -> list[ComplianceFact]:
    """New facts of these people, by the person page's functions (any of them may be special)."""
    people = list(Person.objects.active().filter(pk__in=ids, primary_org__isnull=False).select_related("primary_org"))
    if not people:
        return []
    rules = list(RequirementRule.objects.switched_on().select_related("org"))
    rule_cats = c._rule_categories(rules)
    caps = c.year_caps()
    facts = c.person_facts(people)
    out = []
    for rule, _period in _live(rules, as_of):
        out += _facts_for(rule, people, as_of, rule_cats.get(rule.pk, set()), caps, facts)
    return out


def _bump_counts(cursor, deltas: dict) -> None:
    """Add the deltas to the count rows (created when missing), in key order: no deadlock between two
    refreshes' upserts."""
    if not deltas:
        return
    table = ComplianceCount._meta.db_table
    rows = sorted(deltas.items())
    cols = ("met", "on_track", "behind", "exempt")
    update = ", ".join(f"{col} = {table}.{col} + excluded.{col}" for col in cols)
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        cursor.execute(
            f"INSERT INTO {table} (org_path, parent_path, rule_id, category_id, {', '.join(cols)}) VALUES "  # noqa: S608
            f"{', '.join(['(%s, %s, %s, %s, %s, %s, %s, %s)'] * len(chunk))} ON CONFLICT (org_path, rule_id, "
            f"category_id) DO UPDATE SET {update}",
            [v for key, n in chunk for v in (*key, *n)],
        )


# --- reading --------------------------------------------------------------------------------------------
@dataclass
class Materialised:
    summaries: list[c.RuleSummary]
    as_of: date
    built_at: datetime
    pending: int  # dirty people not folded in (another refresh held the lock)


@dataclass(frozen=True)
class _Build:
    as_of: date
    built_at: datetime
    rules: list[tuple[RequirementRule, Period]]  # the switched-on rules and their periods as of as_of


_builds: dict[int, _Build] = {}


def _build(number: int) -> _Build:
    # Each full build has a new number (and a rule change makes the state stale until the next build), so
    # its date, time and switched-on rules are read once per build and process, not per summary.
    if number not in _builds:
        state = ComplianceState.objects.get(pk=1)
        rules = RequirementRule.objects.switched_on().select_related("org")
        _builds.clear()
        _builds[number] = _Build(state.as_of, state.built_at, [(r, period_for(r, state.as_of)) for r in rules])
    return _builds[number]


# One statement: first the state row, then the count rows of the root and its children. The state row
# is (build number as text, 0, -1, stale, any dirty person, 0, 0): typed like a count row (varchar(255)
# and integers), so PostgreSQL appends the count rows as scanned, without re-projecting each. Prepared on
# PostgreSQL (see core.prepared): planning it cost about as much as running it.
STATE_MARK = -1  # category_id of the state row
READ_SQL = (
    f"SELECT CAST(s.build AS varchar(255)), 0, {STATE_MARK}, CASE WHEN s.stale THEN 1 ELSE 0 END, "  # noqa: S608
    f"CASE WHEN EXISTS (SELECT 1 FROM {ComplianceDirty._meta.db_table}) THEN 1 ELSE 0 END, 0, 0 "
    f"FROM {ComplianceState._meta.db_table} s WHERE s.id = 1 "
    f"UNION ALL SELECT org_path, rule_id, category_id, met, on_track, behind, exempt "
    f"FROM {ComplianceCount._meta.db_table} WHERE (org_path = %(root)s OR parent_path = %(root)s) "
    f"AND (met <> 0 OR on_track <> 0 OR behind <> 0 OR exempt <> 0)")


def _read(root: Organization) -> list[tuple]:
    """The rows of READ_SQL, the state row first; [] when there is no state row."""
    rows = prepared.fetchall(READ_SQL, {"root": root.path})
    if rows and rows[0][2] != STATE_MARK:  # the state row leads in practice; never rely on it blindly
        rows.sort(key=lambda r: r[2] != STATE_MARK)
    return rows if rows and rows[0][2] == STATE_MARK else []


PATH, RULE, COUNTS = itemgetter(0), itemgetter(1), itemgetter(slice(3, 7))


def summary(root: Organization, *, rule_ids=None, as_of: date | None = None) -> Materialised | None:
    """The subtree summary from the materialised counts (dirty people folded in first), or None when
    there is no fresh materialisation, or it is of another date than ``as_of`` (then the caller takes the
    exact path)."""
    rows = _read(root)
    if not rows or rows[0][3]:
        return None
    pending = 0
    if rows[0][4]:
        done = refresh_dirty(wait=False, limit=REFRESH_LIMIT)
        if done == -1 or done >= REFRESH_LIMIT:  # busy, or a big batch: the job folds in the rest
            pending = ComplianceDirty.objects.count()
        rows = _read(root)
        if not rows or rows[0][3]:
            return None
    build = _build(int(rows[0][0]))
    if as_of is not None and build.as_of != as_of:
        return None
    return Materialised(_shape(rows, root.path, build, rule_ids), build.as_of, build.built_at, pending)


def _shape(rows: list[tuple], root_path: str, build: _Build, rule_ids) -> list[c.RuleSummary]:
    """RuleSummary objects from the rows (path, rule, category, met, on_track, behind, exempt). The
    children's rows (the bulk: one per child and rule) become Counts with C-level loops only (sort,
    groupby, map, zip); the root's own rows (total, per category, placed on the root) are a handful."""
    by_rule = {r.pk: c.RuleSummary(r, p) for r, p in build.rules if rule_ids is None or r.pk in rule_ids}
    counts = repeat(c.Counts)  # tuple.__new__(Counts, t): what Counts._make does, minus a Python-level call
    own = [r for r in rows if r[0] == root_path]
    # One sort of every row by rule (the state row's rule 0 is no rule): each rule's group holds its
    # children's rows and the root's own; these land under the root's path and are replaced below.
    for rule_id, group in groupby(sorted(rows, key=RULE), RULE):
        s = by_rule.get(rule_id)
        if s is not None:
            group_rows = list(group)
            s.by_child.update(zip(map(PATH, group_rows), map(tuple.__new__, counts, map(COUNTS, group_rows)), strict=True))
            s.by_child.pop(root_path, None)
    for row in own:
        s = by_rule.get(row[1])
        if s is None:
            continue
        own_counts, category_id = c.Counts._make(row[3:]), row[2]
        if category_id == 0:
            s.total = own_counts
        elif category_id == DIRECT:  # people placed on the root itself
            s.by_child[root_path] = own_counts
        else:
            s.by_category[category_id] = own_counts
    return list(by_rule.values())


# --- the people behind the counts ----------------------------------------------------------------------
def current(as_of: date | None = None) -> _Build | None:
    """The fresh materialisation (dirty people folded in, as a summary does) when it answers for
    ``as_of`` (any date when None); None when there is none, it is stale, or it is of another date."""
    state = ComplianceState.objects.filter(pk=1).first()
    if state is None or state.stale or (as_of is not None and state.as_of != as_of):
        return None
    if ComplianceDirty.objects.exists():
        refresh_dirty(wait=False, limit=REFRESH_LIMIT)
    return _build(state.build)


def ensure_current(as_of: date) -> None:
    """Materialise as of ``as_of`` unless that is done, then fold in every dirty person: for jobs (the
    monthly reminders) that read everyone's facts and must not read yesterday's."""
    with transaction.atomic():
        xact_lock(LOCK)  # runs that overlap rebuild once: the later ones find the state current
        state = ComplianceState.objects.filter(pk=1).first()
        if state is None or state.stale or state.as_of != as_of:
            rebuild(as_of)
    while refresh_dirty(wait=True) > 0:
        pass


# Drill-down orders, as the facts sort them: the largest gap first, the least earned, by name (pinyin),
# by organisation; then by name and id, so people with equal figures stay in alphabetical order.
FACT_ORDERS = {
    "gap": ("-gap", "pinyin", "person_id"),
    "earned": ("earned", "pinyin", "person_id"),
    "name": ("pinyin", "person_id"),
    "org": ("org_path", "pinyin", "person_id"),
}
CHUNK = 2000  # people evaluated at a time when a whole list is walked (the Excel export)


ROW = ("person_id", "required", "earned", "status", "special")  # what a listing reads of each fact
LISTED = ("id", "name", "pinyin", "created_at", "rank_level", "primary_org__name", "primary_org__path")


def _compact(rows) -> list[tuple]:
    """A listing's ROW values with the repeated ones shared: in a million rows the statuses and most
    hours repeat, and one object each instead of one per row keeps the list ~40% smaller."""
    share = {}.setdefault
    return [(person_id, share(required, required), share(earned, earned), share(status, status), bool(special))
            for person_id, required, earned, status, special in rows]


class FactListing:
    """The people of a subtree under one rule, filtered and ordered in SQL over the materialised facts;
    only the rows asked for (a page, a chunk of the export) are read. It serves
    :class:`~django.core.paginator.Paginator` (``count`` and slices), so a page of a million-person
    district reads 50 facts, not a million people. A regular person's result is the fact itself; a
    special one's (joined in the period, exempted, in grace) is made again by the person page's functions,
    for its notes."""

    def __init__(self, rule: RequirementRule, as_of: date, facts=None, *, rows: list[tuple] | None = None):
        """``facts``: the ordered ComplianceFact query; or ``rows``: its ROW values, already ordered."""
        self.rule, self.as_of, self.facts, self._rows = rule, as_of, facts, rows
        self._count: int | None = None if rows is None else len(rows)

    def count(self) -> int:
        if self._count is None:
            self._count = self.facts.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[tuple[Person, c.RuleResult]]:
        if not isinstance(index, slice):
            raise TypeError("FactListing is read by slices")
        if self._rows is not None:
            return self._results(self._rows[index])
        return self._results(list(self.facts.values_list(*ROW)[index]))

    def __iter__(self):
        # The ordered rows in one read, then made into results a chunk at a time: slicing the query chunk
        # by chunk would sort the whole list again for every OFFSET.
        rows = self._rows if self._rows is not None else _compact(self.facts.values_list(*ROW))
        for start in range(0, len(rows), CHUNK):
            yield from self._results(rows[start : start + CHUNK])

    @cached_property
    def _rule_inputs(self) -> tuple[set[int], dict[str, int]]:
        """The rule's categories and the per-year caps: read once per listing, not per page or chunk."""
        return c._rule_categories([self.rule]).get(self.rule.pk, set()), c.year_caps()

    @cached_property
    def _period(self) -> Period:
        return period_for(self.rule, self.as_of)

    def _results(self, rows: list[tuple]) -> list[tuple[Person, c.RuleResult]]:
        # what the pages, the file and the evaluation read of a person (not the encrypted numbers)
        people = (Person.objects.filter(pk__in=[r[0] for r in rows]).select_related("primary_org")
                  .only(*LISTED).in_bulk())
        special = [people[r[0]] for r in rows if r[4] and r[0] in people]
        evaluated = {}
        if special:
            cats, caps = self._rule_inputs
            evaluated = {p.pk: r for p, r in c._evaluate_many(self.rule, special, self.as_of, cats, caps)
                         if r is not None}
        out = []
        for person_id, required, earned, status, is_special in rows:
            person = people.get(person_id)
            if person is None:
                continue
            if is_special:
                if person_id in evaluated:
                    out.append((person, evaluated[person_id]))
            else:
                out.append((person, c.RuleResult(self.rule, self._period, hours_of(required), hours_of(earned),
                                                 status)))
        return out


def fact_listing(root: Organization, rule: RequirementRule, *, as_of: date | None = None,
                 child_path: str | None = None, category_id: int | None = None,
                 statuses: set[str] | None = None, order: str = "gap") -> FactListing | None:
    """The drill-down of :func:`compliance.people_for_rule` from the materialised facts (the people the
    summary's counts were made of), or None when there is no fresh materialisation for ``as_of`` (then
    the caller takes the exact path). ``root`` must be one the user may see; ``child_path`` lies in it."""
    build = current(as_of)
    if build is None:
        return None
    facts = ComplianceFact.objects.filter(rule_id=rule.pk, org_path__startswith=child_path or root.path)
    if category_id:
        facts = facts.filter(categories__contains=f",{int(category_id)},")
    if statuses:
        facts = facts.filter(status__in=sorted(statuses))
    facts = facts.annotate(gap=F("required") - F("earned")).order_by(*FACT_ORDERS.get(order, FACT_ORDERS["gap"]))
    return FactListing(rule, build.as_of, facts)


def _order_sql(order: str) -> str:
    """FACT_ORDERS as an ORDER BY over a fact-shaped table (gap = required − earned)."""
    terms = []
    for name in FACT_ORDERS.get(order, FACT_ORDERS["gap"]):
        column = name.lstrip("-")
        terms.append(("required - earned" if column == "gap" else column) + (" DESC" if name[0] == "-" else ""))
    return ", ".join(terms)


def listing_at(root: Organization, rule: RequirementRule, as_of: date, *, child_path: str | None = None,
               category_id: int | None = None, statuses: set[str] | None = None, order: str = "gap") -> FactListing:
    """The drill-down for any date (the exact path, when no materialisation answers for ``as_of``): the
    people of the subtree evaluated under ``rule`` as the daily build evaluates them, into a temporary
    table, filtered and ordered there; then, like :func:`fact_listing`, only the rows asked for are
    evaluated with their notes. Agrees with :func:`compliance.people_for_rule` (tested)."""
    live = _live([rule], as_of) if rule.active else []
    where, params = ["1 = 1"], []
    if category_id:
        where.append("categories LIKE %s")
        params.append(f"%,{int(category_id)},%")
    if statuses:
        where.append(f"status IN ({', '.join(['%s'] * len(statuses))})")
        params += sorted(statuses)
    with transaction.atomic(), connection.cursor() as cursor:
        if _pg():
            cursor.execute("SET LOCAL work_mem = '256MB'")
        table = _facts_table(cursor)
        _evaluate_into(cursor, table, live, as_of, c.year_caps(), c._rule_categories([rule]), child_path or root.path)
        cursor.execute(f"SELECT {', '.join(ROW)} FROM {table} WHERE {' AND '.join(where)} "  # noqa: S608
                       f"ORDER BY {_order_sql(order)}", params)
        rows = _compact(chain.from_iterable(iter(lambda: cursor.fetchmany(10_000), [])))
        cursor.execute(f"DROP TABLE {table}")
    return FactListing(rule, as_of, rows=rows)
