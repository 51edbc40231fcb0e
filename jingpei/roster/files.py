"""Files the roster hands out: the import template and the rejected rows of an import."""

from __future__ import annotations

import tempfile
from pathlib import Path

import xlsxwriter

from jingpei.core.streaming import streaming
from jingpei.orgs.choices import ETHNICITIES, PoliticalStatus, RankLevel
from jingpei.orgs.models import Category
from jingpei.roster.cleaning import chinese_labels
from jingpei.roster.columns import COLUMNS
from jingpei.roster.models import RosterImport

ERROR_HEADER = "错误说明"


def _temp_path() -> Path:
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    handle.close()
    return Path(handle.name)


def write_template() -> Path:
    """The import template: Chinese headers (required ones marked ＊), one example row, the ID and
    phone columns formatted as text so Excel keeps every digit, and a sheet of allowed values."""
    path = _temp_path()
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("花名册")
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    required = book.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
    as_text = book.add_format({"num_format": "@"})
    for col, column in enumerate(COLUMNS):
        text_column = column.key in ("id_number", "phone", "birth_date")
        sheet.set_column(col, col, 24 if column.key in ("org", "id_number", "categories") else 12,
                         as_text if text_column else None)
        sheet.write_string(0, col, ("＊" if column.required else "") + column.header,
                           required if column.required else head)
        sheet.write_string(1, col, column.example)
        if column.note:
            sheet.write_comment(0, col, column.note)
    sheet.freeze_panes(1, 0)
    notes = book.add_worksheet("填写说明")
    notes.set_column(0, 0, 14)
    notes.set_column(1, 1, 90)
    lines = [
        ("填写说明", "带＊的列必须填写；列的顺序可以调整，导入时可以重新指定每一列的含义。"),
        ("身份证号", "18 位，末位可为 X；请保持本列为“文本”格式，否则 Excel 会丢失后三位。"),
        ("所在组织", "填写组织全称（如 朱集村）或完整路径（如 召陵区/老窝镇/朱集村）；重名时必须写完整路径。"),
        ("出生日期", "可不填；如填写，支持 1975-03-08、1975/3/8、1975.03、1975年3月8日，须与身份证号一致。"),
        ("政治面貌", "、".join(label for _v, label in chinese_labels(PoliticalStatus))),
        ("职级", "、".join(label for _v, label in chinese_labels(RankLevel))),
        ("人员类别", "、".join(Category.objects.filter(active=True).values_list("name", flat=True)) or "（暂无）"),
        ("民族", "、".join(ETHNICITIES)),
    ]
    for row, (key, text) in enumerate(lines):
        notes.write_string(row, 0, key)
        notes.write_string(row, 1, text)
    book.close()
    return path


def write_rejected(imp: RosterImport) -> Path:
    """The rejected rows with their original cells and an error column, ready to fix and import
    again on their own."""
    path = _temp_path()
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("未导入的行")
    bold = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    error = book.add_format({"font_color": "#C00000", "text_wrap": True})
    headers = list(imp.headers)
    sheet.set_column(len(headers), len(headers), 60)
    sheet.write_row(0, 0, [*headers, ERROR_HEADER, "原行号"], bold)
    id_col = imp.mapping.get("id_number")
    with streaming():  # a large file can have many rejected rows
        for n, row in enumerate(imp.rows.filter(rejected=True).iterator(chunk_size=2000), start=1):
            values = list(row.values[: len(headers)]) + [None] * max(0, len(headers) - len(row.values))
            for col, value in enumerate(values):
                if value is None:
                    continue
                if isinstance(value, str) or col == id_col:
                    sheet.write_string(n, col, str(value))
                else:
                    sheet.write(n, col, value)
            # one line per problem (the column wraps): "【列】说明" each
            message = "\n".join(f"【{p['column']}】{p['message']}" for p in row.problems if p["level"] == "error")
            sheet.write_string(n, len(headers), message, error)
            sheet.write_number(n, len(headers) + 1, row.row)
    book.close()
    return path

