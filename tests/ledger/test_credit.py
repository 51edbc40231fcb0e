"""Crediting, idempotency, reversal, and the rollups' agreement with the raw ledger."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from jingpei.core.errors import DomainError
from jingpei.core.models import AuditLog
from jingpei.ledger import services
from jingpei.ledger.models import LedgerEntry, MonthRollup, TrainingForm
from jingpei.ledger.services import CreditItem


def rollup_snapshot():
    return {(r.person_id, r.month, r.form): (r.tenths, r.entries) for r in MonthRollup.objects.all()}


def credit(person, key, hours="2.0", form=TrainingForm.ONLINE, day=date(2026, 3, 5)):
    return services.credit_hours(person=person, hours=hours, form=form, occurred_on=day, idempotency_key=key,
                                 title="乡村振兴专题", source_type="test", source_id=key)


def test_credit_creates_entry_rollup_and_audit(cast):
    result = credit(cast.person_a, "t:1", "2.5")
    assert result.created
    assert result.entry.hours == Decimal("2.5")
    assert rollup_snapshot() == {(cast.person_a.pk, date(2026, 3, 1), "online"): (25, 1)}
    assert AuditLog.objects.filter(action="ledger.credit", object_id=str(result.entry.pk)).exists()


def test_same_key_credits_once(cast):
    first = credit(cast.person_a, "t:1")
    second = credit(cast.person_a, "t:1", "9")
    assert not second.created and second.entry.pk == first.entry.pk
    assert LedgerEntry.objects.count() == 1
    assert rollup_snapshot()[(cast.person_a.pk, date(2026, 3, 1), "online")] == (20, 1)


@pytest.mark.parametrize(("hours", "message"), [
    ("0", "学时须大于 0 且不超过 1000。"),
    ("-1", "学时须大于 0 且不超过 1000。"),
    ("1000.1", "学时须大于 0 且不超过 1000。"),
    ("abc", "学时“abc”不是有效数字。"),
])
def test_bad_hours_write_nothing(cast, hours, message):
    with pytest.raises(DomainError) as exc:
        credit(cast.person_a, "t:bad", hours)
    assert exc.value.message == message
    assert not LedgerEntry.objects.exists() and not MonthRollup.objects.exists()


def test_unknown_form_is_refused(cast):
    with pytest.raises(DomainError) as exc:
        credit(cast.person_a, "t:bad", form="dance")
    assert exc.value.message == "未知的培训形式：dance"
    assert not LedgerEntry.objects.exists()


def test_hours_are_rounded_to_the_tenth(cast):
    assert credit(cast.person_a, "t:r", "0.25").entry.hours == Decimal("0.3")


def test_reversal_is_a_new_negative_entry(cast):
    entry = credit(cast.person_a, "t:1", "3").entry
    reversal = services.reverse_entry(entry=entry, reason="重复登记", actor=cast.officer)
    assert reversal.hours == Decimal("-3.0") and reversal.reverses == entry and reversal.reason == "重复登记"
    entry.refresh_from_db()
    assert entry.hours == Decimal("3.0")  # the original is never touched
    assert rollup_snapshot()[(cast.person_a.pk, date(2026, 3, 1), "online")] == (0, 0)
    # reversing twice is the same reversal
    assert services.reverse_entry(entry=entry, reason="再次", actor=cast.officer).pk == reversal.pk
    assert LedgerEntry.objects.count() == 2


def test_reversal_needs_a_reason_and_cannot_be_reversed(cast):
    entry = credit(cast.person_a, "t:1").entry
    with pytest.raises(DomainError) as exc:
        services.reverse_entry(entry=entry, reason="  ")
    assert exc.value.message == "更正须填写原因。"
    reversal = services.reverse_entry(entry=entry, reason="错误")
    with pytest.raises(DomainError) as exc:
        services.reverse_entry(entry=reversal, reason="错误")
    assert exc.value.message == "更正记录本身不能再更正。"


def test_the_database_holds_one_reversal_per_entry_whatever_its_key(cast):
    """ledger_reversal_once: a second reversal of the same entry under another key (a bug, a hand-made
    row) is refused by the database itself; any number of credits reverse nothing."""
    from django.db import IntegrityError, transaction

    entry = credit(cast.person_a, "t:1", "3").entry
    credit(cast.person_a, "t:2", "1")  # credits: reverses NULL, many of them
    services.reverse_entry(entry=entry, reason="错误")
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(person=cast.person_a, hours=Decimal("-3"), form=entry.form,
                                   occurred_on=entry.occurred_on, idempotency_key="other-key", reverses=entry, reason="x")
    assert LedgerEntry.objects.filter(reverses=entry).count() == 1


def test_credit_many_skips_existing_keys(cast):
    credit(cast.person_a, "bulk:1", "1")
    items = [CreditItem(cast.person_a.pk, Decimal("1.5"), "online", date(2026, 3, d), f"bulk:{d}") for d in range(1, 5)]
    assert services.credit_many(items) == 3
    assert services.credit_many(items) == 0
    assert rollup_snapshot()[(cast.person_a.pk, date(2026, 3, 1), "online")] == (10 + 45, 4)


def test_rollups_agree_with_raw_ledger_after_random_credits_and_reversals(cast):
    rng = random.Random(2026)
    people = [cast.person_a, cast.person_a2, cast.person_b]
    entries = []
    for i in range(150):
        if entries and rng.random() < 0.25:
            services.reverse_entry(entry=rng.choice(entries), reason="随机更正")
            continue
        if rng.random() < 0.3:
            items = [CreditItem(rng.choice(people).pk, Decimal(rng.randint(1, 80)) / 10, rng.choice(TrainingForm.values),
                                date(2026, rng.randint(1, 12), rng.randint(1, 28)), f"r:{i}:{j}") for j in range(5)]
            services.credit_many(items)
            continue
        result = credit(rng.choice(people), f"r:{rng.randint(0, 120)}", Decimal(rng.randint(1, 80)) / 10,
                        rng.choice(TrainingForm.values), date(2026, rng.randint(1, 12), rng.randint(1, 28)))
        entries.append(result.entry)
    incremental = rollup_snapshot()
    services.rebuild_rollups()
    assert rollup_snapshot() == incremental
    # and both equal a sum over the raw ledger computed here in Python
    raw: dict = {}
    for e in LedgerEntry.objects.all():
        key = (e.person_id, e.occurred_on.replace(day=1), e.form)
        t, n = raw.get(key, (0, 0))
        raw[key] = (t + int(e.hours * 10), n + (-1 if e.reverses_id else 1))
    assert raw == incremental


def test_a_key_repeated_within_a_batch_credits_once_with_its_first_occurrence(cast):
    items = [CreditItem(cast.person_a.pk, Decimal("1.0"), "online", date(2026, 3, 1), "dup"),
             CreditItem(cast.person_a.pk, Decimal("5.0"), "online", date(2026, 3, 1), "dup")]
    assert services.credit_many(items) == 1
    assert LedgerEntry.objects.get().hours == Decimal("1.0")
    assert rollup_snapshot() == {(cast.person_a.pk, date(2026, 3, 1), "online"): (10, 1)}
