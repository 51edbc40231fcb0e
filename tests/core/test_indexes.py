"""Every index costs each insert (an import writes 100k people, the ledger holds 50M entries): no model
may ask for one that another index of the same table already serves, and the migrations that drop
them must leave the database as the models say."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import UniqueConstraint

from jingpei.core.indexes import drop_single_column_indexes


def _ops(opclasses, n: int) -> tuple[str, ...]:
    # A type's default operator class (int8_ops on a bigint) is what a plain index uses; the pattern
    # classes are what LIKE 'x%' needs on PostgreSQL, so an index with them serves other queries.
    return tuple("pattern" if o.endswith("_pattern_ops") else "" for o in opclasses) if opclasses else ("",) * n


def declared_indexes(model) -> list[tuple[str, tuple[str, ...], tuple[str, ...], bool, bool]]:
    """(name, columns, operator classes, unique, partial) of every index the model asks for."""
    meta, out = model._meta, []
    for f in meta.local_concrete_fields:
        if f.primary_key or f.unique or f.db_index:
            out.append((f"{f.name} field", (f.column,), ("",), bool(f.primary_key or f.unique), False))
    for index in meta.indexes:
        if index.fields:  # expression indexes are left to their authors
            cols = tuple(meta.get_field(n.lstrip("-")).column for n in index.fields)
            out.append((index.name, cols, _ops(index.opclasses, len(cols)), False, index.condition is not None))
    for c in meta.constraints:
        if isinstance(c, UniqueConstraint) and c.fields:
            cols = tuple(meta.get_field(n).column for n in c.fields)
            out.append((c.name, cols, _ops(c.opclasses, len(cols)), True, c.condition is not None))
    for fields in meta.unique_together:
        cols = tuple(meta.get_field(n).column for n in fields)
        out.append(("unique_together", cols, ("",) * len(cols), True, False))
    return out


def redundant(model) -> list[str]:
    found = []
    indexes = declared_indexes(model)
    for name, cols, ops, unique, partial in indexes:
        if unique or partial:
            continue
        for other, ocols, oops, ounique, opartial in indexes:
            if other == name or opartial:
                continue
            leads = ocols[: len(cols)] == cols and oops[: len(cols)] == ops
            if leads and (len(ocols) > len(cols) or ounique):
                found.append(f"{model._meta.label}: {name} {cols} is served by {other} {ocols}")
                break
    return found


def test_no_model_asks_for_an_index_another_one_serves():
    problems = [p for model in apps.get_models() if model.__module__.startswith("jingpei.")
                for p in redundant(model)]
    assert problems == []


def test_the_check_sees_a_covered_foreign_key_and_spares_a_partial_constraint():
    from jingpei.accounts.models import Grant
    from jingpei.orgs.models import Membership

    # A partial unique constraint covers only its rows: Grant.user keeps its own index.
    assert not redundant(Grant)
    names = {name for name, *_ in declared_indexes(Membership)}
    assert {"membership_unique", "membership_org_idx"} <= names
    assert "person field" not in names  # db_index=False: membership_unique leads with person


@pytest.mark.django_db
def test_database_has_exactly_the_declared_indexes_of_the_person_tables():
    """After the migrations (which drop indexes one by one rather than rebuild tables), the tables hold
    no single-column index the models no longer ask for."""
    with connection.cursor() as cursor:
        person = connection.introspection.get_constraints(cursor, "orgs_person")
    single = sorted(tuple(c["columns"]) for c in person.values()
                    if c["index"] and not c["unique"] and not c["primary_key"] and len(c["columns"] or []) == 1)
    assert single == [("phone_hash",), ("primary_org_id",)]
    unique = [tuple(c["columns"]) for c in person.values() if c["unique"] and not c["primary_key"]]
    assert ("id_hash",) in unique


# Looked up only whole (hashes, keys, tokens): a varchar_pattern_ops index on them is written on every
# insert and read by no query.
WHOLE_VALUE_COLUMNS = [("orgs_person", "id_hash"), ("orgs_person", "phone_hash"), ("orgs_person", "id_masked"),
                       ("ledger_ledgerentry", "idempotency_key"), ("ledger_remindersent", "key"),
                       ("academy_playsession", "token")]


@pytest.mark.django_db
def test_no_prefix_search_index_on_columns_looked_up_whole():
    if connection.vendor != "postgresql":
        pytest.skip("the varchar_pattern_ops twins are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                       "AND indexdef LIKE '%%pattern_ops%%'")
        pattern = cursor.fetchall()
    assert [(t, d) for t, d in pattern for table, column in WHOLE_VALUE_COLUMNS
            if t == table and f"({column} " in d] == []
    # the prefix searches keep theirs: organisation paths, audit scoping and the audit action filter
    assert {"orgs_organization", "core_auditlog"} <= {t for t, _d in pattern}


@pytest.mark.django_db(transaction=True)
def test_drop_single_column_indexes_drops_only_the_named_columns():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE jp_idx_probe (a integer, b integer, c integer)")
        cursor.execute("CREATE INDEX jp_idx_probe_a ON jp_idx_probe (a)")
        cursor.execute("CREATE INDEX jp_idx_probe_ab ON jp_idx_probe (a, b)")
        cursor.execute("CREATE UNIQUE INDEX jp_idx_probe_b ON jp_idx_probe (b)")
        cursor.execute("CREATE INDEX jp_idx_probe_c ON jp_idx_probe (c)")
    try:
        with connection.schema_editor() as editor:
            dropped = drop_single_column_indexes(editor, "jp_idx_probe", ["a", "b"])
        with connection.cursor() as cursor:
            left = set(connection.introspection.get_constraints(cursor, "jp_idx_probe"))
        assert dropped == ["jp_idx_probe_a"]
        assert {"jp_idx_probe_ab", "jp_idx_probe_b", "jp_idx_probe_c"} <= left
        assert "jp_idx_probe_a" not in left
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE jp_idx_probe")
