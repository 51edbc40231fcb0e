"""Credits per second through the service on PostgreSQL: ``credit_many`` in batches (imports, bulk
completions) and ``credit_hours`` one call at a time (a sign-in), each with its rollup upsert and
audit row. Target: at least 2,000 credits a second.

    .venv/bin/python bench/ledger_credit.py [--credits 20000] [--batch 1000] [--single 1000]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta
from decimal import Decimal

from ledger_scale import setup


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--credits", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--single", type=int, default=1000)
    args = parser.parse_args()
    setup()
    from jingpei.ledger import services
    from jingpei.ledger.services import CreditItem
    from jingpei.orgs.models import Person

    rng = random.Random(7)
    ids = list(Person.objects.order_by("?").values_list("id", flat=True)[:5000])
    run = f"{time.time_ns()}"
    forms = ["online", "external", "class", "branch"]

    def item(i):
        return CreditItem(rng.choice(ids), Decimal(rng.randint(1, 40)) / 10, rng.choice(forms),
                          date(2026, 1, 1) + timedelta(days=rng.randint(0, 330)), f"bench-credit:{run}:{i}")

    items = [item(i) for i in range(args.credits)]
    # Batches alternate between the service as it is and the same service without the dirty mark of the
    # materialised compliance (the baseline of this change), so both see the same machine load.
    from jingpei.ledger import standing

    marking = standing.mark_dirty
    created = unmarked_created = 0
    bulk = unmarked = 0.0
    for n, i in enumerate(range(0, len(items), args.batch)):
        standing.mark_dirty = marking if n % 2 == 0 else (lambda ids: None)
        start = time.perf_counter()
        done = services.credit_many(items[i : i + args.batch])
        spent = time.perf_counter() - start
        if n % 2 == 0:
            created, bulk = created + done, bulk + spent
        else:
            unmarked_created, unmarked = unmarked_created + done, unmarked + spent
    standing.mark_dirty = marking
    again = time.perf_counter()
    services.credit_many(items[: args.batch])  # a re-sent batch: all keys exist, nothing credited
    resend = time.perf_counter() - again
    people = {p.pk: p for p in Person.objects.filter(pk__in=ids).select_related("primary_org")}
    singles = [item(args.credits + i) for i in range(args.single)]
    start = time.perf_counter()
    for it in singles:
        services.credit_hours(person=people[it.person_id], hours=it.hours, form=it.form, occurred_on=it.occurred_on,
                              idempotency_key=it.idempotency_key)
    single = time.perf_counter() - start
    print(f"{'figure':50} {'credits/s':>10} {'target':>8} {'ratio':>7}")
    print(f"{f'credit_many, batches of {args.batch} ({created:,} credits)':50} {created / bulk:10,.0f} {2000:8,} {created / bulk / 2000:6.1f}x")
    if unmarked_created:
        rate, base = created / bulk, unmarked_created / unmarked
        print(f"{'same, without the dirty mark (interleaved batches)':50} {base:10,.0f} {'':8} {rate / base:6.2f}x (marked / unmarked)")
    print(f"{'credit_hours, one call each (' + format(args.single, ',') + ' credits)':50} {args.single / single:10,.0f} {2000:8,} {args.single / single / 2000:6.2f}x")
    print(f"re-sent batch of {args.batch} (all duplicates): {resend * 1000:.0f} ms, 0 credited")


if __name__ == "__main__":
    main()
