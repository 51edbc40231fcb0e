"""The drill-down's people as an Excel file: written in the request for a list of up to
``LEDGER_INLINE_PEOPLE`` people, by a background job for a longer one (a million-person district's list
of the people behind takes minutes to evaluate and write), to a file its owner downloads.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from jingpei.core.jobs import enqueue, task
from jingpei.ledger import standing

JOB = "ledger.people_xlsx"


def write(results, target, progress=None) -> int:
    """The (person, RuleResult) pairs as a sheet into ``target`` (a path or a binary file); openpyxl's
    write-only mode sends rows to a temporary file as they come, so memory stays flat."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("人员名单"))
    sheet.append([_("姓名"), _("所在组织"), _("周期"), _("要求学时"), _("已完成"), _("差额"), _("状态"), _("说明")])
    total = len(results)
    done = 0
    for person, r in results:
        sheet.append([person.name, person.primary_org.name, r.period.label, float(r.required), float(r.earned),
                      float(r.gap), r.status_label, "；".join(r.notes)])
        done += 1
        if progress and done % 2000 == 0:
            progress(done, total)
    book.save(target)
    return done


def path_of(job_id) -> Path:
    return Path(settings.MEDIA_ROOT) / "ledger" / "lists" / f"{job_id}.xlsx"


def start(user, root, rule, *, as_of: date | None, child: str | None, category_id: int | None,
          statuses: set[str] | None, order: str):
    """Queue the list's file. ``as_of`` None: the materialised figures' date, whichever it is then."""
    title = _("%(org)s · %(rule)s 人员名单") % {"org": root.name, "rule": rule.name}
    return enqueue(JOB, user=user, title=title, user_id=user.pk, root_id=root.pk, rule_id=rule.pk,
                   as_of=as_of.isoformat() if as_of else None, child=child, category_id=category_id,
                   statuses=sorted(statuses) if statuses else None, order=order)


@task(JOB)
def people_xlsx_job(ctx, *, user_id: int, root_id: int, rule_id: int, as_of: str | None, child: str | None,
                    category_id: int | None, statuses: list[str] | None, order: str) -> dict:
    from jingpei.accounts.models import User
    from jingpei.ledger import access

    user = User.objects.get(pk=user_id)
    root = access.get_subtree(user, root_id)  # the grant may have been revoked since the job was queued
    rule = access.get_rule(user, rule_id)
    day = date.fromisoformat(as_of) if as_of else None
    wanted = {"child_path": child, "category_id": category_id, "statuses": set(statuses) if statuses else None,
              "order": order}
    ctx.progress(0, 1, _("正在计算名单"), force=True)
    results = standing.fact_listing(root, rule, as_of=day, **wanted)
    if results is None:
        results = standing.listing_at(root, rule, day or standing.c.today(), **wanted)
    target = path_of(ctx.job.pk)
    target.parent.mkdir(parents=True, exist_ok=True)
    rows = write(results, target, progress=lambda done, total: ctx.progress(done, total, _("正在写入 Excel")))
    ctx.progress(rows, rows, _("名单已生成"), force=True)
    return {"url": reverse("ledger:people_list", args=[ctx.job.pk]), "label": _("下载名单"), "rows": rows}
