"""The district view as an Excel workbook: totals, the branch × month grid, the branches short of
their rule. Built in memory with openpyxl (a few hundred rows: no background job needed)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from jingpei.activities.queries import DistrictSummary

BOLD = Font(bold=True)
IDLE = PatternFill("solid", fgColor="FFF3CD")


def district_workbook(summary: DistrictSummary) -> bytes:
    wb = Workbook()
    period = summary.period
    ws = wb.active
    ws.title = _("汇总")
    ws.append([_("远程教育学习统计"), summary.org.name])
    ws.append([_("统计期间"), f"{period.start:%Y-%m-%d} — {period.asof:%Y-%m-%d}"])
    for label, value in [
        (_("学习次数"), summary.sessions), (_("参学人次"), summary.person_times),
        (_("党支部数"), summary.branches), (_("开展学习的支部数"), summary.active_branches),
        (_("本月未开展学习的支部数"), len(summary.idle_branches)), (_("支部党员数"), summary.members),
        (_("参学党员数"), summary.reached), (_("党员覆盖率（%）"), float(summary.coverage)),
    ]:
        ws.append([label, value])
    ws.column_dimensions["A"].width = 26
    ws["A1"].font = BOLD

    grid = wb.create_sheet(_("支部月度"))
    months = list(range(1, period.asof.month + 1))
    grid.append([_("党支部"), _("党员数"), *[_("%(m)s月") % {"m": m} for m in months], _("合计"), _("参学人次"),
                 _("本月参学率（%）")])
    for cell in grid[1]:
        cell.font = BOLD
    width = len(months) + 5
    # Row numbers counted here: ``ws.max_row`` scans every cell, quadratic over thousands of branches.
    for row, f in enumerate(sorted(summary.branch_figures, key=lambda f: f.branch.path), start=2):
        grid.append([f.branch.name, f.members, *f.months[: len(months)], f.sessions, f.person_times,
                     float(f.month_participation)])
        if not f.month_sessions:
            for col in range(1, width + 1):
                grid.cell(row=row, column=col).fill = IDLE
    grid.column_dimensions["A"].width = 28
    grid.freeze_panes = "B2"

    short = wb.create_sheet(_("未达标支部"))
    short.append([_("党支部"), _("本月学习次数"), _("要求次数"), _("本月参学率（%）"), _("要求参学率（%）"), _("原因")])
    for cell in short[1]:
        cell.font = BOLD
    for f in sorted(summary.shortfalls, key=lambda f: f.branch.path):
        short.append([f.branch.name, f.month_sessions, f.rule.min_sessions, float(f.month_participation),
                      float(f.rule.min_participation), "；".join(f.short_reasons)])
    short.column_dimensions["A"].width = 28
    short.column_dimensions["F"].width = 40
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
