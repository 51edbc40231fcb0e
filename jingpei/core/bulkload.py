"""Bulk loads without keeping every index up to date row by row.

A table about to receive rows in the millions (or as many as it holds) loses its secondary indexes
for the load and gets them back at its end, each built in one sorted pass — far cheaper than keeping
B-trees keyed by random values up to date per row. All of it happens inside the caller's transaction
(DDL is transactional on SQLite and PostgreSQL): a failed load rolls the indexes back with the rows.
The primary key always stays. Callers decide where this is right: on PostgreSQL dropping an index
locks the table against readers until the commit, so only where the load holds that lock anyway
(the rollups' rebuild, after its TRUNCATE).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


def _sqlite(cursor, table: str, unique: bool) -> list[str]:
    again = []
    cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                   [table])
    for name, sql in cursor.fetchall():
        if unique or not sql.upper().startswith("CREATE UNIQUE"):
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
            again.append(sql)
    return again


def _postgresql(cursor, table: str, unique: bool) -> list[str]:
    quote = connection.ops.quote_name
    again = []
    if unique:
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = %s::regclass AND contype = 'u'", [table])
        for name, definition in cursor.fetchall():
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
            again.append(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
    # Indexes that back no constraint (the primary key's and the unique constraints' are theirs).
    cursor.execute("SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indisunique FROM pg_index i "
                   "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass AND NOT EXISTS "
                   "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)", [table])
    for name, definition, is_unique in cursor.fetchall():
        if unique or not is_unique:
            cursor.execute(f"DROP INDEX {quote(name)}")
            again.append(definition)
    return again


@contextmanager
def indexes_built_after(tables: list[str], *, unique: bool = False) -> Iterator[None]:
    """Drop the secondary indexes of ``tables`` (with ``unique``, unique ones and unique constraints
    too: for loads whose rows are unique by construction) and build them again after the block.
    Must run inside a transaction."""
    drop = {"sqlite": _sqlite, "postgresql": _postgresql}.get(connection.vendor)
    if drop is None or not tables:
        yield
        return
    again: list[str] = []
    with connection.cursor() as cursor:
        for table in tables:
            again += drop(cursor, table, unique)
    yield  # on an error the transaction rolls back, the dropped indexes with it: nothing to restore
    with connection.cursor() as cursor:
        for sql in again:
            cursor.execute(sql)
