"""The ledger's part of the home page's to-do list: the person's rules they are behind on (from the
materialised standing), and unread messages."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from jingpei.core.todo import Todo
from jingpei.ledger.models import ComplianceFact, hours_of
from jingpei.ledger.nav import unread_count
from jingpei.ledger.rules import STATUS_LABELS, Status

BEHIND = (Status.BEHIND, Status.WILL_MISS)  # still to be made up; a missed period is over


def behind(user):
    if not getattr(user, "person_id", None):
        return
    facts = ComplianceFact.objects.filter(person_id=user.person_id, status__in=BEHIND).select_related("rule")
    for fact in facts.order_by("rule_id"):
        yield Todo(_("%(rule)s：还差 %(gap)s 学时（%(status)s）") % {
            "rule": fact.rule.name, "gap": hours_of(fact.required - fact.earned),
            "status": STATUS_LABELS[fact.status]}, reverse("ledger:me"), "hourglass-split")


def inbox(user):
    n = unread_count(user)
    if n:
        yield Todo(_("%(n)s 条未读通知") % {"n": n}, reverse("ledger:notifications"), "bell", order=90)


TODOS = [behind, inbox]
