"""Every write of the academy: courses and lessons, starting a lesson, heartbeats, presence checks, and
the one ledger credit a completed course earns."""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.academy import beatstate, beatstore, intervals, media
from jingpei.academy.access import can_manage, learner_courses
from jingpei.academy.models import (
    Course,
    Enrollment,
    Lesson,
    LessonKind,
    PlaySession,
    Progress,
    Topic,
)
from jingpei.academy.rules import WatchRules
from jingpei.core import audit
from jingpei.core.errors import Conflict, DomainError, NotAllowed
from jingpei.core.locks import xact_lock
from jingpei.core.permissions import Perm
from jingpei.core.scoping import scope_for
from jingpei.ledger.conversion import MICRO_COURSE, hours_by, rules_for
from jingpei.ledger.models import TrainingForm
from jingpei.ledger.rules import TENTH
from jingpei.ledger.services import credit_hours

READ_CHARS_PER_MINUTE = 300  # reading time asked of a text lesson


# --- catalogue ------------------------------------------------------------------------------------------
def create_course(*, actor, org, title: str, year: int, credit_hours: Decimal | None, kind: str = "elective",
                  description: str = "", lecturer: str = "", topics: list[str] | tuple = (),
                  recommended: bool = False, complete_share: Decimal = Decimal("0.90"),
                  audience=(), published: bool = True) -> Course:
    if actor is not None and not scope_for(actor, Perm.ACADEMY_MANAGE).covers(org.path):
        raise NotAllowed(_("您没有在该组织开设课程的权限。"))
    title = (title or "").strip()
    if not title:
        raise DomainError(_("请填写课程名称。"), field="title")
    from_rules = credit_hours is None  # the lessons' length decides, through the conversion rules
    credit = Decimal(0) if from_rules else Decimal(str(credit_hours))
    if not from_rules and (credit <= 0 or credit > 200):
        raise DomainError(_("课程学时须大于 0 且不超过 200。"), field="credit_hours")
    share = Decimal(str(complete_share))
    if share <= 0 or share > 1:
        raise DomainError(_("完成比例须在 0 到 1 之间（例如 0.9）。"), field="complete_share")
    with transaction.atomic():
        course = Course.objects.create(
            org=org, title=title[:200], year=year, credit_hours=credit, hours_from_rules=from_rules, kind=kind,
            description=description,
            lecturer=lecturer[:100], recommended=recommended, complete_share=share, published=published,
        )
        names = [t.strip() for t in topics if t and t.strip()]
        for name in names:
            topic, _created = Topic.objects.get_or_create(name=name[:50])
            course.topics.add(topic)
        if audience:
            course.audience.set(audience)
        audit.record("academy.course.create", course, actor=actor, org_path=org.path,
                     after={"title": course.title, "credit_hours": "rules" if from_rules else str(credit), "year": year,
                            "kind": kind})
    return course


def refresh_rule_hours(courses=None) -> int:
    """Store the hours of courses that follow the conversion rules: what the online-by-minutes rules make
    of their lessons' total length (after a lesson is added, or the rules changed:
    ``ledger.signals.conversion_changed``). Returns how many changed; each change is audited."""
    rules = rules_for(form=TrainingForm.ONLINE, basis="minutes")
    micro = rules_for(form=TrainingForm.ONLINE, basis="item", code=MICRO_COURSE)
    rows = (Course.objects.filter(hours_from_rules=True).select_related("org")
            .annotate(seconds=Sum("lessons__duration_seconds")))  # one query, however many courses
    if courses is not None:
        rows = rows.filter(pk__in=[c.pk for c in courses])
    changed = 0
    for course in rows:
        minutes = Decimal(course.seconds or 0) / 60
        hours = hours_by(rules, basis="minutes", quantity=minutes)
        if not hours and minutes > 0:  # shorter than every length rule: a micro-course, valued by the item
            hours = hours_by(micro, basis="item", quantity=1)
        if hours != course.credit_hours:
            before, course.credit_hours = course.credit_hours, hours
            course.save(update_fields=["credit_hours"])
            audit.record("academy.course.hours", course, actor=None, org_path=course.org.path,
                         before={"credit_hours": str(before)}, after={"credit_hours": str(hours)})
            changed += 1
    return changed


def _next_order(course: Course) -> int:
    last = course.lessons.order_by("-order").values_list("order", flat=True).first()
    return (last or 0) + 1


def add_lesson(*, actor, course: Course, title: str, kind: str, upload=None, body: str = "",
               reading_minutes: int | None = None) -> Lesson:
    """Add a video, document (PDF) or text lesson. Files are checked by their bytes and size; a video's
    duration is read from the file; a document or text asks for a reading time."""
    if actor is not None and not can_manage(actor, course):
        raise NotAllowed(_("您没有管理该课程的权限。"))
    title = (title or "").strip()
    if not title:
        raise DomainError(_("请填写课节名称。"), field="title")
    if kind not in LessonKind.values:
        raise DomainError(_("未知的课节类型。"), field="kind")
    lesson = Lesson(course=course, title=title[:200], kind=kind, order=_next_order(course))
    if kind in (LessonKind.VIDEO, LessonKind.DOCUMENT):
        if upload is None:
            raise DomainError(_("请选择要上传的文件。"), field="media")
        sniffed = media.check_upload(upload, kind)
        lesson.content_type = sniffed.content_type
        lesson.size = upload.size
    if kind == LessonKind.TEXT:
        body = (body or "").strip()
        if not body:
            raise DomainError(_("请填写图文课节的正文。"), field="body")
        lesson.body = body
    if kind != LessonKind.VIDEO:
        minutes = reading_minutes or max(1, math.ceil(len(body) / READ_CHARS_PER_MINUTE))
        if minutes <= 0 or minutes > 600:
            raise DomainError(_("阅读时长须在 1 到 600 分钟之间。"), field="reading_minutes")
        lesson.duration_seconds = minutes * 60
    with transaction.atomic():
        if upload is not None:
            ext = {"video/mp4": "mp4", "video/webm": "webm", "application/pdf": "pdf"}[lesson.content_type]
            lesson.media.save(f"lesson-{course.pk}-{lesson.order}.{ext}", File(upload), save=False)
            if kind == LessonKind.VIDEO:
                with lesson.media.storage.open(lesson.media.name, "rb") as stored:
                    lesson.duration_seconds = media.video_duration(stored, lesson.content_type,
                                                                   lesson.media.path)
        lesson.save()
        audit.record("academy.lesson.add", lesson, actor=actor, org_path=course.org.path,
                     after={"title": lesson.title, "kind": kind, "seconds": lesson.duration_seconds})
        refresh_rule_hours([course])
    return lesson


# --- starting to learn -------------------------------------------------------------------------------------
def cookie_hash(cookie: str) -> str:
    return hashlib.sha256(("academy-play:" + (cookie or "")).encode()).hexdigest()


def _next_check(now, rules: WatchRules):
    return now + timedelta(seconds=secrets.choice(range(rules.presence_min_seconds,
                                                         rules.presence_max_seconds + 1)))


def start_lesson(*, person, lesson: Lesson, session_cookie: str) -> PlaySession:
    """Open a lesson on this device: it becomes the person's one crediting device (any earlier device,
    whatever lesson it plays, stops crediting). Enrols the person in the course on first start."""
    if person is None or not learner_courses(person).filter(pk=lesson.course_id).exists():
        raise NotAllowed(_("该课程不面向您，不能学习计时。"))
    if not session_cookie:
        raise DomainError(_("请先登录。"))
    rules = WatchRules.current()
    now = timezone.now()
    with transaction.atomic():
        Enrollment.objects.get_or_create(person=person, course_id=lesson.course_id)
        progress, _created = Progress.objects.get_or_create(person=person, lesson=lesson)
        progress.anchor_at, progress.anchor_pos, progress.last_seq = now, None, 0
        progress.save(update_fields=["anchor_at", "anchor_pos", "last_seq", "updated_at"])
        values = {"progress": progress, "token": secrets.token_urlsafe(24), "cookie_hash": cookie_hash(session_cookie),
                  "started_at": now, "check_due_at": _next_check(now, rules),
                  "check_code": f"{secrets.randbelow(10000):04d}"}
        try:
            with transaction.atomic():
                play, _created = PlaySession.objects.update_or_create(person=person, defaults=values)
        except IntegrityError:  # the same person opened two devices at the same instant: the last one wins
            play, _created = PlaySession.objects.update_or_create(person=person, defaults=values)
    play.progress = progress
    return play


# --- heartbeats -------------------------------------------------------------------------------------------
class Status:
    CREDITED = "credited"  # segment accepted (possibly 0 new seconds: already watched, paused)
    ANCHORED = "anchored"  # first beat after start/seek/pause: nothing to credit yet
    SEEK = "seek"  # position jumped (slider, doubled speed): re-anchored, nothing credited
    LATE = "late"
    HIDDEN = "hidden"
    IDLE = "idle"
    TOO_FAST = "too_fast"
    PRESENCE = "presence_required"
    INVALID = "invalid"
    IGNORED = "ignored"  # out of order or repeated: nothing changes


@dataclass
class Beat:
    """What the client reports. ``position`` is seconds into the video (ignored for reading lessons)."""

    seq: int
    position: float = 0.0
    visible: bool = True
    playing: bool = True
    rate: float = 1.0
    active: bool = True  # documents: scrolled or touched since the last beat


@dataclass
class BeatResult:
    status: str
    credited: int = 0
    watched: int = 0
    duration: int = 0
    position: float = 0.0
    lesson_completed: bool = False
    course_completed: bool = False
    check: dict | None = field(default=None)
    state: str | None = None  # the token for the next beat (None: the next beat reads the row)
    path: str = "slow"  # "fast": this beat was one conditional write on the previous beat's token

    def as_dict(self) -> dict:
        return {"status": self.status, "credited": self.credited, "watched": self.watched,
                "duration": self.duration, "position": self.position, "lesson_completed": self.lesson_completed,
                "course_completed": self.course_completed, "check": self.check, "state": self.state,
                "path": self.path}


@dataclass
class _BeatState:
    """The one row a heartbeat reads: the play session joined to its progress, lesson and course."""

    cookie_hash: str
    check_due_at: object
    check_code: str
    progress_id: int
    person_id: int
    intervals: str
    watched_seconds: int
    position: float
    anchor_at: object
    anchor_pos: float | None
    last_seq: int
    completed_at: object
    duration: int
    kind: str
    course_id: int
    complete_share: Decimal
    loaded_at: object = None  # when this state was last read from the database (state tokens expire)


def _beat_state(token: str, hashed_cookie: str, now) -> _BeatState:
    row = beatstore.load(token)
    if row is None:
        raise Conflict(_("学习会话已失效（可能已在其他设备上继续学习），本页不再计时。"), code="superseded")
    state = _BeatState(*row, loaded_at=now)
    if not secrets.compare_digest(state.cookie_hash, hashed_cookie):
        raise NotAllowed(_("学习会话与登录不符，请刷新页面。"))
    return state


def _credit_segment(state: _BeatState, beat: Beat, elapsed: float, rules: WatchRules) -> tuple[str, float, float]:
    """The status and the timeline segment ``[start, end)`` this beat may credit (empty if none)."""
    duration = state.duration
    if state.kind != LessonKind.VIDEO:
        if not beat.active:
            return Status.IDLE, 0, 0
        # Reading time fills its timeline from the start, in order.
        start = intervals.total(intervals.parse(state.intervals)) / intervals.UNITS
        return Status.CREDITED, start, min(duration, start + elapsed)
    if state.anchor_pos is None:
        return Status.ANCHORED, 0, 0
    advance = beat.position - state.anchor_pos
    allowed = elapsed * rules.max_rate
    if advance < 0 or advance > allowed + rules.slack_seconds:
        return Status.SEEK, 0, 0
    return Status.CREDITED, state.anchor_pos, min(beat.position, state.anchor_pos + allowed, duration)


def _judge(state: _BeatState, beat: Beat, now, rules: WatchRules) -> str:
    """Why this beat may not credit, or ``CREDITED`` when it may (the segment decides how much)."""
    if state.kind == LessonKind.VIDEO and not (0 <= beat.position <= state.duration + 1):
        return Status.INVALID
    if not beat.visible:
        return Status.HIDDEN
    if beat.rate > rules.max_rate or beat.rate <= 0:
        return Status.TOO_FAST
    if now >= state.check_due_at + timedelta(seconds=rules.presence_grace_seconds):
        return Status.PRESENCE
    elapsed = (now - state.anchor_at).total_seconds() if state.anchor_at else math.inf
    if elapsed > rules.late_seconds:  # the gap is unverifiable; continuous play resumes from here
        return Status.LATE
    return Status.CREDITED


def heartbeat(*, token: str, session_cookie: str, beat: Beat, state: str = "") -> BeatResult:
    """Credit the never-watched part of the lesson played since the previous beat, if it was honest:
    same device, in order, on time, visible, present, at a normal rate, and a continuous advance.

    ``state`` is the token the previous beat's answer carried (``BeatResult.state``). When it is valid
    the beat is ONE conditional write (the fast path): the rules run on the token's state, and the write
    applies only if the progress row and the play session are still exactly in that state. Otherwise —
    no token, a bad or expired one, a presence check due, an out-of-order beat, or a write that matched
    nothing — the beat reads the row and takes the same rules again (the slow path), which is one read
    and one conditional write (same ``last_seq`` and ``anchor_at``, which every processed beat and every
    start changes), so of two concurrent beats one credits and the other is ignored, as a row lock
    would have it. Either way the answer carries a fresh token.
    """
    rules = WatchRules.current()
    now = timezone.now()
    hashed = cookie_hash(session_cookie)
    if state:
        known = _token_state(state, token, hashed, now, rules)
        # Out-of-order beats and due presence checks are rare: they take the slow path, which shows the
        # check and judges against the row itself.
        if known is not None and beat.seq > known.last_seq and now < known.check_due_at:
            result = _apply(known, beat, now, rules, guard=(token, hashed, known.check_due_at))
            if result is not None:
                result.path = "fast"
                result.state = _token_for(known, token, hashed)
                return result
    loaded = _beat_state(token, hashed, now)
    result = BeatResult(status=Status.IGNORED, watched=loaded.watched_seconds, duration=loaded.duration,
                        position=loaded.position)
    if now >= loaded.check_due_at:
        result.check = {"code": loaded.check_code}
    if beat.seq <= loaded.last_seq:
        result.state = _token_for(loaded, token, hashed)
        return result
    applied = _apply(loaded, beat, now, rules, guard=None)
    if applied is None:  # a concurrent beat or a new start got there first
        return result
    applied.check = result.check
    applied.state = _token_for(loaded, token, hashed)
    return applied


def _apply(state: _BeatState, beat: Beat, now, rules: WatchRules, *, guard) -> BeatResult | None:
    """Judge an in-order beat against ``state`` and write the outcome if the row is still in that state;
    on success ``state`` is updated to what was written. None if the write matched nothing."""
    video = state.kind == LessonKind.VIDEO
    result = BeatResult(status=Status.IGNORED, watched=state.watched_seconds, duration=state.duration,
                        position=state.position)
    status = _judge(state, beat, now, rules)
    changes = {"anchor_at": now, "last_seq": beat.seq, "updated_at": now}
    watched = state.watched_seconds
    if status == Status.CREDITED:
        elapsed = (now - state.anchor_at).total_seconds()
        status, start, end = _credit_segment(state, beat, elapsed, rules)
        ranges, new = intervals.add(intervals.parse(state.intervals), start * intervals.UNITS, end * intervals.UNITS)
        if new:
            units = intervals.total(ranges)
            watched = units // intervals.UNITS
            changes.update(intervals=intervals.dump(ranges), watched_seconds=watched)
            if state.completed_at is None and units >= _needed_units(state.duration, state.complete_share):
                changes["completed_at"] = now
                result.lesson_completed = True
    # The next segment may start here only after a beat that was honest and still playing.
    keeps_anchor = status in (Status.CREDITED, Status.ANCHORED, Status.SEEK, Status.LATE) and beat.playing and video
    changes["anchor_pos"] = min(beat.position, state.duration) if keeps_anchor else None
    if video and status != Status.INVALID:
        changes["position"] = result.position = min(beat.position, state.duration)
    if not beatstore.save(progress_id=state.progress_id, old_seq=state.last_seq, old_anchor=state.anchor_at,
                          changes=changes, guard=guard):
        return None
    result.status, result.watched, result.credited = status, watched, watched - state.watched_seconds
    state.anchor_at, state.anchor_pos, state.last_seq = now, changes["anchor_pos"], beat.seq
    state.position = changes.get("position", state.position)
    state.intervals = changes.get("intervals", state.intervals)
    state.watched_seconds = watched
    if result.lesson_completed:
        state.completed_at = now
        result.course_completed = _complete_course_if_done(state.person_id, state.course_id, now)
    return result


def _token_for(state: _BeatState, play_token: str, hashed_cookie: str) -> str:
    return beatstate.encode(state, play_token=play_token, cookie_hash=hashed_cookie, loaded_at=state.loaded_at)


def _token_state(token: str, play_token: str, hashed_cookie: str, now, rules: WatchRules) -> _BeatState | None:
    data = beatstate.decode(token, play_token=play_token, cookie_hash=hashed_cookie, now=now,
                            max_age=rules.state_token_seconds)
    if data is None:
        return None
    return _BeatState(cookie_hash=hashed_cookie, check_code="", **data)


def _needed_units(duration: int, share: Decimal) -> int:
    """Watched time (in interval units) that completes a lesson: its course's configured share."""
    return math.ceil(duration * intervals.UNITS * share)


def _complete_course_if_done(person_id: int, course_id: int, now) -> bool:
    """When every lesson is done, mark the enrolment complete and credit the course's hours, once."""
    with transaction.atomic():
        course = Course.objects.get(pk=course_id)
        lessons = course.lessons.count()
        done = Progress.objects.filter(person_id=person_id, lesson__course=course, completed_at__isnull=False).count()
        if lessons == 0 or done < lessons:
            return False
        enrollment = Enrollment.objects.select_for_update().select_related("person__primary_org").get(
            person_id=person_id, course=course)
        if enrollment.completed_at is not None:
            return False
        enrollment.completed_at = now
        hours = _ledger_hours(enrollment, course.credit_hours, now)
        if hours > 0:  # a course valued at 0 (no rule for its length) is done, not credited
            credit = credit_hours(
                person=enrollment.person, hours=hours, form=TrainingForm.ONLINE,
                occurred_on=timezone.localdate(now), idempotency_key=f"academy-course:{course.pk}:{person_id}",
                title=course.title, source_type="academy.course", source_id=course.pk,
            )
            enrollment.ledger_entry = credit.entry
        enrollment.save(update_fields=["completed_at", "ledger_entry"])
    return True


def _ledger_hours(enrollment: Enrollment, value: Decimal, now) -> Decimal:
    """What the ledger (in tenths) is credited for completing a course worth ``value``. A value finer than a
    tenth (a micro-course's 0.25) is credited so that the person's running total of such courses in the year,
    rounded to the tenth, is what the ledger holds: 0.3, 0.2, 0.3, 0.2 for four micro-courses, 1 学时 in all.
    Serialised per person and year, so two completions at once cannot both round up."""
    if value == value.quantize(TENTH):
        return value
    year = timezone.localdate(now).year
    xact_lock(f"academy-fractions:{enrollment.person_id}:{year}")
    earlier = [(v, h or 0) for v, h in Enrollment.objects.filter(
        person_id=enrollment.person_id, completed_at__year=year).exclude(pk=enrollment.pk).values_list(
        "course__credit_hours", "ledger_entry__hours") if v != v.quantize(TENTH)]
    exact = value + sum(v for v, _h in earlier)
    return exact.quantize(TENTH, rounding=ROUND_HALF_UP) - sum(h for _v, h in earlier)


def _play_for(token: str, session_cookie: str) -> PlaySession:
    play = PlaySession.objects.select_for_update().filter(token=token).first()
    if play is None:
        raise Conflict(_("学习会话已失效（可能已在其他设备上继续学习），本页不再计时。"), code="superseded")
    if not secrets.compare_digest(play.cookie_hash, cookie_hash(session_cookie)):
        raise NotAllowed(_("学习会话与登录不符，请刷新页面。"))
    return play


def answer_check(*, token: str, session_cookie: str, code: str) -> PlaySession:
    """The learner answered the presence check: schedule the next one at a new random time."""
    rules = WatchRules.current()
    with transaction.atomic():
        play = _play_for(token, session_cookie)
        if not secrets.compare_digest(str(code or "").strip(), play.check_code):
            raise DomainError(_("确认码不正确，请重新输入。"), field="code")
        now = timezone.now()
        play.check_due_at = _next_check(now, rules)
        play.check_code = f"{secrets.randbelow(10000):04d}"
        play.save(update_fields=["check_due_at", "check_code"])
    return play
