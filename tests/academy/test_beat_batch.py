"""Group commit of fast-path beats (beatbatch.py): batched or not, every beat credits exactly what it would
alone, and an answered beat is written."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connection

from jingpei.academy import beatstore, services
from jingpei.academy.beatbatch import GroupCommit
from jingpei.academy.services import Beat
from jingpei.core.errors import Conflict
from tests.academy.helpers import make_course
from tests.academy.test_heartbeat import T0, Player, watched
from tests.factories import make_person


# --- the queue alone (no database) --------------------------------------------------------------------
class Recorder:
    """A stand-in statement: records each batch's progress ids and writes those not in ``refuse``."""

    def __init__(self, refuse=(), fail=False):
        self.batches: list[list[int]] = []
        self.refuse, self.fail = set(refuse), fail

    def __call__(self, rows):
        self.batches.append([row.progress_id for row in rows])
        if self.fail:
            raise RuntimeError("database gone")
        return {row.progress_id for row in rows} - self.refuse


def beat_together(batcher, ids):
    """One thread per id: all enter ``coming`` before any writes, as beats served side by side do."""
    inside = threading.Barrier(len(ids))
    results: dict[int, object] = {}

    def beat(progress_id):
        with batcher.coming():
            inside.wait()
            try:
                results[progress_id] = batcher.write(progress_id, [])
            except RuntimeError as exc:
                results[progress_id] = exc

    threads = [threading.Thread(target=beat, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    return results


def test_beats_on_their_way_share_one_statement():
    statement = Recorder()
    batcher = GroupCommit(statement, window=5.0)  # the leader stops waiting as soon as all have arrived
    assert beat_together(batcher, [1, 2, 3, 4]) == {1: True, 2: True, 3: True, 4: True}
    assert [sorted(batch) for batch in statement.batches] == [[1, 2, 3, 4]]
    assert (batcher.statements, batcher.rows) == (1, 4)


def test_a_row_the_statement_did_not_write_is_reported_to_its_beat_only():
    batcher = GroupCommit(Recorder(refuse={2}), window=5.0)
    assert beat_together(batcher, [1, 2, 3]) == {1: True, 2: False, 3: True}


def test_two_beats_of_one_row_never_share_a_statement():
    statement = Recorder()
    batcher = GroupCommit(statement, window=5.0)
    results = beat_together(batcher, [7, 7, 8])
    assert results == {7: True, 8: True}
    assert all(len(set(batch)) == len(batch) for batch in statement.batches)
    assert sorted(i for batch in statement.batches for i in batch) == [7, 7, 8]


def test_a_lone_beat_does_not_wait_for_the_window():
    statement = Recorder()
    batcher = GroupCommit(statement, window=60.0)
    with batcher.coming():
        assert batcher.write(1, []) is True  # nobody else on the way: written at once
    assert statement.batches == [[1]]


def test_a_failed_statement_releases_every_beat():
    batcher = GroupCommit(Recorder(fail=True), window=5.0)
    results = beat_together(batcher, [1, 2, 3])
    errors = [r for r in results.values() if isinstance(r, RuntimeError)]
    assert len(errors) == 1  # the leader's own request fails as a single write would
    assert sorted(r for r in results.values() if r is False) == [False, False]  # the others: slow path


def test_close_at_worker_exit_writes_what_is_queued():
    statement = Recorder()
    batcher = GroupCommit(statement, window=60.0)
    started = threading.Event()

    def slow_companion():  # on its way to the write and never arriving: the leader would wait 60 s
        with batcher.coming():
            started.set()
            done.wait(5)

    done = threading.Event()
    other = threading.Thread(target=slow_companion)
    other.start()
    started.wait(5)
    writer = threading.Thread(target=lambda: batcher.write(1, []))
    writer.start()
    while not batcher._queue:  # the writer leads and gathers
        time.sleep(0.01)
    batcher.close()  # stops the gathering and returns once the queue is written
    assert statement.batches == [[1]]
    writer.join(5)
    done.set()
    other.join(5)


# --- through the heartbeat on PostgreSQL --------------------------------------------------------------
@pytest.fixture
def batching(settings):
    if connection.vendor != "postgresql":
        pytest.skip("group commit is PostgreSQL-only")
    settings.ACADEMY_BEAT_BATCH_MS = 2000  # long: the beats below always meet
    settings.ACADEMY_STATE_TOKEN_SECONDS = 3600
    yield beatstore._batcher()
    beatstore._batchers.clear()


def learners(cast, lesson, traveller, count):
    players = []
    for i in range(count):
        person = make_person(cast.branch_a, f"学员{i}")
        p = Player(person, lesson, traveller, cookie=f"cookie-{i}")
        p.carry = True
        players.append(p)
    return players


def concurrently(players, position, **kw):
    """Each player's next beat, all at once from their own threads (each with its own connection)."""
    inside = threading.Barrier(len(players))
    results: dict[int, object] = {}

    def send(i, p):
        try:
            inside.wait()
            p.seq += 1
            results[i] = services.heartbeat(token=p.token, session_cookie=p.cookie,
                                            beat=Beat(seq=p.seq, position=position, **kw), state=p.state)
            p.state = results[i].state or ""
        except Exception as exc:  # noqa: BLE001 - reported to the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i, p)) for i, p in enumerate(players)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return [results[i] for i in range(len(players))]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_fast_beats_are_written_by_one_statement(cast, batching):
    lesson = make_course(cast.district, seconds=(120,)).lessons.get()
    with time_machine.travel(T0, tick=False) as traveller:
        players = learners(cast, lesson, traveller, 4)
        for p in players:
            p.beat(0)  # the slow path: each gets its first token
        before = (batching.statements, batching.rows)
        traveller.move_to(T0 + timedelta(seconds=15))
        results = concurrently(players, 15)
    assert [(r.path, r.status, r.credited) for r in results] == [("fast", "credited", 15)] * 4
    assert (batching.statements - before[0], batching.rows - before[1]) == (1, 4)
    assert [watched(p.play.person, lesson) for p in players] == [15] * 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_row_whose_guard_fails_falls_back_to_the_slow_path(cast, batching):
    lesson = make_course(cast.district, seconds=(120,)).lessons.get()
    with time_machine.travel(T0, tick=False) as traveller:
        players = learners(cast, lesson, traveller, 3)
        for p in players:
            p.beat(0)
        stale = players[1].state
        players[1].at(10).beat(10)  # the row moves on: the token kept above is stale
        players[1].state = stale
        traveller.move_to(T0 + timedelta(seconds=15))
        results = concurrently(players, 15)
    assert [r.path for r in results] == ["fast", "slow", "fast"]
    assert [r.credited for r in results] == [15, 5, 15]  # 10 → 15 s: only what was watched since
    assert [watched(p.play.person, lesson) for p in players] == [15, 15, 15]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_beat_from_a_superseded_device_credits_nothing(cast, batching):
    lesson = make_course(cast.district, seconds=(120,)).lessons.get()
    with time_machine.travel(T0, tick=False) as traveller:
        players = learners(cast, lesson, traveller, 3)
        for p in players:
            p.beat(0)
        traveller.move_to(T0 + timedelta(seconds=5))
        # the same learner opens the lesson on another device: the first device's token is void
        services.start_lesson(person=players[0].play.person, lesson=lesson, session_cookie="cookie-phone")
        traveller.move_to(T0 + timedelta(seconds=15))
        results = concurrently(players, 15)
    assert isinstance(results[0], Conflict)
    assert [(r.path, r.credited) for r in results[1:]] == [("fast", 15), ("fast", 15)]
    assert watched(players[0].play.person, lesson) == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_batched_beats_of_one_learner_credit_the_segment_once(cast, batching):
    lesson = make_course(cast.district, seconds=(120,)).lessons.get()
    with time_machine.travel(T0, tick=False) as traveller:
        p = learners(cast, lesson, traveller, 1)[0]
        p.beat(0)
        traveller.move_to(T0 + timedelta(seconds=15))
        copies = [p] * 4  # one device's token replayed four times at once
        seqs = iter(range(2, 6))
        inside = threading.Barrier(4)
        credited = []

        def send():
            try:
                inside.wait()
                credited.append(services.heartbeat(token=p.token, session_cookie=p.cookie,
                                                   beat=Beat(seq=next(seqs), position=15), state=p.state).credited)
            finally:
                connection.close()

        threads = [threading.Thread(target=send) for _ in copies]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
    assert sorted(credited) == [0, 0, 0, 15]
    assert watched(p.play.person, lesson) == 15


def test_sqlite_and_transactions_write_alone(cast, settings):
    """Inside a transaction (and on SQLite) a beat is one write of its own: no batch, no waiting."""
    settings.ACADEMY_BEAT_BATCH_MS = 2000
    lesson = make_course(cast.district, seconds=(120,)).lessons.get()
    with time_machine.travel(T0, tick=False) as traveller:
        p = learners(cast, lesson, traveller, 1)[0]
        p.beat(0)
        assert p.at(15).beat(15).path == "fast"
    assert watched(p.play.person, lesson) == 15
    batcher = beatstore._batchers.get(next(iter(beatstore._batchers), None))
    assert batcher is None or batcher.statements == 0
    beatstore._batchers.clear()
