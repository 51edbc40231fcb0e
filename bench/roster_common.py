"""Shared set-up of the roster benchmarks: a scratch database with the demo district, and roster files
of any size (12 columns, Chinese text, a share of bad rows)."""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADERS = ["序号", "姓名", "身份证号", "性别", "出生日期", "民族", "手机号", "政治面貌", "职务", "职级", "所在组织",
           "人员类别"]


def arguments(default_rows: int) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=default_rows)
    parser.add_argument("--bad", type=float, default=0.10, help="share of bad rows")
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--attempts", type=int, default=2, help="interleaved runs of figure and baseline (best kept)")
    parser.add_argument("--only", choices=("masked", "unmasked"), help="export: one of the two users only")
    return parser.parse_args()


def setup_django(name: str) -> Path:
    """A scratch data folder and database (SQLite by default; PostgreSQL when DATABASE_URL names one,
    which is dropped and created afresh)."""
    scratch = Path(tempfile.gettempdir()) / f"jingpei-bench-{name}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    os.environ["JINGPEI_DATA"] = str(scratch)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingpei.settings")
    os.environ["FIELD_ENCRYPTION_KEYS"] = "bench-key-not-secret"
    os.environ["SECRET_KEY"] = "bench-secret-not-secret"
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base, db = url.rsplit("/", 1)
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}"')
            conn.execute(f'CREATE DATABASE "{db}"')
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return scratch


def build_district():
    """The demo district (378 branches) and its training officer."""
    from jingpei.accounts.models import User
    from jingpei.demo.builder import build

    build(people=200)
    return User.objects.get(username="officer")


def roster_rows(n: int, bad: float, *, seed: int = 7):
    """``n`` rows for the branches of the district; every 1/bad-th row carries one of five mistakes."""
    from stdnum.cn import ric

    from jingpei.demo import names
    from jingpei.orgs.models import Category, Organization

    rng = random.Random(seed)
    district = Organization.objects.get(name="召陵区")
    branches = list(Organization.objects.filter(path__startswith=district.path, kind="branch").values_list("path", "name"))
    org_names = dict(Organization.objects.values_list("path", "name"))
    step = Organization.steplen
    full = ["/".join(org_names[p[: i * step]] for i in range(1, len(p) // step + 1)) for p, _n in branches]
    categories = list(Category.objects.values_list("name", flat=True))
    political = ["中共党员", "群众", "共青团员", "中共预备党员"]
    every = round(1 / bad) if bad else 0
    start = date(1955, 1, 1)
    for i in range(n):
        male = rng.random() < 0.6
        given = names.GIVEN_MALE if male else names.GIVEN_FEMALE
        name = rng.choice(names.SURNAMES) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2, 2))))
        birth = start + timedelta(days=i % 16000)
        order = (i // 16000) * 2 + (1 if male else 0)  # unique per row: a birth day and an order code
        body = f"411104{birth:%Y%m%d}{order:03d}"
        number = body + ric.calc_check_digit(body + "0")
        cells = [i + 1, name, number, "男" if male else "女", birth.isoformat(), "汉族",
                 f"13{rng.randrange(10**9):09d}", rng.choice(political), "村委委员", "村（社区）干部",
                 full[i % len(full)], rng.choice(categories)]
        if every and i % every == every - 1:
            kind = (i // every) % 5
            if kind == 0:
                cells[2] = number[:-1] + ("0" if number[-1] != "0" else "1")  # wrong check digit
            elif kind == 1:
                cells[10] = "召陵区/不存在镇/某村"  # unknown organisation
            elif kind == 2:
                cells[3] = "女" if male else "男"  # gender against the ID
            elif kind == 3:
                cells[6] = "1380000"  # a broken phone number
            else:
                cells[1] = ""  # no name
        yield cells


def write_file(path: Path, rows, fmt: str) -> Path:
    if fmt == "csv":
        import csv

        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADERS)
            writer.writerows(rows)
        return path
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADERS)
    for r, cells in enumerate(rows, start=1):
        for c, value in enumerate(cells):
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write_number(r, c, value)
    book.close()
    return path


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class QueryCounter:
    """Counts statements on the default connection without keeping their (huge) SQL."""

    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def report(lines: list[tuple[str, str, str, str]]) -> None:
    print(f"{'figure':<48}{'value':>16}{'baseline':>16}{'ratio':>10}")
    for figure, value, baseline, ratio in lines:
        print(f"{figure:<48}{value:>16}{baseline:>16}{ratio:>10}")
