"""Excel export of the organisation department's figures: a background job (a district's not-started
list can run to hundreds of thousands of rows), openpyxl in write-only mode (constant memory)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from jingpei.academy import queries
from jingpei.core.jobs import task
from jingpei.core.sheets import text_row
from jingpei.core.streaming import streaming

JOB_NAME = "academy.export"


def export_path(job_id) -> Path:
    folder = Path(settings.DATA_DIR) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"academy-{job_id}.xlsx"


def write_workbook(user, path: Path, progress=lambda done, total, message: None) -> None:
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet(_("注册激活"))
    sheet.append([_("组织"), _("人数"), _("已注册"), _("注册率%"), _("已开始学习"), _("激活率%")])
    for r in queries.coverage(user):
        sheet.append(text_row(sheet, [r.org.name, r.people, r.registered, r.registered_pct, r.started,
                                      r.started_pct]))
    sheet = wb.create_sheet(_("课程统计"))
    sheet.append([_("课程"), _("年度"), _("类别"), _("学时"), _("选学人数"), _("完成人数"), _("平均观看比例%"),
                  _("测试通过人数")])
    for c in queries.course_rows(user):
        sheet.append(text_row(sheet, [c.course.title, c.course.year, c.course.get_kind_display(),
                                      float(c.course.credit_hours), c.enrolled, c.completed, c.avg_share,
                                      c.tested]))
    sheet = wb.create_sheet(_("未开始学习"))
    sheet.append([_("姓名"), _("所在组织"), _("职务")])
    people = queries.not_started(user)
    total = people.count()
    with streaming():
        for i, p in enumerate(people.iterator(chunk_size=2000), start=1):
            sheet.append(text_row(sheet, [p.name, p.primary_org.name, p.position]))
            if i % 2000 == 0:
                progress(i, total, _("未开始学习名单"))
    wb.save(path)


@task(JOB_NAME)
def export_job(ctx, *, user_id: int) -> dict:
    user = get_user_model().objects.get(pk=user_id)
    with ctx.progress_outside_transaction() as progress:  # the long list is read in one transaction
        write_workbook(user, export_path(ctx.job.pk), progress=progress)
    return {"url": reverse("academy:export_file", kwargs={"job_id": ctx.job.pk}), "label": _("下载 Excel")}
