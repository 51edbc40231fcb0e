"""The monthly check: each person behind on a rule is reminded (in-app, and by e-mail when their account
has an address), each liaison gets the list of their people behind. A :class:`ReminderSent` row with a
unique key per person/liaison × rule × period is written in the same transaction as the notification,
so no one is reminded twice for the same rule and period — not even when two runs overlap."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from jingpei.accounts.models import Grant
from jingpei.core.permissions import Role
from jingpei.ledger.compliance import people_for_rule, today
from jingpei.ledger.models import Notification, ReminderSent, RequirementRule
from jingpei.ledger.rules import Status, period_for
from jingpei.orgs.models import Organization

BEHIND = {Status.BEHIND, Status.WILL_MISS, Status.MISSED}


def _once(key: str, *, rule, period_start: date, person=None) -> bool:
    """Claim the reminder ``key``; False when it was already sent."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(key=key, rule=rule, period_start=period_start, person=person)
    except IntegrityError:
        return False
    return True


def _notify(user, title: str, body: str, url: str) -> None:
    Notification.objects.create(user=user, title=title[:200], body=body, url=url)
    if user.email:
        send_mail(title, f"{body}\n\n{url}", settings.DEFAULT_FROM_EMAIL, [user.email])


def send_reminders(*, as_of: date | None = None, progress=None) -> dict:
    as_of = as_of or today()
    stats = {"people": 0, "digests": 0}
    roots = list(Organization.objects.filter(depth=1, archived_at__isnull=True))
    rules = list(RequirementRule.objects.switched_on().select_related("org"))
    liaison_grants = list(Grant.objects.active().filter(role=Role.LIAISON, user__is_active=True).select_related("user", "org"))
    for index, rule in enumerate(rules):
        period = period_for(rule, as_of)
        behind = []
        for root in roots:
            behind += people_for_rule(root, rule, as_of=as_of, statuses=BEHIND)
        for person, result in behind:
            user = getattr(person, "user", None)
            if user is None or not user.is_active:
                continue
            key = f"p:{person.pk}:{rule.pk}:{period.start.isoformat()}"
            with transaction.atomic():
                if not _once(key, rule=rule, period_start=period.start, person=person):
                    continue
                _notify(user, _("学时提醒：%(rule)s") % {"rule": rule.name},
                        _("您在%(period)s的学时为 %(earned)s，要求 %(required)s，还差 %(gap)s 学时，请抓紧学习。") % {
                            "period": period.label, "earned": result.earned, "required": result.required,
                            "gap": result.gap},
                        reverse("ledger:person", args=[person.pk]))
                stats["people"] += 1
        for grant in liaison_grants:
            mine = [(p, r) for p, r in behind if p.primary_org.path.startswith(grant.org.path)]
            if not mine:
                continue
            key = f"d:{grant.user_id}:{grant.org_id}:{rule.pk}:{period.start.isoformat()}"
            with transaction.atomic():
                if not _once(key, rule=rule, period_start=period.start):
                    continue
                lines = "\n".join(f"{p.name}（{p.primary_org.name}）：{r.earned}/{r.required}，{r.status_label}"
                                  for p, r in mine)
                _notify(grant.user, _("%(org)s 学时落后人员名单：%(rule)s（%(n)s 人）") % {
                    "org": grant.org.name, "rule": rule.name, "n": len(mine)}, lines,
                    reverse("ledger:org", args=[grant.org_id]))
                stats["digests"] += 1
        if progress:
            progress(index + 1, len(rules))
    return stats
