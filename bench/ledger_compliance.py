"""Compliance summary of a subtree for a year, all rules: ``subtree_summary`` vs the same counts by
hand-written SQL over the same rollup tables, and vs GROUP BY over the raw ledger.

    .venv/bin/python bench/ledger_scale.py --people 100000 --entries 5000000   # once
    .venv/bin/python bench/ledger_compliance.py [--as-of 2026-12-31] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from datetime import date

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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 12, 31))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-raw", action="store_true")
    args = parser.parse_args()
    connection = setup()
    from jingpei.ledger.compliance import subtree_summary
    from jingpei.ledger.models import RequirementRule
    from jingpei.orgs.models import Organization

    rules = list(RequirementRule.objects.switched_on().select_related("org"))
    district = Organization.objects.get(depth=1)
    township = Organization.objects.filter(depth=2).order_by("path").first()
    with connection.cursor() as c:
        c.execute("SELECT (SELECT count(*) FROM orgs_person), (SELECT count(*) FROM ledger_ledgerentry), "
                  "(SELECT count(*) FROM ledger_monthrollup)")
        people, entries, rollups = c.fetchone()
    print(f"scale: {people:,} people, {entries:,} ledger entries, {rollups:,} rollup rows; {len(rules)} rules; "
          f"as of {args.as_of}")
    print(f"{'figure':58} {'seconds':>9} {'baseline':>9} {'ratio':>8}")
    for label, root in (("whole district", district), ("one township", township)):
        check = subtree_summary(root, as_of=args.as_of, rules=rules)
        ours = best(lambda root=root: subtree_summary(root, as_of=args.as_of, rules=rules), args.repeat)
        with connection.cursor() as c:
            hand = best(lambda root=root, c=c: hand_written(c, rules, root, args.as_of, raw=False), args.repeat)
            print(f"{'summary ' + label + ' vs hand SQL over rollups':58} {ours:9.3f} {hand:9.3f} {ours / hand:7.2f}x")
            if not args.skip_raw:
                raw = best(lambda root=root, c=c: hand_written(c, rules, root, args.as_of, raw=True), 1)
                print(f"{'summary ' + label + ' vs GROUP BY raw ledger':58} {ours:9.3f} {raw:9.3f} {raw / ours:7.1f}x faster")
        print(f"    ({label}: {sum(s.total.covered for s in check):,} person-rule pairs covered)")


if __name__ == "__main__":
    main()
