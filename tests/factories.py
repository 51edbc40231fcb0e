"""Test data, built through the services (so it is valid data, audited like real data)."""

from __future__ import annotations

import io
import itertools
from datetime import date

from stdnum.cn import ric

from jingpei.accounts import services as account_services
from jingpei.accounts.models import User
from jingpei.orgs import services as org_services
from jingpei.orgs.models import Organization, Person

_seq = itertools.count(1)


def valid_id(
    birth: date = date(1980, 5, 17), *, male: bool = True, region: str = "411104", seq: int | None = None
) -> str:
    n = next(_seq) if seq is None else seq
    order = (n % 499) * 2 + (1 if male else 0)
    body = f"{region}{birth:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


def numbered(prefix: str, n: int) -> str:
    """A distinct person name for the n-th of many (人员一二): names may not hold digits."""
    return prefix + "".join("〇一二三四五六七八九"[int(d)] for d in str(n))


def make_org(parent: Organization | None, name: str, kind: str = "township") -> Organization:
    return org_services.create_org(actor=None, parent=parent, name=name, kind=kind)


def make_person(
    org: Organization, name: str = "张三", *, id_number: str | None = None, phone: str = "", **kw
) -> Person:
    person, _warnings = org_services.create_person(
        actor=None, name=name, id_number=id_number or valid_id(), primary_org=org, phone=phone, **kw
    )
    return person


def make_user(
    username: str,
    *,
    role: str | None = None,
    org: Organization | None = None,
    person: Person | None = None,
    password: str = "Secret-pass-2026",
) -> User:
    user = account_services.create_user(
        actor=None, username=username, password=password, person=person, must_change_password=False
    )
    if role:
        account_services.grant_role(actor=None, user=user, role=role, org=org)
    return user


def xlsx_bytes(rows) -> bytes:
    """A real .xlsx file (openpyxl) whose first sheet holds ``rows``."""
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
