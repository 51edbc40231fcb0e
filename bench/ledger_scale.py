"""Builds the ledger benchmark's data set on PostgreSQL with SQL (generate_series), not the ORM.

    .venv/bin/python bench/ledger_scale.py --people 100000 --orgs 10000 --entries 5000000

The issue's full scale is ``--people 1000000 --orgs 100000 --entries 50000000``. Uses its own database
(``jp_ledger_bench`` unless DATABASE_URL says otherwise) and rebuilds it from scratch.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jp_ledger_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingpei.settings")

FORMS = ["online", "external", "class", "branch", "meeting", "study_tour", "mobile_lecture", "teaching"]


def setup():
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("the ledger benchmarks need PostgreSQL (set DATABASE_URL)")
    return connection


def ensure_database():
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def timed(label, fn):
    start = time.perf_counter()
    result = fn()
    print(f"  {label}: {time.perf_counter() - start:.1f} s", flush=True)
    return result


def _drop_indexes(c, table: str) -> list[str]:
    """Drop every index but the primary key (unique constraints included) and answer the statements
    that recreate them: one CREATE INDEX after the bulk load is far cheaper than 50M index inserts."""
    c.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
              "AND contype = 'u'", [table])
    constraints = c.fetchall()
    c.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
              "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u'))",
              [table, table])
    indexes = c.fetchall()
    for name, _ in constraints:
        c.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        c.execute(f'DROP INDEX "{name}"')
    return [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for name, definition in constraints] + [
        definition for _, definition in indexes]


def build(*, people: int, orgs: int, entries: int, chunk: int = 1_000_000) -> None:
    ensure_database()
    connection = setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    townships = max(2, min(200, orgs // 500))
    villages = max(1, (orgs - 1 - townships) // 2 // townships)  # each village has one party branch
    print(f"building {people:,} people, {1 + townships + 2 * townships * villages:,} organisations, "
          f"{entries:,} ledger entries", flush=True)
    with connection.cursor() as c:
        c.execute("TRUNCATE ledger_monthrollup, ledger_ledgerentry, ledger_exemption, ledger_remindersent, "
                  "orgs_personcategory, orgs_membership, accounts_grant, core_auditlog, orgs_person, "
                  "orgs_organization RESTART IDENTITY CASCADE")
        hexp = "lpad(upper(to_hex({})), 4, '0')"
        timed("organisations", lambda: [
            c.execute("INSERT INTO orgs_organization (path, depth, numchild, name, kind, code, pinyin, initials, "
                      "created_at, updated_at) VALUES ('0001', 1, %s, '基准区', 'district', '', '', '', now(), now())",
                      [townships]),
            c.execute(f"INSERT INTO orgs_organization (path, depth, numchild, name, kind, code, pinyin, initials, "  # noqa: S608
                      f"created_at, updated_at) SELECT '0001' || {hexp.format('t')}, 2, %s, '乡镇' || t, 'township', "
                      f"'', '', '', now(), now() FROM generate_series(1, %s) t", [villages, townships]),
            c.execute(f"INSERT INTO orgs_organization (path, depth, numchild, name, kind, code, pinyin, initials, "  # noqa: S608
                      f"created_at, updated_at) SELECT '0001' || {hexp.format('t')} || {hexp.format('v')}, 3, 1, "
                      f"'村' || t || '-' || v, 'village', '', '', '', now(), now() "
                      f"FROM generate_series(1, %s) t, generate_series(1, %s) v", [townships, villages]),
            c.execute("INSERT INTO orgs_organization (path, depth, numchild, name, kind, code, pinyin, initials, "
                      "created_at, updated_at) SELECT path || '0001', 4, 0, name || '党支部', 'branch', '', '', '', "
                      "now(), now() FROM orgs_organization WHERE depth = 3"),
        ])
        # Every 50th person is a county-level leader (the 550-hour rule); all joined years ago.
        timed("people", lambda: c.execute(
            "INSERT INTO orgs_person (name, gender, ethnicity, birth_date, id_cipher, id_hash, id_masked, "
            "phone_cipher, phone_hash, phone_masked, political_status, position, rank_level, pinyin, initials, "
            "created_at, updated_at, primary_org_id) "
            "SELECT '人员' || i, 'M', '汉族', date '1980-01-01', '', 'bench' || i, '', '', '', '', 'cpc', '', "
            "CASE WHEN i %% 50 = 0 THEN 'county_deputy' ELSE 'staff' END, 'ry' || i, 'ry', "
            "timestamptz '2020-01-01', timestamptz '2020-01-01', b.ids[1 + i %% b.n] "
            "FROM generate_series(1, %s) i, "
            "(SELECT array_agg(id ORDER BY id) AS ids, count(*) AS n FROM orgs_organization WHERE depth = 4) b",
            [people]))
        # Bulk load without per-row foreign-key triggers (the generated ids are valid by construction).
        c.execute("SET session_replication_role = replica")
        c.execute("SET maintenance_work_mem = '1GB'")
        recreate = _drop_indexes(c, "ledger_ledgerentry")
        c.execute("SELECT min(id), max(id) FROM orgs_person")
        low, high = c.fetchone()
        forms = "ARRAY[" + ", ".join(f"'{f}'" for f in FORMS) + "]"
        done = 0
        while done < entries:
            n = min(chunk, entries - done)
            timed(f"ledger entries {done + n:,}", lambda n=n, done=done: c.execute(
                f"INSERT INTO ledger_ledgerentry (occurred_on, hours, form, title, source_type, source_id, "  # noqa: S608
                f"idempotency_key, reason, recorded_at, person_id) "
                f"SELECT date '2025-01-01' + (random() * 729)::int, (1 + (random() * 39)::int) / 10.0, "
                f"({forms})[1 + (random() * {len(FORMS) - 1})::int], '', 'bench', '', 'bench:' || i, '', now(), "
                f"%s + (random() * %s)::bigint FROM generate_series(%s, %s) i",
                [low, high - low, done + 1, done + n]))
            done += n
        c.execute("SET session_replication_role = DEFAULT")
        timed("ledger indexes", lambda: [c.execute(sql) for sql in recreate])
        timed("analyze", lambda: c.execute("ANALYZE"))
    build_rollups(connection)


def build_rollups(connection) -> None:
    """Presets and the month rollups from the raw ledger (indexes created after the load)."""
    from django.core.management import call_command

    from jingpei.ledger import presets
    from jingpei.ledger.services import rebuild_rollups

    call_command("migrate", verbosity=0)
    presets.install()
    with connection.cursor() as c:
        c.execute("SET maintenance_work_mem = '1GB'")
        recreate = _drop_indexes(c, "ledger_monthrollup")
    rows = timed("rollups (rebuild, indexes after)", rebuild_rollups)
    with connection.cursor() as c:
        timed("rollup indexes", lambda: [c.execute(sql) for sql in recreate])
        c.execute("ANALYZE ledger_monthrollup")
    print(f"  {rows:,} rollup rows", flush=True)


def counts() -> dict:
    connection = setup()
    with connection.cursor() as c:
        out = {}
        for table in ("orgs_person", "orgs_organization", "ledger_ledgerentry", "ledger_monthrollup"):
            c.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
            out[table] = c.fetchone()[0]
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=5_000_000)
    parser.add_argument("--only-rollups", action="store_true", help="keep the people and ledger; rebuild the rollups")
    args = parser.parse_args()
    if args.only_rollups:
        build_rollups(setup())
    else:
        build(people=args.people, orgs=args.orgs, entries=args.entries)
