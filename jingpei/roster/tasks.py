"""The roster's background jobs: checking a file, committing it, writing an export."""

from __future__ import annotations

import time
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.core.jobs import PROGRESS_EVERY_SECONDS, JobContext, task
from jingpei.core.models import Job
from jingpei.roster import services
from jingpei.roster.models import RosterExport, RosterImport


@task("roster.validate")
def validate_roster(ctx: JobContext, *, import_id: int) -> dict:
    imp = RosterImport.objects.get(pk=import_id)
    services.validate_import(roster_import=imp, progress=ctx.progress)
    return {"url": reverse("roster:import", args=[imp.pk]), "label": _("查看校验结果")}


@task("roster.commit")
def commit_roster(ctx: JobContext, *, import_id: int) -> dict:
    imp = RosterImport.objects.get(pk=import_id)
    ctx.progress(0, message=_("正在写入，全部完成后才生效…"), force=True)
    with progress_outside_transaction(ctx) as progress:
        services.commit_import(roster_import=imp, progress=progress)
    return {"url": reverse("roster:import", args=[imp.pk]), "label": _("查看导入结果")}


@task("roster.export")
def export_roster(ctx: JobContext, *, export_id: int) -> dict:
    export = RosterExport.objects.get(pk=export_id)
    services.write_export(export=export, progress=ctx.progress)
    return {"url": reverse("roster:export-download", args=[export.pk]), "label": _("下载导出文件")}


@contextmanager
def progress_outside_transaction(ctx: JobContext):
    """The commit runs in one long transaction, so progress written on its connection would stay
    invisible until the end. On PostgreSQL a second, autocommit connection reports it live; SQLite
    allows one writer at a time, so there the bar jumps to the end when the commit does."""
    if connection.vendor != "postgresql":
        yield lambda *args, **kwargs: None
        return
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    last = [0.0]
    table = Job._meta.db_table

    def report(done: int, total: int | None = None, message: str | None = None) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY_SECONDS:
            return
        last[0] = now
        ctx.job.done, ctx.job.total = done, total or ctx.job.total
        with side.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET done = %s, total = %s, heartbeat_at = %s WHERE id = %s",  # noqa: S608
                           [done, ctx.job.total, timezone.now(), ctx.job.pk])

    try:
        yield report
    finally:
        side.close()
