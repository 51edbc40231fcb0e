"""Bulk loads drop a table's secondary indexes and build them again in the same transaction: after
the load, or after a failed one, the table has exactly the indexes and constraints it had."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from jingpei.core.bulkload import indexes_built_after
from jingpei.ledger import services
from jingpei.ledger.models import MonthRollup

TABLE = MonthRollup._meta.db_table


def shape() -> dict:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, TABLE)
    return {name: (tuple(c["columns"]), c["unique"], c["primary_key"], bool(c["index"])) for name, c in found.items()}


def test_the_rebuild_keeps_every_index_and_the_unique_rule(cast):
    before = shape()
    assert any(unique and not pk for _cols, unique, pk, _i in before.values())  # the (person, month, form) rule
    services.credit_hours(person=cast.person_a, hours="2", form="online", occurred_on=date(2026, 3, 5),
                          idempotency_key="bulk:1")
    services.credit_hours(person=cast.person_a, hours="1", form="online", occurred_on=date(2026, 3, 9),
                          idempotency_key="bulk:2")
    assert services.rebuild_rollups() == 1
    assert shape() == before
    row = MonthRollup.objects.get()
    assert row.tenths == 30 and row.entries == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthRollup.objects.create(person=cast.person_a, month=row.month, form="online", tenths=1, entries=1)


def test_a_failed_load_leaves_the_indexes_as_they_were(db):
    before = shape()
    with pytest.raises(RuntimeError), transaction.atomic(), indexes_built_after([TABLE], unique=True):
        assert shape() != before  # gone for the load
        raise RuntimeError("the load failed half way")
    assert shape() == before
