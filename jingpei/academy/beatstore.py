"""The heartbeat's one read and one write (the fast path, with a state token, is the guarded write alone).

On PostgreSQL they run as server-side prepared statements on the persistent connection: the read joins
four tables, and planning that join, plus compiling the ORM query, cost more than executing it (about
2 ms against 0.2 ms on the 2-core machine). Prepared, a beat is one or two round trips with no planning,
and the write commits without waiting for the WAL flush (see :func:`save`). Other databases, and PostgreSQL
while queries are being logged (DEBUG, query-count tests), take the same statements through the ORM.
"""

from __future__ import annotations

import atexit
import os
import re
import weakref
from contextlib import nullcontext

from django.conf import settings
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Exists, OuterRef
from django.dispatch import receiver

from jingpei.academy.beatbatch import GroupCommit
from jingpei.academy.models import PlaySession, Progress

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

# The fast path's write for several beats at once (group commit, see beatbatch.py): the same SET, the same
# guards per row, committed asynchronously like one beat's; RETURNING says which rows it wrote.
# Columns in the order of the single write's parameters, so that one beat's values serve both statements.
BATCH_COLUMNS = (("anchor_at", "timestamptz"), ("anchor_pos", "float8"), ("last_seq", "bigint"),
                 ("updated_at", "timestamptz"), ("position", "float8"), ("intervals", "text"),
                 ("watched_seconds", "integer"), ("completed_at", "timestamptz"), ("id", "bigint"),
                 ("old_seq", "bigint"), ("old_anchor", "timestamptz"), ("token", "text"), ("cookie_hash", "text"),
                 ("due", "timestamptz"))
BATCH_SQL = (
    'UPDATE "academy_progress" AS p SET "anchor_at" = v.anchor_at, "anchor_pos" = v.anchor_pos, '
    '"last_seq" = v.last_seq, "updated_at" = v.updated_at, "position" = COALESCE(v.position, p."position"), '
    '"intervals" = COALESCE(v.intervals, p."intervals"), '
    '"watched_seconds" = COALESCE(v.watched_seconds, p."watched_seconds"), '
    '"completed_at" = COALESCE(p."completed_at", v.completed_at) '
    "FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit, (VALUES {rows}) AS v({names}) "
    'WHERE p."id" = v.id AND p."last_seq" = v.old_seq AND p."anchor_at" = v.old_anchor '
    'AND EXISTS (SELECT 1 FROM "academy_playsession" AS s WHERE s."token" = v.token '
    'AND s."progress_id" = p."id" AND s."cookie_hash" = v.cookie_hash AND s."check_due_at" = v.due) '
    'RETURNING p."id"')


def _batch_sql(size: int) -> str:
    row = "(" + ", ".join(f"%s::{kind}" for _name, kind in BATCH_COLUMNS) + ")"
    return BATCH_SQL.format(rows=", ".join([row] * size), names=", ".join(name for name, _kind in BATCH_COLUMNS))

_sql: dict[str, str] = {}


def _load_query():
    return PlaySession.objects.filter(token="").values_list(*STATE_COLUMNS)


def _statement(name: str) -> str:
    """The SQL text of a statement, compiled by the ORM once per process (table and column names stay the
    ORM's)."""
    if name not in _sql:
        if name == "load":
            sql, _params = _load_query().query.sql_with_params()
        elif name.startswith("batch_"):
            sql = _batch_sql(int(name.removeprefix("batch_")))
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
    """The rows a prepared write changed (see :func:`_exec_direct`)."""
    return int(_exec_direct(raw, name, params).command_tuples or 0)


def _exec_direct(raw, name: str, params: list):
    """Execute a prepared write straight through libpq (``PQexecPrepared``, which releases the GIL while
    it waits), returning libpq's result. psycopg's cursor machinery (query conversion, prepare
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
    if result.status not in (ExecStatus.COMMAND_OK, ExecStatus.TUPLES_OK):
        raise error_from_result(result, encoding=raw.info.encoding)
    return result


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
    if raw.prepare_threshold is None:
        # Django leaves psycopg's statement preparation off (prepare_threshold None), which also
        # ignores prepare=True. Django's own cursors bind client-side and never prepare whatever the
        # threshold, so a threshold no query reaches enables exactly the explicit prepare=True below.
        raw.prepare_threshold = 2**31 - 1
    cursor = ServerBindingCursor(raw)
    try:
        cursor.execute(_statement(name), params, prepare=True)
        return cursor.fetchone() if cursor.description else cursor.rowcount
    finally:
        cursor.close()


def _native(conn=None) -> bool:
    # Behind a transaction-mode pooler (pgbouncer) prepared statements break: ACADEMY_PREPARED_STATEMENTS=False.
    conn = conn or connections[DEFAULT_DB_ALIAS]
    return (conn.vendor == "postgresql" and not conn.queries_logged  # logged: through the ORM
            and getattr(settings, "ACADEMY_PREPARED_STATEMENTS", True))


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
        if guard is not None and not conn.in_atomic_block and conn.get_autocommit():
            batcher = _batcher()
            if batcher is not None:  # group commit with the worker's other fast-path beats (beatbatch.py)
                return batcher.write(progress_id, [*params, *guard])
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


def _write_batch(rows) -> set[int]:
    """One statement for the batch's rows on this thread's connection: the progress ids it changed."""
    conn = connections[DEFAULT_DB_ALIAS]
    conn.ensure_connection()
    values = [value for row in rows for value in row.values]
    with conn.wrap_database_errors:
        if len(rows) == 1:  # alone: the single write, whose parameters are the same
            return {rows[0].progress_id} if _write_direct(conn.connection, "save_guarded_async", values) else set()
        result = _exec_direct(conn.connection, f"batch_{len(rows)}", values)
    return {int(result.get_value(i, 0)) for i in range(result.ntuples)}


_batchers: dict[int, GroupCommit | None] = {}  # per process (keyed by pid: gunicorn forks workers)


def _batcher() -> GroupCommit | None:
    """The process's group commit, or None when ``ACADEMY_BEAT_BATCH_MS`` is 0 (each beat writes alone)."""
    pid = os.getpid()
    if pid not in _batchers:
        window = float(getattr(settings, "ACADEMY_BEAT_BATCH_MS", 2)) / 1000
        _batchers.clear()
        _batchers[pid] = batcher = GroupCommit(_write_batch, window) if window > 0 else None
        if batcher is not None:
            atexit.register(batcher.close)  # a worker that exits writes what is queued first
    return _batchers[pid]


def coming(conn=None):
    """Around a beat that may take the fast path: a batch being gathered waits for it (bounded)."""
    conn = conn or connections[DEFAULT_DB_ALIAS]
    batcher = _batcher() if _native(conn) and not conn.in_atomic_block else None
    return batcher.coming() if batcher is not None else nullcontext()


@receiver(setting_changed)
def _settings_changed(*, setting, **kwargs):
    if setting == "ACADEMY_BEAT_BATCH_MS":
        _batchers.clear()
