"""A large subtree's year figures as a background job, kept for a day: they read every month rollup of the
subtree's people (bench/reports_year.py: 0.7 s for 5,228 people, 3.9 s for 100,000; a county of a million
would take tens of seconds), more than a request may take."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.core.jobs import enqueue, opening, task
from jingpei.core.models import Job
from jingpei.ledger.dated import needs_job
from jingpei.orgs.models import Organization
from jingpei.reports.access import sees_funds
from jingpei.reports.figures import YearFigures, year_figures

JOB = "reports.year"
KEPT = timedelta(days=1)  # older kept figures are made again


def figures_for(user, root: Organization, year: int, *, recompute: bool = False) -> YearFigures | Job:
    """The figures, or the job making them (queued, running, or just started) for a large subtree; with the
    training funds for a user who may read them there."""
    funds = sees_funds(user, root)
    if not needs_job(root.path, inline_limit(year)):
        return year_figures(root, year, funds=funds)
    job = None if recompute else _kept(user, root, year, funds)
    if job is not None and job.status == Job.Status.DONE:
        return YearFigures.from_json(job.result["figures"])
    return job or enqueue(JOB, user=user, reuse=True, root_id=root.pk, year=year, funds=funds,
                          title=_("%(org)s %(year)s 年度培训统计") % {"org": root.name, "year": year})


def inline_limit(year: int) -> int:
    """People a request may count: a past year also evaluates everyone's standing at 31 December (~0.2 ms a
    person on the demo's SQLite, 0.35–0.6 ms at a million people), so a fifth as many."""
    limit = settings.REPORTS_INLINE_PEOPLE
    return limit if year >= timezone.localdate().year else limit // 5


def _kept(user, root: Organization, year: int, funds: bool) -> Job | None:
    """The user's latest job for these figures; one made before their funds right changed is not theirs."""
    job = (Job.objects.filter(name=JOB, created_by=user, params__root_id=root.pk, params__year=year,
                              params__funds=funds)
           .exclude(status=Job.Status.FAILED).order_by("-created_at").first())
    if job is None or (job.status == Job.Status.DONE and timezone.now() - (job.finished_at or job.created_at) > KEPT):
        return None
    return job


@task(JOB)
def year_figures_job(ctx, *, root_id: int, year: int, funds: bool = False) -> dict:
    root = Organization.objects.get(pk=root_id)
    figures = year_figures(root, year, progress=lambda done, total, message: ctx.progress(done, total, message,
                                                                                       force=True), funds=funds)
    ctx.progress(4, 4, _("统计完成"), force=True)
    return opening(f"{reverse('reports:year', args=[root_id])}?year={year}", _("查看年度统计"),
                   figures=figures.as_json())
