"""A subtree's compliance figures, for the page and the API alike (:func:`figures`): the materialised
counts when they answer for the date asked; otherwise the exact evaluation (a past month's end, last
year's 31 December), on the request for a subtree of up to ``LEDGER_INLINE_PEOPLE`` people, and for a
larger one as a background job with a progress bar, whose result the user comes back to (kept a day, and
computed again on request: hours dated before that date may still arrive).

At a million people the evaluation reads a year of month rollups for everyone: minutes, past the web
server's request timeout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.core.jobs import enqueue, opening, task
from jingpei.core.models import Job
from jingpei.ledger import standing
from jingpei.ledger.compliance import Counts, RuleSummary, subtree_summary, today
from jingpei.ledger.models import RequirementRule
from jingpei.ledger.rules import period_for
from jingpei.orgs.models import Organization, Person

JOB = "ledger.summary_at"
KEPT = timedelta(days=1)  # a finished result older than this is computed again


@dataclass
class Figures:
    as_of: date
    summaries: list[RuleSummary]
    materialised: standing.Materialised | None = None  # the materialised counts were read
    computed: Job | None = None  # the finished background job whose result this is
    waiting: Job | None = None  # the background job still running: nothing to show yet
    rebuilding: bool = False  # no figures for today yet: the queued rebuild will make them


def figures(user, root: Organization, rules, *, as_of: date | None, recompute: bool = False,
            wait_for_rebuild: bool = True) -> Figures:
    """The figures of ``root``'s subtree under ``rules`` (those the user may see) as of ``as_of`` (the
    latest materialised date when None). ``recompute``: a fresh background job instead of a kept result.
    Without today's materialisation a large subtree waits for the one queued rebuild
    (``wait_for_rebuild``) rather than every viewer starting a job of their own."""
    rules = list(rules)
    rule_ids = {r.pk for r in rules}
    materialised = None if recompute else standing.summary(root, rule_ids=rule_ids, as_of=as_of)
    if materialised is not None:
        if as_of is None:
            standing.renew_if_old(materialised.as_of)
        return Figures(materialised.as_of, materialised.summaries, materialised=materialised)
    day = as_of or today()
    if not needs_job(root.path):
        return Figures(day, subtree_summary(root, as_of=day, rules=rules))
    if as_of is None and wait_for_rebuild and not recompute:
        standing.queue_rebuild()
        return Figures(day, [], rebuilding=True)
    job = None if recompute else latest(user, root, day, rule_ids)
    job = job or start(user, root, day, rule_ids)
    if job.status != Job.Status.DONE:
        return Figures(day, [], waiting=job)
    return Figures(day, summaries_of(job, rules), computed=job)


def needs_job(path: str, limit: int | None = None) -> bool:
    """More people in the subtree at ``path`` than a request may evaluate (``limit``, by default
    ``LEDGER_INLINE_PEOPLE``; counted no further than it)."""
    limit = settings.LEDGER_INLINE_PEOPLE if limit is None else limit
    return Person.objects.active().filter(primary_org__path__startswith=path)[: limit + 1].count() > limit


def _params(root: Organization, as_of: date, rule_ids) -> dict:
    return {"root_id": root.pk, "as_of": as_of.isoformat(), "rule_ids": sorted(rule_ids)}


def latest(user, root: Organization, as_of: date, rule_ids) -> Job | None:
    """The user's newest job for exactly this subtree, date and rules, unless it failed or is too old."""
    params = _params(root, as_of, rule_ids)
    job = (Job.objects.filter(name=JOB, created_by=user, params__root_id=params["root_id"],
                              params__as_of=params["as_of"], params__rule_ids=params["rule_ids"])
           .order_by("-created_at").first())
    if job is None or job.status == Job.Status.FAILED:
        return None
    if job.status == Job.Status.DONE and (job.finished_at is None or timezone.now() - job.finished_at > KEPT):
        return None
    return job


def start(user, root: Organization, as_of: date, rule_ids) -> Job:
    title = _("%(org)s 截至 %(d)s 的学时达标情况") % {"org": root.name, "d": as_of.isoformat()}
    return enqueue(JOB, user=user, title=title, **_params(root, as_of, rule_ids))


def summaries_of(job: Job, rules) -> list[RuleSummary]:
    """The job's result as the page's summaries, for the rules the user may see now (``rules``)."""
    by_pk = {r.pk: r for r in rules}
    as_of = date.fromisoformat(job.params["as_of"])
    out = []
    for item in job.result["summaries"]:
        rule = by_pk.get(item["rule"])
        if rule is None:  # switched off or out of the user's sight since
            continue
        s = RuleSummary(rule, period_for(rule, as_of), total=Counts._make(item["total"]))
        s.by_child.update((path, Counts._make(v)) for path, v in item["by_child"].items())
        s.by_category.update((int(k), Counts._make(v)) for k, v in item["by_category"].items())
        out.append(s)
    return out


@task(JOB)
def summary_at_job(ctx, *, root_id: int, as_of: str, rule_ids: list[int]) -> dict:
    root = Organization.objects.get(pk=root_id)
    rules = RequirementRule.objects.filter(pk__in=rule_ids).select_related("org")
    message = _("正在按日期计算学时达标情况")
    with ctx.progress_outside_transaction() as progress:  # the evaluation is one transaction
        summaries = standing.summary_at(root, date.fromisoformat(as_of), rules,
                                        progress=lambda done, total: progress(done, total, message, force=True))
    ctx.progress(ctx.job.total, ctx.job.total, _("计算完成"), force=True)
    return opening(
        f"{reverse('ledger:org', args=[root_id])}?as_of={as_of}", _("查看达标情况"),
        summaries=[{"rule": s.rule.pk, "total": list(s.total),
                    "by_child": {path: list(v) for path, v in s.by_child.items()},
                    "by_category": {str(k): list(v) for k, v in s.by_category.items()}} for s in summaries],
    )
