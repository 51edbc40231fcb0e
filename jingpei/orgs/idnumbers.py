"""Resident identity numbers (公民身份号码, GB 11643): cleaning and validation.

The checks themselves come from python-stdnum's ``stdnum.cn.ric`` (ISO 7064 MOD 11-2 check digit,
birth date, and the administrative-division table for the birth place). An unknown region code is a
warning, not a rejection: late household registrations and retired codes are real.
"""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength

from jingpei.core.errors import DomainError


@dataclass
class IdNumber:
    number: str
    birth_date: date
    gender: str  # "M" / "F": the 17th digit, odd for men
    warnings: list[str] = field(default_factory=list)


def clean_id_number(raw: object) -> str:
    """Full-width digits and letters to half-width, spaces removed, a lowercase check ``x`` upper."""
    text = unicodedata.normalize("NFKC", str(raw or ""))
    return "".join(text.split()).replace("-", "").upper()


def parse_id_number(raw: object) -> IdNumber:
    number = clean_id_number(raw)
    if not number:
        raise DomainError(_("请填写身份证号。"), field="id_number")
    try:
        if not number.isascii():  # compact only maps non-ASCII look-alikes: a no-op on clean ASCII
            number = ric.compact(number)
        if len(number) != 18:
            raise InvalidLength()
        if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
            raise InvalidFormat()
        if number[-1] != ric.calc_check_digit(number):
            raise InvalidChecksum()
        try:
            # ric.get_birth_date without its second compact(): digits 7-14 as a date
            birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError:
            raise DomainError(
                _("身份证号 %(number)s 中的出生日期 %(digits)s 不是有效日期，请核对第 7–14 位。")
                % {"number": number, "digits": number[6:14]},
                field="id_number",
            ) from None
    except InvalidLength:
        raise DomainError(
            _("身份证号应为 18 位，当前为 %(n)d 位，请核对。") % {"n": len(number)}, field="id_number"
        ) from None
    except InvalidFormat:
        raise DomainError(_("身份证号只能包含数字，最后一位可以是 X，请核对。"), field="id_number") from None
    except InvalidChecksum:
        raise DomainError(
            _("身份证号 %(number)s 的校验位不正确（应为 %(digit)s），请核对是否有数字录错。")
            % {"number": number, "digit": ric.calc_check_digit(number)},
            field="id_number",
        ) from None
    if birth > _today():
        raise DomainError(_("身份证号中的出生日期晚于今天，请核对。"), field="id_number")
    if birth.year < 1900:
        raise DomainError(_("身份证号中的出生年份早于 1900 年，请核对。"), field="id_number")
    warnings = []
    # Known code at all, in any year: people keep the number of their first registration even after
    # the county is renamed or re-coded (召陵区's 411104 dates from 2004), so the year is not checked.
    if not _region_known(number[:6]):
        warnings.append(
            _("身份证号的地区码 %(code)s 不在行政区划代码表中（可能为旧码或补登户籍），请确认。")
            % {"code": number[:6]}
        )
    gender = "M" if int(number[16]) % 2 else "F"
    return IdNumber(number=number, birth_date=birth, gender=gender, warnings=warnings)


class _Today:
    """``timezone.localdate()``, looked up at most once a minute (a bulk import checks 100k numbers)."""

    at, day = -1e9, date.min

    def __call__(self) -> date:
        now = time.monotonic()
        if now - self.at > 60:
            self.at, self.day = now, timezone.localdate()
        return self.day


_today = _Today()


@lru_cache(maxsize=8192)
def _region_known(code: str) -> bool:
    """The division-table lookup is a linear scan (~0.2 ms); a roster has few distinct codes."""
    return any(props for _part, props in numdb.get("cn/loc").info(code))


def clean_phone(raw: object) -> str:
    text = unicodedata.normalize("NFKC", str(raw or ""))
    # the usual cell is nothing but ASCII digits already (a bulk import cleans 100k of them)
    digits = text if text.isdigit() and text.isascii() else "".join(ch for ch in text if ch.isdigit())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def validate_phone(raw: object) -> str:
    """A mainland mobile number (11 digits starting with 1) or a landline (7–12 digits); '' if blank."""
    phone = clean_phone(raw)
    if not phone:
        return ""
    if len(phone) == 11 and phone.startswith("1"):
        return phone
    if 7 <= len(phone) <= 12 and not phone.startswith("1"):
        return phone
    raise DomainError(
        _("手机号 %(phone)s 格式不正确，应为 11 位手机号或固定电话。") % {"phone": raw}, field="phone"
    )
