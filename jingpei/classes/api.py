"""/api/v1/classes/: the same operations as the pages, through the same access and services."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from jingpei.classes import access, queries, services, signin
from jingpei.classes.certificates import mask_name
from jingpei.classes.models import Attendance, Certificate, Enrolment, LeaveRequest, Lecturer
from jingpei.core.apitypes import Id, Limit, Offset, Year
from jingpei.core.errors import DomainError, NotAllowed
from jingpei.orgs.access import get_org, get_person

router = Router(tags=["classes"])


class ClassOut(Schema):
    id: int
    title: str
    tier: str
    form: str
    status: str
    organizer: str
    start_date: date
    end_date: date
    place: str
    capacity: int
    seated: int | None = None

    @staticmethod
    def resolve_organizer(obj) -> str:
        return obj["organizer"] if isinstance(obj, dict) else obj.organizer.name


class SessionOut(Schema):
    id: int
    subject: str
    starts_at: datetime
    ends_at: datetime
    hours: Decimal
    lecturer: str | None = None

    @staticmethod
    def resolve_lecturer(obj) -> str | None:
        return obj.lecturer.name if obj.lecturer_id else None


class QuotaOut(Schema):
    org_id: int
    org: str
    seats: int

    @staticmethod
    def resolve_org(obj) -> str:
        return obj.org.name


class ClassDetailOut(ClassOut):
    topics: str
    itinerary: str
    full_time: bool
    min_attendance: Decimal
    require_reflection: bool
    total_hours: Decimal
    sessions: list[SessionOut]
    quotas: list[QuotaOut]
    cancelled_at: datetime | None = None
    cancel_reason: str = ""


class ClassIn(Schema):
    organizer_id: Id
    title: str
    start_date: date
    end_date: date
    capacity: int
    tier: str = "regular"
    form: str = "class"
    topics: str = ""
    place: str = ""
    itinerary: str = ""
    full_time: bool = True
    min_attendance: Decimal = Decimal("0.80")
    require_reflection: bool = False
    late_after_minutes: int = 10


class SessionIn(Schema):
    subject: str
    starts_at: datetime
    ends_at: datetime
    hours: Decimal
    lecturer_id: Id | None = None
    place: str = ""


class QuotaIn(Schema):
    org_id: Id
    seats: int


class EnrolmentOut(Schema):
    id: int
    class_id: int
    person_id: int
    person: str
    org: str
    status: str
    completed: bool
    credited_hours: Decimal | None = None

    @staticmethod
    def resolve_class_id(obj) -> int:
        return obj.klass_id

    @staticmethod
    def resolve_person(obj) -> str:
        return obj.person.name

    @staticmethod
    def resolve_org(obj) -> str:
        return obj.org.name


class NominateIn(Schema):
    person_id: Id


class RespondIn(Schema):
    accept: bool


class DecideIn(Schema):
    approve: bool


class LeaveIn(Schema):
    reason: str
    session_id: Id | None = None


class LeaveOut(Schema):
    id: int
    status: str
    hours: Decimal
    warning: str = ""


class LeaveDecideIn(Schema):
    approve: bool
    confirm_withdrawal: bool = False


class TokenIn(Schema):
    token: str


class ManualSignInIn(Schema):
    enrolment_id: Id
    late: bool = False
    from_sheet: bool = False


class AttendanceOut(Schema):
    enrolment_id: int
    status: str
    method: str
    signed_at: datetime


class CancelIn(Schema):
    reason: str


class CancelOut(Schema):
    cancelled_enrolments: int
    klass: ClassDetailOut = Field(..., alias="class")


class CompletionOut(Schema):
    completed: list[int]
    not_completed: list[dict]


class VerifyOut(Schema):
    serial: str
    name: str
    class_title: str
    start_date: date
    end_date: date
    hours: Decimal
    issuer: str


# --- classes ----------------------------------------------------------------------------------------
@router.get("/", response=list[ClassOut])
def list_classes(request, year: Year | None = None, limit: Limit = 50, offset: Offset = 0):
    qs = queries.with_counts(access.visible_classes(request.user)).order_by("-start_date", "-id")
    if year:
        qs = qs.filter(start_date__year=year)
    return list(qs[offset:offset + min(limit, 200)])


@router.post("/", response={201: ClassDetailOut})
def create_class(request, payload: ClassIn):
    data = payload.dict()
    organizer = get_org(request.user, data.pop("organizer_id"))
    klass = services.create_class(actor=request.user, organizer=organizer, **data)
    return Status(201, _detail(klass))


def _detail(klass) -> dict:
    fields = ("id", "title", "tier", "form", "status", "start_date", "end_date", "place", "capacity", "topics",
              "itinerary", "full_time", "min_attendance", "require_reflection", "cancelled_at", "cancel_reason")
    out = {f: getattr(klass, f) for f in fields}
    out.update(organizer=klass.organizer.name, total_hours=klass.total_hours(),
               sessions=list(klass.sessions.select_related("lecturer")),
               quotas=list(klass.quotas.select_related("org")))
    return out


@router.get("/{int:class_id}", response=ClassDetailOut)
def get_class(request, class_id: int):
    return _detail(access.get_class(request.user, class_id))


@router.post("/{int:class_id}/sessions", response={201: SessionOut})
def add_session(request, class_id: int, payload: SessionIn):
    klass = access.get_class(request.user, class_id, write=True)
    data = payload.dict()
    lecturer_id = data.pop("lecturer_id")
    lecturer = access.get_lecturer(request.user, lecturer_id) if lecturer_id else None
    return Status(201, services.add_session(actor=request.user, klass=klass, lecturer=lecturer, **data))


@router.post("/{int:class_id}/quotas", response=QuotaOut)
def set_quota(request, class_id: int, payload: QuotaIn):
    klass = access.get_class(request.user, class_id, write=True)
    org = get_org(request.user, payload.org_id)
    return services.set_quota(actor=request.user, klass=klass, org=org, seats=payload.seats)


@router.get("/{int:class_id}/enrolments", response=list[EnrolmentOut])
def list_enrolments(request, class_id: int):
    klass = access.get_class(request.user, class_id)
    return list(access.visible_enrolments(request.user, klass).order_by("nominated_at", "id"))


@router.post("/{int:class_id}/nominations", response={201: EnrolmentOut})
def nominate(request, class_id: int, payload: NominateIn):
    klass = access.get_class(request.user, class_id)
    person = get_person(request.user, payload.person_id)
    return Status(201, services.nominate(actor=request.user, klass=klass, person=person))


@router.post("/{int:class_id}/complete", response=CompletionOut)
def complete(request, class_id: int):
    klass = access.get_class(request.user, class_id, write=True)
    result = services.complete_class(actor=request.user, klass=klass, base_url=request.build_absolute_uri("/"))
    return {"completed": [e.pk for e in result.completed],
            "not_completed": [{"enrolment_id": e.pk, "reason": reason} for e, reason in result.not_completed]}


@router.post("/{int:class_id}/cancel", response=CancelOut, by_alias=True)
def cancel(request, class_id: int, payload: CancelIn):
    """Call the class off: everyone still on its list is taken off it and told why."""
    klass = access.get_class(request.user, class_id, write=True)
    n = services.cancel_class(actor=request.user, klass=klass, reason=payload.reason)
    klass.refresh_from_db()
    return {"cancelled_enrolments": n, "class": _detail(klass)}


# --- enrolments -------------------------------------------------------------------------------------
@router.post("/enrolments/{int:enrolment_id}/respond", response=EnrolmentOut)
def respond(request, enrolment_id: int, payload: RespondIn):
    enrolment = access.own_enrolment(request.user, enrolment_id)
    return services.respond(actor=request.user, enrolment=enrolment, accept=payload.accept)


@router.post("/enrolments/{int:enrolment_id}/decide", response=EnrolmentOut)
def decide(request, enrolment_id: int, payload: DecideIn):
    enrolment = access.get_enrolment(request.user, enrolment_id, write=True)
    return services.decide(actor=request.user, enrolment=enrolment, approve=payload.approve)


@router.post("/enrolments/{int:enrolment_id}/leaves", response={201: LeaveOut})
def request_leave(request, enrolment_id: int, payload: LeaveIn):
    enrolment = access.own_enrolment(request.user, enrolment_id)
    session = None
    if payload.session_id:
        session = enrolment.klass.sessions.filter(pk=payload.session_id).first()
        if session is None:
            raise DomainError(_("该课次不属于本班。"), field="session_id")
    leave = services.request_leave(actor=request.user, enrolment=enrolment, reason=payload.reason, session=session)
    return Status(201, {"id": leave.pk, "status": leave.status, "hours": leave.hours,
                        "warning": services.leave_outlook(enrolment, leave.hours).warning()})


@router.post("/leaves/{int:leave_id}/decide", response=LeaveOut)
def decide_leave(request, leave_id: int, payload: LeaveDecideIn):
    leave = get_object_or_404(LeaveRequest.objects.select_related("enrolment"), pk=leave_id)
    access.get_enrolment(request.user, leave.enrolment_id, write=True)
    leave = services.decide_leave(actor=request.user, leave=leave, approve=payload.approve,
                                  confirm_withdrawal=payload.confirm_withdrawal)
    return {"id": leave.pk, "status": leave.status, "hours": leave.hours}


@router.get("/mine", response=list[EnrolmentOut])
def mine(request):
    if not request.user.person_id:
        return []
    return list(queries.my_enrolments(request.user.person).select_related("person", "org"))


# --- sign-in ----------------------------------------------------------------------------------------
@router.post("/sessions/{int:session_id}/sign-in", response=AttendanceOut)
def self_sign_in(request, session_id: int, payload: TokenIn):
    """A trainee's app posts the scanned code for the session it believes it is in."""
    now = timezone.now()
    check = signin.check_token(payload.token, now, expected_session_id=session_id)
    if not check.ok:
        raise DomainError(check.error, field="token", code=check.code)
    enrolment = Enrolment.objects.select_related("klass", "person", "org").filter(
        klass__sessions__pk=session_id, person_id=request.user.person_id or -1,
        status=Enrolment.Status.APPROVED).first()
    if enrolment is None:
        raise NotAllowed(_("您不在该课次所属班次的已录取学员名单中，不能签到。"))
    session = enrolment.klass.sessions.get(pk=session_id)
    window_error = services.self_sign_in_window_error(session, now)
    if window_error:
        raise DomainError(window_error, field="token", code="outside_window")
    attendance, _created = services.sign_in(actor=request.user, session=session, enrolment=enrolment, at=now)
    return attendance


@router.post("/sessions/{int:session_id}/manual-sign-in", response=AttendanceOut)
def manual_sign_in(request, session_id: int, payload: ManualSignInIn):
    session = access.get_session(request.user, session_id, write=True)
    enrolment = session.klass.enrolments.select_related("person", "org").filter(pk=payload.enrolment_id).first()
    if enrolment is None:
        raise Http404
    method = Attendance.Method.SHEET if payload.from_sheet else Attendance.Method.MANUAL
    attendance, _created = services.sign_in(actor=request.user, session=session, enrolment=enrolment,
                                            method=method, late=payload.late)
    return attendance


@router.get("/sessions/{int:session_id}/attendance", response=list[AttendanceOut])
def session_attendance(request, session_id: int):
    session = access.get_session(request.user, session_id, write=True)
    return list(session.attendances.order_by("signed_at", "id"))


# --- plans, lecturers, certificates ---------------------------------------------------------------
@router.get("/plans/{int:plan_id}/progress")
def plan_progress(request, plan_id: int):
    plan = access.get_plan(request.user, plan_id)
    progress = queries.plan_progress(plan)
    return {"plan_id": plan.pk, "year": plan.year, "title": plan.title, "total_target": plan.total_target,
            "done": progress["total"], "targets": [
                {"tier": r["target"].tier, "form": r["target"].form, "category_id": r["target"].category_id,
                 "target": r["target"].target, "done": r["done"]} for r in progress["rows"]]}


@router.get("/lecturers/{int:lecturer_id}")
def lecturer(request, lecturer_id: int):
    lec: Lecturer = access.get_lecturer(request.user, lecturer_id)
    return {"id": lec.pk, "name": lec.name, "title": lec.title, "subjects": lec.subjects,
            "sessions": [{"class_id": s.klass_id, "subject": s.subject, "starts_at": s.starts_at}
                         for s in lec.sessions.all()]}


@router.get("/certificates/{serial}/verify", response=VerifyOut, auth=None)
def verify(request, serial: str):
    """Public, like the verification page: masked name and what the certificate states."""
    cert = get_object_or_404(Certificate, serial=serial.strip().upper())
    return {"serial": cert.serial, "name": mask_name(cert.person_name), "class_title": cert.class_title,
            "start_date": cert.start_date, "end_date": cert.end_date, "hours": cert.hours, "issuer": cert.issuer}

