"""The roster's columns: the template's headers, the variants real files use, and guessing which
column of an uploaded file holds which field.

Headers are a file format shared with the offices' own spreadsheets, so they are fixed Chinese text,
not translated strings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    aliases: tuple[str, ...]
    example: str
    note: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", True, ("姓名", "名字", "人员姓名", "学员姓名"), "王小明"),
    Column("id_number", "身份证号", True,
           ("身份证号", "公民身份号码", "身份证号码", "身份证", "证件号码", "身份证件号码", "居民身份证号"),
           "411104198005170016", "18 位，末位可为 X；请将本列设为文本格式"),
    Column("gender", "性别", False, ("性别",), "男", "可不填，按身份证号核对"),
    Column("birth_date", "出生日期", False, ("出生日期", "出生年月", "出生年月日", "生日"), "1980-05-17",
           "可不填，按身份证号核对"),
    Column("ethnicity", "民族", False, ("民族",), "汉族"),
    Column("phone", "手机号", False, ("手机号", "手机", "手机号码", "联系电话", "电话", "联系方式"), "13800001111"),
    Column("political_status", "政治面貌", False, ("政治面貌",), "中共党员"),
    Column("position", "职务", False, ("职务", "现任职务", "职位"), "村党支部书记"),
    Column("rank_level", "职级", False, ("职级", "级别"), "村（社区）干部"),
    Column("rank_since", "任现职级时间", False, ("任现职级时间", "任职级时间", "现职级时间", "任现职级日期",
                                              "现职级任职时间"), "2021-03",
           "可不填；年月或日期，晋升后请更新"),
    Column("org", "所在组织", True,
           ("所在组织", "所在单位", "所属组织", "所属单位", "工作单位", "单位", "组织", "所在党支部"),
           "召陵区/老窝镇/朱集村", "组织全称或完整路径，用 / 分隔"),
    Column("categories", "人员类别", False, ("人员类别", "类别", "学员类别"), "驻村第一书记、党员",
           "多个类别用顿号分隔"),
)
BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = tuple(c.key for c in COLUMNS if c.required)
# Decorations people add to headers: a required-mark, a parenthesised note, a trailing colon.
_DECORATION = re.compile(r"[*＊:：]|[(（][^)）]*[)）]")


def normalize_header(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    return "".join(_DECORATION.sub("", text).split())


def match_header(value: object) -> str | None:
    """The field key a header names, or None: an exact variant first, then a header that starts
    with a variant (``身份证号码（18位）``), longest variant first."""
    header = normalize_header(value)
    if not header:
        return None
    for column in COLUMNS:
        if header in column.aliases:
            return column.key
    candidates = [(len(a), c.key) for c in COLUMNS for a in c.aliases if header.startswith(a)]
    return max(candidates)[1] if candidates else None


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """Field key -> column index for the headers we recognise; the first column wins a field."""
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = match_header(header)
        if key and key not in mapping:
            mapping[key] = index
    return mapping


def header_score(cells: list) -> int:
    return len({k for k in (match_header(c) for c in cells) if k})
