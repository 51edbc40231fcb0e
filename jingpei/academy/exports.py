"""Excel export of the organisation department's figures (openpyxl, write-only: constant memory)."""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook

from jingpei.academy import queries


def workbook(user) -> bytes:
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet(_("注册激活"))
    sheet.append([_("组织"), _("人数"), _("已注册"), _("注册率%"), _("已开始学习"), _("激活率%")])
    for r in queries.coverage(user):
        sheet.append([r.org.name, r.people, r.registered, r.registered_pct, r.started, r.started_pct])
    sheet = wb.create_sheet(_("课程统计"))
    sheet.append([_("课程"), _("年度"), _("类别"), _("学时"), _("选学人数"), _("完成人数"), _("平均观看比例%")])
    for c in queries.course_rows(user):
        sheet.append([c.course.title, c.course.year, c.course.get_kind_display(), float(c.course.credit_hours),
                      c.enrolled, c.completed, c.avg_share])
    sheet = wb.create_sheet(_("未开始学习"))
    sheet.append([_("姓名"), _("所在组织"), _("职务")])
    for p in queries.not_started(user).iterator(chunk_size=2000):
        sheet.append([p.name, p.primary_org.name, p.position])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
