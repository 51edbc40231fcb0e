"""A year's budget execution (预算执行情况) as an Excel workbook: one row per budget line with what was
spent, what is still in the chain and what is left; then every expense. Write-only openpyxl: a year
holds hundreds of rows, never enough to need a background job."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from jingpei.core.sheets import styled_row, text_row
from jingpei.funds.models import Expense
from jingpei.funds.queries import BudgetFigures, year_totals

BOLD = Font(bold=True)
MONEY = "#,##0.00"


def _money(sheet, value):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = MONEY
    return cell


def year_workbook(year: int, rows: list[BudgetFigures], expenses: list[Expense]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("预算执行"))
    for column, width in zip("ABCDEFGHIJ", (28, 16, 10, 14, 24, 16, 16, 16, 16, 10), strict=True):
        ws.column_dimensions[column].width = width
    totals = year_totals(rows)
    ws.append(styled_row(ws, [_("%(y)s 年培训经费执行情况") % {"y": year}], font=BOLD))
    ws.append([_("已批准预算（元）"), _money(ws, totals.total), _("已支出（元）"), _money(ws, totals.spent),
               _("执行率（%）"), float(totals.rate)])
    ws.append([])
    ws.append(styled_row(ws, [_("预算名称"), _("预算单位"), _("状态"), _("科目"), _("用途说明"), _("预算（元）"),
                              _("已支出（元）"), _("审批中（元）"), _("结余（元）"), _("执行率（%）")], font=BOLD))
    for f in rows:
        b = f.budget
        for lf in f.lines:
            ws.append(text_row(ws, [b.title, b.org.name, b.get_state_display(), lf.line.get_item_display(),
                                    lf.line.description, _money(ws, lf.line.amount), _money(ws, lf.approved),
                                    _money(ws, lf.pending), _money(ws, lf.remaining), float(lf.rate)]))
        ws.append(styled_row(ws, [b.title, b.org.name, b.get_state_display(), _("小计"), "", b.total, f.approved,
                                  f.pending, f.remaining, float(f.rate)], font=BOLD))

    es = wb.create_sheet(_("支出明细"))
    for column, width in zip("ABCDEFGHI", (12, 28, 16, 14, 24, 28, 16, 10, 30), strict=True):
        es.column_dimensions[column].width = width
    es.append(styled_row(es, [_("支出日期"), _("预算名称"), _("科目"), _("金额（元）"), _("收款单位/个人"), _("支出事由"),
                              _("票据号"), _("状态"), _("审批进度")], font=BOLD))
    for e in expenses:
        progress = " → ".join(s["name"] for s in e.steps)
        es.append(text_row(es, [e.spent_on, e.budget.title, e.line.get_item_display(), _money(es, e.amount), e.payee,
                                e.purpose, e.invoice_no, e.get_state_display(), progress]))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
