"""District view of branch sessions at scale, and the ledger cost of crediting attendees.

    .venv/bin/python bench/activities_district.py [--scale 1]

Scale 1 is the demo district: 378 branches, ~5 members each, ~3,600 sessions in the year. Builds its
own SQLite database in a temporary folder (or uses DATABASE_URL if set to PostgreSQL), bulk-inserts
the scale, then measures. Prints ``figure  baseline  ratio`` (ratio < 1 is within the budget).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
TMP = tempfile.mkdtemp(prefix="jp-bench-activities-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{TMP}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingpei.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

# budgets (ms), what a page may cost at scale 1
BUDGET = {"district_summary": 400, "branch_summary": 100, "export_xlsx": 1000, "credit_hours_each": 3}


def build(scale: int, rng: random.Random) -> tuple:
    from jingpei.activities.models import BranchSession, SessionAttendance, topic_key
    from jingpei.demo.builder import TreeBuilder
    from jingpei.orgs.models import Membership, Organization, Person

    tree = TreeBuilder()
    district = tree.add(None, "召陵区", "district")
    made = 0
    for t in range(8 * scale):
        town = tree.add(district, f"镇{t}", "township")
        for v in range(48):
            village = tree.add(town, f"村{t}-{v}", "village")
            if made < 378 * scale:
                tree.add(village, f"村{t}-{v}党支部", "branch")
                made += 1
    orgs = tree.save()
    branches = [o for o in orgs if o.kind == "branch"]
    people = [Person(name=f"人{i}", gender="M", birth_date=date(1980, 1, 1), id_cipher="x", id_hash=f"h{i}",
                     id_masked="x", primary_org=branches[i % len(branches)]) for i in range(5 * len(branches))]
    Person.objects.bulk_create(people, batch_size=2000)
    people = list(Person.objects.order_by("id"))
    Membership.objects.bulk_create([Membership(person=p, org_id=p.primary_org_id, is_primary=True) for p in people],
                                   batch_size=2000)
    members: dict[int, list] = {}
    for p in people:
        members.setdefault(p.primary_org_id, []).append(p)
    today = date.today()
    start = date(today.year, 1, 1)
    sessions, seen = [], set()
    for i in range(int(3600 * scale)):
        b = rng.choice(branches)
        d = start + timedelta(days=rng.randrange((today - start).days + 1))
        if (b.pk, d) in seen:
            continue
        seen.add((b.pk, d))
        sessions.append(BranchSession(branch=b, held_on=d, topic=f"学习{i}", topic_key=topic_key(f"学习{i}"),
                                      hours=Decimal("1.5"), attendee_count=len(members[b.pk]) - 1))
    BranchSession.objects.bulk_create(sessions, batch_size=2000)
    SessionAttendance.objects.bulk_create(
        [SessionAttendance(session=s, person=p) for s in sessions for p in members[s.branch_id][1:]], batch_size=5000)
    return Organization.objects.get(pk=district.pk), branches[0], len(sessions), members[branches[0].pk]


def timed(fn, repeat: int = 3) -> tuple[float, int]:
    best, queries = float("inf"), 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            fn()
            best = min(best, (time.perf_counter() - t) * 1000)
        queries = len(ctx.captured_queries)
    return best, queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    t = time.perf_counter()
    district, branch, n_sessions, people = build(args.scale, rng)
    if connection.vendor == "postgresql":  # fresh bulk inserts have no statistics yet: plan as production would
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"# scale {args.scale}: {n_sessions} sessions built in {time.perf_counter() - t:.1f}s on {connection.vendor}")

    from jingpei.activities import exports, queries
    from jingpei.ledger.models import TrainingForm
    from jingpei.ledger.services import credit_hours

    period = queries.Period.parse(None)
    rows = []
    ms, q = timed(lambda: queries.district_summary(district, period))
    rows.append(("district_summary", ms, q))
    ms, q = timed(lambda: queries.branch_summary(branch, period))
    rows.append(("branch_summary", ms, q))
    summary = queries.district_summary(district, period)
    ms, q = timed(lambda: exports.district_workbook(summary), repeat=1)
    rows.append(("export_xlsx", ms, q))

    n = 300
    person = type(people[0]).objects.select_related("primary_org").get(pk=people[0].pk)
    with transaction.atomic():
        t = time.perf_counter()
        for i in range(n):
            credit_hours(person=person, hours="1", form=TrainingForm.BRANCH, occurred_on=date.today(),
                         idempotency_key=f"bench:{i}")
        rows.append(("credit_hours_each", (time.perf_counter() - t) * 1000 / n, 0))

    print(f"{'figure':<22}{'ms':>10}{'queries':>9}{'baseline':>10}{'ratio':>8}")
    for name, ms, q in rows:
        print(f"{name:<22}{ms:>10.1f}{q:>9}{BUDGET[name] * args.scale if name != 'credit_hours_each' else BUDGET[name]:>10}"
              f"{ms / (BUDGET[name] * (args.scale if name != 'credit_hours_each' else 1)):>8.2f}")
    per = rows[-1][1]
    print(f"# demo credits (~18,000 attendances) through credit_hours: ~{per * 18000 / 1000:.0f}s")


if __name__ == "__main__":
    main()
