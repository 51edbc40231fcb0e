"""Cleaning what people type into roster cells. Each function takes one raw cell (as the reader
gives it: str, int, float, bool, date, datetime or None) and returns the clean value, or raises
``DomainError`` with a Chinese message that says how to fix it."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from functools import lru_cache

from django.utils import translation
from django.utils.translation import gettext as _

from jingpei.core.errors import DomainError
from jingpei.orgs.choices import ETHNICITIES, Gender, PoliticalStatus, RankLevel

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01, counting Excel's phantom 1900-02-29
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?|月)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YEAR = re.compile(r"^(\d{4})\s*年?$")


def text(raw: object) -> str:
    """A cell as clean text: full-width to half-width (NFKC), spaces trimmed and collapsed, a
    whole-number float (how Excel stores typed numbers) without its ``.0``."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, datetime):
        raw = raw.date()
    if isinstance(raw, date):
        return raw.isoformat()
    return " ".join(unicodedata.normalize("NFKC", str(raw)).split())


def id_number_text(raw: object) -> str:
    """Text of an ID-number cell. A number cell has lost its last digits (Excel keeps 15
    significant digits), so it cannot be repaired, only reported."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and abs(raw) >= 1e15:
        raise DomainError(
            _("身份证号被 Excel 存成了数字，后几位已丢失。请把该列设置为“文本”格式后重新填写。"),
            field="id_number",
        )
    return text(raw)


GENDERS = {"男": Gender.MALE, "男性": Gender.MALE, "M": Gender.MALE, "女": Gender.FEMALE,
           "女性": Gender.FEMALE, "F": Gender.FEMALE}


def gender(raw: object) -> str:
    value = text(raw).upper()
    if not value:
        return ""
    try:
        return GENDERS[value]
    except KeyError:
        raise DomainError(_("性别“%(v)s”无法识别，请填写“男”或“女”。") % {"v": text(raw)}, field="gender") from None


def birth_date(raw: object) -> date | tuple[int, int] | tuple[int] | None:
    """A date, or (year, month) when only the month is given (``1975.03``, ``1975年3月``), or (year,) for a
    year alone (``1975``, ``1975年``)."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if 1900 <= raw < 2100 and float(raw).is_integer():
            return (int(raw),)  # a year: as Excel's day number 1975 would be a day of 1905
        if 1900 <= raw < 2100 and not float(raw).is_integer():
            # Excel turned "1975.03" into the number 1975.03: a year and a month.
            year, month = f"{raw:.2f}".split(".")
            return _year_month(int(year), int(month), raw)
        if 1 <= raw < 2958466:
            return EXCEL_EPOCH + timedelta(days=int(raw))
        raise _bad_date(raw)
    value = text(raw)
    if not value:
        return None
    year_alone = _YEAR.match(value)
    if year_alone and 1900 <= int(year_alone.group(1)) < 2100:
        return (int(year_alone.group(1)),)
    match = _DATE.match(value) or _COMPACT_DATE.match(value)
    if not match:
        raise _bad_date(raw)
    year, month, day = match.group(1), match.group(2), match.group(3)
    if day is None:
        return _year_month(int(year), int(month), raw)
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise _bad_date(raw) from None


def rank_since(raw: object) -> date | None:
    """任现职级时间: a date, or the first of the month when only the month is given (rosters keep 2021.03)."""
    try:
        value = birth_date(raw)
    except DomainError:
        value = ()
    if isinstance(value, tuple) and len(value) < 2:  # unreadable, or a year alone (the month sets the grace)
        raise DomainError(_("任现职级时间“%(v)s”无法识别，请填写如 2021-03、2021/3/15 或 2021年3月。")
                          % {"v": text(raw)}, field="rank_since")
    return date(*value, 1) if isinstance(value, tuple) else value


def _year_month(year: int, month: int, raw: object) -> tuple[int, int]:
    if not 1 <= month <= 12:
        raise _bad_date(raw)
    return year, month


def _bad_date(raw: object) -> DomainError:
    return DomainError(
        _("出生日期“%(v)s”无法识别，请填写如 1975-03-08、1975/3/8 或 1975年3月8日。") % {"v": text(raw)},
        field="birth_date",
    )


def ethnicity(raw: object) -> str:
    value = text(raw).replace(" ", "")
    if not value:
        return ""
    if value in ETHNICITIES:
        return value
    if value + "族" in ETHNICITIES:
        return value + "族"
    raise DomainError(_("民族“%(v)s”不是 56 个民族的名称之一，请填写如“汉族”“回族”。") % {"v": value},
                      field="ethnicity")


def compact(label: object) -> str:
    """A label as cleaned cells are: NFKC (full-width brackets become ASCII), no spaces."""
    return text(label).replace(" ", "")


@lru_cache(maxsize=8)
def chinese_labels(choices) -> tuple[tuple[str, str], ...]:
    """(value, Chinese label) of a choices enum: files are Chinese whatever the user's language."""
    with translation.override("zh-hans"):
        return tuple((value, str(label)) for value, label in choices.choices)


POLITICAL_VARIANTS = {
    "党员": PoliticalStatus.CPC, "共产党员": PoliticalStatus.CPC, "中国共产党党员": PoliticalStatus.CPC,
    "预备党员": PoliticalStatus.CPC_PROBATIONARY, "团员": PoliticalStatus.CYL,
    "无党派人士": PoliticalStatus.NONE, "无": PoliticalStatus.NONE,
}


def political_status(raw: object) -> str:
    value = text(raw).replace(" ", "")
    if not value:
        return ""
    for key, label in chinese_labels(PoliticalStatus):
        if value in (key, compact(label)):
            return key
    try:
        return POLITICAL_VARIANTS[value]
    except KeyError:
        options = "、".join(label for _v, label in chinese_labels(PoliticalStatus))
        raise DomainError(_("政治面貌“%(v)s”无法识别，可填写：%(o)s。") % {"v": value, "o": options},
                          field="political_status") from None


def rank_level(raw: object) -> str:
    value = text(raw).replace(" ", "")
    if not value:
        return ""
    for key, label in chinese_labels(RankLevel):
        if value in (key, compact(label)):
            return key
    options = "、".join(label for _v, label in chinese_labels(RankLevel))
    raise DomainError(_("职级“%(v)s”无法识别，可填写：%(o)s。") % {"v": value, "o": options}, field="rank_level")


_LIST_SEPARATORS = re.compile(r"[,，、;；|\s]+")
_PATH_SEPARATORS = re.compile(r"\s*[/\\>＞→]\s*")


def split_list(raw: object) -> list[str]:
    return [part for part in _LIST_SEPARATORS.split(text(raw)) if part]


def split_path(raw: object) -> tuple[str, ...]:
    return tuple("".join(part.split()) for part in _PATH_SEPARATORS.split(text(raw)) if part.strip())
