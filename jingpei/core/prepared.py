"""Hot reads as server-side prepared statements on PostgreSQL.

Django's psycopg backend binds parameters client-side and switches psycopg's statement preparation off
(``prepare_threshold`` None, for transaction-mode poolers), so every statement is parsed and planned
again on every call. For a read that runs on every page view and returns in well under a millisecond,
that planning is a large share. :func:`fetchall` runs such a read prepared (once per connection, psycopg
keeps the plan) with binary results; elsewhere — SQLite, queries being logged (DEBUG, query-count tests),
execute wrappers installed, or ``DB_PREPARED_STATEMENTS`` off behind a pooler — through Django's cursor.
Both give the same rows (binary and text results load to the same Python values).
"""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections


def native(conn) -> bool:
    return (conn.vendor == "postgresql" and not conn.queries_logged and not conn.execute_wrappers
            and getattr(settings, "DB_PREPARED_STATEMENTS", True))


def allow_explicit(raw):
    """The psycopg connection ``raw``, made to honour ``prepare=True``. Django leaves psycopg's
    preparation off (``prepare_threshold`` None), which also ignores ``prepare=True``; Django's own cursors
    bind client-side and never prepare whatever the threshold, so a threshold no query reaches enables
    exactly the explicit ``prepare=True`` of this module's callers."""
    if raw.prepare_threshold is None:
        raw.prepare_threshold = 2**31 - 1
    return raw


def fetchall(sql: str, params, conn=None) -> list[tuple]:
    """The rows of ``sql`` (``%s`` or ``%(name)s`` placeholders)."""
    conn = conn or connections[DEFAULT_DB_ALIAS]
    if not native(conn):
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    import psycopg

    conn.ensure_connection()
    raw = allow_explicit(conn.connection)
    with conn.wrap_database_errors:  # psycopg errors become Django's, a broken connection is noticed
        conn.validate_no_broken_transaction()
        with psycopg.Cursor(raw) as cursor:  # server-side binding (Django's cursors bind client-side)
            cursor.execute(sql, params, prepare=True, binary=True)
            return cursor.fetchall()
