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
from jingpei.ledger.compliance import today

JOB = "ledger.people_xlsx"


def write(results, target, progress=None) -> int:
    """The (person, RuleResult) pairs as a sheet into ``target`` (a path, or a binary file for a short
    list) with xlsxwriter: in constant-memory mode to a path, so memory stays flat at any length. Text is
    written as text (``write_string``): a name or an organisation typed as ``=HYPERLINK(…)`` stays a name,
    where a generic writer makes it a formula."""
    import xlsxwriter

    to_file = isinstance(target, (str, Path))
    book = xlsxwriter.Workbook(str(target) if to_file else target,
                               {"constant_memory": True} if to_file else {"in_memory": True})
    sheet = book.add_worksheet(_("人员名单"))
    bold = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    for col, width in enumerate((10, 24, 14, 10, 10, 10, 16, 40)):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, [_("姓名"), _("所在组织"), _("周期"), _("要求学时"), _("已完成"), _("差额"), _("状态"),
                           _("说明")], bold)
    text, number = sheet.write_string, sheet.write_number
    total = len(results)
    labels: dict = {}  # a period's and a status's words, translated once per list, not once per row
    n = 0
    for n, (person, r) in enumerate(results, start=1):  # noqa: B007  (n is the count after the loop)
        if (r.period, r.status) not in labels:
            labels[(r.period, r.status)] = (r.period.label, r.status_label)
        period, status = labels[(r.period, r.status)]
        text(n, 0, person.name)
        text(n, 1, person.primary_org.name)
        text(n, 2, period)
        number(n, 3, float(r.required))
        number(n, 4, float(r.earned))
        number(n, 5, float(r.gap))
        text(n, 6, status)
        if r.notes:
            text(n, 7, "；".join(r.notes))
        if progress and n % 2000 == 0:
            progress(n, total)
    book.close()
    return n


def path_of(job_id) -> Path:
    return Path(settings.MEDIA_ROOT) / "ledger" / "lists" / f"{job_id}.xlsx"


def start(user, root, rule, *, as_of: date | None, child: str | None, category_id: int | None,
          statuses: set[str] | None, order: str):
    """Queue the list's file. ``as_of`` None: the materialised figures' date, whichever it is then."""
    title = _("%(org)s · %(rule)s 人员名单") % {"org": root.name, "rule": rule.name}
    return enqueue(JOB, user=user, title=title, reuse=True, user_id=user.pk, root_id=root.pk, rule_id=rule.pk,
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
        results = standing.listing_at(root, rule, day or today(), **wanted)
    target = path_of(ctx.job.pk)
    target.parent.mkdir(parents=True, exist_ok=True)
    rows = write(results, target, progress=lambda done, total: ctx.progress(done, total, _("正在写入 Excel")))
    ctx.progress(rows, rows, _("名单已生成"), force=True)
    return {"url": reverse("ledger:people_list", args=[ctx.job.pk]), "label": _("下载名单"), "rows": rows}
