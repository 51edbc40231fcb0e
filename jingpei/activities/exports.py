"""The district view as an Excel workbook: totals, the branch × month grid, the branches short of
their rule. Built in memory with openpyxl's write-only (streaming) mode: a few hundred rows at demo
scale need no background job, and thousands stay linear."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from jingpei.activities.queries import DistrictSummary
from jingpei.core.sheets import styled_row, text_row

BOLD = Font(bold=True)
IDLE = PatternFill("solid", fgColor="FFF3CD")


def district_workbook(summary: DistrictSummary) -> bytes:
    wb = Workbook(write_only=True)
    period = summary.period

    ws = wb.create_sheet(_("汇总"))
    ws.column_dimensions["A"].width = 26
    ws.append(styled_row(ws, [_("远程教育学习统计"), summary.org.name], font=BOLD))
    ws.append([_("统计期间"), f"{period.start:%Y-%m-%d} — {period.asof:%Y-%m-%d}"])
    for label, value in [
        (_("学习次数"), summary.sessions), (_("参学人次"), summary.person_times),
        (_("党支部数"), summary.branches), (_("开展学习的支部数"), summary.active_branches),
        (_("本月未开展学习的支部数"), len(summary.idle_branches)), (_("支部党员数"), summary.members),
        (_("参学党员数"), summary.reached), (_("党员覆盖率（%）"), float(summary.coverage)),
    ]:
        ws.append([label, value])

    grid = wb.create_sheet(_("支部月度"))
    grid.column_dimensions["A"].width = 28
    grid.freeze_panes = "B2"
    months = list(range(1, period.asof.month + 1))
    grid.append(styled_row(grid, [_("党支部"), _("党员数"), *[_("%(m)s月") % {"m": m} for m in months], _("合计"),
                               _("参学人次"), _("本月参学率（%）")], font=BOLD))
    for f in sorted(summary.branch_figures, key=lambda f: f.branch.path):
        values = [f.branch.name, f.members, *f.months[: len(months)], f.sessions, f.person_times,
                  float(f.month_participation)]
        grid.append(text_row(grid, values) if f.month_sessions else styled_row(grid, values, fill=IDLE))

    short = wb.create_sheet(_("未达标支部"))
    short.column_dimensions["A"].width = 28
    short.column_dimensions["F"].width = 40
    short.append(styled_row(short, [_("党支部"), _("本月学习次数"), _("要求次数"), _("本月参学率（%）"),
                                 _("要求参学率（%）"), _("原因")], font=BOLD))
    for f in sorted(summary.shortfalls, key=lambda f: f.branch.path):
        short.append(text_row(short, [f.branch.name, f.month_sessions, f.rule.min_sessions,
                                      float(f.month_participation), float(f.rule.min_participation),
                                      "；".join(f.short_reasons)]))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
