"""The heartbeat's state token (the fast path): it may save the read, never change what is credited."""

from __future__ import annotations

from dataclasses import astuple
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jingpei.academy import beatstate, services
from jingpei.academy.models import PlaySession, Progress
from jingpei.academy.services import Beat
from jingpei.core.errors import Conflict, NotAllowed
from tests.academy.helpers import COOKIE, make_course
from tests.academy.test_heartbeat import T0, Player, watched


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def lesson(cast):
    return make_course(cast.district, seconds=(120,)).lessons.get()


def carrying(person, lesson, clock, **kw) -> Player:
    p = Player(person, lesson, clock, **kw)
    p.carry = True
    return p


def row(person, lesson) -> tuple:
    p = Progress.objects.get(person=person, lesson=lesson)
    return p.intervals, p.watched_seconds, p.position, p.anchor_pos, p.last_seq, p.completed_at is not None


def outcome(result) -> tuple:
    return result.status, result.credited, result.watched, result.position, result.lesson_completed, \
        result.course_completed, result.check


def with_field(token: str, index: int, value: str) -> str:
    parts = token.split(":")
    parts[index] = value
    return ":".join(parts)


SCRIPT = [  # (second, position, beat options): honest play, a pause, a seek, a hidden tab, too fast, a late beat
    (0, 0, {}), (15, 15, {}), (30, 30, {}), (40, 40, {"playing": False}), (55, 40, {}), (70, 55, {}),
    (80, 100, {}), (95, 115, {}), (100, 118, {"visible": False}), (115, 118, {}), (120, 120, {"rate": 2.0}),
    (135, 120, {}), (200, 0, {}), (215, 15, {}), (230, 30, {}), (245, 45, {}), (260, 60, {}), (275, 75, {}),
    (290, 90, {}), (305, 105, {}), (320, 120, {}),
]


def test_fast_path_credits_exactly_as_the_slow_path(cast, clock, settings):
    """The same beats, one learner carrying the token and one not: the same answers, the same rows."""
    settings.ACADEMY_STATE_TOKEN_SECONDS = 3600  # one chain of tokens for the whole script
    # No presence check within the script: each learner's falls due at its own random time (from 300 s
    # by default, the script runs to 320 s), which would make the two answers differ by chance.
    settings.ACADEMY_PRESENCE_MIN_SECONDS = settings.ACADEMY_PRESENCE_MAX_SECONDS = 3600
    course = make_course(cast.district, "两人同看", seconds=(120,))
    lesson = course.lessons.get()
    fast = carrying(cast.person_a, lesson, clock, cookie="a")
    slow = Player(cast.person_b, lesson, clock, cookie="b")
    for t, pos, kw in SCRIPT:
        a, b = fast.at(t).beat(pos, **kw), slow.at(t).beat(pos, **kw)
        assert outcome(a) == outcome(b), (t, pos, kw)
    assert row(cast.person_a, lesson) == row(cast.person_b, lesson)
    assert set(slow.paths) == {"slow"}
    assert fast.paths.count("fast") == len(SCRIPT) - 1  # all but the first beat
    assert watched(cast.person_a, lesson) == watched(cast.person_b, lesson) > 0


def test_fast_path_is_one_write_and_the_answer_carries_the_next_token(cast, lesson, clock):
    p = carrying(cast.person_a, lesson, clock)
    first = p.at(0).beat(0)
    assert first.path == "slow" and first.state
    with CaptureQueriesContext(connection) as ctx:
        second = p.at(15).beat(15)
    assert second.path == "fast" and second.credited == 15
    assert len(ctx.captured_queries) == 1 and ctx.captured_queries[0]["sql"].startswith("UPDATE")
    assert second.state != first.state
    assert beatstate.decode(second.state, play_token=p.token, cookie_hash=services.cookie_hash(COOKIE),
                            now=T0 + timedelta(seconds=15), max_age=300)["last_seq"] == 2


@pytest.mark.parametrize("forge", [
    lambda t: with_field(t, 7, "110"),  # watched seconds raised
    lambda t: with_field(t, 15, "0-1150"),  # the whole lesson marked as watched
    lambda t: with_field(t, 10, "100.0"),  # the anchor moved forward
    lambda t: with_field(t, 11, "0"),  # the sequence number rewound (a replay)
    lambda t: with_field(t, 16, "A" * 22),  # another MAC
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # one character of the MAC
    lambda t: "garbage",
    lambda t: ":".join(["1"] * 17),
    lambda t: t + ":extra",
])
def test_forged_or_tampered_token_takes_the_slow_path(cast, lesson, clock, forge):
    p = carrying(cast.person_a, lesson, clock)
    honest_token = p.at(0).beat(0).state
    p.at(15)
    result = services.heartbeat(token=p.token, session_cookie=COOKIE, beat=Beat(seq=2, position=15),
                                state=forge(honest_token))
    assert result.path == "slow" and result.credited == 15 and watched(cast.person_a, lesson) == 15


def test_token_made_with_another_key_is_refused(cast, lesson, clock, settings):
    p = carrying(cast.person_a, lesson, clock)
    p.at(0).beat(0)
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    result = p.at(15).beat(15)
    assert result.path == "slow" and result.credited == 15


def test_expired_token_takes_the_slow_path_and_the_next_is_fast_again(cast, lesson, clock, settings):
    settings.ACADEMY_STATE_TOKEN_SECONDS = 40
    p = carrying(cast.person_a, lesson, clock)
    for t in (0, 15, 30, 45, 60, 75):
        p.at(t).beat(t)
    # Read at 0 s; tokens made from tokens keep that time, so the chain expires after 40 s: the 45 s beat
    # reads the row again and starts a new chain.
    assert p.paths == ["slow", "fast", "fast", "slow", "fast", "fast"]
    assert watched(cast.person_a, lesson) == 75


def test_token_replayed_after_a_takeover_is_refused(cast, lesson, clock):
    phone = carrying(cast.person_a, lesson, clock, cookie="phone")
    phone.at(0).beat(0)
    phone.at(15).beat(15)
    kept = phone.state
    pc = carrying(cast.person_a, lesson, clock, cookie="pc")
    pc.at(20).beat(15)
    phone.at(30)
    with pytest.raises(Conflict):
        services.heartbeat(token=phone.token, session_cookie="phone", beat=Beat(seq=3, position=30), state=kept)
    assert pc.at(35).beat(30).path == "fast"
    assert watched(cast.person_a, lesson) == 30


def test_token_replayed_after_a_takeover_on_another_lesson_is_refused(cast, clock):
    """The takeover does not touch the first lesson's progress row: the play session guard stops it."""
    course = make_course(cast.district, "两讲课程", seconds=(120, 120))
    one, two = course.lessons.all()
    a = carrying(cast.person_a, one, clock, cookie="a")
    a.at(0).beat(0)
    b = carrying(cast.person_a, two, clock, cookie="b")
    b.at(5).beat(0)
    with pytest.raises(Conflict):
        a.at(15).beat(15)
    assert b.at(20).beat(15).credited == 15
    assert watched(cast.person_a, one) == 0


def test_restart_on_the_same_device_voids_the_old_token(cast, lesson, clock):
    first = carrying(cast.person_a, lesson, clock)
    first.at(0).beat(0)
    old = first.state
    again = carrying(cast.person_a, lesson, clock)  # the page reloaded: a new play, the same browser session
    again.at(10).beat(10)
    first.at(15)
    with pytest.raises(Conflict):
        services.heartbeat(token=first.token, session_cookie=COOKIE, beat=Beat(seq=2, position=15), state=old)
    assert again.at(25).beat(25).credited == 15


def test_token_from_another_session_or_play_is_refused(cast, lesson, clock):
    mine = carrying(cast.person_a, lesson, clock)
    mine.at(0).beat(0)
    # The same play token and state token, but another browser session: refused outright.
    with pytest.raises(NotAllowed):
        services.heartbeat(token=mine.token, session_cookie="stolen", beat=Beat(seq=2, position=15),
                           state=mine.state)
    # Another learner's state token on my play: not valid for it, so my row is read as usual.
    theirs = carrying(cast.person_b, lesson, clock, cookie="b")
    theirs.at(0).beat(0)
    mine.at(15)
    result = services.heartbeat(token=mine.token, session_cookie=COOKIE, beat=Beat(seq=2, position=15),
                                state=theirs.state)
    assert result.path == "slow" and result.credited == 15
    assert watched(cast.person_b, lesson) == 0


def test_stale_token_of_an_earlier_beat_cannot_credit_twice(cast, lesson, clock):
    p = carrying(cast.person_a, lesson, clock)
    p.at(0).beat(0)
    early = p.state
    p.at(15).beat(15)
    p.at(30)
    replay = services.heartbeat(token=p.token, session_cookie=COOKIE, beat=Beat(seq=3, position=15), state=early)
    assert replay.path == "slow" and replay.credited == 0
    assert watched(cast.person_a, lesson) == 15


def test_presence_check_is_shown_and_answering_voids_outstanding_tokens(cast, lesson, clock, settings):
    settings.ACADEMY_PRESENCE_MIN_SECONDS = settings.ACADEMY_PRESENCE_MAX_SECONDS = 30
    settings.ACADEMY_PRESENCE_GRACE_SECONDS = 20
    p = carrying(cast.person_a, lesson, clock)
    p.at(0).beat(0)
    assert p.at(15).beat(15).path == "fast"
    due = p.at(30).beat(30)
    assert due.path == "slow" and due.check is not None  # a due check always reads the row to show it
    before_answer = p.state
    services.answer_check(token=p.token, session_cookie=COOKIE, code=due.check["code"])
    p.at(45)
    result = services.heartbeat(token=p.token, session_cookie=COOKIE, beat=Beat(seq=4, position=45),
                                state=before_answer)
    # The token still holds the old due time: the guard refuses it and the row (with the new one) is read.
    assert result.path == "slow" and result.check is None and result.credited == 15
    p.seq, p.state = 4, result.state
    assert p.at(55).beat(55).path == "fast"  # the next check falls due at 60 s
    assert p.at(60).beat(60).check is not None
    assert watched(cast.person_a, lesson) == 60


def test_unanswered_presence_check_stops_credit_on_the_fast_path_too(cast, lesson, clock, settings):
    settings.ACADEMY_PRESENCE_MIN_SECONDS = settings.ACADEMY_PRESENCE_MAX_SECONDS = 30
    settings.ACADEMY_PRESENCE_GRACE_SECONDS = 20
    p = carrying(cast.person_a, lesson, clock)
    for t in (0, 15, 30, 45, 60, 75):
        p.at(t).beat(t)
    assert watched(cast.person_a, lesson) == 45  # nothing after the grace ran out at 50 s
    assert p.paths[3:] == ["slow", "slow", "slow"]


def test_token_state_matches_the_row_after_every_beat(cast, lesson, clock):
    p = carrying(cast.person_a, lesson, clock)
    for t, pos, kw in SCRIPT:
        p.at(t).beat(pos, **kw)
        state = services._token_state(p.state, p.token, services.cookie_hash(COOKIE), T0 + timedelta(seconds=t),
                                      services.WatchRules.current())
        loaded = services._beat_state(p.token, services.cookie_hash(COOKIE), state.loaded_at)
        for name in ("check_code", "completed_at"):  # not carried (the code) or carried as a flag
            setattr(state, name, None)
            setattr(loaded, name, None)
        assert astuple(state) == astuple(loaded), (t, pos)


def test_a_deleted_play_session_voids_the_token(cast, lesson, clock):
    p = carrying(cast.person_a, lesson, clock)
    p.at(0).beat(0)
    PlaySession.objects.all().delete()
    with pytest.raises(Conflict):
        p.at(15).beat(15)
    assert watched(cast.person_a, lesson) == 0
