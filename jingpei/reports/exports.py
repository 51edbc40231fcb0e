"""The year figures as an Excel workbook: the summary sheet as the page shows it, and the hours by
month and form."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from jingpei.core.sheets import money_cell, styled_row, text_row
from jingpei.reports.figures import YearFigures

BOLD = Font(bold=True)


def title(figures: YearFigures) -> str:
    return _("%(org)s %(year)s 年度培训工作统计") % {"org": figures.org_name, "year": figures.year}


def workbook(figures: YearFigures) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("年度统计"))
    ws.column_dimensions["A"].width = 30
    for column in "BCDE":
        ws.column_dimensions[column].width = 16
    ws.append(styled_row(ws, [title(figures)], font=BOLD))
    ws.append([_("统计时间"), figures.made_at_text])
    ws.append([])
    ws.append(styled_row(ws, [_("主要指标")], font=BOLD))
    for row in figures.key:
        ws.append(text_row(ws, row))
    for table in figures.tables:
        ws.append([])
        ws.append(styled_row(ws, [table.title], font=BOLD))
        ws.append(styled_row(ws, table.columns, font=BOLD))
        for row in table.rows:
            ws.append(text_row(ws, [money_cell(ws, v) if i in table.money else v for i, v in enumerate(row)]))

    months = wb.create_sheet(_("月度学时"))
    months.freeze_panes = "B2"
    series = figures.chart.get("series", [])
    months.append(styled_row(months, [_("月份"), *[s["name"] for s in series], _("合计")], font=BOLD))
    for i, month in enumerate(figures.chart.get("months", [])):
        values = [s["data"][i] for s in series]
        months.append([month, *values, round(sum(values), 1)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
