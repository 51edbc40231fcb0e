"""Completing and cancelling a class of 500: the time and the statements each takes.

    .venv/bin/python bench/classes_complete.py [--scale 500] [--postgres]

Builds the class of ``bench/classes_signin.py`` (``scale`` admitted trainees, one session), signs every
trainee in, completes it (the rule, ``scale`` credits through the ledger, ``scale`` certificate rows; the
PDFs are left to their background job as for any class this size), then cancels a second class with the
same list. Prints ``figure  statements``: the statements must not grow with the class.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from classes_signin import build, prepare_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=500)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    prepare_database(args.postgres)
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from jingpei.classes import services
    from jingpei.classes.models import Attendance, Enrolment

    session, users = build(args.scale)
    klass = session.klass
    listed = list(Enrolment.objects.filter(klass=klass).select_related("org"))
    Attendance.objects.bulk_create(Attendance(session=session, enrolment=e, status="present", method="scan",
                                              signed_at=timezone.now()) for e in listed)
    other = services.create_class(actor=None, organizer=klass.organizer, title="同一名单的另一个班",
                                  start_date=klass.start_date, end_date=klass.end_date, capacity=args.scale)
    Enrolment.objects.bulk_create(Enrolment(klass=other, person_id=e.person_id, org=e.org, status="approved")
                                  for e in listed)
    for label, call in (
        (f"completing a class of {args.scale}", lambda: services.complete_class(actor=None, klass=klass,
                                                                                 inline_pdfs=False)),
        (f"cancelling a class of {args.scale}", lambda: services.cancel_class(actor=None, klass=other,
                                                                               reason="天气原因")),
    ):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            call()
            seconds = time.perf_counter() - start
        print(f"{label + ' (' + connection.vendor + ')':60} {seconds:7.2f} s {len(queries):6d} statements", flush=True)


if __name__ == "__main__":
    main()
