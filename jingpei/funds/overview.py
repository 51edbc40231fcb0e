"""The funds' figure on the home page: how far this year's approved budgets have been spent."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.funds import access, queries
from jingpei.funds.models import State


def execution(user):
    if not access.can_view_funds(user):
        return
    year = timezone.localdate().year
    budgets = list(access.visible_budgets(user).filter(year=year, state=State.APPROVED).select_related("org"))
    if not budgets:
        return
    from jingpei.core.overview import Gauge

    totals = queries.year_totals(queries.figures(budgets))
    yield Gauge(group=_("培训经费"), label=_("%(y)s 年已批准预算执行") % {"y": year},
                value=_("%(s)s / %(t)s 元") % {"s": f"{totals.spent:,.0f}", "t": f"{totals.total:,.0f}"},
                url=reverse("funds:index"), percent=min(100, int(totals.rate)),
                note=_("执行率 %(r)s%%，审批中 %(p)s 元") % {"r": totals.rate, "p": f"{totals.pending:,.0f}"},
                tone="success", order=60)


GAUGES = [execution]
