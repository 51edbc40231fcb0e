"""People list of a ~50k-person subtree at 1M people / 100k organisations, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jp_scale .venv/bin/python bench/people_list.py

Builds the scale with ``jingpei.demo.scale.build_scale`` if the database does not hold it yet (about
6 minutes at full size on a busy 2-core machine; later runs reuse it), picks the county whose subtree
holds closest to ``--target`` people, and measures page 1 of ``/people/?org=<county>`` with its total
count through the real page (Django test client, logged in as ``scale_officer``, a training officer of
the city root) against the same work as hand-written SQL: the COUNT and the page query with the same
EXISTS-on-membership-subtree filter, ORDER BY pinyin, id LIMIT 20, fetching the primary
organisation's name, and the categories of those 20 people (the page shows them). Prints figure, baseline and ratio (medians of ``--repeat`` runs), the page's query
count for subtrees whose page holds 1, a few and 20 rows, and with ``--explain`` the EXPLAIN ANALYZE of
the page's slowest queries.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingpei.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.db.models.functions import Substr  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import Resolver404, resolve  # noqa: E402
from django.utils import timezone  # noqa: E402

from jingpei.accounts.models import User  # noqa: E402
from jingpei.demo.scale import ROOT_NAME, build_scale  # noqa: E402
from jingpei.orgs.models import Membership, Organization, Person  # noqa: E402
from jingpei.orgs.queries import people_queryset  # noqa: E402

PAGE_SIZE = 20
# The hand-written baseline: what the page has to do, written directly.
SUBTREE = """
    p.archived_at IS NULL AND EXISTS (
        SELECT 1 FROM orgs_membership m JOIN orgs_organization o ON o.id = m.org_id
        WHERE m.person_id = p.id AND o.path LIKE %s)
"""
COUNT_SQL = f"SELECT count(*) FROM orgs_person p WHERE {SUBTREE}"  # noqa: S608 (constant text)
PAGE_SQL = f"""
    SELECT p.id, p.name, p.gender, p.birth_date, p.id_masked, p.phone_masked, p.political_status,
           p.position, p.rank_level, o.id, o.name
    FROM orgs_person p JOIN orgs_organization o ON o.id = p.primary_org_id
    WHERE {SUBTREE}
    ORDER BY p.pinyin, p.id LIMIT {PAGE_SIZE}
"""  # noqa: S608 (constant text)
# The page also shows each person's categories of the year.
CATEGORIES_SQL = """
    SELECT pc.person_id, c.name FROM orgs_personcategory pc JOIN orgs_category c ON c.id = pc.category_id
    WHERE pc.year = %s AND pc.person_id IN ({ids}) ORDER BY c.sort_order
"""


def ensure_scale(orgs: int, people: int, seed: int) -> Organization:
    call_command("migrate", interactive=False, verbosity=0)
    if not (settings.STATIC_ROOT / "staticfiles.json").exists():  # as `jingpei serve` prepares it
        call_command("collectstatic", interactive=False, verbosity=0)
    root = Organization.objects.filter(depth=1, name=ROOT_NAME).first()
    if root is None:
        print(f"building {orgs} organisations / {people} people (seed {seed}) …", flush=True)
        result = build_scale(
            orgs=orgs, people=people, seed=seed, progress=lambda m: print("  " + m, flush=True)
        )
        print(f"built in {result['seconds']} s", flush=True)
        root = Organization.objects.get(pk=result["root_id"])
    return root


def people_per_child(org: Organization) -> dict[str, int]:
    """Distinct people in each child subtree of ``org``: one GROUP BY over memberships."""
    width = len(org.path) + Organization.steplen
    rows = (
        Membership.objects.filter(org__path__startswith=org.path, org__depth__gt=org.depth)
        .annotate(prefix=Substr("org__path", 1, width))
        .values("prefix")
        .annotate(n=Count("person_id", distinct=True))
    )
    return {r["prefix"]: r["n"] for r in rows}


def pick_subtree(root: Organization, target: int) -> tuple[Organization, int]:
    counts = people_per_child(root)
    path = min(counts, key=lambda p: abs(counts[p] - target))
    return Organization.objects.get(path=path), counts[path]


def small_subtrees(county: Organization) -> list[Organization]:
    """Subtrees under ``county`` whose page 1 holds 1, a few, and a full page of people."""
    sizes = {}
    for org in Organization.objects.filter(path__startswith=county.path, kind__in=["branch", "village"])[
        :200
    ]:
        sizes.setdefault(min(Person.objects.in_subtree(org).count(), PAGE_SIZE), org)
        if {1, PAGE_SIZE} <= sizes.keys() and len(sizes) >= 3:
            break
    return [sizes[k] for k in sorted(sizes) if k > 0]


def interleaved_ms(fns: dict[str, object], repeat: int) -> dict[str, list[float]]:
    """Times of each function over ``repeat`` rounds, the functions taking turns within a round so that
    the load of a shared machine drifts over all of them alike."""
    for fn in fns.values():
        fn()  # warm the caches and the connection
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--target", type=int, default=50_000, help="people in the measured subtree")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the page's slowest queries")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("warning: this benchmark is meant for PostgreSQL (set DATABASE_URL)", file=sys.stderr)

    root = ensure_scale(args.orgs, args.people, args.seed)
    county, size = pick_subtree(root, args.target)
    print(f"database: {Person.objects.count()} people, {Organization.objects.count()} organisations")
    print(f"subtree: {county.name} (id {county.pk}, path {county.path}), {size} people")
    user = User.objects.get(username="scale_officer")

    try:
        resolve("/people/")
        through_page = True
    except Resolver404:
        through_page = False
    setup_test_environment()  # lets the test client through ALLOWED_HOSTS
    client = Client()
    client.force_login(user)

    def page(org: Organization) -> None:
        response = client.get("/people/", {"org": org.pk})
        assert response.status_code == 200, response.status_code

    def orm(org: Organization) -> None:
        user_fresh = User.objects.get(pk=user.pk)  # a request starts with no cached grants
        qs = people_queryset(user_fresh, org=org)
        qs.count()
        list(qs[:PAGE_SIZE])

    measure = page if through_page else orm
    label = (
        "GET /people/?org=<county> (test client)"
        if through_page
        else "people_queryset count + first 20 (ORM)"
    )

    def baseline() -> None:
        with connection.cursor() as cursor:
            cursor.execute(COUNT_SQL, [county.path + "%"])
            cursor.fetchone()
            cursor.execute(PAGE_SQL, [county.path + "%"])
            ids = [row[0] for row in cursor.fetchall()]
            placeholders = ", ".join(["%s"] * len(ids)) or "NULL"
            cursor.execute(CATEGORIES_SQL.format(ids=placeholders), [timezone.localdate().year, *ids])
            cursor.fetchall()

    with CaptureQueriesContext(connection) as captured:
        measure(county)
    # Copy now: every request clears the connection's query log the capture is a window on.
    page_queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
    if through_page:
        content = client.get("/people/", {"org": county.pk}).content.decode()
        if f"{size:,}" not in content and str(size) not in content:
            print(f"warning: the page does not show the total {size}", file=sys.stderr)

    # Where the time goes: the page's ORM calls as they are, and with the scope condition left out
    # (it is implied when the scope covers the chosen organisation, as it does for this user).
    def orm_without_scope() -> None:
        qs = Person.objects.in_subtree(county).filter(archived_at__isnull=True)
        qs = qs.select_related("primary_org").order_by("pinyin", "id")
        qs.count()
        list(qs[:PAGE_SIZE])

    runs = {"figure": lambda: measure(county), "baseline": baseline}
    if through_page:
        runs["orm"] = lambda: orm(county)
    runs["orm_without_scope"] = orm_without_scope
    times = interleaved_ms(runs, args.repeat)
    med = {name: statistics.median(t) for name, t in times.items()}
    paired = statistics.median(f / b for f, b in zip(times["figure"], times["baseline"], strict=True))
    figure, base = med["figure"], med["baseline"]
    print(f"\nmeasured: {label}, median of {args.repeat} interleaved rounds")
    print(f"{'figure':>10} {'baseline':>10} {'ratio':>7}")
    print(
        f"{figure:9.1f}ms {base:9.1f}ms {figure / base:6.2f}x   (target ≤ 2; median of per-round ratios {paired:.2f}x)"
    )
    if through_page:
        print(
            f"  the page's ORM calls alone (count + first 20): {med['orm']:.1f}ms ({med['orm'] / base:.2f}x)"
        )
    print(
        f"  the same without the scope EXISTS the chosen subtree implies: {med['orm_without_scope']:.1f}ms "
        f"({med['orm_without_scope'] / base:.2f}x)"
    )

    print(f"\nqueries of one page ({len(page_queries)}), slowest first:")
    for q in page_queries[:6]:
        print(f"  {float(q['time']) * 1000:8.1f}ms  {q['sql'][:110]}")
    counts = {}
    for org in [*small_subtrees(county), county]:
        with CaptureQueriesContext(connection) as c:
            measure(org)
        rows = min(Person.objects.in_subtree(org).count(), PAGE_SIZE)
        counts[rows] = len(c)
    print("query count by rows on the page: " + ", ".join(f"{r}→{n}" for r, n in sorted(counts.items())))
    print("constant" if len(set(counts.values())) == 1 else "GROWS WITH THE PAGE")

    if args.explain:
        with connection.cursor() as cursor:
            for q in page_queries[:2]:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                print("\n" + q["sql"][:300] + "\n" + "\n".join(r[0] for r in cursor.fetchall()))
            for sql in (COUNT_SQL, PAGE_SQL):
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, [county.path + "%"])
                print("\nbaseline:" + sql[:200] + "\n" + "\n".join(r[0] for r in cursor.fetchall()))


if __name__ == "__main__":
    main()
