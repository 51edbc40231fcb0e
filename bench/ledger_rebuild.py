"""Full rebuild of the rollups (``services.rebuild_rollups``) vs the same work written by hand: one
INSERT … SELECT … GROUP BY into an empty copy of the table, then the copy's indexes and unique
constraint built (statements read from the catalogue, so the copy always matches the table).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jp_ledger_scale .venv/bin/python bench/ledger_rebuild.py \
        [--repeat 2] [--indexed-baseline]
"""

from __future__ import annotations

import argparse
import time

from ledger_scale import setup


def _index_ddl(c, table: str, copy: str) -> list[str]:
    """The statements that give ``copy`` the indexes and unique constraints of ``table`` (PostgreSQL)."""
    c.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
              "AND contype = 'u'", [table])
    ddl = [f"ALTER TABLE {copy} ADD CONSTRAINT {copy}_{name} {definition}" for name, definition in c.fetchall()]
    c.execute("SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
              "WHERE i.indrelid = %s::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint k "
              "WHERE k.conindid = i.indexrelid)", [table])
    for name, definition in c.fetchall():
        ddl.append(definition.replace(f"INDEX {name} ON", f"INDEX {copy}_{name} ON", 1)
                   .replace(f"public.{table} ", f"public.{copy} ", 1))
    return ddl


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--indexed-baseline", action="store_true",
                        help="also time the INSERT into a copy that keeps its indexes during the load "
                             "(what the service did before session 14: ~40 minutes at 50M entries)")
    args = parser.parse_args()
    connection = setup()
    from django.db import transaction

    from jingpei.ledger.services import _rebuild_sql, rebuild_rollups

    table, copy = "ledger_monthrollup", "bench_rollup"
    insert = _rebuild_sql().replace(f"INSERT INTO {table}", f"INSERT INTO {copy}", 1)
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM ledger_ledgerentry")
        entries = c.fetchone()[0]
    ours, hand, indexed = [], [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        rows = rebuild_rollups()
        ours.append(time.perf_counter() - start)
        # By hand, the same work: the INSERT … SELECT into an empty bare copy, then its indexes built.
        with transaction.atomic(), connection.cursor() as c:
            c.execute(f"DROP TABLE IF EXISTS {copy}")
            # The primary key (an identity column) stays during the service's load too.
            c.execute(f"CREATE TABLE {copy} (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY)")
            c.execute(f"ALTER TABLE {copy} ADD PRIMARY KEY (id)")
            ddl = _index_ddl(c, table, copy)
            start = time.perf_counter()
            c.execute(insert)
            for statement in ddl:
                c.execute(statement)
            hand.append(time.perf_counter() - start)
            c.execute(f"DROP TABLE {copy}")
        if args.indexed_baseline:
            with transaction.atomic(), connection.cursor() as c:
                c.execute(f"CREATE TABLE {copy} (LIKE {table} INCLUDING ALL)")
                start = time.perf_counter()
                c.execute(insert)
                indexed.append(time.perf_counter() - start)
                c.execute(f"DROP TABLE {copy}")
    print(f"scale: {entries:,} ledger entries -> {rows:,} rollup rows; index statements by hand: {len(ddl)}")
    print(f"{'figure':52} {'seconds':>9} {'baseline':>9} {'ratio':>7}")
    print(f"{'rebuild_rollups vs INSERT..SELECT + its indexes':52} {min(ours):9.2f} {min(hand):9.2f} "
          f"{min(ours) / min(hand):6.2f}x")
    if indexed:
        print(f"{'rebuild_rollups vs INSERT..SELECT into indexed copy':52} {min(ours):9.2f} {min(indexed):9.2f} "
              f"{min(ours) / min(indexed):6.2f}x")


if __name__ == "__main__":
    main()
