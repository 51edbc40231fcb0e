"""Classes' figures on the home page: this year's annual plans against their targets (年初有计划)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.classes import access, queries
from jingpei.core.overview import Gauge

PLAN_LIMIT = 3  # a county officer with many towns' plans sees the first three (the plans page has all)


def plans(user):
    year = timezone.localdate().year
    shown = list(access.visible_plans(user).filter(year=year).select_related("org").order_by("org__path")[:PLAN_LIMIT])
    if not shown:
        return
    done = queries.plans_done(shown)
    for plan in shown:
        n = done.get(plan.pk, 0)
        yield Gauge(
            _("年度培训计划"), plan.title,
            _("%(done)s / %(target)s 人次") % {"done": n, "target": plan.total_target},
            reverse("classes:plan", args=[plan.pk]), percent=queries.percent(n, plan.total_target),
            note=_("%(org)s · 已完成 %(p)s%%") % {"org": plan.org.name, "p": queries.percent(n, plan.total_target)},
            tone="success" if plan.total_target and n >= plan.total_target else "primary", order=10)


GAUGES = [plans]
