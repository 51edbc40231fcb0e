"""Under real concurrency (PostgreSQL), one source credits once and rollups stay exact."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from jingpei.ledger import services
from jingpei.ledger.models import LedgerEntry, MonthRollup

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_at_barrier(n, fn):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def worker(i):
        from django.db import connection as conn

        try:
            barrier.wait()
            results.append(fn(i))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_concurrent_credits_with_one_key_credit_once(pg, cast):
    def credit(i):
        return services.credit_hours(person=cast.person_a, hours="2", form="class", occurred_on=date(2026, 5, 6),
                                     idempotency_key=f"class-completion:1:{cast.person_a.pk}")

    results, errors = _run_at_barrier(8, credit)
    assert not errors
    assert sum(r.created for r in results) == 1
    assert len({r.entry.pk for r in results}) == 1
    assert LedgerEntry.objects.count() == 1
    assert MonthRollup.objects.get().tenths == 20


def test_concurrent_distinct_credits_and_reversals_keep_rollups_exact(pg, cast):
    base = [services.credit_hours(person=cast.person_a, hours="1", form="online", occurred_on=date(2026, 5, 1),
                                  idempotency_key=f"base:{i}").entry for i in range(4)]

    def work(i):
        if i < 4:
            return services.reverse_entry(entry=base[i], reason="并发更正")
        return services.credit_hours(person=cast.person_a, hours="1.5", form="online", occurred_on=date(2026, 5, 9),
                                     idempotency_key=f"par:{i}")

    _results, errors = _run_at_barrier(10, work)
    assert not errors
    row = MonthRollup.objects.get()
    assert (row.tenths, row.entries) == (6 * 15, 6)
    snapshot = (row.tenths, row.entries)
    services.rebuild_rollups()
    row = MonthRollup.objects.get()
    assert (row.tenths, row.entries) == snapshot


def test_concurrent_batches_with_overlapping_keys(pg, cast):
    from decimal import Decimal

    from jingpei.ledger.services import CreditItem

    items = [CreditItem(cast.person_a.pk, Decimal("1.0"), "online", date(2026, 5, d), f"batch:{d}") for d in range(1, 21)]

    def work(i):
        return services.credit_many(items[i * 5 :] + items[: i * 5])  # same keys, different orders

    results, errors = _run_at_barrier(4, work)
    assert not errors
    assert sum(results) == 20
    assert LedgerEntry.objects.count() == 20
    assert MonthRollup.objects.get().tenths == 200


def test_concurrent_reminder_runs_remind_once(pg, cast):
    from jingpei.ledger import presets
    from jingpei.ledger.models import Notification, RequirementRule
    from jingpei.ledger.reminders import send_reminders

    presets.install()
    RequirementRule.objects.exclude(code="online-yearly").update(active=False)
    _results, errors = _run_at_barrier(3, lambda i: send_reminders(as_of=date(2026, 6, 30)))
    assert not errors
    assert Notification.objects.filter(user=cast.trainee).count() == 1
    assert Notification.objects.filter(user=cast.liaison_a).count() == 1


def test_credits_racing_refreshes_leave_counts_equal_to_a_rebuild(pg, settled):
    """Credits (single and batch) race summaries that fold dirty people in: whatever the interleaving,
    once the last marks are folded in, facts and counts equal a full rebuild's."""
    from decimal import Decimal

    from jingpei.ledger import standing
    from jingpei.ledger.models import ComplianceCount, ComplianceDirty, ComplianceFact
    from jingpei.ledger.services import CreditItem

    as_of = date(2026, 6, 30)
    people = [settled.person_a, settled.person_a2, settled.person_b]
    standing.rebuild(as_of)

    def work(i):
        if i % 3 == 0:
            for _ in range(15):
                standing.summary(settled.district)
            return 0
        for n in range(15):
            p = people[(i + n) % 3]
            if n % 2:
                services.credit_hours(person=p, hours="1.5", form="online", occurred_on=date(2026, 1 + n % 6, 2),
                                      idempotency_key=f"race:{i}:{n}")
            else:
                services.credit_many([CreditItem(q.pk, Decimal("0.5"), "class", date(2026, 6, 1), f"rb:{i}:{n}:{q.pk}")
                                      for q in people])
        return 0

    _results, errors = _run_at_barrier(6, work)
    assert not errors
    while standing.refresh_dirty() > 0:
        pass
    assert not ComplianceDirty.objects.exists()

    def snapshot():
        facts = set(ComplianceFact.objects.values_list("person_id", "rule_id", "org_path", "earned", "status"))
        rows = ComplianceCount.objects.values_list("org_path", "rule_id", "category_id", "met", "on_track", "behind", "exempt")
        counts = {r for r in rows if any(r[3:])}
        return facts, counts

    folded = snapshot()
    assert any(earned > 0 for *_x, earned, _s in folded[0])
    standing.rebuild(as_of)
    assert snapshot() == folded
