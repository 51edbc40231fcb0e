"""Opening the accounts of a whole district at once (开通账号): the time for the demo district's people.

    .venv/bin/python bench/accounts_open.py [--people 3000] [--postgres]

Builds the demo district (``jingpei.demo.builder.build``) in a fresh database, then opens an account with
a one-time activation code for everyone who has none (``accounts.services.open_accounts``) and writes the
list to hand out. Prints the time beside what hashing one password per account with the configured hasher
would take (the reason for activation codes), as a ratio.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from classes_signin import prepare_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    prepare_database(args.postgres)
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from jingpei.accounts import services
    from jingpei.accounts.exports import activation_workbook
    from jingpei.demo.builder import build
    from jingpei.orgs.models import Organization

    call_command("migrate", verbosity=0)
    build(people=args.people)
    district = Organization.objects.get(name="召陵区", kind="district")
    start = time.perf_counter()
    opened = services.open_accounts(actor=None, org=district)
    body = activation_workbook(opened, org_name=district.name, login_url="http://127.0.0.1:8000/accounts/login/")
    seconds = time.perf_counter() - start
    one = time.perf_counter()
    make_password("Zhaoling-2026")
    hashed = (time.perf_counter() - one) * len(opened)
    print(f"{'opening ' + format(len(opened), ',') + ' accounts and writing their list (' + format(len(body), ',') + ' bytes)':70} "
          f"{seconds:8.2f} s   hashing a password each instead: {hashed:8.1f} s   ratio {seconds / hashed:.3f}")


if __name__ == "__main__":
    main()
