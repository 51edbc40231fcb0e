"""Exporting the people list against xlsxwriter's constant-memory mode writing the same prepared rows.

    .venv/bin/python bench/roster_export.py [--rows 100000] [--attempts 2] [--only masked|unmasked]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jp_roster_bench .venv/bin/python bench/roster_export.py

The people are inserted directly (the import has its own benchmark). Figures: export rate as a share of
the plain xlsxwriter rate (target >= 0.8), and memory growth during the export (should stay flat).
"""

from __future__ import annotations

import os
import time
from itertools import cycle, islice

from roster_common import arguments, build_district, report, setup_django


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def populate(n: int) -> None:
    from datetime import date, timedelta

    from django.db import connection, transaction
    from django.utils import timezone

    from jingpei.core import crypto
    from jingpei.demo import names
    from jingpei.orgs.models import Category, Membership, Organization, Person, PersonCategory
    from jingpei.roster.inserts import insert_rows

    district = Organization.objects.get(name="召陵区")
    branches = list(Organization.objects.filter(path__startswith=district.path, kind="branch").values_list("id", flat=True))
    cats = list(Category.objects.values_list("id", flat=True))
    cipher, phone = crypto.encrypt("411104198005170016"), crypto.encrypt("13800001111")
    now, start, batch = timezone.now(), Person.objects.count(), 5000
    for offset in range(0, n, batch):
        with transaction.atomic():
            rows = []
            for i in range(offset, min(n, offset + batch)):
                name = names.SURNAMES[i % len(names.SURNAMES)] + names.GIVEN_MALE[i % len(names.GIVEN_MALE)] + \
                    names.GIVEN_FEMALE[(i // 7) % len(names.GIVEN_FEMALE)]
                rows.append({"name": name, "gender": "M", "ethnicity": "汉族",
                             "birth_date": date(1960, 1, 1) + timedelta(days=i % 15000), "id_cipher": cipher,
                             "id_hash": f"bench{i}", "id_masked": "4111**********0016", "phone_cipher": phone,
                             "phone_hash": "", "phone_masked": "138****1111", "political_status": "cpc",
                             "position": "村委委员", "rank_level": "village", "primary_org": branches[i % len(branches)],
                             "pinyin": f" p{i:07d}", "initials": " p", "created_at": now, "updated_at": now})
            insert_rows(Person, rows)
            ids = list(Person.objects.order_by("-id").values_list("id", "primary_org_id")[: len(rows)])
            insert_rows(Membership, [{"person": pid, "org": org, "is_primary": True, "created_at": now} for pid, org in ids])
            insert_rows(PersonCategory, [{"person": pid, "category": cats[pid % len(cats)], "year": 2026}
                                         for pid, _org in ids])
    assert Person.objects.count() - start == n
    if connection.vendor == "postgresql":
        # What autovacuum does within a minute of a load (and the import itself after 10k rows):
        # without statistics the planner sorts the export in a plan fit for two rows.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def main() -> None:
    args = arguments(100_000)
    scratch = setup_django("roster-export")
    import xlsxwriter
    from django.db import connection

    from jingpei.accounts import services as accounts
    from jingpei.core.permissions import Role
    from jingpei.orgs.models import Organization
    from jingpei.roster import exports, services
    from jingpei.roster.models import RosterExport

    officer = build_district()
    district = Organization.objects.get(name="召陵区")
    liaison = accounts.create_user(actor=None, username="bench_liaison", password="Bench-pass-2026")
    accounts.grant_role(actor=None, user=liaison, role=Role.LIAISON, org=district)
    started = time.perf_counter()
    populate(args.rows)
    print(f"built {args.rows} people in {time.perf_counter() - started:.0f} s")
    lines = []
    users = (("masked (liaison)", liaison), ("unmasked, audited (officer)", officer))
    for label, user in users:
        if args.only and not label.startswith(args.only):
            continue
        # Best of --attempts runs each, interleaved: the machine is shared and its load swings.
        ours, baseline, growth, first = [], [], [], []
        for _attempt in range(args.attempts):
            export = RosterExport.objects.create(created_by=user, filters={"year": 2026})
            before, peak, first_chunk = rss_mb(), [0.0], []

            def sample(done, total=None, peak=peak, first_chunk=first_chunk):
                peak[0] = max(peak[0], rss_mb())
                if not first_chunk:  # the server's time to the first rows (it sorts the whole list first)
                    first_chunk.append(time.perf_counter())

            started = time.perf_counter()
            services.write_export(export=export, progress=sample)
            ours.append(time.perf_counter() - started)
            first.append(first_chunk[0] - started)
            growth.append(max(peak[0] - before, 0))
            rows = export.rows

            # Baseline: the same cells, already prepared, written by xlsxwriter in constant-memory mode.
            qs = exports.export_queryset(user, year=2026)
            prepared = list(islice(exports.export_rows(qs, year=2026, stats={"rows": 0, "revealed": 0}), 20000))
            book = xlsxwriter.Workbook(str(scratch / "baseline.xlsx"), {"constant_memory": True})
            sheet = book.add_worksheet()
            started = time.perf_counter()
            sheet.write_row(0, 0, exports.HEADERS)
            for n, cells in enumerate(islice(cycle(prepared), rows), start=1):
                sheet.write_row(n, 0, cells)
            book.close()
            baseline.append(time.perf_counter() - started)
        lines += [
            (f"export {label} rows/s", f"{rows / min(ours):,.0f}", f"{rows / min(baseline):,.0f}",
             f"{min(baseline) / min(ours):.2f}"),
            (f"export {label} memory growth (MB)", f"{max(growth):.0f}", "", ""),
            (f"export {label} seconds (ours / xlsxwriter)", f"{min(ours):.1f}", f"{min(baseline):.1f}", ""),
            (f"export {label} seconds to the first {exports.CHUNK:,} rows", f"{min(first):.1f}", "", ""),
        ]
    print(f"{connection.vendor}, {args.rows} people, load average {os.getloadavg()}")
    report(lines)


if __name__ == "__main__":
    main()
