"""The ledger's figures on the home page: for each subtree the user oversees, the share of its people
meeting each rule (the materialised counts, as on 学时达标); for a person, their own standing per rule
(the materialised facts, as in the to-do list). No subtree is evaluated here (the read folds in the few
people credited since, as 学时达标's does): without today's figures the subtree is left out, and its page
says why."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from jingpei.core.overview import Gauge
from jingpei.ledger import access, compliance, standing
from jingpei.ledger.models import ComplianceFact, hours_of
from jingpei.ledger.rules import STATUS_COLORS, STATUS_LABELS, period_for

ROOT_LIMIT = 2  # subtrees shown; a user granted more sees them on 学时达标


def subtrees(user):
    roots = access.ledger_roots(user)[:ROOT_LIMIT]
    rule_ids = set(access.visible_rules(user).filter(active=True).values_list("pk", flat=True)) if roots else set()
    for root in roots:
        kept = standing.summary(root, rule_ids=rule_ids)
        if kept is None:
            continue
        for s in kept.summaries:
            total = s.total
            if not total.covered:  # a rule for others (county leaders in a village): nothing to show
                continue
            yield Gauge(
                _("学时达标 · %(org)s") % {"org": root.name}, s.rule.name,
                _("达标 %(met)s / %(covered)s 人") % {"met": total.met, "covered": total.covered},
                reverse("ledger:org", args=[root.pk]), percent=int(total.rate),
                note=_("%(period)s · 达标率 %(rate)s%% · 滞后 %(behind)s 人") % {
                    "period": s.period.label, "rate": total.rate, "behind": total.behind},
                tone="success" if total.covered and total.met == total.covered else "primary", order=20)


def mine(user):
    if not getattr(user, "person_id", None):
        return
    day = compliance.today()
    for fact in ComplianceFact.objects.filter(person_id=user.person_id).select_related("rule").order_by("rule_id"):
        required, earned = hours_of(fact.required), hours_of(fact.earned)
        yield Gauge(
            _("我的学时"), fact.rule.name, _("%(earned)s / %(required)s 学时") % {"earned": earned, "required": required},
            reverse("ledger:me"), percent=min(100, int(earned * 100 / required)) if required else 100,
            note=_("%(period)s · %(status)s") % {"period": period_for(fact.rule, day).label,
                                                 "status": STATUS_LABELS[fact.status]},
            tone=STATUS_COLORS[fact.status], order=60)


GAUGES = [subtrees, mine]
