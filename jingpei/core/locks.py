"""Serialising writers that must not interleave (tree structure changes)."""

from __future__ import annotations

import zlib

from django.db import connection


def xact_lock(name: str) -> None:
    """Hold a lock named ``name`` until the current transaction ends.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: writers are already serialised by
    ``BEGIN IMMEDIATE`` (settings), so nothing more is needed.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(name.encode())])
