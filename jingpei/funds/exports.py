"""A year's budget execution (预算执行情况) as an Excel workbook: one row per budget line with what was
spent, what is still in the chain and what is left; then every expense, and every adjustment. Write-only openpyxl: a year
holds hundreds of rows, never enough to need a background job."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from jingpei.core.money import yuan_text
from jingpei.core.sheets import money_cell, styled_row, text_row
from jingpei.funds.models import Adjustment, Expense, Item
from jingpei.funds.queries import BudgetFigures, year_totals

BOLD = Font(bold=True)


def year_workbook(year: int, rows: list[BudgetFigures], expenses: list[Expense],
                  adjustments: list[Adjustment] = ()) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("预算执行"))
    for column, width in zip("ABCDEFGHIJK", (28, 16, 10, 14, 24, 16, 16, 16, 16, 10, 30), strict=True):
        ws.column_dimensions[column].width = width
    totals = year_totals(rows)
    ws.append(styled_row(ws, [_("%(y)s 年培训经费执行情况") % {"y": year}], font=BOLD))
    ws.append([_("已批准预算（元）"), money_cell(ws, totals.total), _("已支出（元）"), money_cell(ws, totals.spent),
               _("执行率（%）"), float(totals.rate)])
    ws.append([])
    ws.append(styled_row(ws, [_("预算名称"), _("预算单位"), _("状态"), _("科目"), _("用途说明"), _("预算（元）"),
                              _("已支出（元）"), _("审批中（元）"), _("结余（元）"), _("执行率（%）"), _("年终处理")], font=BOLD))
    for f in rows:
        b = f.budget
        for lf in f.lines:
            ws.append(text_row(ws, [b.title, b.org.name, b.get_state_display(), lf.line.get_item_display(),
                                    lf.line.description, money_cell(ws, lf.line.amount), money_cell(ws, lf.approved),
                                    money_cell(ws, lf.pending), money_cell(ws, lf.remaining), float(lf.rate)]))
        ws.append(styled_row(ws, [b.title, b.org.name, b.get_state_display(), _("小计"), "", b.total, f.approved,
                                  f.pending, f.remaining, float(f.rate), year_end_text(b)], font=BOLD))

    es = wb.create_sheet(_("支出明细"))
    for column, width in zip("ABCDEFGHI", (12, 28, 16, 14, 24, 28, 16, 10, 30), strict=True):
        es.column_dimensions[column].width = width
    es.append(styled_row(es, [_("支出日期"), _("预算名称"), _("科目"), _("金额（元）"), _("收款单位/个人"), _("支出事由"),
                              _("票据号"), _("状态"), _("审批进度")], font=BOLD))
    for e in expenses:
        progress = " → ".join(s["name"] for s in e.steps)
        es.append(text_row(es, [e.spent_on, e.budget.title, e.line.get_item_display(), money_cell(es, e.amount), e.payee,
                                e.purpose, e.invoice_no, e.get_state_display(), progress]))
    _adjustments(wb.create_sheet(_("预算调整")), adjustments)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def year_end_text(budget) -> str:
    """How the budget was closed at year end, in words ("" while it is open)."""
    if budget.carried_to_id:
        return _("结余结转下年度")
    if budget.settled_at:
        return _("结余收回：%(n)s") % {"n": budget.settle_note} if budget.settle_note else _("已关闭（无结余）")
    return ""


def _adjustments(sheet, adjustments) -> None:
    """Every adjustment of the year's budgets, each with its lines as before → after (预算调整的全过程)."""
    for column, width in zip("ABCDEFGHIJ", (28, 16, 12, 30, 16, 16, 14, 10, 12, 50), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.append(styled_row(sheet, [_("预算名称"), _("预算单位"), _("编制日期"), _("调整理由"), _("调整前总额（元）"),
                                    _("调整后总额（元）"), _("增减（元）"), _("状态"), _("批准日期"), _("调整明细")], font=BOLD))
    for a in adjustments:
        lines = "；".join(f"{Item(c['item']).label} {c['description']} {yuan_text(c['before'])} → {yuan_text(c['after'])}"
                         .replace("  ", " ") for c in a.changes)
        sheet.append(text_row(sheet, [a.budget.title, a.org.name, timezone.localtime(a.created_at).date(), a.reason,
                                      money_cell(sheet, a.total_before), money_cell(sheet, a.total_after),
                                      money_cell(sheet, a.difference), a.get_state_display(),
                                      timezone.localtime(a.approved_at).date() if a.approved_at else "", lines]))
