"""Every write of the classes capability. Each function checks permission, runs in one transaction
and writes its audit row in that transaction.

Seats: an enrolment that is nominated, confirmed or approved holds a seat of the class and of its
quota. Every change that takes or frees a seat first locks the class row (``select_for_update``), so
concurrent nominations are serialised per class and capacity and quotas are never exceeded.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.classes.access import can_manage, can_run
from jingpei.classes.models import (
    AnnualPlan,
    Attendance,
    Certificate,
    ClassForm,
    ClassQuota,
    Enrolment,
    LeaveRequest,
    Lecturer,
    PlanTarget,
    Reflection,
    Session,
    Tier,
    TrainingClass,
)
from jingpei.core import audit
from jingpei.core.errors import Conflict, DomainError, NotAllowed
from jingpei.core.jobs import enqueue
from jingpei.core.permissions import Perm
from jingpei.core.scoping import scope_for
from jingpei.ledger import conversion
from jingpei.ledger.models import ConversionRule, TrainingForm
from jingpei.ledger.services import CreditItem, credit_hours, credit_many
from jingpei.orgs.models import Category, Organization, Person, PersonCategory

S = Enrolment.Status
SELF_SIGN_IN_OPENS = timedelta(minutes=30)  # before a session starts


def _require_manage_org(actor, org: Organization) -> None:
    if actor is not None and not scope_for(actor, Perm.CLASS_MANAGE).covers(org.path):
        raise NotAllowed(_("您没有在该组织开班或制定计划的权限。"))


def _require_run(actor, klass: TrainingClass) -> None:
    if actor is not None and not can_run(actor, klass):
        raise NotAllowed(_("只有主办单位或本班班主任可以执行该操作。"))


def _text(value, field: str, label: str, max_length: int, *, required: bool = True) -> str:
    value = " ".join(str(value or "").split()) if field != "itinerary" else str(value or "").strip()
    if required and not value:
        raise DomainError(_("请填写%(label)s。") % {"label": label}, field=field)
    if len(value) > max_length:
        raise DomainError(_("%(label)s不能超过 %(n)s 个字。") % {"label": label, "n": max_length}, field=field)
    return value


def _lock_class(klass: TrainingClass) -> TrainingClass:
    return TrainingClass.objects.select_for_update().select_related("organizer").get(pk=klass.pk)


def _require_changeable(klass: TrainingClass) -> None:
    """A completed class's hours are credited and certified, a cancelled one is closed: neither changes."""
    if klass.status == TrainingClass.Status.COMPLETED:
        raise Conflict(_("本班已结业，不能再修改。"))
    if klass.status == TrainingClass.Status.CANCELLED:
        raise Conflict(_("本班已取消，不能再修改。"))


def _tell(person: Person, actor, title: str, body: str = "") -> None:
    """The trainee hears in their inbox of what was decided about them (not of their own doing)."""
    _tell_each([(person, title, body)], actor)


def _tell_each(messages: list[tuple[Person, str, str]], actor) -> None:
    from jingpei.ledger.services import notify_each

    url = reverse("classes:mine")
    notify_each((user, title, body, url) for person, title, body in messages
                if _reachable(user := getattr(person, "user", None), actor))


def _reachable(user, actor) -> bool:
    """Whether ``user`` is told of an action: an active account, not the one who acted."""
    return user is not None and user.is_active and user.pk != getattr(actor, "pk", None)


def _dates(klass: TrainingClass) -> dict:
    return {"t": klass.title, "a": klass.start_date, "b": klass.end_date}


# --- annual plan ------------------------------------------------------------------------------------
def create_plan(*, actor, org: Organization, year: int, title: str, total_target: int, topics: str = "",
                budget_note: str = "") -> AnnualPlan:
    _require_manage_org(actor, org)
    if not 2000 <= int(year) <= 2100:
        raise DomainError(_("年度须在 2000—2100 之间。"), field="year")
    if int(total_target) < 0:
        raise DomainError(_("目标人次不能为负数。"), field="total_target")
    title = _text(title, "title", _("计划名称"), 200)
    with transaction.atomic():
        if AnnualPlan.objects.filter(year=year, org=org).exists():
            raise Conflict(_("%(org)s %(year)s 年度的培训计划已存在。") % {"org": org.name, "year": year},
                           field="year")
        plan = AnnualPlan.objects.create(year=year, org=org, title=title, total_target=total_target,
                                         topics=topics.strip(), budget_note=budget_note.strip())
        audit.record("class_plan.create", plan, actor=actor, after={"year": year, "target": total_target},
                     org_path=org.path)
    return plan


def set_plan_target(*, actor, plan: AnnualPlan, target: int, tier: str = "", form: str = "",
                    category: Category | None = None) -> PlanTarget:
    _require_manage_org(actor, plan.org)
    if tier and tier not in Tier.values:
        raise DomainError(_("未知的班次层级。"), field="tier")
    if form and form not in ClassForm.values:
        raise DomainError(_("未知的培训形式。"), field="form")
    if int(target) <= 0:
        raise DomainError(_("目标人次须大于 0。"), field="target")
    with transaction.atomic():
        row, _created = PlanTarget.objects.update_or_create(
            plan=plan, tier=tier, form=form, category=category, defaults={"target": int(target)})
        audit.record("class_plan.target", plan, actor=actor,
                     after={"tier": tier, "form": form, "category": getattr(category, "pk", None), "target": target},
                     org_path=plan.org.path)
    return row


# --- lecturers --------------------------------------------------------------------------------------
def create_lecturer(*, actor, owner_org: Organization, name: str, title: str = "", affiliation: str = "",
                    subjects: str = "") -> Lecturer:
    _require_manage_org(actor, owner_org)
    with transaction.atomic():
        lecturer = Lecturer.objects.create(
            owner_org=owner_org, name=_text(name, "name", _("姓名"), 50), title=_text(title, "title", "", 100,
                                                                                 required=False),
            affiliation=_text(affiliation, "affiliation", "", 200, required=False),
            subjects=_text(subjects, "subjects", "", 300, required=False))
        audit.record("lecturer.create", lecturer, actor=actor, after={"name": lecturer.name}, org_path=owner_org.path)
    return lecturer


# --- classes and sessions -------------------------------------------------------------------------
def create_class(*, actor, organizer: Organization, title: str, start_date: date, end_date: date, capacity: int,
                 tier: str = Tier.REGULAR, form: str = ClassForm.CLASS, topics: str = "", place: str = "",
                 itinerary: str = "", head=None, plan: AnnualPlan | None = None, full_time: bool = True,
                 min_attendance: Decimal = Decimal("0.80"), require_reflection: bool = False,
                 late_after_minutes: int = 10, audience_orgs=(), audience_categories=()) -> TrainingClass:
    _require_manage_org(actor, organizer)
    title = _text(title, "title", _("班次名称"), 200)
    if tier not in Tier.values:
        raise DomainError(_("未知的班次层级。"), field="tier")
    if form not in ClassForm.values:
        raise DomainError(_("未知的培训形式。"), field="form")
    if end_date < start_date:
        raise DomainError(_("结业日期不能早于开班日期。"), field="end_date")
    if int(capacity) <= 0:
        raise DomainError(_("容量须大于 0。"), field="capacity")
    min_attendance = Decimal(str(min_attendance))
    if not Decimal("0") <= min_attendance <= Decimal("1"):
        raise DomainError(_("最低出勤比例须在 0 到 1 之间。"), field="min_attendance")
    if plan is not None and plan.org_id != organizer.pk:
        raise DomainError(_("所属年度计划须是主办单位的计划。"), field="plan")
    with transaction.atomic():
        klass = TrainingClass.objects.create(
            organizer=organizer, title=title, start_date=start_date, end_date=end_date, capacity=int(capacity),
            tier=tier, form=form, topics=_text(topics, "topics", "", 300, required=False),
            place=_text(place, "place", "", 200, required=False), itinerary=_text(itinerary, "itinerary", "", 5000,
                                                                                     required=False),
            head=head, plan=plan, full_time=full_time, min_attendance=min_attendance,
            require_reflection=require_reflection, late_after_minutes=late_after_minutes,
            created_by=actor if getattr(actor, "pk", None) else None)
        klass.audience_orgs.set(audience_orgs)
        klass.audience_categories.set(audience_categories)
        audit.record("class.create", klass, actor=actor, after={"title": title, "capacity": capacity},
                     org_path=organizer.path)
    return klass


EDITABLE = ("title", "tier", "form", "topics", "start_date", "end_date", "place", "itinerary", "capacity", "head",
            "full_time", "min_attendance", "require_reflection", "late_after_minutes")


def update_class(*, actor, klass: TrainingClass, **changes) -> TrainingClass:
    """Change a class's particulars (quick entry of a study tour's itinerary or a mobile lecture's
    stops goes through here). Capacity can not drop below the seats already held."""
    _require_run(actor, klass)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise DomainError(_("不能修改的字段：%(f)s") % {"f": "、".join(sorted(unknown))})
    with transaction.atomic():
        klass = _lock_class(klass)
        _require_changeable(klass)
        before = {f: str(getattr(klass, f)) for f in changes}
        for field, value in changes.items():
            setattr(klass, field, value)
        klass.title = _text(klass.title, "title", _("班次名称"), 200)
        klass.itinerary = _text(klass.itinerary, "itinerary", "", 5000, required=False)
        if klass.end_date < klass.start_date:
            raise DomainError(_("结业日期不能早于开班日期。"), field="end_date")
        held = klass.enrolments.filter(status__in=Enrolment.SEATED).count()
        if klass.capacity < max(held, 1):
            raise Conflict(_("已有 %(n)s 人占用名额，容量不能少于 %(n)s。") % {"n": held}, field="capacity")
        klass.save(update_fields=list(changes))
        audit.record("class.update", klass, actor=actor, before=before,
                     after={f: str(getattr(klass, f)) for f in changes}, org_path=klass.organizer.path)
    return klass


def set_quota(*, actor, klass: TrainingClass, org: Organization, seats: int) -> ClassQuota:
    _require_run(actor, klass)
    if not org.path.startswith(klass.organizer.path):
        raise DomainError(_("名额只能分配给主办单位的下级组织。"), field="org")
    with transaction.atomic():
        klass = _lock_class(klass)
        _require_changeable(klass)
        quota = ClassQuota.objects.filter(klass=klass, org=org).first()
        held = quota.enrolments.filter(status__in=Enrolment.SEATED).count() if quota else 0
        if int(seats) < held:
            raise Conflict(_("%(org)s 已占用 %(n)s 个名额，不能减到 %(s)s。") % {"org": org.name, "n": held, "s": seats},
                           field="seats")
        quota, _created = ClassQuota.objects.update_or_create(klass=klass, org=org, defaults={"seats": int(seats)})
        audit.record("class.quota", klass, actor=actor, after={"org": org.pk, "seats": seats},
                     org_path=klass.organizer.path)
    return quota


def add_session(*, actor, klass: TrainingClass, starts_at: datetime, ends_at: datetime, subject: str, hours,
                lecturer: Lecturer | None = None, place: str = "") -> Session:
    _require_run(actor, klass)
    subject = _text(subject, "subject", _("课程"), 200)
    if ends_at <= starts_at:
        raise DomainError(_("结束时间须晚于开始时间。"), field="ends_at")
    local_day = timezone.localtime(starts_at).date()
    if not klass.start_date <= local_day <= klass.end_date:
        raise DomainError(_("课次日期须在开班与结业日期之间（%(a)s 至 %(b)s）。") % {
            "a": klass.start_date, "b": klass.end_date}, field="starts_at")
    try:
        hours = Decimal(str(hours)).quantize(Decimal("0.1"))
    except ArithmeticError:
        raise DomainError(_("学时不是有效数字。"), field="hours") from None
    if hours <= 0 or hours > 24:
        raise DomainError(_("学时须大于 0 且不超过 24。"), field="hours")
    with transaction.atomic():
        klass = _lock_class(klass)
        _require_changeable(klass)
        session = Session.objects.create(klass=klass, starts_at=starts_at, ends_at=ends_at, subject=subject,
                                         hours=hours, lecturer=lecturer, place=place.strip()[:200])
        audit.record("class.session_add", session, actor=actor, after={"subject": subject, "hours": str(hours)},
                     org_path=klass.organizer.path)
    return session


# --- enrolment (调训) ------------------------------------------------------------------------------
def _nominating_org(actor, klass: TrainingClass, person: Person) -> Organization:
    """The organization the person is nominated through: their primary one if the actor covers it,
    else another of their memberships the actor covers."""
    if actor is None or can_manage(actor, klass):
        return person.primary_org
    scope = scope_for(actor, Perm.CLASS_NOMINATE)
    orgs = [person.primary_org] + [m.org for m in person.memberships.select_related("org")]
    for org in orgs:
        if scope.covers(org.path):
            return org
    raise NotAllowed(_("只能推荐本单位（含下级）的人员。"))


def _quota_for(klass: TrainingClass, org: Organization) -> ClassQuota | None:
    quotas = [q for q in klass.quotas.select_related("org") if org.path.startswith(q.org.path)]
    return max(quotas, key=lambda q: len(q.org.path)) if quotas else None


def _has_room(klass: TrainingClass, quota: ClassQuota | None) -> bool:
    seated = klass.enrolments.filter(status__in=Enrolment.SEATED)
    if seated.count() >= klass.capacity:
        return False
    return quota is None or seated.filter(quota=quota).count() < quota.seats


def nominate(*, actor, klass: TrainingClass, person: Person) -> Enrolment:
    """A liaison (or the organizer) nominates ``person``. Within capacity and quota the person holds a
    seat and is asked to confirm; when full the person joins the waiting list."""
    if actor is not None and not (can_manage(actor, klass) or not scope_for(actor, Perm.CLASS_NOMINATE).empty):
        raise NotAllowed(_("您没有调训推荐权限。"))
    if person.archived_at is not None:
        raise DomainError(_("%(name)s 已归档，不能推荐。") % {"name": person.name}, field="person")
    org = _nominating_org(actor, klass, person)
    with transaction.atomic():
        klass = _lock_class(klass)
        if klass.status != TrainingClass.Status.OPEN:
            raise Conflict(_("该班次不在调训阶段（%(s)s），不能推荐。") % {"s": klass.get_status_display()})
        live = klass.enrolments.filter(person=person, status__in=Enrolment.LIVE).first()
        if live:
            raise Conflict(_("%(name)s 已在本班名单中（%(s)s）。") % {"name": person.name, "s": live.get_status_display()},
                           field="person")
        categories = list(klass.audience_categories.values_list("pk", flat=True))
        if categories and not PersonCategory.objects.filter(
                person=person, category_id__in=categories, year=klass.start_date.year).exists():
            raise DomainError(_("%(name)s 不属于本班面向的人员类别。") % {"name": person.name}, field="person")
        audience = list(klass.audience_orgs.all())
        if audience and not any(org.path.startswith(a.path) for a in audience):
            raise DomainError(_("本班面向%(a)s，%(org)s 不在范围内。") % {
                "a": "、".join(a.name for a in audience), "org": org.name}, field="person")
        has_quotas = klass.quotas.exists()
        quota = _quota_for(klass, org)
        if has_quotas and quota is None:
            raise DomainError(_("本班没有给 %(org)s 分配名额。") % {"org": org.name}, field="person")
        now = timezone.now()
        room = _has_room(klass, quota)
        enrolment = Enrolment.objects.create(
            klass=klass, person=person, quota=quota, org=org, status=S.NOMINATED if room else S.WAITLISTED,
            waitlisted_at=None if room else now, nominated_by=actor if getattr(actor, "pk", None) else None)
        audit.record("class.nominate", enrolment, actor=actor, after={"status": enrolment.status},
                     org_path=org.path)
        if room:
            _tell(person, actor, _("请确认是否参加培训班“%(t)s”") % _dates(klass), _(
                "您被推荐参加培训班“%(t)s”（%(a)s 至 %(b)s），请在“我的培训班”中确认参加或谢绝。") % _dates(klass))
        else:
            _tell(person, actor, _("您已列入培训班“%(t)s”的候补名单") % _dates(klass),
                  _("名额已满，有空位时将通知您确认。"))
    return enrolment


def _promote_waitlist(klass: TrainingClass, actor) -> Enrolment | None:
    """Give a freed seat to the first person on the waiting list whose quota has room. The class row
    must already be locked by the caller."""
    if klass.status != TrainingClass.Status.OPEN:
        return None
    for waiting in klass.enrolments.filter(status=S.WAITLISTED).select_related("quota", "org", "person").order_by(
            "waitlisted_at", "id"):
        if _has_room(klass, waiting.quota):
            waiting.status = S.NOMINATED
            waiting.save(update_fields=["status"])
            audit.record("class.promote", waiting, actor=actor, after={"status": S.NOMINATED},
                         org_path=waiting.org.path)
            _tell(waiting.person, actor, _("培训班“%(t)s”有了空位，请确认是否参加") % _dates(klass), _(
                "培训班“%(t)s”（%(a)s 至 %(b)s）有了空位，请在“我的培训班”中确认参加或谢绝。") % _dates(klass))
            return waiting
    return None


def _set_status(enrolment: Enrolment, status: str, actor, action: str) -> Enrolment:
    before = enrolment.status
    enrolment.status = status
    enrolment.decided_at = timezone.now()
    enrolment.save(update_fields=["status", "decided_at"])
    audit.record(action, enrolment, actor=actor, before={"status": before}, after={"status": status},
                 org_path=enrolment.org.path)
    return enrolment


def respond(*, actor, enrolment: Enrolment, accept: bool) -> Enrolment:
    """The nominee confirms (the head then approves) or declines (the seat goes to the waiting list)."""
    if actor is not None and getattr(actor, "person_id", None) != enrolment.person_id:
        raise NotAllowed(_("只能由本人确认或谢绝调训。"))
    with transaction.atomic():
        klass = _lock_class(enrolment.klass)
        enrolment = Enrolment.objects.select_for_update().select_related("org").get(pk=enrolment.pk)
        if enrolment.status != S.NOMINATED:
            raise Conflict(_("该调训已处理（%(s)s）。") % {"s": enrolment.get_status_display()})
        if accept:
            return _set_status(enrolment, S.CONFIRMED, actor, "class.confirm")
        _set_status(enrolment, S.DECLINED, actor, "class.decline")
        _promote_waitlist(klass, actor)
    return enrolment


def decide(*, actor, enrolment: Enrolment, approve: bool) -> Enrolment:
    """The class head approves a confirmed nominee, or turns them down (freeing the seat)."""
    _require_run(actor, enrolment.klass)
    with transaction.atomic():
        klass = _lock_class(enrolment.klass)
        enrolment = Enrolment.objects.select_for_update().select_related("org").get(pk=enrolment.pk)
        if approve:
            if enrolment.status != S.CONFIRMED:
                raise Conflict(_("只能录取本人已确认的学员（当前：%(s)s）。") % {"s": enrolment.get_status_display()})
            _set_status(enrolment, S.APPROVED, actor, "class.approve")
            _tell(enrolment.person, actor, _("您已被培训班“%(t)s”录取") % _dates(klass), _(
                "%(a)s 开班，%(b)s 结业。每次课请用手机扫描现场二维码签到；不能参加的课次请提前请假。") % _dates(klass))
            return enrolment
        if enrolment.status not in Enrolment.LIVE:
            raise Conflict(_("该调训已处理（%(s)s）。") % {"s": enrolment.get_status_display()})
        _set_status(enrolment, S.REJECTED, actor, "class.reject")
        _tell(enrolment.person, actor, _("培训班“%(t)s”未录取您") % _dates(klass))
        _promote_waitlist(klass, actor)
    return enrolment


def open_class(*, actor, klass: TrainingClass) -> TrainingClass:
    _require_run(actor, klass)
    with transaction.atomic():
        klass = _lock_class(klass)
        if klass.status != TrainingClass.Status.DRAFT:
            raise Conflict(_("只有筹备中的班次可以开始调训。"))
        klass.status = TrainingClass.Status.OPEN
        klass.save(update_fields=["status"])
        audit.record("class.open", klass, actor=actor, after={"status": klass.status}, org_path=klass.organizer.path)
    return klass


def cancel_class(*, actor, klass: TrainingClass, reason: str) -> int:
    """Call off a class that has not been completed (weather, a change of plan…): everyone still on its
    list — nominated, confirmed, admitted or waiting — is taken off it, its seats stop counting toward
    the plan, and each of them (and whoever nominated them) is told why in their inbox. Attendance
    already recorded stays as it was, and no hours are credited: a class that ran should be completed
    instead. Returns the number of enrolments taken off."""
    from jingpei.ledger.services import notify

    _require_run(actor, klass)
    reason = _text(reason, "reason", _("取消原因"), 300)
    with transaction.atomic():
        klass = _lock_class(klass)
        if klass.status == TrainingClass.Status.COMPLETED:
            raise Conflict(_("本班已结业，不能取消。"))
        if klass.status == TrainingClass.Status.CANCELLED:
            raise Conflict(_("本班已取消。"))
        before = klass.status
        klass.status, klass.cancelled_at, klass.cancel_reason = TrainingClass.Status.CANCELLED, timezone.now(), reason
        klass.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        live = list(klass.enrolments.filter(status__in=Enrolment.LIVE).select_related(
            "org", "person__user", "nominated_by"))
        # The whole list in one UPDATE and one batch of audit rows, each as _set_status would write it.
        Enrolment.objects.filter(pk__in=[e.pk for e in live]).update(status=S.CANCELLED, decided_at=klass.cancelled_at)
        audit.record_many("class.enrolment_cancel", ((e, {"status": e.status}, {"status": S.CANCELLED}, e.org.path)
                                                     for e in live), actor=actor)
        # Pending leave no longer has anything to be granted from.
        leaves = LeaveRequest.objects.filter(enrolment__klass=klass, status=LeaveRequest.Status.PENDING).update(
            status=LeaveRequest.Status.REJECTED, decided_by=actor if getattr(actor, "pk", None) else None,
            decided_at=klass.cancelled_at)
        audit.record("class.cancel", klass, actor=actor, before={"status": before}, after={
            "status": klass.status, "reason": reason, "enrolments": len(live), "leaves": leaves,
            "attendances": Attendance.objects.filter(session__klass=klass).count()}, org_path=klass.organizer.path)
        told = {user for e in live for user in (getattr(e.person, "user", None), e.nominated_by)
                if _reachable(user, actor)}
        notify(sorted(told, key=lambda u: u.pk), title=_("培训班“%(t)s”已取消") % {"t": klass.title},
               body=_("%(a)s 至 %(b)s 的培训班“%(t)s”已取消。原因：%(r)s") % {
                   "a": klass.start_date, "b": klass.end_date, "t": klass.title, "r": reason},
               url=reverse("classes:detail", args=[klass.pk]))
    return len(live)


# --- leave (请假) and the 1/7 rule ------------------------------------------------------------------
@dataclass(frozen=True)
class LeaveOutlook:
    total: Decimal
    cap: Decimal
    used: Decimal
    would_use: Decimal

    @property
    def would_withdraw(self) -> bool:
        return self.would_use > self.cap

    def warning(self) -> str:
        if not self.would_withdraw:
            return ""
        return _("批准后累计请假 %(u)s 学时，超过总学时 %(t)s 的 1/7（%(c)s 学时），按规定将作退学处理。") % {
            "u": self.would_use, "t": self.total, "c": self.cap}


def leave_outlook(enrolment: Enrolment, extra: Decimal = Decimal("0")) -> LeaveOutlook:
    """How much leave the trainee has had approved, and where ``extra`` more would take them. The cap
    applies to full-time classes only (the regulations' 1/7 of the class's hours)."""
    total = enrolment.klass.total_hours()
    used = (enrolment.leaves.filter(status=LeaveRequest.Status.APPROVED).aggregate(h=Sum("hours"))["h"]
            or Decimal("0")).quantize(Decimal("0.1"))
    cap = (total / 7).quantize(Decimal("0.1")) if enrolment.klass.full_time else total
    return LeaveOutlook(total=total, cap=cap, used=used, would_use=used + extra)


def request_leave(*, actor, enrolment: Enrolment, reason: str, session: Session | None = None) -> LeaveRequest:
    if actor is not None and getattr(actor, "person_id", None) != enrolment.person_id and not can_run(
            actor, enrolment.klass):
        raise NotAllowed(_("只能由本人或班主任提交请假。"))
    reason = _text(reason, "reason", _("请假事由"), 300)
    if enrolment.status != S.APPROVED:
        raise Conflict(_("只有已录取的学员可以请假。"))
    if session is not None and session.klass_id != enrolment.klass_id:
        raise DomainError(_("该课次不属于本班。"), field="session")
    if session is not None and enrolment.leaves.filter(session=session).exclude(
            status=LeaveRequest.Status.REJECTED).exists():
        raise Conflict(_("该课次已有请假申请。"), field="session")
    hours = session.hours if session else enrolment.klass.total_hours()
    with transaction.atomic():
        leave = LeaveRequest.objects.create(enrolment=enrolment, session=session, reason=reason, hours=hours)
        audit.record("class.leave_request", leave, actor=actor, after={"hours": str(hours)},
                     org_path=enrolment.org.path)
    return leave


def decide_leave(*, actor, leave: LeaveRequest, approve: bool, confirm_withdrawal: bool = False) -> LeaveRequest:
    """Approve or refuse a leave request. If approving would take a full-time trainee past 1/7 of the
    class's hours, the head must confirm it knowingly: the trainee is then withdrawn (退学)."""
    enrolment = leave.enrolment
    _require_run(actor, enrolment.klass)
    with transaction.atomic():
        klass = _lock_class(enrolment.klass)
        leave = LeaveRequest.objects.select_for_update().get(pk=leave.pk)
        if leave.status != LeaveRequest.Status.PENDING:
            raise Conflict(_("该请假申请已处理。"))
        withdraw = False
        if approve:
            outlook = leave_outlook(enrolment, leave.hours)
            if outlook.would_withdraw:
                if not confirm_withdrawal:
                    raise DomainError(outlook.warning() + _("如确认，请勾选“确认退学”后再批准。"),
                                      field="confirm_withdrawal", code="withdrawal_warning")
                withdraw = True
        leave.status = LeaveRequest.Status.APPROVED if approve else LeaveRequest.Status.REJECTED
        leave.decided_by = actor if getattr(actor, "pk", None) else None
        leave.decided_at = timezone.now()
        leave.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record("class.leave_decide", leave, actor=actor, after={"status": leave.status},
                     org_path=enrolment.org.path)
        what = leave.session.subject if leave.session_id else _("整个班次")
        if withdraw:
            enrolment = Enrolment.objects.select_for_update().select_related("org").get(pk=enrolment.pk)
            _set_status(enrolment, S.WITHDRAWN, actor, "class.withdraw")
            _tell(enrolment.person, actor, _("您已从培训班“%(t)s”退学") % _dates(klass), _(
                "请假（%(w)s，%(h)s 学时）已批准；请假合计超过总学时的 1/7，按规定作退学处理。") % {
                    "w": what, "h": leave.hours})
            if timezone.localdate() < klass.start_date:
                _promote_waitlist(klass, actor)
        else:
            title = _("请假已批准：%(t)s") if approve else _("请假未获批准：%(t)s")
            _tell(enrolment.person, actor, title % _dates(klass), _("%(w)s，%(h)s 学时。") % {"w": what, "h": leave.hours})
    return leave


# --- sign-in ----------------------------------------------------------------------------------------
def sign_in(*, actor, session: Session, enrolment: Enrolment, method: str = Attendance.Method.SCAN,
            at: datetime | None = None, late: bool | None = None) -> tuple[Attendance, bool]:
    """Record that the trainee attended ``session``. Idempotent: a second sign-in returns the first
    (the unique constraint decides between concurrent ones). Late after the class's set minutes."""
    if method != Attendance.Method.SCAN:
        _require_run(actor, session.klass)
    if enrolment.klass_id != session.klass_id:
        raise DomainError(_("该学员不在本课次所属的班次中。"))
    if enrolment.status != S.APPROVED:
        raise DomainError(_("%(name)s 不在本班已录取学员名单中，不能签到。") % {"name": enrolment.person.name})
    existing = Attendance.objects.filter(session=session, enrolment=enrolment).first()
    if existing:
        return existing, False
    at = at or timezone.now()
    if late is None:
        late = at > session.starts_at + timedelta(minutes=session.klass.late_after_minutes)
    status = Attendance.Status.LATE if late else Attendance.Status.PRESENT
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                session=session, enrolment=enrolment, status=status, method=method, signed_at=at,
                recorded_by=actor if getattr(actor, "pk", None) else None)
            audit.record("class.sign_in", attendance, actor=actor, after={"status": status, "method": method},
                         org_path=enrolment.org.path)
    except IntegrityError:
        return Attendance.objects.get(session=session, enrolment=enrolment), False
    return attendance, True


@dataclass
class SheetImport:
    signed: list[str]
    already: list[str]
    unknown: list[str]
    ambiguous: list[str]


def import_sheet(*, actor, session: Session, text: str) -> SheetImport:
    """Key in a signed paper sheet: one trainee a line, by name, optionally followed by 迟到. Names
    not on the admitted roster, or shared by two trainees, are reported back and not signed in."""
    _require_run(actor, session.klass)
    by_name: dict[str, list[Enrolment]] = {}
    for e in session.klass.enrolments.filter(status=S.APPROVED).select_related("person", "org", "klass"):
        by_name.setdefault(e.person.name, []).append(e)
    result = SheetImport([], [], [], [])
    for raw in (text or "").splitlines():
        parts = raw.replace("，", " ").replace(",", " ").split()
        if not parts:
            continue
        name, late = parts[0], any(p in ("迟到", "迟") for p in parts[1:])
        matches = by_name.get(name, [])
        if not matches:
            result.unknown.append(name)
        elif len(matches) > 1:
            result.ambiguous.append(name)
        else:
            _attendance, created = sign_in(actor=actor, session=session, enrolment=matches[0],
                                           method=Attendance.Method.SHEET, late=late)
            (result.signed if created else result.already).append(name)
    return result


def self_sign_in_window_error(session: Session, now: datetime) -> str:
    """Why a trainee may not sign themselves in now, or "" if they may."""
    if session.klass.status == TrainingClass.Status.CANCELLED:
        return _("本班已取消，无需签到。")
    if now < session.starts_at - SELF_SIGN_IN_OPENS:
        return _("该课次尚未开始（%(t)s 开始），不能提前签到。") % {
            "t": timezone.localtime(session.starts_at).strftime("%m-%d %H:%M")}
    if now > session.ends_at:
        return _("该课次已结束，不能再扫码签到，请联系班主任补签。")
    return ""


# --- completion and certificates ------------------------------------------------------------------
# Up to this many certificates are rendered in the completing request (~50 ms each); a larger class
# gets its PDFs from a background job started as the completion commits.
INLINE_CERTIFICATES = 40


@dataclass
class CompletionResult:
    completed: list[Enrolment]
    not_completed: list[tuple[Enrolment, str]]
    job: object = None


def credited_hours(attended: Decimal, days: int, day_rules: list[ConversionRule]) -> Decimal:
    """学时 for a trainee who completed: with the class's day rules (a full-time class whose form the
    conversion rules value by the day: the preset ``fulltime-day``, 6 学时 a day, capped per class) the days
    attended; otherwise the hours of the sessions attended."""
    if day_rules:
        return conversion.hours_by(day_rules, basis="day", quantity=days).quantize(Decimal("0.1"))
    return attended


def _day_rules(klass: TrainingClass) -> list[ConversionRule]:
    return conversion.rules_for(form=klass.ledger_form, basis="day") if klass.full_time else []


def credit_note(klass: TrainingClass) -> str:
    """How completion will credit this class, in the words of the class page."""
    rules = _day_rules(klass)
    if not rules:
        return _("结业学时按出勤课次的学时计")
    rule = rules[-1]  # the one from day 0 (widest lower bound first)
    note = _("结业学时按出勤天数折算，每天 %(h)s 学时") % {"h": f"{(rule.hours * rule.multiplier).normalize():f}"}
    if rule.cap_per_source is not None:
        note += _("，每班最多 %(c)s 学时") % {"c": f"{rule.cap_per_source.normalize():f}"}
    return note


def _credit_teaching(klass: TrainingClass, actor) -> int:
    """The lecturers who are people on the roster are credited their teaching (form 授课) by the conversion
    rules (the preset: 5× the hours taught; the per-year cap applies in compliance). Returns how many."""
    rules = conversion.rules_for(form=TrainingForm.TEACHING, basis="hour")
    if not rules:
        return 0
    taught: dict[Person, Decimal] = {}
    for session in klass.sessions.select_related("lecturer__user__person").filter(lecturer__user__person__isnull=False):
        person = session.lecturer.user.person
        taught[person] = taught.get(person, Decimal(0)) + session.hours
    credited = 0
    for person, hours in taught.items():
        value = conversion.hours_by(rules, basis="hour", quantity=hours)
        if value <= 0:
            continue
        credited += 1
        credit_hours(person=person, hours=value, form=TrainingForm.TEACHING, occurred_on=klass.end_date, actor=actor,
                     idempotency_key=f"class-teaching:{klass.pk}:{person.pk}",
                     title=_("授课：%(t)s") % {"t": klass.title}, source_type="class.teaching", source_id=klass.pk)
    return credited


def _completion_verdict(enrolment: Enrolment, hours: Decimal, total: Decimal) -> str:
    """Why a trainee who attended ``hours`` falls short of completing ("" when they complete)."""
    klass = enrolment.klass
    if hours < (total * klass.min_attendance):
        return _("出勤 %(h)s / %(t)s 学时，未达 %(p)s%%") % {
            "h": hours, "t": total, "p": int(klass.min_attendance * 100)}
    if klass.require_reflection:
        reflection = getattr(enrolment, "reflection", None)
        if reflection is None or reflection.status == Reflection.Status.RETURNED:
            return _("未提交培训心得")
    return ""


def _attendance_of(klass: TrainingClass, *, days: bool) -> tuple[dict[int, Decimal], dict[int, int]]:
    """Hours attended and (when ``days``) local days attended, per admitted enrolment: two GROUP BYs for the
    whole class, instead of two queries per trainee."""
    attended = Attendance.objects.filter(enrolment__klass=klass, enrolment__status=S.APPROVED)
    hours = {pk: (h or Decimal("0")).quantize(Decimal("0.1")) for pk, h in
             attended.values("enrolment_id").annotate(h=Sum("session__hours")).values_list("enrolment_id", "h")}
    by_day: dict[int, int] = {}
    if days:  # days in the site's time zone, as QuerySet.datetimes(…, "day") counts them
        for pk, _day in attended.annotate(day=TruncDate("session__starts_at")).values_list(
                "enrolment_id", "day").distinct():
            by_day[pk] = by_day.get(pk, 0) + 1
    return hours, by_day


_SERIAL_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def _serial(klass: TrainingClass, n: int) -> str:
    # The random tail keeps serials from being guessed one after another on the public page.
    tail = "".join(secrets.choice(_SERIAL_ALPHABET) for _i in range(5))
    return f"JP{klass.end_date.year}-{klass.pk:05d}-{n:04d}-{tail}"


def complete_class(*, actor, klass: TrainingClass, today: date | None = None, base_url: str = "",
                   inline_pdfs: bool = True) -> CompletionResult:
    """Apply the completion rule to every approved trainee: who completes is credited the hours they
    attended (once, through the ledger) and issued a certificate at once. ``base_url`` (the site's
    address as the head reached it) makes the certificate's QR code an absolute link. With
    ``inline_pdfs=False`` (bulk callers such as the demo) every PDF is left to the background job."""
    from jingpei.classes.certificates import verification_url

    _require_run(actor, klass)
    today = today or timezone.localdate()
    result = CompletionResult([], [])
    issued: list[Certificate] = []
    with transaction.atomic():
        klass = _lock_class(klass)
        if klass.status == TrainingClass.Status.COMPLETED:
            raise Conflict(_("本班已结业。"))
        if klass.status == TrainingClass.Status.CANCELLED:
            raise Conflict(_("本班已取消。"))
        if today < klass.end_date:
            raise DomainError(_("班次尚未结束（结业日期 %(d)s），不能结业。") % {"d": klass.end_date})
        total = klass.total_hours()
        if total <= 0:
            raise DomainError(_("本班尚未安排课次，无法结业。"))
        issued_at = timezone.now()
        day_rules = _day_rules(klass)  # read once for the whole class
        enrolments = list(klass.enrolments.filter(status=S.APPROVED).select_related(
            "person", "person__primary_org", "person__user", "org", "reflection"))
        hours_of, days_of = _attendance_of(klass, days=bool(day_rules))
        credits: list[CreditItem] = []
        told: list[tuple[Person, str, str]] = []  # each trainee hears the verdict
        for n, enrolment in enumerate(enrolments, start=1):
            hours = hours_of.get(enrolment.pk, Decimal("0.0"))
            shortfall = _completion_verdict(enrolment, hours, total)
            if shortfall:
                enrolment.completion_note = shortfall[:200]
                result.not_completed.append((enrolment, shortfall))
                told.append((enrolment.person, _("培训班“%(t)s”结业：您未达到结业条件") % _dates(klass), shortfall))
                continue
            hours = credited_hours(hours, days_of.get(enrolment.pk, 0), day_rules)
            person = enrolment.person
            credits.append(CreditItem(
                person_id=person.pk, hours=hours, form=klass.ledger_form, occurred_on=klass.end_date,
                idempotency_key=f"class-completion:{klass.pk}:{person.pk}", title=klass.title[:200],
                source_type="class", source_id=str(klass.pk),
                org_path=person.primary_org.path if person.primary_org_id else ""))
            enrolment.completed, enrolment.credited_hours, enrolment.completion_note = True, hours, ""
            serial = _serial(klass, n)
            issued.append(Certificate(
                serial=serial, verify_url=verification_url(serial, base_url), enrolment=enrolment, klass=klass,
                person_name=person.name, class_title=klass.title, start_date=klass.start_date,
                end_date=klass.end_date, hours=hours, issuer=klass.organizer.name, issued_at=issued_at))
            result.completed.append(enrolment)
            told.append((person, _("您已从培训班“%(t)s”结业") % _dates(klass),
                         _("计 %(h)s 学时，结业证书编号 %(s)s。") % {"h": hours, "s": serial}))
        # The whole class in a handful of statements: the credits (through the ledger's batch, each once
        # by its key), the verdicts, the certificates.
        credit_many(credits, actor=actor)
        Enrolment.objects.bulk_update(enrolments, ["completed", "credited_hours", "completion_note"], batch_size=500)
        issued = Certificate.objects.bulk_create(issued, batch_size=500)
        _credit_teaching(klass, actor)
        klass.status = TrainingClass.Status.COMPLETED
        klass.completed_at = issued_at
        klass.save(update_fields=["status", "completed_at"])
        audit.record("class.complete", klass, actor=actor,
                     after={"completed": len(result.completed), "not_completed": len(result.not_completed)},
                     org_path=klass.organizer.path)
        _tell_each(told, actor)
        if issued and (len(issued) > INLINE_CERTIFICATES or not inline_pdfs):
            result.job = enqueue("classes.render_certificates", user=actor if getattr(actor, "pk", None) else None,
                                 title=_("生成结业证书：%(t)s") % {"t": klass.title}, class_id=klass.pk)
        else:
            for cert in issued:
                store_certificate_pdf(cert=cert)
    return result


def store_certificate_pdf(*, cert: Certificate) -> Certificate:
    """Render and keep the PDF of an issued certificate (once; what it states was fixed at issue)."""
    from jingpei.classes.certificates import render_certificate

    if not cert.pdf:
        cert.pdf.save(f"{cert.serial}.pdf", render_certificate(cert), save=False)
        cert.save(update_fields=["pdf"])
    return cert


# --- reflections (培训心得) -------------------------------------------------------------------------
def submit_reflection(*, actor, enrolment: Enrolment, text: str, attachment=None) -> Reflection:
    if actor is not None and getattr(actor, "person_id", None) != enrolment.person_id:
        raise NotAllowed(_("只能提交本人的培训心得。"))
    if enrolment.status != S.APPROVED:
        raise Conflict(_("只有已录取的学员可以提交培训心得。"))
    text = (text or "").strip()
    if len(text) < 20:
        raise DomainError(_("心得内容不少于 20 字。"), field="text")
    if attachment is not None and attachment.size > 10 * 1024 * 1024:
        raise DomainError(_("附件不能超过 10 MB。"), field="attachment")
    with transaction.atomic():
        reflection = Reflection.objects.filter(enrolment=enrolment).first()
        if reflection and reflection.status == Reflection.Status.ACCEPTED:
            raise Conflict(_("心得已通过审阅，不能再修改。"))
        reflection = reflection or Reflection(enrolment=enrolment)
        reflection.text = text
        reflection.status = Reflection.Status.SUBMITTED
        reflection.submitted_at = timezone.now()
        if attachment is not None:
            reflection.attachment = attachment
        reflection.save()
        audit.record("class.reflection_submit", reflection, actor=actor, after={"chars": len(text)},
                     org_path=enrolment.org.path)
    return reflection


def review_reflection(*, actor, reflection: Reflection, action: str, comment: str = "") -> Reflection:
    """``action``: ``accept``, ``return`` (with a comment saying what to change) or ``best``."""
    enrolment = reflection.enrolment
    _require_run(actor, enrolment.klass)
    comment = (comment or "").strip()[:500]
    with transaction.atomic():
        if action == "return":
            if not comment:
                raise DomainError(_("退回时请填写修改意见。"), field="comment")
            reflection.status, reflection.best = Reflection.Status.RETURNED, False
        elif action == "accept":
            reflection.status = Reflection.Status.ACCEPTED
        elif action == "best":
            reflection.status, reflection.best = Reflection.Status.ACCEPTED, True
        else:
            raise DomainError(_("未知的审阅操作。"), field="action")
        if comment:
            reflection.comment = comment
        reflection.reviewed_by = actor if getattr(actor, "pk", None) else None
        reflection.save(update_fields=["status", "best", "comment", "reviewed_by"])
        audit.record("class.reflection_review", reflection, actor=actor,
                     after={"status": reflection.status, "best": reflection.best}, org_path=enrolment.org.path)
        title = {"return": _("培训心得被退回，请修改后重交：%(t)s"), "accept": _("培训心得已通过：%(t)s"),
                 "best": _("培训心得被评为优秀：%(t)s")}[action]
        _tell(enrolment.person, actor, title % {"t": enrolment.klass.title},
              _("班主任意见：%(c)s") % {"c": comment} if comment else "")
    return reflection
