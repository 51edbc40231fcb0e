"""The heartbeat's one read and one write (the fast path, with a state token, is the guarded write alone).

On PostgreSQL they run as server-side prepared statements on the persistent connection: the read joins
four tables, and planning that join, plus compiling the ORM query, cost more than executing it (about
2 ms against 0.2 ms on the 2-core machine). Prepared, a beat is one or two round trips with no planning,
and the write commits without waiting for the WAL flush (see :func:`save`). Other databases, and PostgreSQL
while queries are being logged (DEBUG, query-count tests), take the same statements through the ORM.
"""

from __future__ import annotations

import re
import weakref

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Exists, OuterRef

from jingpei.academy.models import PlaySession, Progress
from jingpei.core import prepared

STATE_COLUMNS = (
    "cookie_hash", "check_due_at", "check_code", "progress_id", "progress__person_id", "progress__intervals",
    "progress__watched_seconds", "progress__position", "progress__anchor_at", "progress__anchor_pos",
    "progress__last_seq", "progress__completed_at", "progress__lesson__duration_seconds", "progress__lesson__kind",
    "progress__lesson__course_id", "progress__lesson__course__complete_share",
)

SAVE_SQL = ('UPDATE "academy_progress" SET "anchor_at" = %s, "anchor_pos" = %s, "last_seq" = %s, '
            '"updated_at" = %s, "position" = COALESCE(%s, "position"), "intervals" = COALESCE(%s, "intervals"), '
            '"watched_seconds" = COALESCE(%s, "watched_seconds"), "completed_at" = COALESCE("completed_at", %s) '
            'WHERE "id" = %s AND "last_seq" = %s AND "anchor_at" = %s')
# The same write, committed without waiting for the WAL flush (see save()): set_config(…, true) is
# local to the statement's own implicit transaction.
SAVE_ASYNC_SQL = SAVE_SQL.replace(
    "WHERE", "FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit WHERE", 1)

# The fast path's write (a beat that brought a valid state token, see beatstate.py): it also requires
# the play session to be the one the token was issued under — same play token, browser session and
# presence-check due time — so a takeover, a restart or an answered presence check (each of which
# rewrites the session row) voids every outstanding token, in the same single statement.
GUARD_SQL = (' AND EXISTS (SELECT 1 FROM "academy_playsession" WHERE "token" = %s '
             'AND "progress_id" = "academy_progress"."id" AND "cookie_hash" = %s AND "check_due_at" = %s)')
STATEMENTS = {"save": SAVE_SQL, "save_async": SAVE_ASYNC_SQL, "save_guarded": SAVE_SQL + GUARD_SQL,
              "save_guarded_async": SAVE_ASYNC_SQL + GUARD_SQL}

_sql: dict[str, str] = {}


def _load_query():
    return PlaySession.objects.filter(token="").values_list(*STATE_COLUMNS)


def _statement(name: str) -> str:
    """The SQL text of a statement, compiled by the ORM once per process (table and column names stay the
    ORM's)."""
    if name not in _sql:
        if name == "load":
            sql, _params = _load_query().query.sql_with_params()
        else:
            sql = STATEMENTS[name]
        _sql[name] = sql
    return _sql[name]


# Per psycopg connection: the statements prepared on it by _write_direct, and its parameter dumper.
_direct: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _numbered(sql: str) -> bytes:
    """``%s`` placeholders as PostgreSQL's ``$1, $2, …`` (the statements here contain no other ``%``)."""
    count = iter(range(1, 1000))
    return re.sub(r"%s", lambda _m: f"${next(count)}", sql).encode()


def _write_direct(raw, name: str, params: list) -> int:
    """Execute a prepared write straight through libpq (``PQexecPrepared``, which releases the GIL while
    it waits), returning the rows it changed. psycopg's cursor machinery (query conversion, prepare
    bookkeeping, the result wrapper) cost the fast-path beat about 30 µs of CPU against 38 µs for this;
    only used in autocommit mode outside a transaction, where psycopg would issue no BEGIN either."""
    from psycopg.adapt import PyFormat, Transformer
    from psycopg.errors import error_from_result
    from psycopg.pq import ExecStatus

    known = _direct.get(raw)
    if known is None:
        known = _direct[raw] = (set(), Transformer(raw))
    prepared, dumper = known
    statement = f"jp_{name}".encode()
    if statement not in prepared:
        result = raw.pgconn.prepare(statement, _numbered(_statement(name)))
        if result.status != ExecStatus.COMMAND_OK:
            raise error_from_result(result, encoding=raw.info.encoding)
        prepared.add(statement)
    result = raw.pgconn.exec_prepared(statement, dumper.dump_sequence(params, [PyFormat.TEXT] * len(params)))
    if result.status != ExecStatus.COMMAND_OK:
        raise error_from_result(result, encoding=raw.info.encoding)
    return int(result.command_tuples or 0)


def _prepared(name: str, params: list, conn=None):
    """Execute on a server-binding psycopg cursor with ``prepare=True``: psycopg keeps the plan per connection.
    ``conn``: this thread's Django connection, if the caller has it (each ``connection.x`` is a lookup)."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    conn = conn or connections[DEFAULT_DB_ALIAS]
    conn.ensure_connection()
    raw = conn.connection
    if name.startswith("save") and raw.autocommit and not conn.in_atomic_block:
        with conn.wrap_database_errors:  # psycopg errors become Django's, and a broken connection is noticed
            return _write_direct(raw, name, params)
    cursor = ServerBindingCursor(prepared.allow_explicit(raw))
    try:
        cursor.execute(_statement(name), params, prepare=True)
        return cursor.fetchone() if cursor.description else cursor.rowcount
    finally:
        cursor.close()


def _native(conn=None) -> bool:
    # The rule of every prepared read: PostgreSQL, queries not logged, DB_PREPARED_STATEMENTS on.
    return prepared.native(conn or connections[DEFAULT_DB_ALIAS])


def load(token: str) -> tuple | None:
    if _native():
        return _prepared("load", [token])
    return PlaySession.objects.filter(token=token).values_list(*STATE_COLUMNS).first()


def save(*, progress_id: int, old_seq: int, old_anchor, changes: dict, guard: tuple | None = None) -> bool:
    """Apply ``changes`` if the row is still as read; False if another beat or a new start came first.
    ``guard`` = (play token, cookie hash, check due at): also require the play session to be unchanged."""
    conn = connections[DEFAULT_DB_ALIAS]  # once per beat, not per attribute (see _prepared)
    if _native(conn):
        params = [changes["anchor_at"], changes["anchor_pos"], changes["last_seq"], changes["updated_at"],
                  changes.get("position"), changes.get("intervals"), changes.get("watched_seconds"),
                  changes.get("completed_at"), progress_id, old_seq, old_anchor]
        # Alone in its own implicit transaction, a beat commits asynchronously: a crash of the database
        # server may lose the last fraction of a second of progress (the learner re-watches those
        # seconds; the database stays consistent), and each beat saves a WAL flush (6 ms against 0.6 ms
        # here). Inside a caller's transaction it commits like everything else. Ledger credits always
        # commit synchronously: they are written in their own transaction afterwards.
        name = "save" if conn.in_atomic_block else "save_async"
        if guard is not None:
            name = name.replace("save", "save_guarded")
            params += guard
        return _prepared(name, params, conn) == 1
    rows = Progress.objects.filter(pk=progress_id, last_seq=old_seq, anchor_at=old_anchor)
    if guard is not None:
        token, hashed, due = guard
        rows = rows.filter(Exists(PlaySession.objects.filter(progress_id=OuterRef("pk"), token=token,
                                                             cookie_hash=hashed, check_due_at=due)))
    return bool(rows.update(**changes))
