"""/api/v1/activities/: branch sessions, the district figures, meetings-as-training. Thin: parse →
access → service or query → schema."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from jingpei.activities import access, queries, services
from jingpei.activities.models import BranchSession, Meeting
from jingpei.core.apitypes import Id, PageNumber, Year
from jingpei.core.permissions import Perm
from jingpei.core.scoping import scope_for
from jingpei.orgs.models import Organization

router = Router(tags=["activities"])


# --- schemas --------------------------------------------------------------------------------------
class SessionIn(Schema):
    held_on: date
    topic: str
    hours: Decimal
    courseware: str = ""
    course_id: Id | None = None
    place: str = ""
    attendee_ids: list[Id] = []
    guest_names: list[str] = []


class SessionCreate(SessionIn):
    branch_id: Id
    merge: bool = False


class SessionUpdate(SessionIn):
    reason: str = ""


class PersonOut(Schema):
    id: int
    name: str


class SessionOut(Schema):
    id: int
    branch_id: int
    branch_name: str
    held_on: date
    topic: str
    hours: Decimal
    courseware: str
    course_id: int | None
    place: str
    attendee_count: int
    guest_names: list[str]
    person_times: int
    version: int
    merged_into_id: int | None
    merged: bool = False
    attendees: list[PersonOut] | None = None
    photo_ids: list[int] | None = None


def session_out(session: BranchSession, *, detail: bool = False, merged: bool = False) -> dict:
    data = {
        "id": session.pk, "branch_id": session.branch_id, "branch_name": session.branch.name,
        "held_on": session.held_on, "topic": session.topic, "hours": session.hours,
        "courseware": session.courseware, "course_id": session.course_id, "place": session.place,
        "attendee_count": session.attendee_count, "guest_names": session.guest_names,
        "person_times": session.person_times, "version": session.version, "merged_into_id": session.merged_into_id,
        "merged": merged,
    }
    if detail:
        data["attendees"] = [{"id": a.person_id, "name": a.person.name}
                             for a in session.attendances.select_related("person").order_by("person__pinyin")]
        data["photo_ids"] = list(session.photos.values_list("pk", flat=True))
    return data


class RowOut(Schema):
    org_id: int
    name: str
    kind: str
    months: list[int]
    sessions: int
    person_times: int
    branches: int
    active_branches: int
    idle_this_month: int


class ShortfallOut(Schema):
    org_id: int
    name: str
    month_sessions: int
    month_participation: Decimal
    reasons: list[str]


class SummaryOut(Schema):
    org_id: int
    name: str
    start: date
    asof: date
    sessions: int
    month_sessions: int
    person_times: int
    branches: int
    active_branches: int
    idle_branches: int
    members: int
    reached: int
    coverage: Decimal
    months: list[int]
    month_person_times: list[int]
    rows: list[RowOut]
    shortfalls: list[ShortfallOut]


class MeetingIn(Schema):
    organizer_id: Id
    held_on: date
    kind: str
    subject: str
    hours: Decimal
    place: str = ""
    attendee_ids: list[Id]


class MeetingUpdate(MeetingIn):
    reason: str = ""


class MeetingOut(Schema):
    id: int
    organizer_id: int
    organizer_name: str
    held_on: date
    kind: str
    kind_label: str
    subject: str
    hours: Decimal
    place: str
    attendee_count: int
    version: int


class MeetingSummaryOut(Schema):
    year: int
    meetings: int
    person_times: int
    by_kind: list[dict]
    by_category: list[dict]


def meeting_out(m: Meeting) -> dict:
    return {"id": m.pk, "organizer_id": m.organizer_id, "organizer_name": m.organizer.name, "held_on": m.held_on,
            "kind": m.kind, "kind_label": str(m.get_kind_display()), "subject": m.subject, "hours": m.hours,
            "place": m.place, "attendee_count": m.attendee_count, "version": m.version}


# --- sessions -------------------------------------------------------------------------------------
class Page(Schema):
    count: int
    page: int
    pages: int


class SessionPage(Page):
    items: list[SessionOut]


class MeetingPage(Page):
    items: list[MeetingOut]


PAGE_SIZE = 50


def page_of(queryset, page: int, render) -> dict:
    count = queryset.count()
    pages = max(1, -(-count // PAGE_SIZE))
    page = min(max(1, page), pages)
    items = queryset[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    return {"count": count, "page": page, "pages": pages, "items": [render(i) for i in items]}


@router.get("/sessions", response=SessionPage)
def list_sessions(request, org_id: Id | None = None, year: Year | None = None, page: PageNumber = 1):
    sessions = access.visible_sessions(request.user).live().select_related("branch")
    if org_id is not None:
        org = access.get_activity_org(request.user, org_id)
        sessions = sessions.filter(branch__path__startswith=org.path)
    if year is not None:
        sessions = sessions.filter(held_on__year=year)
    return page_of(sessions.order_by("-held_on", "-id"), page, session_out)


@router.post("/sessions", response={201: SessionOut, 200: SessionOut})
def create_session(request, payload: SessionCreate):
    branch = access.get_branch(request.user, payload.branch_id, write=True)
    data = payload.dict(exclude={"branch_id", "merge"})
    result = services.create_session(actor=request.user, branch=branch, merge=payload.merge, **data)
    return Status(200 if result.merged else 201, session_out(result.session, detail=True, merged=result.merged))


@router.get("/sessions/{session_id}", response=SessionOut)
def get_session(request, session_id: int):
    return session_out(access.get_session(request.user, session_id), detail=True)


@router.put("/sessions/{session_id}", response=SessionOut)
def update_session(request, session_id: int, payload: SessionUpdate):
    session = access.get_session(request.user, session_id, write=True)
    session = services.update_session(actor=request.user, session=session, **payload.dict())
    return session_out(session, detail=True)


@router.post("/sessions/{session_id}/photos", response={201: list[int]})
def upload_photos(request, session_id: int, photos: list[UploadedFile] = File(...)):  # noqa: B008
    session = access.get_session(request.user, session_id, write=True)
    return Status(201, [p.pk for p in services.add_photos(actor=request.user, session=session, files=photos)])


@router.get("/branches/{org_id}/members", response=list[PersonOut])
def branch_members(request, org_id: int):
    branch = access.get_branch(request.user, org_id)
    return [{"id": p.pk, "name": p.name} for p in queries.members_of(branch).only("id", "name")]


@router.get("/summary/{org_id}", response=SummaryOut)
def summary(request, org_id: int, asof: date | None = None):
    """The district view of ``org`` from 1 January to ``asof`` (default today)."""
    org = access.get_activity_org(request.user, org_id)
    s = queries.district_summary(org, queries.Period.parse(f"{asof:%Y-%m-%d}" if asof else None))
    return {
        "org_id": org.pk, "name": org.name, "start": s.period.start, "asof": s.period.asof, "sessions": s.sessions,
        "month_sessions": s.month_sessions, "person_times": s.person_times, "branches": s.branches,
        "active_branches": s.active_branches, "idle_branches": len(s.idle_branches), "members": s.members,
        "reached": s.reached, "coverage": s.coverage, "months": s.months, "month_person_times": s.month_person_times,
        "rows": [{"org_id": r.org.pk, "name": r.org.name, "kind": r.org.kind, "months": r.months, "sessions": r.sessions,
                  "person_times": r.person_times, "branches": r.branches, "active_branches": r.active_branches,
                  "idle_this_month": r.idle_this_month} for r in s.rows],
        "shortfalls": [{"org_id": f.branch.pk, "name": f.branch.name, "month_sessions": f.month_sessions,
                        "month_participation": f.month_participation, "reasons": f.short_reasons}
                       for f in s.shortfalls],
    }


# --- meetings -------------------------------------------------------------------------------------
@router.get("/meetings", response=MeetingPage)
def list_meetings(request, year: Year | None = None, page: PageNumber = 1):
    meetings = access.visible_meetings(request.user).select_related("organizer")
    if year is not None:
        meetings = meetings.filter(held_on__year=year)
    return page_of(meetings.order_by("-held_on", "-id"), page, meeting_out)


@router.get("/meetings/summary", response=MeetingSummaryOut)
def meetings_summary(request, year: Year | None = None):
    s = queries.meeting_summary(access.visible_meetings(request.user), year or timezone.localdate().year)
    return {"year": s.year, "meetings": s.meetings, "person_times": s.person_times,
            "by_kind": [{"kind": k, "meetings": n, "person_times": pt} for k, n, pt in s.by_kind],
            "by_category": [{"category": c, "person_times": n} for c, n in s.by_category]}


def _organizer(request, organizer_id: int) -> Organization:
    """The organiser if the user may see it (404 otherwise); the service decides whether they may write."""
    org = Organization.objects.filter(pk=organizer_id, archived_at__isnull=True).first()
    if org is None or not (access.can_view_path(request.user, org.path)
                           or scope_for(request.user, Perm.MEETING_MANAGE).covers(org.path)):
        raise Http404
    return org


@router.post("/meetings", response={201: MeetingOut})
def create_meeting(request, payload: MeetingIn):
    organizer = _organizer(request, payload.organizer_id)
    meeting = services.create_meeting(actor=request.user, organizer=organizer,
                                      **payload.dict(exclude={"organizer_id"}))
    return Status(201, meeting_out(meeting))


@router.get("/meetings/{meeting_id}", response=MeetingOut)
def get_meeting(request, meeting_id: int):
    return meeting_out(access.get_meeting(request.user, meeting_id))


@router.put("/meetings/{meeting_id}", response=MeetingOut)
def update_meeting(request, meeting_id: int, payload: MeetingUpdate):
    meeting = access.get_meeting(request.user, meeting_id, write=True)
    return meeting_out(services.update_meeting(actor=request.user, meeting=meeting,
                                               **payload.dict(exclude={"organizer_id"})))
