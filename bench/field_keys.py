"""How long a field-key rotation holds its transaction: ``core.fieldkeys.rotate`` over N people.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jp_keys .venv/bin/python bench/field_keys.py --people 100000

Builds a city of ``--people`` people (``jingpei.demo.scale.build_scale``) if the database holds fewer, then
rotates to a new first key and measures it: the whole rotation (decrypt, re-encrypt and re-index every ID
and phone number, write them back, one transaction) against the same rows written back by one bare SQL
statement that changes nothing (``UPDATE … SET id_cipher = id_cipher, …``: the database's share of the
work). Prints people a second and the ratio. The rotation runs with the application stopped (deploy.md).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingpei.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import override_settings  # noqa: E402

from jingpei.core import fieldkeys  # noqa: E402
from jingpei.demo.scale import build_scale  # noqa: E402
from jingpei.orgs.models import Person  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    args = parser.parse_args()
    from django.conf import settings

    have = Person.objects.count()
    if have < args.people:
        print(f"building {args.people:,} people …", flush=True)
        build_scale(orgs=max(2, args.people // 10), people=args.people, accounts=False)
    people = Person.objects.count()
    old = list(settings.FIELD_ENCRYPTION_KEYS)
    new = [f"bench-rotation-{time.time_ns()}", *old]

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Person._meta.db_table} SET id_cipher = id_cipher, id_hash = id_hash, "  # noqa: S608
                       "phone_cipher = phone_cipher, phone_hash = phone_hash")
    bare = time.perf_counter() - started

    with override_settings(FIELD_ENCRYPTION_KEYS=new):
        assert not fieldkeys.index_is_current()
        started = time.perf_counter()
        counts = fieldkeys.rotate()
        rotation = time.perf_counter() - started
        assert fieldkeys.index_is_current() and counts["people"] == people
    with override_settings(FIELD_ENCRYPTION_KEYS=[*old, new[0]]):  # back under the configured key
        fieldkeys.rotate()
    print(f"{connection.vendor}, {people:,} people")
    print(f"{'figure':<52}{'value':>12}{'baseline':>12}{'ratio':>8}")
    print(f"{'rotation, one transaction (s)':<52}{rotation:>12.1f}{bare:>12.1f}{rotation / bare:>7.1f}x")
    print(f"{'people a second':<52}{people / rotation:>12,.0f}{people / bare:>12,.0f}")
    print(f"{'estimate for 1,000,000 people (min)':<52}{1_000_000 / (people / rotation) / 60:>12.1f}")


if __name__ == "__main__":
    main()
