"""The monthly check: each person behind on a rule is reminded (in-app, and by e-mail when their account
has an address), each liaison gets the list of their people behind. A :class:`ReminderSent` row with a
unique key per person/liaison × rule × period is written in the same transaction as the notification,
so no one is reminded twice for the same rule and period — not even when two runs overlap.

Who is behind is read from the materialised facts (brought up to the date first), a thousand people at
a time: the run costs a few statements per thousand people, not a Python evaluation of everyone."""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.accounts.models import Grant, User
from jingpei.core.mail import send_each
from jingpei.core.permissions import Role
from jingpei.ledger import standing
from jingpei.ledger.compliance import today
from jingpei.ledger.models import ComplianceFact, Notification, ReminderSent, RequirementRule, hours_of
from jingpei.ledger.rules import STATUS_LABELS, Period, Status

BEHIND = {Status.BEHIND, Status.WILL_MISS, Status.MISSED}
CHUNK = 1000  # people reminded per transaction
DIGEST_LINES = 200  # people named in a liaison's digest; the page behind its link lists them all


def _claim(keys: dict[str, int | None], *, rule, period_start: date) -> set[str]:
    """Claim the reminders ``keys`` (key → person id or None) in the caller's transaction; returns the
    keys claimed now. A key sent before, or claimed by a run still in flight (its insert waits for that
    one's commit), is not returned."""
    if not keys:
        return set()
    quote = connection.ops.quote_name
    table, now = quote(ReminderSent._meta.db_table), connection.ops.adapt_datetimefield_value(timezone.now())
    rows = [(key, person, rule.pk, period_start, now) for key, person in keys.items()]
    claimed: set[str] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            cursor.execute(
                f"INSERT INTO {table} ({quote('key')}, person_id, rule_id, period_start, sent_at) VALUES "  # noqa: S608
                f"{', '.join(['(%s, %s, %s, %s, %s)'] * len(chunk))} ON CONFLICT ({quote('key')}) DO NOTHING RETURNING {quote('key')}",
                [v for row in chunk for v in row])
            claimed.update(key for (key,) in cursor.fetchall())
    return claimed


def _remind_people(rule, period: Period, facts: list[tuple[int, int, int]], stats: dict) -> None:
    """One transaction: claim and notify those of ``facts`` (person id, required, earned in tenths) who
    have an active account."""
    users = {u.person_id: u for u in User.objects.filter(person_id__in=[f[0] for f in facts], is_active=True)}
    keys = {f"p:{pid}:{rule.pk}:{period.start.isoformat()}": pid for pid in users}
    url_of = {pid: reverse("ledger:person", args=[pid]) for pid in users}
    title = _("学时提醒：%(rule)s") % {"rule": rule.name}
    mails = []
    with transaction.atomic():
        claimed = {keys[k] for k in _claim(keys, rule=rule, period_start=period.start)}
        notes = []
        for pid, required, earned in facts:
            if pid not in claimed:
                continue
            body = _("您在%(period)s的学时为 %(earned)s，要求 %(required)s，还差 %(gap)s 学时，请抓紧学习。") % {
                "period": period.label, "earned": hours_of(earned), "required": hours_of(required),
                "gap": hours_of(max(required - earned, 0))}
            notes.append(Notification(user=users[pid], title=title[:200], body=body, url=url_of[pid]))
            if users[pid].email:
                mails.append((title, body, users[pid].email, url_of[pid]))
        Notification.objects.bulk_create(notes)
    stats["people"] += len(notes)
    stats["mail_failed"] += send_each(mails)  # after the commit


def _digest(grant: Grant, rule, period: Period, stats: dict) -> None:
    """The liaison's list of their people behind on ``rule``: count, and the first lines by organisation."""
    mine = ComplianceFact.objects.filter(rule_id=rule.pk, status__in=sorted(BEHIND),
                                         org_path__startswith=grant.org.path)
    n = mine.count()
    if not n:
        return
    rows = list(mine.order_by("org_path", "pinyin", "person_id").values_list(
        "person__name", "person__primary_org__name", "earned", "required", "status")[:DIGEST_LINES])
    lines = [f"{name}（{org}）：{hours_of(earned)}/{hours_of(required)}，{STATUS_LABELS[status]}"
             for name, org, earned, required, status in rows]
    if n > len(rows):
        lines.append(_("……共 %(n)s 人，完整名单请打开链接查看。") % {"n": n})
    url = reverse("ledger:org_rule", args=[grant.org_id, rule.pk])
    title = _("%(org)s 学时落后人员名单：%(rule)s（%(n)s 人）") % {"org": grant.org.name, "rule": rule.name, "n": n}
    key = f"d:{grant.user_id}:{grant.org_id}:{rule.pk}:{period.start.isoformat()}"
    with transaction.atomic():
        if not _claim({key: None}, rule=rule, period_start=period.start):
            return
        Notification.objects.create(user=grant.user, title=title[:200], body="\n".join(lines), url=url)
    stats["digests"] += 1
    if grant.user.email:
        stats["mail_failed"] += send_each([(title, "\n".join(lines), grant.user.email, url)])


def send_reminders(*, as_of: date | None = None, progress=None) -> dict:
    as_of = as_of or today()
    standing.ensure_current(as_of)
    stats = {"people": 0, "digests": 0, "mail_failed": 0}
    rules = list(RequirementRule.objects.switched_on().select_related("org"))
    live = standing._live(rules, as_of)
    liaison_grants = list(Grant.objects.active().filter(role=Role.LIAISON, user__is_active=True).select_related("user", "org"))
    for index, (rule, period) in enumerate(live):
        behind = ComplianceFact.objects.filter(rule_id=rule.pk, status__in=sorted(BEHIND)).order_by("person_id")
        last = 0
        while facts := list(behind.filter(person_id__gt=last).values_list("person_id", "required", "earned")[:CHUNK]):
            _remind_people(rule, period, facts, stats)
            last = facts[-1][0]
        for grant in liaison_grants:
            _digest(grant, rule, period, stats)
        if progress:
            progress(index + 1, len(live))
    return stats
