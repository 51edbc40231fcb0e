"""Dropping indexes in migrations without rebuilding tables.

Django's ``AlterField`` from ``db_index=True`` to ``False`` rebuilds the whole table on SQLite (a copy of
every row, then every index again), and the ledger's table holds tens of millions of rows; dropping the
index itself is all the change needs. ``without_indexes`` records the fields' new state as Django
generated it and drops the indexes one by one, whatever their generated names.
"""

from __future__ import annotations

from django.db import migrations


def _single_column_indexes(schema_editor, table: str) -> dict[str, tuple[str, bool]]:
    """{index name: (column, unique)} of the indexes of ``table`` on one column (primary key aside)."""
    conn = schema_editor.connection
    with conn.cursor() as cursor:
        found = conn.introspection.get_constraints(cursor, table)
    return {name: (c["columns"][0], bool(c["unique"])) for name, c in found.items()
            if (c["index"] or c["unique"]) and not c["primary_key"] and c["columns"] and len(c["columns"]) == 1}


def drop_single_column_indexes(schema_editor, table: str, columns: list[str]) -> list[str]:
    """Drop the non-unique indexes of ``table`` on exactly one of ``columns`` (Django's plain index and,
    on PostgreSQL, its ``varchar_pattern_ops`` twin); answer their names."""
    names = sorted(name for name, (column, unique) in _single_column_indexes(schema_editor, table).items()
                   if column in columns and not unique)
    for name in names:
        schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")
    return names


def create_single_column_indexes(schema_editor, table: str, columns: list[str]) -> None:
    """The reverse: a plain index on each of ``columns`` that has no plain one on it alone (a unique
    index on one column may be partial, like ``membership_one_primary``: it does not count). PostgreSQL's
    varchar_pattern_ops twins are not made again: no query searches these columns by prefix."""
    indexed = {column for column, unique in _single_column_indexes(schema_editor, table).values() if not unique}
    quote = schema_editor.quote_name
    for column in columns:
        if column not in indexed:
            schema_editor.execute(f"CREATE INDEX {quote(f'{table}_{column}_idx')} ON {quote(table)} ({quote(column)})")


def without_indexes(tables: dict[str, list[str]], *state_operations) -> migrations.SeparateDatabaseAndState:
    """``state_operations`` (the fields' ``AlterField`` to no index) in the migration state; in the
    database, the single-column indexes of ``tables`` ({table: [column, …]}) dropped, and made again
    when the migration is reversed."""

    def forwards(apps, schema_editor):
        for table, columns in tables.items():
            drop_single_column_indexes(schema_editor, table, columns)

    def backwards(apps, schema_editor):
        for table, columns in tables.items():
            create_single_column_indexes(schema_editor, table, columns)

    return migrations.SeparateDatabaseAndState(
        database_operations=[migrations.RunPython(forwards, backwards)], state_operations=list(state_operations))


def renaming_unique_constraint(table: str, column: str, old: str, new: str, *state_operations):
    """``state_operations`` (``unique=True`` replaced by a named ``UniqueConstraint``) in the state; in
    the database, on PostgreSQL, the constraint renamed and the ``varchar_pattern_ops`` twin that
    ``unique=True`` gave it dropped (a hash is never searched by prefix). SQLite keeps UNIQUE in the
    table's definition, where renaming means rebuilding the table; the next rebuild, made from the
    state, names it."""

    def rename(schema_editor, frm: str, to: str) -> None:
        quote = schema_editor.quote_name
        schema_editor.execute(f"ALTER TABLE {quote(table)} RENAME CONSTRAINT {quote(frm)} TO {quote(to)}")

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            drop_single_column_indexes(schema_editor, table, [column])
            rename(schema_editor, old, new)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            rename(schema_editor, new, old)

    return migrations.SeparateDatabaseAndState(
        database_operations=[migrations.RunPython(forwards, backwards)], state_operations=list(state_operations))


def dropping_unique_constraint(table: str, column: str, name: str, *state_operations):
    """``state_operations`` (a ``unique=True`` or one-to-one field made a plain foreign key) in the
    state; in the database, on PostgreSQL, its unique constraint ``name`` dropped (put back on reverse).
    SQLite keeps UNIQUE in the table's definition until the table is next rebuilt, as above."""

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            quote = schema_editor.quote_name
            schema_editor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")

    def restore(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            quote = schema_editor.quote_name
            schema_editor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} UNIQUE ({quote(column)})")

    return migrations.SeparateDatabaseAndState(
        database_operations=[migrations.RunPython(drop, restore)], state_operations=list(state_operations))
