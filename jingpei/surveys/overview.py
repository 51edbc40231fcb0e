"""The surveys' figures on the home page: how many answers each open survey the user runs has gathered
(the audience is not counted here: for a whole district that is the results page's work)."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _

from jingpei.surveys import access
from jingpei.surveys.models import State


def open_surveys(user):
    from jingpei.core.overview import Gauge  # core.overview collects this module: imported when called

    surveys = (access.visible_surveys(user).filter(state=State.OPEN).select_related("org")
               .annotate(n=Count("responses")).order_by("closes_on", "pk")[:3])
    for survey in surveys:
        note = _("截止 %(d)s") % {"d": f"{survey.closes_on:%Y-%m-%d}"} if survey.closes_on else _("进行中")
        yield Gauge(
            group=_("问卷调研"), label=survey.title, value=_("已收 %(n)s 份") % {"n": survey.n},
            url=survey.get_absolute_url(), note=note, order=55)


GAUGES = [open_surveys]
