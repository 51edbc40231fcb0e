"""Background jobs of the ledger (registered at startup by ``LedgerConfig.ready``)."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from jingpei.core.jobs import task


@task("ledger.reminders")
def reminders_job(ctx, *, as_of: str | None = None) -> dict:
    from jingpei.ledger.reminders import send_reminders  # loaded when the job runs, not at startup

    stats = send_reminders(as_of=date.fromisoformat(as_of) if as_of else None,
                           progress=lambda done, total: ctx.progress(done, total, _("正在检查学时规则")))
    ctx.progress(1, 1, _("已提醒 %(p)s 人，发送联络员名单 %(d)s 份") % {"p": stats["people"], "d": stats["digests"]}, force=True)
    return stats


@task("ledger.records_archive")
def records_archive_job(ctx, *, org_id: int, year: int, user_id: int) -> dict:
    from jingpei.ledger.records import build_archive  # reportlab loads only when needed

    return build_archive(ctx, org_id=org_id, year=year, user_id=user_id)


@task("ledger.standing")
def standing_job(ctx, *, full: bool = False, as_of: str | None = None, unless_current: bool = False) -> dict:
    """Daily (``full``): re-materialise everyone as of today. Otherwise: rebuild when stale or missing,
    else drain the dirty people. ``unless_current`` (the nightly schedule): a state already built today
    for today (the demo's build, a rebuild after a rule change) is only drained, not built again."""
    from django.utils import timezone

    from jingpei.ledger import standing
    from jingpei.ledger.compliance import today
    from jingpei.ledger.models import ComplianceState

    state = ComplianceState.objects.filter(pk=1).first()
    if (full and unless_current and state is not None and not state.stale and state.as_of == today()
            and timezone.localdate(state.built_at) == today()):
        full = False
    if full or state is None or state.stale:
        stats = standing.rebuild(date.fromisoformat(as_of) if as_of else None)
    else:
        done = 0
        while (n := standing.refresh_dirty()) > 0:
            done += n
        stats = {"refreshed": done}
    ctx.progress(1, 1, _("学时达标统计已更新"), force=True)
    return stats


@task("ledger.mail_notifications")
def mail_notifications_job(ctx, *, ids: list[int]) -> dict:
    """E-mail in-app notifications (``ledger.services.notify_each``) to accounts that have an address."""
    from jingpei.core.mail import send_each
    from jingpei.ledger.models import Notification

    notes = Notification.objects.filter(pk__in=ids, user__is_active=True).exclude(user__email="").select_related("user")
    messages = [(n.title, n.body, n.user.email, n.url) for n in notes]
    failed = send_each(messages)
    stats = {"sent": len(messages) - failed, "mail_failed": failed}
    ctx.progress(1, 1, _("已发送 %(n)s 封邮件") % {"n": stats["sent"]}, force=True)
    return stats
