"""Reading a meeting's attendance list (签到表) from Excel into people of the officer's scope.

The sheet needs a 姓名 column; a 身份证号 (or 公民身份号码) or 手机号 column makes the match exact.
A row that cannot be matched is reported with its row number and what to fix; nothing is credited from
the sheet itself — the matched people are offered for the meeting form, which the officer submits.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from jingpei.core import crypto
from jingpei.core.errors import DomainError
from jingpei.core.permissions import Perm
from jingpei.core.scoping import scope_for
from jingpei.orgs.idnumbers import clean_id_number, clean_phone
from jingpei.orgs.models import Person

MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024
NAME_HEADERS = {"姓名", "名字"}
ID_HEADERS = {"身份证号", "身份证号码", "公民身份号码", "身份证"}
PHONE_HEADERS = {"手机号", "手机", "手机号码", "联系电话", "电话"}


@dataclass
class SheetResult:
    people: list[Person] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _rows(upload) -> list[list[object]]:
    from python_calamine import CalamineWorkbook

    if upload.size > MAX_BYTES:
        raise DomainError(_("签到表文件不能超过 5 MB。"), field="sheet")
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(upload.read()))
        return book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:  # calamine raises several kinds for a file that is not a workbook  # noqa: BLE001
        raise DomainError(_("无法读取签到表，请上传 Excel 文件（.xlsx 或 .xls）。"), field="sheet") from None


def _column(header: list[str], names: set[str]) -> int | None:
    for i, h in enumerate(header):
        if h in names:
            return i
    return None


def read_attendance_sheet(*, actor, upload) -> SheetResult:
    rows = _rows(upload)
    header_at = next((i for i, r in enumerate(rows[:10]) if any(str(c).strip() in NAME_HEADERS for c in r)), None)
    if header_at is None:
        raise DomainError(_("签到表中找不到“姓名”列，请在第一行写上列名（姓名、身份证号或手机号）。"), field="sheet")
    header = [str(c).strip() for c in rows[header_at]]
    c_name, c_id, c_phone = _column(header, NAME_HEADERS), _column(header, ID_HEADERS), _column(header, PHONE_HEADERS)
    body = rows[header_at + 1:]
    if len(body) > MAX_ROWS:
        raise DomainError(_("签到表最多 %(n)s 行。") % {"n": MAX_ROWS}, field="sheet")

    scope = scope_for(actor, Perm.MEETING_MANAGE)
    in_scope = Person.objects.filter(archived_at__isnull=True).in_orgs(scope.q("org__path"))
    result, seen = SheetResult(), set()
    wanted = []
    for offset, row in enumerate(body):
        line = header_at + offset + 2  # Excel's row number
        cell = lambda c, row=row: str(row[c]).strip() if c is not None and c < len(row) and row[c] is not None else ""  # noqa: E731
        name, number, phone = cell(c_name), clean_id_number(cell(c_id)), clean_phone(cell(c_phone))
        if number.endswith(".0"):  # a number typed as a number in Excel
            number = number[:-2]
        if not (name or number or phone):
            continue
        wanted.append((line, name, number, phone))

    ids = {crypto.blind_index(n, "id_number") for _l, _n, n, _p in wanted if n}
    phones = {crypto.blind_index(p, "phone") for _l, _n, _i, p in wanted if p}
    names = {n for _l, n, _i, _p in wanted if n}
    found = list(in_scope.filter(id_hash__in=ids) | in_scope.filter(phone_hash__in=phones)
                 | in_scope.filter(name__in=names))
    by_id = {p.id_hash: p for p in found}
    by_phone = {p.phone_hash: p for p in found if p.phone_hash}
    by_name: dict[str, list[Person]] = {}
    for p in found:
        by_name.setdefault(p.name, []).append(p)

    for line, name, number, phone in wanted:
        if number:
            person = by_id.get(crypto.blind_index(number, "id_number"))
            if person is None:
                result.errors.append(_("第 %(l)s 行：您的管理范围内没有身份证号为 %(m)s 的人员。")
                                     % {"l": line, "m": crypto.mask_id_number(number)})
                continue
        elif phone:
            person = by_phone.get(crypto.blind_index(phone, "phone"))
            if person is None:
                result.errors.append(_("第 %(l)s 行：您的管理范围内没有手机号为 %(m)s 的人员。")
                                     % {"l": line, "m": crypto.mask_phone(phone)})
                continue
        else:
            matches = by_name.get(name, [])
            if len(matches) != 1:
                result.errors.append(
                    (_("第 %(l)s 行：您的管理范围内找不到“%(n)s”。") if not matches else
                     _("第 %(l)s 行：您的管理范围内有 %(c)s 人名为“%(n)s”，请在签到表中填写身份证号。"))
                    % {"l": line, "n": name, "c": len(matches)})
                continue
            person = matches[0]
        if person.pk not in seen:
            seen.add(person.pk)
            result.people.append(person)
    return result
