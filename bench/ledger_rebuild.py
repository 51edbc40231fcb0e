"""Full rebuild of the rollups (``services.rebuild_rollups``) vs the same work as one hand-written SQL
statement (INSERT … SELECT … GROUP BY into an identical empty table).

    .venv/bin/python bench/ledger_rebuild.py [--repeat 2]
"""

from __future__ import annotations

import argparse
import time

from ledger_scale import setup


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    connection = setup()
    from django.db import transaction

    from jingpei.ledger.services import _rebuild_sql, rebuild_rollups

    with connection.cursor() as c:
        c.execute("DROP TABLE IF EXISTS bench_rollup")
        c.execute("CREATE TABLE bench_rollup (LIKE ledger_monthrollup INCLUDING ALL)")
        c.execute("SELECT count(*) FROM ledger_ledgerentry")
        entries = c.fetchone()[0]
    ours, hand = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        rows = rebuild_rollups()
        ours.append(time.perf_counter() - start)
        with transaction.atomic(), connection.cursor() as c:
            c.execute("TRUNCATE bench_rollup")
            start = time.perf_counter()
            c.execute(_rebuild_sql().replace("INSERT INTO ledger_monthrollup", "INSERT INTO bench_rollup", 1))
            hand.append(time.perf_counter() - start)
    with connection.cursor() as c:
        c.execute("DROP TABLE bench_rollup")
    print(f"scale: {entries:,} ledger entries -> {rows:,} rollup rows")
    print(f"{'figure':40} {'seconds':>9} {'baseline':>9} {'ratio':>7}")
    print(f"{'rebuild_rollups vs one INSERT..SELECT':40} {min(ours):9.2f} {min(hand):9.2f} {min(ours) / min(hand):6.2f}x")


if __name__ == "__main__":
    main()
