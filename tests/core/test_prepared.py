"""core.prepared: the prepared read gives the rows Django's cursor gives, and is prepared on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jingpei.core import prepared
from jingpei.orgs.models import Organization

SQL = "SELECT path, depth, name FROM orgs_organization WHERE path LIKE %(prefix)s ORDER BY path"


def _cursor_rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_rows_equal_the_cursor_rows(cast):
    params = {"prefix": cast.district.path + "%"}
    rows = prepared.fetchall(SQL, params)
    assert rows == _cursor_rows(SQL, params)
    assert len(rows) == Organization.objects.count() and isinstance(rows[0], tuple)
    assert prepared.fetchall("SELECT %s, %s", [1, "二"]) == [(1, "二")]  # positional placeholders too


def test_prepared_only_on_postgresql_and_not_while_logging(cast, settings):
    assert prepared.native(connection) == (connection.vendor == "postgresql")
    with CaptureQueriesContext(connection) as q:  # query-count tests still see the statement
        assert not prepared.native(connection)
        prepared.fetchall(SQL, {"prefix": "%"})
    assert len(q) == 1
    settings.DB_PREPARED_STATEMENTS = False  # behind a transaction-mode pooler
    assert not prepared.native(connection)


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_keeps_the_plan(cast):
    prepared.fetchall(SQL, {"prefix": "%"})
    prepared.fetchall(SQL, {"prefix": cast.town_a.path + "%"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                       ["SELECT path, depth, name FROM orgs_organization%"])
        assert cursor.fetchone()[0] == 1  # prepared once, reused
    # Django's own cursors are unaffected: they still bind client-side and never prepare.
    def count() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            return cursor.fetchone()[0]

    before = count()
    for _ in range(3):
        Organization.objects.filter(depth=1).count()
    assert count() == before
