"""Importing a roster end to end, against merely parsing the same file with python-calamine.

    .venv/bin/python bench/roster_import.py [--rows 100000] [--bad 0.1] [--format xlsx|csv]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jp_roster_bench .venv/bin/python bench/roster_import.py

Figures: the commit (read + validate + write, the whole import: what the commit job runs, start to
committed) and the user's whole path (check for the preview, then commit) as ratios to a calamine parse
of the same file, parsed before and after the import in the same run; the CPU seconds of both (less
sensitive to the load of a shared machine; on PostgreSQL the server's CPU is not in it); peak memory;
statements per 1,000 rows.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from roster_common import (
    QueryCounter,
    arguments,
    build_district,
    peak_rss_mb,
    report,
    roster_rows,
    setup_django,
    write_file,
)

PARSE = """
import csv, sys, time
from python_calamine import CalamineWorkbook
path, fmt = sys.argv[1], sys.argv[2]
started = time.perf_counter()
if fmt == "csv":
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for _row in csv.reader(handle):
            pass
else:
    for _row in CalamineWorkbook.from_path(path).get_sheet_by_index(0).iter_rows():
        pass
print(time.perf_counter() - started, time.process_time())
"""


def calamine_parse(path: Path, fmt: str) -> tuple[float, float]:
    """(wall, CPU) seconds of the parse in a child process, so that calamine's whole-sheet memory does
    not count in this process's peak. CPU includes the child's interpreter start (~0.05 s)."""
    out = subprocess.run([sys.executable, "-c", PARSE, str(path), fmt], capture_output=True, text=True, check=True)
    wall, cpu = out.stdout.split()
    return float(wall), float(cpu)


def main() -> None:
    args = arguments(100_000)
    scratch = setup_django("roster-import")
    from django.core.files import File
    from django.db import connection

    from jingpei.orgs.models import Person
    from jingpei.roster import services
    from jingpei.roster.models import RosterImport

    officer = build_district()
    path = write_file(scratch / f"roster.{args.format}", roster_rows(args.rows, args.bad), args.format)
    # The baseline is parsed before and after the import (interleaved): the machine is shared and its
    # load swings; the faster parse is kept, which can only make the ratio look worse.
    parses = [calamine_parse(path, args.format)]
    people_before = Person.objects.count()

    started = time.perf_counter()
    commit_only = args.rows > 200_000  # a million rows: skip the preview pass to keep the run short
    with path.open("rb") as handle:
        upload = File(handle, name=f"花名册.{args.format}")
        upload.size = path.stat().st_size
        imp = services.start_import(actor=officer, upload=upload)
    services.configure_import(actor=officer, roster_import=imp, mapping=imp.mapping, on_duplicate="update",
                              category_year=2026)
    imp.refresh_from_db()
    if commit_only:
        RosterImport.objects.filter(pk=imp.pk).update(status="validated", validated_at=imp.created_at)
    else:
        services.validate_import(roster_import=imp)
    checked = time.perf_counter() - started

    services.request_commit(actor=officer, roster_import=imp)
    imp = RosterImport.objects.get(pk=imp.pk)
    counter = QueryCounter()
    if connection.vendor == "postgresql":  # COPY goes around Django's cursor: count those calls too
        from jingpei.roster import inserts

        original = inserts.execute

        def counted(prepared, conn=None):
            counter.n += prepared is not None
            return original(prepared, conn)

        inserts.execute = counted
    started, cpu_started = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(counter):
        imp = services.commit_import(roster_import=imp)
    commit, commit_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    parses.append(calamine_parse(path, args.format))
    parse, parse_cpu = min(w for w, _c in parses), min(c for _w, c in parses)
    assert Person.objects.count() - people_before == imp.counts["new"]

    rows = imp.counts["total"]
    print(f"{connection.vendor}, {args.format}, {rows} rows, counts {imp.counts}; load average {os.getloadavg()}; "
          f"parses (wall, cpu) {[(round(w, 2), round(c, 2)) for w, c in parses]}")
    lines = [
        ("calamine parse (s)" if args.format == "xlsx" else "csv parse (s)", f"{parse:.2f}", "", ""),
        ("commit: read+validate+write (s)", f"{commit:.2f}", f"{parse:.2f}", f"{commit / parse:.1f}x"),
        ("commit CPU of this process (s) vs parse CPU", f"{commit_cpu:.2f}", f"{parse_cpu:.2f}",
         f"{commit_cpu / parse_cpu:.1f}x"),
        ("commit rows/s", f"{rows / commit:,.0f}", "20,000", f"{rows / commit / 20000:.2f}"),
        ("statements per 1,000 rows (commit)", f"{counter.n * 1000 / rows:.1f}", "1", ""),
        ("peak RSS (MB)", f"{peak_rss_mb():.0f}", "500", f"{peak_rss_mb() / 500:.2f}"),
    ]
    if not commit_only:
        lines.insert(3, ("check for preview + commit (s)", f"{checked + commit:.2f}", f"{parse:.2f}",
                         f"{(checked + commit) / parse:.1f}x"))
    report(lines)
    if not args.keep:
        import shutil

        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
