"""The demo district's online study this year (网络学院自学 and 学习强国), month by month, so the
compliance pages open on a believable mix of met, on track and behind rather than an empty year."""

from __future__ import annotations

import calendar
import random
from datetime import date
from decimal import Decimal

from jingpei.ledger.models import RequirementRule, TrainingForm
from jingpei.ledger.services import CreditItem, credit_many, save_rule
from jingpei.orgs.models import Category, Person

# Who the regulations' 12 days (or 90 学时) of full-time training a year is for: cadres, not every party
# member, wealth leader or young backbone on a village roster.
CADRE_CATEGORIES = ("top_leader", "leader", "first_secretary", "poverty_cadre", "seconded")


def build_online_history(*, seed: int, today: date) -> int:
    """One credit per person and month from January to ``today``. Each person has a steady habit: most
    study 5–8 hours a month, a few fall short, some skip months; most spread the current month's study over
    it (pro rata by days so far), and about one in seven does the whole month in its first days, so the
    monthly rule shows people who met it on any day of the month, the 1st included."""
    rng = random.Random(seed)
    items: list[CreditItem] = []
    for person_id in Person.objects.order_by("pk").values_list("pk", flat=True):
        habit = rng.choice((7.5, 6.5, 6.0, 5.5, 5.0, 4.0, 2.5))
        skips = rng.random() * 0.25
        early = rng.random() < 0.15
        for month in range(1, today.month + 1):
            if rng.random() < skips:
                continue
            days = calendar.monthrange(today.year, month)[1]
            current = month == today.month
            share = today.day / days if current and not early else 1.0
            hours = round(max(0.5, rng.gauss(habit, 1.0)) * share * 2) / 2  # half hours, as courses credit
            if hours <= 0:
                continue
            external = rng.random() < 0.2
            day = rng.randint(1, min(today.day, 3) if early else today.day) if current else rng.randint(1, days)
            items.append(CreditItem(
                person_id=person_id, hours=Decimal(str(hours)),
                form=TrainingForm.EXTERNAL if external else TrainingForm.ONLINE,
                occurred_on=date(today.year, month, day),
                idempotency_key=f"demo-online:{person_id}:{today.year}-{month:02d}",
                title="学习强国专题学习" if external else "干部网络学院自学",
            ))
    return credit_many(items)


def scope_fulltime_rule(*, actor) -> RequirementRule:
    """Limit the preset 年度集中培训 rule to the demo's cadre categories, as an office does on the rules page
    (the preset ships covering everyone: categories are each office's own data)."""
    rule = RequirementRule.objects.get(code="fulltime-yearly")
    return save_rule(actor=actor, rule=rule, categories=list(Category.objects.filter(code__in=CADRE_CATEGORIES)))
