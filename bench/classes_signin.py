"""500 trainees scan the projected code within one minute: no sign-in lost, none counted twice.

    .venv/bin/python bench/classes_signin.py [--scale 500] [--threads 16] [--postgres]

Builds a class with ``scale`` approved trainees in a fresh database, logs each one in (a session
cookie, as the phone would hold), then lets ``threads`` workers hit the scan URL through Django's full
request stack, each request reading the code current at that instant; every tenth trainee scans
twice. Prints ``figure  baseline  ratio`` lines; the baseline is the requirement (500 in 60 s).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def prepare_database(postgres: bool) -> None:
    if postgres:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS jp_classes_bench")
            conn.execute("CREATE DATABASE jp_classes_bench")
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/jp_classes_bench"
    else:
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
        path = ROOT / "var" / "bench" / "classes_signin.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingpei.settings")
    os.environ.setdefault("JINGPEI_DATA", str(ROOT / "var" / "bench"))


def build(scale: int):
    from django.core.management import call_command
    from django.utils import timezone

    from jingpei.accounts.models import User
    from jingpei.classes import services
    from jingpei.classes.models import Enrolment
    from jingpei.orgs import services as org_services
    from tests.factories import valid_id

    call_command("migrate", verbosity=0)
    district = org_services.create_org(actor=None, parent=None, name="召陵区", kind="district")
    town = org_services.create_org(actor=None, parent=district, name="老窝镇", kind="township")
    today = timezone.localdate()
    klass = services.create_class(actor=None, organizer=district, title="千人大讲堂", start_date=today,
                                  end_date=today, capacity=scale)
    now = timezone.now()
    session = services.add_session(actor=None, klass=klass, starts_at=now - timedelta(minutes=1),
                                   ends_at=now + timedelta(hours=2), subject="乡村振兴政策解读", hours=2)
    users = []
    for i in range(scale):
        person, _w = org_services.create_person(actor=None, name="学员" + "".join("〇一二三四五六七八九"[int(d)] for d in f"{i:04d}"), id_number=valid_id(date(1970, 1, 1) + timedelta(days=i // 400), seq=i % 400),
                                                primary_org=town)
        users.append(User.objects.create(username=f"t{i:04d}", person=person))
    # Setup shortcut (bench only): admitted trainees straight in, not through nominate/confirm/approve.
    Enrolment.objects.bulk_create(Enrolment(klass=klass, person=u.person, org=town, status="approved")
                                  for u in users)
    return session, users


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=500)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    prepare_database(args.postgres)

    import django

    django.setup()
    from django.conf import settings

    # No collectstatic for a bench run: serve asset names unhashed, as the test settings do.
    settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    from django.db import connections
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from jingpei.classes import signin
    from jingpei.classes.models import Attendance

    t0 = time.perf_counter()
    session, users = build(args.scale)
    clients = []
    for user in users:
        client = Client(HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 13) MicroMessenger/8.0.40")
        client.force_login(user)
        clients.append(client)
    build_s = time.perf_counter() - t0
    connections.close_all()

    # Every tenth trainee scans twice (a nervous double tap): must not count twice.
    work = [(i, c) for i, c in enumerate(clients)] + [(i, c) for i, c in enumerate(clients) if i % 10 == 0]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    cursor = iter(work)
    barrier = threading.Barrier(args.threads)

    def worker():
        barrier.wait()
        while True:
            with lock:
                item = next(cursor, None)
            if item is None:
                break
            _i, client = item
            token = signin.make_token(session.pk, timezone.now())  # what the projector shows now
            start = time.perf_counter()
            response = client.get(reverse("classes:scan", kwargs={"token": token}))
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(args.threads)]
    t1 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t1

    rows = Attendance.objects.filter(session=session).count()
    distinct = Attendance.objects.filter(session=session).values("enrolment_id").distinct().count()
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    engine = "postgresql" if args.postgres else "sqlite"
    print(f"# {engine}, {args.scale} trainees, {len(work)} scans, {args.threads} threads, build {build_s:.1f}s,"
          f" statuses {statuses}")
    print("figure  baseline  ratio")
    print(f"signin_wall_seconds  {wall:.2f}  60  {wall / 60:.3f}")
    print(f"signin_per_minute  {len(work) / wall * 60:.0f}  500  {len(work) / wall * 60 / 500:.2f}")
    print(f"signin_p95_ms  {p95 * 1000:.0f}  1000  {p95:.3f}")
    print(f"attendance_rows  {rows}  {args.scale}  {rows / args.scale:.3f}")
    print(f"duplicate_rows  {rows - distinct}  0  -")
    # Completion of the same class: rule, ledger credit and a certificate PDF per trainee, at once.
    from jingpei.classes import services
    from jingpei.classes.models import Certificate

    t2 = time.perf_counter()
    services.complete_class(actor=None, klass=session.klass)
    completion = time.perf_counter() - t2
    certs = Certificate.objects.filter(klass=session.klass).count()
    print(f"completion_seconds  {completion:.2f}  30  {completion / 30:.3f}")
    print(f"certificates_issued  {certs}  {args.scale}  {certs / args.scale:.3f}")
    if rows != args.scale or rows != distinct or set(statuses) != {200}:
        sys.exit("FAILED: lost or duplicated sign-ins")


if __name__ == "__main__":
    main()
