"""Read side of the classes capability: plain data for pages and the API (a fixed number of queries
per page, whatever the class size)."""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from jingpei.classes.models import (
    AnnualPlan,
    Attendance,
    Enrolment,
    LeaveRequest,
    Session,
    TrainingClass,
)
from jingpei.orgs.models import PersonCategory

COUNTED = (Enrolment.Status.APPROVED,)


def with_counts(qs):
    return qs.select_related("organizer").annotate(
        seated=Count("enrolments", filter=Q(enrolments__status__in=Enrolment.SEATED), distinct=True),
        approved=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.APPROVED), distinct=True),
    )


def month_calendar(classes, year: int, month: int) -> list[list[dict]]:
    """Weeks (Monday first) of the month, each day with the classes running on it."""
    first, last = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    running = list(classes.filter(start_date__lte=last, end_date__gte=first).order_by("start_date", "id"))
    weeks = []
    for week in calendar.Calendar().monthdatescalendar(year, month):
        weeks.append([{"day": d, "in_month": d.month == month,
                       "classes": [c for c in running if c.start_date <= d <= c.end_date]} for d in week])
    return weeks


def attendance_grid(klass: TrainingClass, enrolments) -> dict:
    """Sessions as columns, trainees as rows; each cell ``present``/``late``/``leave``/``""``."""
    sessions = list(klass.sessions.select_related("lecturer"))
    enrolments = list(enrolments)
    ids = [e.pk for e in enrolments]
    marks: dict[tuple[int, int], str] = {}
    for a in Attendance.objects.filter(enrolment_id__in=ids).values("enrolment_id", "session_id", "status"):
        marks[(a["enrolment_id"], a["session_id"])] = a["status"]
    whole_class_leave = set()
    for lv in LeaveRequest.objects.filter(enrolment_id__in=ids, status=LeaveRequest.Status.APPROVED).values(
            "enrolment_id", "session_id"):
        if lv["session_id"] is None:
            whole_class_leave.add(lv["enrolment_id"])
        else:
            marks.setdefault((lv["enrolment_id"], lv["session_id"]), "leave")
    rows = []
    for e in enrolments:
        cells = [marks.get((e.pk, s.pk)) or ("leave" if e.pk in whole_class_leave else "") for s in sessions]
        rows.append({"enrolment": e, "cells": cells})
    return {"sessions": sessions, "rows": rows}


def plan_progress(plan: AnnualPlan) -> dict:
    """Person-times (人次: one person in three classes counts three) reached against each target.
    A participation counts once the class head has admitted the trainee (approved or completed)."""
    base = Enrolment.objects.filter(klass__plan=plan, status__in=COUNTED)
    total = base.count()
    rows = []
    for target in plan.targets.select_related("category"):
        qs = base
        if target.tier:
            qs = qs.filter(klass__tier=target.tier)
        if target.form:
            qs = qs.filter(klass__form=target.form)
        if target.category_id:
            qs = qs.filter(person_id__in=PersonCategory.objects.filter(
                category_id=target.category_id, year=plan.year).values("person_id"))
        done = qs.count()
        rows.append({"target": target, "done": done, "percent": percent(done, target.target)})
    return {"total": total, "percent": percent(total, plan.total_target), "rows": rows,
            "classes": with_counts(plan.classes.all())}


def plans_done(plans) -> dict[int, int]:
    """Person-times reached by each plan (as ``plan_progress`` counts them): one query for all."""
    return dict(Enrolment.objects.filter(klass__plan__in=plans, status__in=COUNTED).values("klass__plan")
                .annotate(n=Count("id")).values_list("klass__plan", "n"))


def percent(done: int, target: int) -> int:
    return min(100, int(Decimal(done) * 100 / target)) if target else 0


def my_enrolments(person):
    # A cancelled enrolment stays on the trainee's list (its class was called off, and says why).
    return (Enrolment.objects.filter(person=person)
            .select_related("klass", "klass__organizer", "certificate", "reflection")
            .order_by("-klass__start_date", "-id"))


def sessions_today(person, today: date):
    """Sessions of the trainee's admitted classes today, with whether they have signed in."""
    sessions = list(Session.objects.filter(
        klass__enrolments__person=person, klass__enrolments__status=Enrolment.Status.APPROVED,
        starts_at__date=today).select_related("klass").distinct())
    signed = set(Attendance.objects.filter(enrolment__person=person, session__in=sessions).values_list(
        "session_id", flat=True))
    return [{"session": s, "signed": s.pk in signed} for s in sessions]


def roster_counts(klass: TrainingClass, enrolments) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for status in enrolments.values_list("status", flat=True):
        counts[status] += 1
    return dict(counts)


def cancel_outlook(klass: TrainingClass) -> str:
    """What calling ``klass`` off will do, in one sentence for the confirmation page."""
    counts = roster_counts(klass, klass.enrolments.filter(status__in=Enrolment.LIVE))
    signed = Attendance.objects.filter(session__klass=klass).count()
    parts = [_("名单上 %(n)s 人（已录取 %(a)s、待确认或审核 %(p)s、候补 %(w)s）的调训将全部撤销，并通知本人及推荐人。") % {
        "n": sum(counts.values()), "a": counts.get(Enrolment.Status.APPROVED, 0),
        "p": counts.get(Enrolment.Status.NOMINATED, 0) + counts.get(Enrolment.Status.CONFIRMED, 0),
        "w": counts.get(Enrolment.Status.WAITLISTED, 0)}]
    if signed:
        parts.append(_("已有 %(n)s 人次签到，签到记录保留，但不计学时；如培训已实际举办，请办理结业而不是取消。") % {"n": signed})
    parts.append(_("取消后不能恢复。"))
    return "".join(parts)
