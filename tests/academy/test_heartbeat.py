"""Honest watch time: every bad heartbeat the issue names credits no more than honest watching."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jingpei.academy import services
from jingpei.academy.models import Enrollment, Progress
from jingpei.academy.services import Beat, Status
from jingpei.core.errors import Conflict, DomainError, NotAllowed
from jingpei.ledger.models import LedgerEntry
from tests.academy.helpers import COOKIE, make_course

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


class Player:
    """A learner's device: start the lesson, then beat at chosen times and positions. With ``carry`` it
    sends back the state token of each answer, as the player page does (the fast path)."""

    carry = False  # set for the whole module by the ``path`` fixture

    def __init__(self, person, lesson, traveller, cookie=COOKIE):
        self.traveller, self.cookie, self.seq, self.state = traveller, cookie, 0, ""
        self.paths: list[str] = []
        self.play = services.start_lesson(person=person, lesson=lesson, session_cookie=cookie)
        self.token = self.play.token

    def at(self, seconds: float):
        self.traveller.move_to(T0 + timedelta(seconds=seconds))
        return self

    def beat(self, position, *, seq=None, **kw):
        if seq is None:
            self.seq += 1
            seq = self.seq
        result = services.heartbeat(token=self.token, session_cookie=self.cookie,
                                    beat=Beat(seq=seq, position=position, **kw),
                                    state=self.state if self.carry else "")
        self.state = result.state or ""
        self.paths.append(result.path)
        return result


@pytest.fixture(autouse=True, params=["slow", "fast"])
def path(request, monkeypatch):
    """Every case of this module, once reading the row each beat and once carrying the state token."""
    monkeypatch.setattr(Player, "carry", request.param == "fast")
    return request.param


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def course(cast):
    return make_course(cast.district, seconds=(120,))


@pytest.fixture
def lesson(course):
    return course.lessons.get()


def honest(player, until, step=15, start=0):
    """Play at 1x from ``start`` beating every ``step`` s (wall clock == position)."""
    player.at(start).beat(start)
    t = start
    while t < until:
        t = min(until, t + step)
        player.at(t).beat(t)


def watched(person, lesson):
    return Progress.objects.get(person=person, lesson=lesson).watched_seconds


def test_honest_watching_credits_wall_clock_and_completes_course_once(cast, lesson, clock):
    p = Player(cast.person_a, lesson, clock)
    honest(p, 105)
    assert watched(cast.person_a, lesson) == 105
    # Carrying the token, every beat after the first is one conditional write; without, none is.
    assert p.paths[1:] == ["fast" if Player.carry else "slow"] * (len(p.paths) - 1)
    assert not LedgerEntry.objects.exists()  # 105 < 0.9 x 120 = 108
    result = p.at(120).beat(120)
    assert result.lesson_completed and result.course_completed
    entry = LedgerEntry.objects.get()
    assert entry.hours == Decimal("2.0") and entry.form == "online"
    assert entry.idempotency_key == f"academy-course:{lesson.course_id}:{cast.person_a.pk}"
    assert Enrollment.objects.get().completed_at is not None
    # Watching again credits nothing new and never a second ledger entry.
    p2 = Player(cast.person_a, lesson, clock)
    honest(p2, 240, start=120)
    p2.at(300).beat(0)
    honest(p2, 420, start=300)
    assert LedgerEntry.objects.count() == 1


def test_repeated_heartbeat_credits_once(cast, lesson, clock):
    p = Player(cast.person_a, lesson, clock)
    p.at(0).beat(0)
    first = p.at(15).beat(15)
    assert first.credited == 15
    again = p.at(16).beat(15, seq=p.seq)  # the same beat, sent twice
    assert again.status == Status.IGNORED and again.credited == 0
    replay = p.at(17).beat(15)  # same position, a new number
    assert replay.credited == 0
    assert watched(cast.person_a, lesson) == 15


def test_out_of_order_heartbeat_is_ignored(cast, lesson, clock):
    p = Player(cast.person_a, lesson, clock)
    p.at(0).beat(0, seq=1)
    p.at(15).beat(15, seq=3)
    stale = p.at(16).beat(14, seq=2)
    assert stale.status == Status.IGNORED and stale.credited == 0
    p.seq = 3
    assert p.at(30).beat(30).credited == 15
    assert watched(cast.person_a, lesson) == 30


def test_early_heartbeats_never_credit_more_than_wall_clock(cast, lesson, clock):
    p = Player(cast.person_a, lesson, clock)
    p.at(0).beat(0)
    # A script beats every second claiming 3 s of video each time (a 3x player that beats early).
    for t in range(1, 31):
        p.at(t).beat(min(120, 3 * t))
    assert watched(cast.person_a, lesson) <= 30 * 1.25


def test_late_heartbeat_credits_nothing_and_reanchors(cast, lesson, clock):
    p = Player(cast.person_a, lesson, clock)
    p.at(0).beat(0)
    late = p.at(200).beat(60)  # 200 s of silence, then a claim of 60 s watched
    assert late.status == Status.LATE and late.credited == 0
    assert p.at(215).beat(75).credited == 15  # honest watching resumes from the new anchor
    assert watched(cast.person_a, lesson) == 15


def test_heartbeat_for_a_lesson_not_started(cast, lesson, clock):
    with pytest.raises(Conflict):
        services.heartbeat(token="never-issued", session_cookie=COOKIE, beat=Beat(seq=1, position=30))
    assert not Progress.objects.exists()


def test_first_beat_only_anchors(cast, lesson, clock):
    p = Player(cast.person_a, lesson, clock)
    first = p.at(14).beat(14)  # claims 14 s watched before any anchor
    assert first.status == Status.ANCHORED and first.credited == 0


def test_slider_dragged_forward_credits_nothing(cast, lesson, clock):
    p = Player(cast.person_a, lesson, clock)
    p.at(0).beat(0)
    jump = p.at(15).beat(110)
    assert jump.status == Status.SEEK and jump.credited == 0
    p.at(25).beat(120)
    assert watched(cast.person_a, lesson) == 10
    assert not LedgerEntry.objects.exists()


def test_position_beyond_duration(cast, lesson, clock):
    p = Player(cast.person_a, lesson, clock)
    p.at(0).beat(100)
    bad = p.at(15).beat(10_000)
    assert bad.status == Status.INVALID and bad.credited == 0
    negative = p.at(30).beat(-5)
    assert negative.status == Status.INVALID
    assert watched(cast.person_a, lesson) == 0
    assert Progress.objects.get().position == 100  # resume point untouched by nonsense


def test_doubled_speed_earns_nothing(cast, lesson, clock):
    p = Player(cast.person_a, lesson, clock)
    p.at(0).beat(0, rate=2.0)
    for t in range(15, 61, 15):
        result = p.at(t).beat(2 * t, rate=2.0)
        assert result.credited == 0
    # Lying about the rate does not help: the position advances too fast and counts as a seek.
    p.at(75).beat(0)
    for t in range(90, 136, 15):
        assert p.at(t).beat(2 * (t - 75)).credited == 0
    assert watched(cast.person_a, lesson) == 0


def test_allowed_fast_rate_credits_at_most_the_cap(cast, lesson, clock):
    p = Player(cast.person_a, lesson, clock)
    p.at(0).beat(0, rate=1.25)
    p.at(16).beat(20, rate=1.25)
    assert watched(cast.person_a, lesson) == 20


def test_hidden_tab_stops_credit(cast, lesson, clock):
    p = Player(cast.person_a, lesson, clock)
    p.at(0).beat(0)
    p.at(15).beat(15)
    hidden = p.at(30).beat(30, visible=False)
    assert hidden.status == Status.HIDDEN and hidden.credited == 0
    for t in range(45, 106, 15):
        assert p.at(t).beat(t, visible=False).credited == 0
    back = p.at(120).beat(120)  # visible again: only re-anchors
    assert back.status == Status.ANCHORED
    assert watched(cast.person_a, lesson) == 15


def test_pause_credits_up_to_the_pause_then_nothing(cast, lesson, clock):
    p = Player(cast.person_a, lesson, clock)
    p.at(0).beat(0)
    assert p.at(10).beat(10, playing=False).credited == 10
    assert p.at(25).beat(10, playing=False).credited == 0
    assert p.at(40).beat(10).status == Status.ANCHORED


def test_second_device_takes_over(cast, lesson, clock):
    phone = Player(cast.person_a, lesson, clock, cookie="phone-cookie")
    phone.at(0).beat(0)
    phone.at(15).beat(15)
    clock.move_to(T0 + timedelta(seconds=20))
    pc = Player(cast.person_a, lesson, clock, cookie="pc-cookie")
    with pytest.raises(Conflict):
        phone.at(30).beat(30)
    pc.at(30).beat(15)
    pc.at(45).beat(30)
    assert watched(cast.person_a, lesson) == 30
    assert Progress.objects.get().position == 30  # resume point follows the device in charge


def test_two_devices_on_two_lessons_never_credit_together(cast, clock):
    course = make_course(cast.district, "两讲课程", seconds=(120, 120))
    one, two = course.lessons.all()
    a = Player(cast.person_a, one, clock, cookie="a")
    a.at(0).beat(0)
    b = Player(cast.person_a, two, clock, cookie="b")
    b.at(0).beat(0)
    with pytest.raises(Conflict):
        a.at(15).beat(15)
    b.at(15).beat(15)
    total = sum(Progress.objects.filter(person=cast.person_a).values_list("watched_seconds", flat=True))
    assert total == 15


def test_token_needs_the_session_that_opened_it(cast, lesson, clock):
    p = Player(cast.person_a, lesson, clock)
    p.at(0).beat(0)
    with pytest.raises(NotAllowed):
        services.heartbeat(token=p.token, session_cookie="someone-else", beat=Beat(seq=5, position=15))


def test_unanswered_presence_check_stops_credit(cast, lesson, clock, settings):
    settings.ACADEMY_PRESENCE_MIN_SECONDS = settings.ACADEMY_PRESENCE_MAX_SECONDS = 30
    settings.ACADEMY_PRESENCE_GRACE_SECONDS = 20
    p = Player(cast.person_a, lesson, clock)
    p.at(0).beat(0)
    assert p.at(15).beat(15).check is None
    due = p.at(30).beat(30)
    assert due.check is not None and due.credited == 15
    p.at(45).beat(45)  # within the grace: still credits
    refused = p.at(60).beat(60)
    assert refused.status == Status.PRESENCE and refused.credited == 0
    with pytest.raises(DomainError) as err:
        services.answer_check(token=p.token, session_cookie=COOKIE, code="wrong")
    assert err.value.message == "确认码不正确，请重新输入。"
    services.answer_check(token=p.token, session_cookie=COOKIE, code=due.check["code"])
    assert p.at(75).beat(75).status == Status.ANCHORED
    assert p.at(90).beat(90).credited == 15
    assert watched(cast.person_a, lesson) == 60


def test_outsider_cannot_start_a_course_not_offered_to_them(cast, clock):
    course = make_course(cast.town_a, "甲镇机密课程")
    with pytest.raises(NotAllowed):
        services.start_lesson(person=cast.person_b, lesson=course.lessons.get(), session_cookie=COOKIE)
    assert not Enrollment.objects.exists()


def test_cheater_never_beats_honest_time(cast, lesson, clock):
    """Slider, hidden tab, doubled speed, replays, early beats: a mixed script over 120 s of wall clock."""
    p = Player(cast.person_a, lesson, clock)
    p.at(0).beat(0)
    script = [(5, 40, {}), (10, 45, {"visible": False}), (12, 80, {"rate": 2.0}), (14, 90, {}),
              (15, 91, {}), (16, 92, {}), (30, 120, {}), (45, 119, {}), (60, 120, {"visible": False})]
    for t, pos, kw in script:
        p.at(t).beat(pos, **kw)
    p.at(61).beat(60, seq=1)
    assert watched(cast.person_a, lesson) <= 61 * 1.25
    assert not LedgerEntry.objects.exists()


def test_frequent_fractional_beats_lose_almost_nothing(cast, lesson, clock):
    p = Player(cast.person_a, lesson, clock)
    p.at(0).beat(0)
    for i in range(1, 61):
        p.at(i * 1.03).beat(i * 1.03)
    assert watched(cast.person_a, lesson) >= 61


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_beats_credit_the_segment_once(cast, lesson):
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    with time_machine.travel(T0, tick=False) as traveller:
        p = Player(cast.person_a, lesson, traveller)
        p.at(0).beat(0)
        traveller.move_to(T0 + timedelta(seconds=15))
        barrier = threading.Barrier(4)
        results = []

        def send(seq):
            barrier.wait()
            try:
                results.append(services.heartbeat(token=p.token, session_cookie=COOKIE, beat=Beat(seq=seq, position=15),
                                                  state=p.state if Player.carry else "").credited)
            finally:
                connection.close()

        threads = [threading.Thread(target=send, args=(s,)) for s in (2, 3, 4, 5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sum(results) == 15
    assert watched(cast.person_a, lesson) == 15


def test_reading_credits_only_while_visible_and_active(cast, clock):
    from jingpei.academy.models import Lesson

    course = make_course(cast.district, "图文课程", seconds=())
    text = Lesson.objects.create(course=course, order=1, title="阅读", kind="text", body="正文", duration_seconds=60)
    p = Player(cast.person_a, text, clock)
    assert p.at(15).beat(0).credited == 15  # the page was open, visible and scrolled since the start
    assert p.at(30).beat(0, active=False).status == Status.IDLE
    assert p.at(45).beat(0, visible=False).credited == 0
    assert p.at(60).beat(0).credited == 15
    assert p.at(200).beat(0).status == Status.LATE
    results = [p.at(t).beat(0) for t in (215, 230, 245)]
    assert [r.course_completed for r in results] == [False, True, False]  # 15 x 4 >= 90% of 60 s
    assert [r.watched for r in results] == [45, 60, 60]
    assert LedgerEntry.objects.count() == 1
