"""The drill-down behind a compliance summary (the people behind on one rule, 50 a page, sorted), from the
materialised facts, against hand-written SQL returning the same page (its count and 50 rows with names);
and the exact path it replaced (every person of the subtree evaluated in Python) where that finishes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jp_ledger_scale \\
    flock /tmp/jingpei-bench.lock .venv/bin/python bench/ledger_drilldown.py [--as-of 2026-12-31] [--exact]

Needs the data of ``bench/ledger_scale.py``; materialises it as of ``--as-of`` when that is not done.
"""

from __future__ import annotations

import argparse
import time
from datetime import date

from ledger_compliance import interleaved
from ledger_scale import setup

LAGGING = ("behind", "missed", "will_miss")
ORDER_SQL = {"gap": "f.required - f.earned DESC, f.pinyin, f.person_id", "name": "f.pinyin, f.person_id"}
PAGE_SQL = ("SELECT f.person_id, p.name, o.name, f.required, f.earned, f.status FROM ("
            "SELECT f.person_id, f.required, f.earned, f.status, f.pinyin FROM ledger_compliancefact f "
            "WHERE f.rule_id = %s AND f.org_path LIKE %s AND f.status IN ('behind', 'missed', 'will_miss') "
            "ORDER BY {order} LIMIT 50) f "
            "JOIN orgs_person p ON p.id = f.person_id JOIN orgs_organization o ON o.id = p.primary_org_id "
            "ORDER BY {order}")
COUNT_SQL = ("SELECT count(*) FROM ledger_compliancefact f WHERE f.rule_id = %s AND f.org_path LIKE %s "
             "AND f.status IN ('behind', 'missed', 'will_miss')")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 12, 31))
    parser.add_argument("--repeat", type=int, default=20, help="interleaved runs of each page read")
    parser.add_argument("--exact", action="store_true", help="also time the exact path on the district (minutes)")
    parser.add_argument("--other", type=date.fromisoformat, default=date(2026, 6, 30),
                        help="another date, for the drill-down that cannot read the materialised facts")
    args = parser.parse_args()
    connection = setup()
    from django.core.paginator import Paginator

    from jingpei.ledger import standing
    from jingpei.ledger.compliance import people_for_rule
    from jingpei.ledger.models import RequirementRule
    from jingpei.orgs.models import Organization

    standing.ensure_current(args.as_of)
    rule = RequirementRule.objects.get(code="online-yearly")
    district = Organization.objects.get(depth=1)
    township = Organization.objects.filter(depth=2).order_by("path").first()
    village = Organization.objects.filter(depth=3, path__startswith=township.path).order_by("path").first()

    def ours(root, order):
        listing = standing.fact_listing(root, rule, as_of=args.as_of, statuses=set(LAGGING), order=order)
        return list(Paginator(listing, 50).get_page(1))

    def hand(root, order):
        with connection.cursor() as cursor:
            cursor.execute(COUNT_SQL, [rule.pk, root.path + "%"])
            cursor.fetchone()
            cursor.execute(PAGE_SQL.format(order=ORDER_SQL[order]), [rule.pk, root.path + "%"])
            return cursor.fetchall()

    print(f"{'drill-down page 1 (50 of the people behind), ' + rule.code:72} {'ours s':>9} {'hand SQL':>9} "
          f"{'ratio':>7} {'paired':>7}  people behind")
    for label, root in (("district", district), ("township", township), ("village", village)):
        for order in ("gap", "name"):
            behind = len(hand(root, order)) and standing.fact_listing(
                root, rule, as_of=args.as_of, statuses=set(LAGGING)).count()
            assert [p.pk for p, _r in ours(root, order)] == [row[0] for row in hand(root, order)]
            medians, paired = interleaved({"ours": lambda r=root, o=order: ours(r, o),
                                           "hand": lambda r=root, o=order: hand(r, o)}, args.repeat)
            print(f"{label + ', by ' + order:72} {medians['ours']:9.4f} {medians['hand']:9.4f} "
                  f"{medians['ours'] / medians['hand']:6.2f}x {paired['hand']:6.2f}x  {behind:,}", flush=True)
    roots = (("village", village), ("township", township)) + ((("district", district),) if args.exact else ())
    for label, root in roots:
        start = time.perf_counter()
        results = people_for_rule(root, rule, as_of=args.as_of, statuses=set(LAGGING))
        results.sort(key=lambda pr: -pr[1].gap)
        exact = time.perf_counter() - start
        start = time.perf_counter()
        ours(root, "gap")
        mine = time.perf_counter() - start
        print(f"{'person by person (every person evaluated), ' + label:72} {exact:9.3f} {mine:9.4f} "
              f"{exact / mine:6.0f}x slower  {len(results):,}", flush=True)
    # Another date than the materialised one: the subtree evaluated into a temporary table per request
    # (standing.listing_at), against the person-by-person evaluation it replaced.
    for label, root in roots:
        def at(root=root):
            listing = standing.listing_at(root, rule, args.other, statuses=set(LAGGING), order="gap")
            return list(Paginator(listing, 50).get_page(1)), listing.count()

        start = time.perf_counter()
        page, behind = at()
        mine = time.perf_counter() - start
        start = time.perf_counter()
        results = people_for_rule(root, rule, as_of=args.other, statuses=set(LAGGING))
        results.sort(key=lambda pr: (-pr[1].gap, pr[0].pinyin, pr[0].pk))
        exact = time.perf_counter() - start
        assert [p.pk for p, _r in page] == [p.pk for p, _r in results[:50]] and behind == len(results)
        print(f"{'as of ' + args.other.isoformat() + ', page 1 (listing_at) vs person by person, ' + label:72} "
              f"{mine:9.3f} {exact:9.3f} {exact / mine:6.1f}x faster  {behind:,}", flush=True)


if __name__ == "__main__":
    main()
