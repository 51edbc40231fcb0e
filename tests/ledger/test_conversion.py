"""Credit conversion presets on hand-checked examples, and the per-year cap in compliance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from jingpei.core.errors import DomainError
from jingpei.ledger import services
from jingpei.ledger.compliance import person_compliance
from jingpei.ledger.conversion import convert_hours
from jingpei.orgs.models import Person


@pytest.mark.django_db
@pytest.mark.parametrize(("kw", "expected"), [
    ({"form": "online", "basis": "minutes", "quantity": 45}, D("1")),
    ({"form": "online", "basis": "minutes", "quantity": 30}, D("1")),
    ({"form": "online", "basis": "minutes", "quantity": 29}, D("0.5")),
    ({"form": "online", "basis": "minutes", "quantity": 15}, D("0.5")),
    ({"form": "online", "basis": "minutes", "quantity": 14}, D("0")),
    ({"form": "online", "basis": "item", "quantity": 1, "code": "micro-course"}, D("0.25")),
    ({"form": "online", "basis": "item", "quantity": 1, "code": "test-passed"}, D("0.5")),
    ({"form": "class", "basis": "day", "quantity": 3}, D("18")),
    ({"form": "class", "basis": "day", "quantity": 12}, D("60")),  # 72, capped at 60 a class
    ({"form": "class", "basis": "day", "quantity": 2, "already_credited": D("54")}, D("6")),
    ({"form": "teaching", "basis": "hour", "quantity": 2}, D("10")),
])
def test_presets(kw, expected):
    assert convert_hours(**kw) == expected


@pytest.mark.django_db
def test_bad_quantity():
    with pytest.raises(DomainError) as exc:
        convert_hours(form="online", basis="minutes", quantity=-1)
    assert exc.value.message == "数量不能为负数。"


def test_teaching_is_capped_per_year_in_compliance(settled):
    person = settled.person_a
    Person.objects.filter(pk=person.pk).update(rank_level="county_deputy")
    person.refresh_from_db()
    services.credit_hours(person=person, hours="60", form="teaching", occurred_on=date(2026, 3, 1),
                          idempotency_key="t:1")
    services.credit_hours(person=person, hours="20", form="class", occurred_on=date(2026, 3, 1),
                          idempotency_key="t:2")
    result = next(r for r in person_compliance(person, as_of=date(2026, 6, 30)) if r.rule.code == "county-leader-5y")
    assert result.earned == D("70")  # 50 (teaching, capped a year) + 20
