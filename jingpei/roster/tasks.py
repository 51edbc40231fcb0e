"""The roster's background jobs: checking a file, committing it, writing an export."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from jingpei.core.jobs import JobContext, opening, task
from jingpei.roster import services
from jingpei.roster.models import RosterExport, RosterImport


@task("roster.validate")
def validate_roster(ctx: JobContext, *, import_id: int) -> dict:
    imp = RosterImport.objects.get(pk=import_id)
    services.validate_import(roster_import=imp, progress=ctx.progress)
    return opening(reverse("roster:import", args=[imp.pk]), _("查看校验结果"))


@task("roster.commit")
def commit_roster(ctx: JobContext, *, import_id: int) -> dict:
    imp = RosterImport.objects.get(pk=import_id)
    ctx.progress(0, message=_("正在写入，全部完成后才生效…"), force=True)
    with ctx.progress_outside_transaction() as progress:
        services.commit_import(roster_import=imp, progress=progress)
    return opening(reverse("roster:import", args=[imp.pk]), _("查看导入结果"))


@task("roster.export")
def export_roster(ctx: JobContext, *, export_id: int) -> dict:
    export = RosterExport.objects.get(pk=export_id)
    with ctx.progress_outside_transaction() as progress:  # the rows are read in one transaction
        services.write_export(export=export, progress=progress)
    return {"url": reverse("roster:export-download", args=[export.pk]), "label": _("下载导出文件")}
