"""Background jobs of the surveys (registered at startup by ``SurveysConfig.ready``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jingpei.core.jobs import task


@task("surveys.reminders")
def reminders_job(ctx) -> dict:
    from jingpei.surveys.services import remind_unanswered

    stats = remind_unanswered()
    ctx.progress(1, 1, _("%(s)s 份问卷即将截止，已提醒 %(p)s 人") % {"s": stats["surveys"], "p": stats["people"]}, force=True)
    return stats
