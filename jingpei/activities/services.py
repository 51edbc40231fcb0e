"""The only code that writes sessions, meetings, photos and branch rules.

Attendees are credited through ``jingpei.ledger.services.credit_hours`` with a key derived from the
source and its version (``branch-session:<id>:<person>:v<version>``); an edit that changes what was
credited reverses the old entry (``reverse_entry``) and credits anew under the next version — the ledger
is never rewritten.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jingpei.activities.models import (
    BranchRule,
    BranchSession,
    Meeting,
    MeetingAttendance,
    MeetingKind,
    SessionAttendance,
    SessionPhoto,
    topic_key,
)
from jingpei.core import audit, uploads
from jingpei.core.dates import clean_date
from jingpei.core.errors import Conflict, DomainError, NotAllowed
from jingpei.core.permissions import Perm
from jingpei.core.scoping import scope_for
from jingpei.core.text import clean_text
from jingpei.ledger.models import TrainingForm
from jingpei.ledger.services import credit_hours, reverse_entry
from jingpei.orgs.models import Organization, Person

MAX_HOURS = Decimal("12")
MAX_GUESTS = 50
MAX_PHOTOS = 9
MAX_PHOTO_BYTES = 5 * 1024 * 1024


class DuplicateSession(Conflict):
    """The same branch, date and topic is already recorded; the caller may merge into ``existing``."""

    code = "duplicate"

    def __init__(self, existing: BranchSession):
        super().__init__(
            _("%(branch)s 在 %(date)s 已登记过主题为“%(topic)s”的学习，不能重复登记；可以合并到已有记录。")
            % {"branch": existing.branch.name, "date": f"{existing.held_on:%Y-%m-%d}", "topic": existing.topic},
            field="topic",
        )
        self.existing = existing


@dataclass(frozen=True)
class SessionResult:
    session: BranchSession
    merged: bool = False


# --- validation shared by sessions and meetings ---------------------------------------------------
def clean_hours(value, *, field: str = "hours") -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError(_("时长“%(v)s”不是有效数字。") % {"v": value}, field=field) from None
    if hours <= 0 or hours > MAX_HOURS:
        raise DomainError(_("时长须大于 0 小时且不超过 12 小时，请检查填写的时长（%(v)s 小时）。") % {"v": value},
                          field=field)
    return hours


def require_attendance(members, guests) -> None:
    """A session is someone's study: at least one member ticked, or a guest named."""
    if not members and not guests:
        raise DomainError(_("请至少勾选一名参加学习的党员。"), field="attendee_ids")


def _clean_guests(names: Iterable[str]) -> list[str]:
    guests: list[str] = []
    for raw in names or ():
        for name in str(raw).replace("，", ",").replace("、", ",").replace("\n", ",").split(","):
            name = name.strip()
            if name and name not in guests:
                if len(name) > 50:
                    raise DomainError(_("列席人员姓名“%(n)s”过长。") % {"n": name[:20]}, field="guest_names")
                guests.append(name)
    if len(guests) > MAX_GUESTS:
        raise DomainError(_("列席人员不能超过 %(n)s 人。") % {"n": MAX_GUESTS}, field="guest_names")
    return guests


def _offered_course(branch: Organization, course_id: int | None, *, keep: int | None = None):
    """The academy course ``course_id`` if it is offered to the branch (or is the one the session
    already names: a course later withdrawn stays on its old records)."""
    from jingpei.activities.queries import courses_for

    if not course_id:
        return None
    found = courses_for(branch).filter(pk=course_id).first()
    if found is None and course_id == keep:
        from jingpei.academy.models import Course

        found = Course.objects.filter(pk=course_id).first()
    if found is None:
        raise DomainError(_("网络学院课程 %(id)s 不存在或不面向本支部，请从列表中选择。") % {"id": course_id},
                          field="course_id")
    return found


def _branch_members(branch: Organization, ids: Iterable[int]) -> list[Person]:
    """The people of ``ids``, each of whom must be a member of ``branch``."""
    wanted = {int(i) for i in ids or ()}
    if not wanted:
        return []
    members = list(
        Person.objects.select_related("primary_org")
        .filter(pk__in=wanted, archived_at__isnull=True, memberships__org=branch)
        .distinct()
    )
    missing = wanted - {p.pk for p in members}
    if missing:
        raise DomainError(_("所选人员中有 %(n)s 人不是本支部成员，请只勾选本支部党员，其他人员请作为列席人员填写姓名。")
                          % {"n": len(missing)}, field="attendee_ids")
    return members


def _require_log(actor, branch: Organization) -> None:
    if branch.kind != "branch":
        raise DomainError(_("远程教育学习只能登记在党支部下。"), field="branch")
    if not scope_for(actor, Perm.ACTIVITY_LOG).covers(branch.path):
        raise NotAllowed(_("只有本支部书记及上级组织可以登记该支部的学习。"))


# --- ledger plumbing ------------------------------------------------------------------------------
def _session_key(session: BranchSession, person_id: int) -> str:
    return f"branch-session:{session.pk}:{person_id}:v{session.version}"


def _credit_session(session: BranchSession, people: Iterable[Person], actor) -> None:
    rows = []
    for person in people:
        credit = credit_hours(
            person=person, hours=session.hours, form=TrainingForm.BRANCH, occurred_on=session.held_on,
            idempotency_key=_session_key(session, person.pk), actor=actor, title=_("远程教育：%(t)s") % {"t": session.topic},
            source_type="activities.session", source_id=session.pk,
        )
        rows.append(SessionAttendance(session=session, person=person, ledger_entry=credit.entry))
    SessionAttendance.objects.bulk_create(rows)


def _reverse(attendances, reason: str, actor) -> None:
    for att in attendances:
        if att.ledger_entry_id:
            reverse_entry(entry=att.ledger_entry, reason=reason, actor=actor)


def _snapshot(session: BranchSession, person_ids: Iterable[int]) -> dict:
    return {"held_on": f"{session.held_on:%Y-%m-%d}", "topic": session.topic, "hours": str(session.hours),
            "place": session.place, "courseware": session.courseware, "course_id": session.course_id,
            "guests": list(session.guest_names), "attendees": sorted(person_ids), "version": session.version}


# --- sessions -------------------------------------------------------------------------------------
@transaction.atomic
def create_session(*, actor, branch: Organization, held_on: date, topic: str, hours, courseware: str = "",
                   course_id: int | None = None, place: str = "", attendee_ids: Iterable[int] = (),
                   guest_names: Iterable[str] = (), merge: bool = False, photos=()) -> SessionResult:
    """Record a session and credit its attendees. If the branch already has a session of that date
    and topic, raise :class:`DuplicateSession` — or, with ``merge``, add these attendees to it.
    ``photos`` are stored in the same transaction: a bad photo leaves nothing behind."""
    _require_log(actor, branch)
    held_on = clean_date(held_on, field="held_on")
    topic = clean_text(topic, field="topic", label=_("学习主题"))
    hours = clean_hours(hours)
    course = _offered_course(branch, course_id)
    courseware = clean_text(courseware, field="courseware", label=_("课件"), required=False) or (
        course.title[:200] if course else "")
    place = clean_text(place, field="place", label=_("地点"), required=False, max_length=100)
    guests = _clean_guests(guest_names)
    members = _branch_members(branch, attendee_ids)
    require_attendance(members, guests)

    existing = (BranchSession.objects.live().select_for_update().select_related("branch")
                .filter(branch=branch, held_on=held_on, topic_key=topic_key(topic)).first())
    if existing:
        if not merge:
            raise DuplicateSession(existing)
        merged = _merge_into(existing, members, guests, actor)
        add_photos(actor=actor, session=merged, files=photos)
        return SessionResult(merged, merged=True)
    session = BranchSession(branch=branch, held_on=held_on, topic=topic, topic_key=topic_key(topic), hours=hours,
                            courseware=courseware, course=course, place=place, guest_names=guests,
                            attendee_count=len(members), created_by=actor if getattr(actor, "pk", None) else None)
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError:
        # Another phone recorded the same session a moment ago: it is that one, not a second.
        existing = BranchSession.objects.live().select_related("branch").get(
            branch=branch, held_on=held_on, topic_key=topic_key(topic))
        if not merge:
            raise DuplicateSession(existing) from None
        merged = _merge_into(existing, members, guests, actor)
        add_photos(actor=actor, session=merged, files=photos)
        return SessionResult(merged, merged=True)
    _credit_session(session, members, actor)
    audit.record("activity.session.create", session, actor=actor, after=_snapshot(session, [p.pk for p in members]),
                 org_path=branch.path)
    add_photos(actor=actor, session=session, files=photos)
    return SessionResult(session)


def _merge_into(session: BranchSession, members: list[Person], guests: list[str], actor) -> BranchSession:
    """Add attendees and guests to an existing session; those already there are not counted twice."""
    present = set(session.attendances.values_list("person_id", flat=True))
    added = [p for p in members if p.pk not in present]
    new_guests = [g for g in guests if g not in session.guest_names]
    before = _snapshot(session, present)
    if added:
        _credit_session(session, added, actor)
    session.guest_names = [*session.guest_names, *new_guests]
    session.attendee_count = len(present) + len(added)
    session.save(update_fields=["guest_names", "attendee_count", "updated_at"])
    audit.record("activity.session.merge", session, actor=actor, before=before,
                 after=_snapshot(session, present | {p.pk for p in added}), org_path=session.branch.path)
    return session


@transaction.atomic
def update_session(*, actor, session: BranchSession, held_on: date, topic: str, hours, courseware: str = "",
                   course_id: int | None = None, place: str = "", attendee_ids: Iterable[int] = (),
                   guest_names: Iterable[str] = (), reason: str = "", photos=()) -> BranchSession:
    """Correct a session. Credits are corrected by reversal and a new credit, never rewritten."""
    session = BranchSession.objects.select_for_update().select_related("branch").get(pk=session.pk)
    branch = session.branch
    _require_log(actor, branch)
    if session.merged_into_id:
        raise DomainError(_("该记录已合并到另一条记录，请修改合并后的记录。"))
    held_on = clean_date(held_on, field="held_on", kept=session.held_on)
    topic = clean_text(topic, field="topic", label=_("学习主题"))
    hours = clean_hours(hours)
    course = _offered_course(branch, course_id, keep=session.course_id)
    courseware = clean_text(courseware, field="courseware", label=_("课件"), required=False) or (
        course.title[:200] if course else "")
    place = clean_text(place, field="place", label=_("地点"), required=False, max_length=100)
    guests = _clean_guests(guest_names)
    members = _branch_members(branch, attendee_ids)
    require_attendance(members, guests)
    clash = (BranchSession.objects.live().select_related("branch").exclude(pk=session.pk)
             .filter(branch=branch, held_on=held_on, topic_key=topic_key(topic)).first())
    if clash:
        raise DuplicateSession(clash)

    reason = (reason or "").strip() or _("修改远程教育学习记录")
    current = list(session.attendances.select_related("ledger_entry"))
    before = _snapshot(session, [a.person_id for a in current])
    wanted = {p.pk: p for p in members}
    recredit_all = held_on != session.held_on or hours != session.hours
    if recredit_all:
        dropped, kept_ids = current, set()
    else:
        dropped = [a for a in current if a.person_id not in wanted]
        kept_ids = {a.person_id for a in current if a.person_id in wanted}
    added = [p for pid, p in wanted.items() if pid not in kept_ids]

    session.held_on, session.topic, session.topic_key, session.hours = held_on, topic, topic_key(topic), hours
    session.courseware, session.course, session.place, session.guest_names = courseware, course, place, guests
    session.attendee_count = len(wanted)
    if dropped or added:
        session.version += 1
    session.save()
    _reverse(dropped, reason, actor)
    SessionAttendance.objects.filter(pk__in=[a.pk for a in dropped]).delete()
    _credit_session(session, added, actor)
    audit.record("activity.session.update", session, actor=actor, before=before,
                 after=_snapshot(session, list(wanted)), org_path=branch.path)
    add_photos(actor=actor, session=session, files=photos)
    return session


@transaction.atomic
def merge_sessions(*, actor, source: BranchSession, target: BranchSession) -> BranchSession:
    """Fold ``source`` into ``target`` (a duplicate found after the fact): its attendees' credits are
    reversed and re-credited on ``target`` only for those not already there."""
    source = BranchSession.objects.select_for_update().select_related("branch").get(pk=source.pk)
    target = BranchSession.objects.select_for_update().select_related("branch").get(pk=target.pk)
    _require_log(actor, source.branch)
    if source.pk == target.pk or source.branch_id != target.branch_id or source.merged_into_id or target.merged_into_id:
        raise DomainError(_("只能合并同一支部的两条有效学习记录。"))
    attendances = list(source.attendances.select_related("ledger_entry", "person__primary_org"))
    _reverse(attendances, _("重复登记，已合并到记录 %(id)s") % {"id": target.pk}, actor)
    people = [a.person for a in attendances]
    source.merged_into = target
    source.save(update_fields=["merged_into", "updated_at"])
    source.attendances.all().delete()
    _merge_into(target, people, list(source.guest_names), actor)
    audit.record("activity.session.merged", source, actor=actor, after={"into": target.pk}, org_path=source.branch.path)
    return target


# --- photos ---------------------------------------------------------------------------------------
def _check_image(upload) -> tuple[bytes, str, str]:
    name = getattr(upload, "name", "") or _("照片")
    if upload.size > MAX_PHOTO_BYTES:
        raise DomainError(_("照片“%(n)s”超过 5 MB，请压缩后再上传。") % {"n": name}, field="photos")
    data = upload.read()
    kind = uploads.image_type(data)
    if kind is None:
        raise DomainError(_("文件“%(n)s”不是有效的图片，只能上传 JPG、PNG 或 WEBP 格式的照片。") % {"n": name},
                          field="photos")
    return data, *kind


@transaction.atomic
def add_photos(*, actor, session: BranchSession, files) -> list[SessionPhoto]:
    files = list(files or [])
    if not files:
        return []
    _require_log(actor, session.branch)
    if session.photos.count() + len(files) > MAX_PHOTOS:
        raise DomainError(_("每次学习最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS}, field="photos")
    checked = [_check_image(f) for f in files]  # all or none: check every file before storing one
    photos = []
    for data, ext, content_type in checked:
        photo = SessionPhoto(session=session, token=secrets.token_hex(16), extension=ext, content_type=content_type,
                             size=len(data), uploaded_by=actor if getattr(actor, "pk", None) else None)
        photo.image.save("photo", ContentFile(data), save=False)
        photo.save()
        photos.append(photo)
    if photos:
        audit.record("activity.session.photos", session, actor=actor, after={"added": [p.pk for p in photos]},
                     org_path=session.branch.path)
    return photos


@transaction.atomic
def delete_photo(*, actor, photo: SessionPhoto) -> None:
    _require_log(actor, photo.session.branch)
    audit.record("activity.session.photo_delete", photo.session, actor=actor, before={"photo": photo.pk},
                 org_path=photo.session.branch.path)
    storage, name = photo.image.storage, photo.image.name
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- rules ----------------------------------------------------------------------------------------
@transaction.atomic
def set_branch_rule(*, actor, org: Organization, min_sessions_per_month, min_participation) -> BranchRule:
    if not scope_for(actor, Perm.RULES_MANAGE).covers(org.path):
        raise NotAllowed(_("您没有设置该组织学习规则的权限。"))
    try:
        sessions = int(min_sessions_per_month)
    except (TypeError, ValueError):
        raise DomainError(_("每月学习次数须为整数。"), field="min_sessions_per_month") from None
    if not 0 <= sessions <= 31:
        raise DomainError(_("每月学习次数须在 0 到 31 之间。"), field="min_sessions_per_month")
    try:
        rate = Decimal(str(min_participation)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise DomainError(_("参学率须为 0 到 100 之间的数字。"), field="min_participation") from None
    if not Decimal(0) <= rate <= Decimal(100):
        raise DomainError(_("参学率须为 0 到 100 之间的数字。"), field="min_participation")
    rule = BranchRule.objects.filter(org=org).first()
    before = {"min_sessions": rule.min_sessions_per_month, "min_participation": str(rule.min_participation)} if rule else None
    rule = rule or BranchRule(org=org)
    rule.min_sessions_per_month, rule.min_participation = sessions, rate
    rule.save()
    audit.record("activity.rule.set", rule, actor=actor, before=before,
                 after={"min_sessions": sessions, "min_participation": str(rate)}, org_path=org.path)
    return rule


# --- meetings -------------------------------------------------------------------------------------
def _meeting_key(meeting: Meeting, person_id: int) -> str:
    return f"meeting:{meeting.pk}:{person_id}:v{meeting.version}"


def _meeting_people(actor, ids: Iterable[int]) -> list[Person]:
    """Attendees must be people of the officer's own scope (a meeting cannot credit outsiders)."""
    wanted = {int(i) for i in ids or ()}
    if not wanted:
        raise DomainError(_("请选择参会人员，或导入签到表。"), field="attendee_ids")
    scope = scope_for(actor, Perm.MEETING_MANAGE)
    people = list(Person.objects.select_related("primary_org").filter(pk__in=wanted, archived_at__isnull=True)
                  .in_orgs(scope.q("org__path")))
    if len(people) != len(wanted):
        raise DomainError(_("所选参会人员中有 %(n)s 人不在您的管理范围内。") % {"n": len(wanted) - len(people)},
                          field="attendee_ids")
    return people


def _clean_meeting(actor, *, organizer, held_on, kind, subject, hours, place, kept_date=None):
    if not scope_for(actor, Perm.MEETING_MANAGE).covers(organizer.path):
        raise NotAllowed(_("只有培训专员可以登记以会代训。"))
    if kind not in MeetingKind.values:
        raise DomainError(_("请选择会议类型。"), field="kind")
    return (clean_date(held_on, field="held_on", kept=kept_date), clean_text(subject, field="subject", label=_("会议主题")),
            clean_hours(hours), clean_text(place, field="place", label=_("地点"), required=False, max_length=100))


def _credit_meeting(meeting: Meeting, people: Iterable[Person], actor) -> None:
    rows = []
    for person in people:
        credit = credit_hours(
            person=person, hours=meeting.hours, form=TrainingForm.MEETING, occurred_on=meeting.held_on,
            idempotency_key=_meeting_key(meeting, person.pk), actor=actor,
            title=_("以会代训：%(t)s") % {"t": meeting.subject}, source_type="activities.meeting", source_id=meeting.pk,
        )
        rows.append(MeetingAttendance(meeting=meeting, person=person, ledger_entry=credit.entry))
    MeetingAttendance.objects.bulk_create(rows)


@transaction.atomic
def create_meeting(*, actor, organizer: Organization, held_on: date, kind: str, subject: str, hours,
                   place: str = "", attendee_ids: Iterable[int] = ()) -> Meeting:
    held_on, subject, hours, place = _clean_meeting(actor, organizer=organizer, held_on=held_on, kind=kind,
                                                    subject=subject, hours=hours, place=place)
    people = _meeting_people(actor, attendee_ids)
    meeting = Meeting.objects.create(held_on=held_on, kind=kind, subject=subject, organizer=organizer, hours=hours,
                                     place=place, attendee_count=len(people),
                                     created_by=actor if getattr(actor, "pk", None) else None)
    _credit_meeting(meeting, people, actor)
    audit.record("activity.meeting.create", meeting, actor=actor, org_path=organizer.path,
                 after={"held_on": f"{held_on:%Y-%m-%d}", "kind": kind, "subject": subject, "hours": str(hours),
                        "attendees": sorted(p.pk for p in people)})
    return meeting


@transaction.atomic
def update_meeting(*, actor, meeting: Meeting, held_on: date, kind: str, subject: str, hours, place: str = "",
                   attendee_ids: Iterable[int] = (), reason: str = "") -> Meeting:
    meeting = Meeting.objects.select_for_update().select_related("organizer").get(pk=meeting.pk)
    held_on, subject, hours, place = _clean_meeting(actor, organizer=meeting.organizer, held_on=held_on, kind=kind,
                                                    subject=subject, hours=hours, place=place, kept_date=meeting.held_on)
    people = {p.pk: p for p in _meeting_people(actor, attendee_ids)}
    current = list(meeting.attendances.select_related("ledger_entry"))
    before = {"held_on": f"{meeting.held_on:%Y-%m-%d}", "hours": str(meeting.hours), "subject": meeting.subject,
              "attendees": sorted(a.person_id for a in current)}
    if held_on != meeting.held_on or hours != meeting.hours:
        dropped, kept = current, set()
    else:
        dropped = [a for a in current if a.person_id not in people]
        kept = {a.person_id for a in current if a.person_id in people}
    added = [p for pid, p in people.items() if pid not in kept]
    meeting.held_on, meeting.kind, meeting.subject, meeting.hours, meeting.place = held_on, kind, subject, hours, place
    meeting.attendee_count = len(people)
    if dropped or added:
        meeting.version += 1
    meeting.save()
    _reverse(dropped, (reason or "").strip() or _("修改以会代训记录"), actor)
    MeetingAttendance.objects.filter(pk__in=[a.pk for a in dropped]).delete()
    _credit_meeting(meeting, added, actor)
    audit.record("activity.meeting.update", meeting, actor=actor, before=before, org_path=meeting.organizer.path,
                 after={"held_on": f"{held_on:%Y-%m-%d}", "hours": str(hours), "subject": subject,
                        "attendees": sorted(people)})
    return meeting

