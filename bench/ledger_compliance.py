"""Compliance summary of a subtree for a year, all rules, from the materialised counts
(``standing.summary``) vs the same rows read by hand-written SQL over the same tables (target ≤ 1.5×),
and vs one GROUP BY over the raw ledger (target ≥ 100× faster); the daily re-materialisation time;
optionally the exact path and its agreement with the materialised totals.

The summary's read is a server-side prepared statement (core.prepared), so the hand-written SQL is
measured both ways: sent like any Django query (parsed and planned each time) and prepared with binary
results like the summary's (like for like: the honest ratio). A third baseline is the summary's own
statement sent by hand (prepared): what is left is the Python shaping.

    .venv/bin/python bench/ledger_scale.py --people 1000000 --orgs 100000 --entries 50000000   # once
    flock /tmp/jingpei-bench.lock .venv/bin/python bench/ledger_compliance.py [--as-of 2026-12-31] [--rebuild]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date
from decimal import Decimal

from ledger_scale import setup


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def hand_written(cursor, rules, root, as_of, *, raw: bool):
    """Per rule: covered / met / behind by child organisation and by category, in plain SQL."""
    from jingpei.ledger.compliance import year_caps
    from jingpei.ledger.rules import elapsed_fraction, period_for

    caps = year_caps()
    for rule in rules:
        period = period_for(rule, as_of)
        required = int(rule.required_hours * 10)
        expected = int(rule.required_hours * 10 * elapsed_fraction(period, as_of))
        forms = f"AND x.form IN ({', '.join(repr(f) for f in rule.forms)})" if rule.forms else ""
        if raw:
            source = (f"SELECT x.person_id, x.form, EXTRACT(YEAR FROM x.occurred_on) AS yr, SUM(x.hours * 10) AS t "
                      f"FROM ledger_ledgerentry x JOIN orgs_person p ON p.id = x.person_id "
                      f"JOIN orgs_organization o ON o.id = p.primary_org_id WHERE x.occurred_on BETWEEN "
                      f"'{period.start}' AND '{period.end}' {forms} AND o.path LIKE '{root.path}%' GROUP BY 1, 2, 3")
        else:
            source = (f"SELECT x.person_id, x.form, EXTRACT(YEAR FROM x.month) AS yr, SUM(x.tenths) AS t "
                      f"FROM ledger_monthrollup x JOIN orgs_person p ON p.id = x.person_id "
                      f"JOIN orgs_organization o ON o.id = p.primary_org_id WHERE x.month BETWEEN "
                      f"'{period.start}' AND '{period.end}' {forms} AND o.path LIKE '{root.path}%' GROUP BY 1, 2, 3")
        capped = {f: c for f, c in caps.items() if not rule.forms or f in rule.forms}
        value = "CASE y.form " + " ".join(f"WHEN '{f}' THEN LEAST(y.t, {c})" for f, c in capped.items()) + \
            " ELSE y.t END" if capped else "y.t"
        earned = f"SELECT y.person_id, SUM({value}) AS t FROM ({source}) y GROUP BY y.person_id"
        ranks = f"AND p.rank_level IN ({', '.join(repr(r) for r in rule.rank_levels)})" if rule.rank_levels else ""
        for key, join in ((f"substr(o.path, 1, {len(root.path) + 4})", ""),
                          ("c.category_id", f"JOIN orgs_personcategory c ON c.person_id = p.id AND c.year = {as_of.year}")):
            cursor.execute(
                f"SELECT {key}, COUNT(*), SUM(CASE WHEN COALESCE(e.t, 0) >= {required} THEN 1 ELSE 0 END), "  # noqa: S608
                f"SUM(CASE WHEN COALESCE(e.t, 0) < {expected} THEN 1 ELSE 0 END) "
                f"FROM orgs_person p JOIN orgs_organization o ON o.id = p.primary_org_id {join} "
                f"LEFT JOIN ({earned}) e ON e.person_id = p.id "
                f"WHERE o.path LIKE '{root.path}%' AND p.archived_at IS NULL {ranks} GROUP BY 1")
            cursor.fetchall()


COUNTS_SQL = ("SELECT org_path, rule_id, category_id, met, on_track, behind, exempt FROM ledger_compliancecount "
              "WHERE (org_path = %s OR parent_path = %s) AND (met <> 0 OR on_track <> 0 OR behind <> 0 OR exempt <> 0)")


def raw_group_by(cursor, root, as_of):
    """THE baseline of the issue: one GROUP BY over the raw ledger (the subtree's entries of the year,
    summed per person)."""
    cursor.execute(
        "SELECT x.person_id, SUM(x.hours) FROM ledger_ledgerentry x JOIN orgs_person p ON p.id = x.person_id "
        "JOIN orgs_organization o ON o.id = p.primary_org_id WHERE x.occurred_on BETWEEN %s AND %s "
        "AND o.path LIKE %s GROUP BY x.person_id", [date(as_of.year, 1, 1), date(as_of.year, 12, 31), root.path + "%"])
    return cursor.fetchall()


def interleaved(fns: dict, repeat: int) -> tuple[dict, dict]:
    """Median seconds of each function, measured in turn so all see the same machine load; and the
    median of the per-round ratios of the first function to each other one. This machine slows down in
    bursts of tens of rounds (neighbours on the host); a ratio taken within one round sees the same
    burst on both sides, a ratio of two medians may not."""
    times: dict = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    first = times[next(iter(fns))]
    paired = {name: statistics.median(a / b for a, b in zip(first, t, strict=True)) for name, t in times.items()}
    return {name: statistics.median(t) for name, t in times.items()}, paired


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 12, 31))
    parser.add_argument("--repeat", type=int, default=3, help="runs of the raw GROUP BY (best taken)")
    parser.add_argument("--fast-repeat", type=int, default=300, help="interleaved runs of the materialised read")
    parser.add_argument("--skip-raw", action="store_true")
    parser.add_argument("--full-raw", action="store_true",
                        help="also the whole summary hand-written over the raw ledger (8 GROUP BYs)")
    parser.add_argument("--exact", action="store_true", help="also time the exact path (minutes at 1M people)")
    parser.add_argument("--dirty", type=int, default=0, help="then credit N people and time the next summary")
    parser.add_argument("--rebuild", action="store_true", help="(re)materialise first and time it")
    args = parser.parse_args()
    connection = setup()
    from jingpei.core import prepared
    from jingpei.ledger import standing
    from jingpei.ledger.compliance import subtree_summary
    from jingpei.ledger.models import ComplianceState, RequirementRule
    from jingpei.orgs.models import Organization

    rules = list(RequirementRule.objects.switched_on().select_related("org"))
    district = Organization.objects.get(depth=1)
    township = Organization.objects.filter(depth=2).order_by("path").first()
    with connection.cursor() as c:
        c.execute("SELECT (SELECT count(*) FROM orgs_person), (SELECT count(*) FROM orgs_organization), "
                  "(SELECT count(*) FROM ledger_ledgerentry), (SELECT count(*) FROM ledger_monthrollup)")
        people, orgs, entries, rollups = c.fetchone()
    print(f"scale: {people:,} people, {orgs:,} organisations, {entries:,} ledger entries, {rollups:,} rollup rows; "
          f"{len(rules)} rules; as of {args.as_of}", flush=True)
    state = ComplianceState.objects.filter(pk=1).first()
    rebuild_s = None
    if args.rebuild or state is None or state.stale or state.as_of != args.as_of:
        start = time.perf_counter()
        stats = standing.rebuild(args.as_of)
        rebuild_s = time.perf_counter() - start
        print(f"materialised as of {stats['as_of']}: {stats['facts']:,} facts, {stats['counts']:,} count rows, "
              f"{stats['special']:,} special; {rebuild_s:.1f} s", flush=True)
    # This machine's PostgreSQL runs with autovacuum off; the dirty set churns (every credit inserts, every
    # summary deletes), and an unvacuumed dirty table makes the freshness check scan dead rows. Do what
    # autovacuum would have done before measuring.
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE ledger_compliancedirty, ledger_compliancecount, ledger_compliancestate")
    print(f"prepared statements in use: {prepared.native(connection)}")
    print(f"{'figure':96} {'seconds':>9} {'baseline':>9} {'ratio':>10}")
    for label, root in (("whole district", district), ("one township", township)):
        fast = standing.summary(root)
        assert fast is not None and fast.as_of == args.as_of
        with connection.cursor() as c:
            def hand(c=c, root=root):
                c.execute(COUNTS_SQL, [root.path, root.path])
                return c.fetchall()

            m, paired = interleaved({
                "ours": lambda root=root: standing.summary(root),
                "hand": hand,
                "hand_prepared": lambda root=root: prepared.fetchall(COUNTS_SQL, [root.path, root.path]),
                "statement": lambda root=root: standing._read(root),
            }, args.fast_repeat)
            ours = m["ours"]
            for key, what in (("hand_prepared", "hand SQL over the counts, prepared (like for like)"),
                              ("hand", "hand SQL over the counts, unprepared (Django cursor)"),
                              ("statement", "the service's own statement sent by hand, prepared")):
                print(f"{'materialised summary, ' + label + ' vs ' + what:96} {ours:9.5f} {m[key]:9.5f} "
                      f"{ours / m[key]:9.2f}x  (per-round ratios' median {paired[key]:.2f}x)", flush=True)
            print(f"    (interleaved medians of {args.fast_repeat} runs; load average {os.getloadavg()})", flush=True)
            if not args.skip_raw:
                raw = best(lambda root=root, c=c: raw_group_by(c, root, args.as_of), args.repeat)
                print(f"{'materialised summary, ' + label + ' vs one GROUP BY raw ledger':96} {ours:9.5f} {raw:9.3f} "
                      f"{raw / ours:8.0f}x faster   (load average {os.getloadavg()})", flush=True)
            if args.full_raw:
                full = best(lambda root=root, c=c: hand_written(c, rules, root, args.as_of, raw=True), 1)
                print(f"{'materialised summary, ' + label + ' vs whole summary in SQL on raw':96} {ours:9.5f} "
                      f"{full:9.3f} {full / ours:8.0f}x faster", flush=True)
                if rebuild_s and root is district:
                    print(f"{'daily full re-materialisation vs that raw GROUP BY':96} {rebuild_s:9.1f} {raw:9.1f} "
                          f"{rebuild_s / raw:9.2f}x", flush=True)
            if args.exact:
                exact = best(lambda root=root: subtree_summary(root, as_of=args.as_of, rules=rules), 1)
                print(f"{'exact path (subtree_summary: the subtree evaluated for the date), ' + label:96} {exact:9.3f} {ours:9.5f} {exact / ours:8.0f}x",
                      flush=True)
                totals = {s.rule.pk: (s.total.covered, s.total.met, s.total.behind, s.total.exempt)
                          for s in subtree_summary(root, as_of=args.as_of, rules=rules)}
                mine = {s.rule.pk: (s.total.covered, s.total.met, s.total.behind, s.total.exempt) for s in fast.summaries}
                print(f"    exact totals == materialised totals: {totals == mine}", flush=True)
        print(f"    ({label}: {sum(s.total.covered for s in fast.summaries):,} person-rule pairs covered)", flush=True)
    if args.dirty:
        # N people credited since the build: the next summary folds them in first (Python, per person).
        from jingpei.ledger.services import CreditItem, credit_many
        from jingpei.orgs.models import Person

        ids = list(Person.objects.filter(primary_org__path__startswith=district.path).order_by("?")
                   .values_list("id", flat=True)[: args.dirty])
        stamp = time.time_ns()
        credit_many([CreditItem(i, Decimal("1.5"), "online", args.as_of, f"bench-dirty:{stamp}:{i}") for i in ids])
        start = time.perf_counter()
        standing.summary(district)
        folded = time.perf_counter() - start
        clean = best(lambda: standing.summary(district), 5)
        print(f"{'summary, whole district, with ' + str(args.dirty) + ' dirty people folded in':96} {folded:9.3f} "
              f"{clean:9.5f} {folded / clean:8.0f}x", flush=True)


if __name__ == "__main__":
    main()
