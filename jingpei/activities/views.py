"""Pages of branch sessions and meetings: parse → access → service or query → respond."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingpei.activities import access, exports, imports, queries, services
from jingpei.activities.forms import AsOfForm, MeetingForm, RuleForm, SessionEditForm, SessionForm
from jingpei.activities.models import BranchRule, BranchSession
from jingpei.core import params, uploads
from jingpei.core.errors import DomainError, NotAllowed
from jingpei.core.filetypes import XLSX
from jingpei.core.permissions import Perm
from jingpei.core.scoping import scope_for
from jingpei.orgs.models import Organization, Person


def _forbidden(exc: NotAllowed):
    return render_error(exc.message, 403)


def render_error(message: str, status: int):
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@login_required
def index(request):
    """Straight to the user's branch (a secretary) or to the top of their scope (an office)."""
    roots = access.activity_roots(request.user)
    if not roots:
        raise Http404
    return redirect("activities:org", org_id=roots[0].pk)


def _trail(user, org: Organization) -> list[Organization]:
    """The ancestors of ``org`` the user may see, for the drill-down breadcrumb."""
    paths = [p for p in org.ancestor_paths() if access.can_view_path(user, p)]
    return list(Organization.objects.filter(path__in=paths).order_by("depth"))


@login_required
def org_view(request, org_id):
    org = access.get_activity_org(request.user, org_id)
    form = AsOfForm(request.GET or None)
    period = queries.Period.parse(request.GET.get("asof"))
    context = {"org": org, "period": period, "form": form, "trail": _trail(request.user, org)}
    if org.kind == "branch":
        summary = queries.branch_summary(org, period)
        sessions = access.visible_sessions(request.user).live().filter(branch=org).order_by("-held_on", "-id")
        page = Paginator(sessions, 20).get_page(request.GET.get("page"))
        return render(request, "activities/branch.html", {
            **context, "summary": summary, "page": page, "can_log": access.can_log(request.user, org)})
    summary = queries.district_summary(org, period)
    months = list(range(1, period.asof.month + 1))
    chart = {"months": [_("%(m)s月") % {"m": m} for m in months], "sessions": summary.months[: len(months)],
             "person_times": summary.month_person_times[: len(months)],
             "labels": {"sessions": _("学习次数"), "person_times": _("参学人次")}}
    rows = [{"row": r, "months": r.months[: len(months)]} for r in summary.rows]
    return render(request, "activities/district.html", {
        **context, "summary": summary, "months": months, "rows": rows, "chart": json.dumps(chart)})


@login_required
def export(request, org_id):
    org = access.get_activity_org(request.user, org_id)
    period = queries.Period.parse(request.GET.get("asof"))
    data = exports.district_workbook(queries.district_summary(org, period))
    response = HttpResponse(data, content_type=XLSX)
    filename = f"activities-{period.asof:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _topic_suggestions(branch) -> list[str]:
    """The branch's own recent topics (a series is often continued), never another branch's."""
    topics = BranchSession.objects.filter(branch=branch).order_by("-held_on").values_list("topic", flat=True)[:40]
    return list(dict.fromkeys(topics))[:15]


@login_required
def session_new(request, org_id):
    try:
        branch = access.get_branch(request.user, org_id, write=True)
    except NotAllowed as exc:
        return _forbidden(exc)
    members = list(queries.members_of(branch))
    initial = {"held_on": timezone.localdate(), "hours": "1.5", "attendee_ids": [str(p.pk) for p in members]}
    form = SessionForm(request.POST or None, members=members, initial=initial,
                       courses=queries.course_choices(branch))
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.create_session(actor=request.user, branch=branch, merge=request.POST.get("merge") == "1",
                                             photos=request.FILES.getlist("photos"), **form.service_kwargs())
        except services.DuplicateSession as exc:
            duplicate = exc.existing
            form.add_domain_error(exc)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("已合并到已有记录，未重复计数。") if result.merged else _("学习记录已登记。"))
            return redirect("activities:org", org_id=branch.pk)
    return render(request, "activities/session_form.html", {
        "form": form, "branch": branch, "duplicate": duplicate, "suggestions": _topic_suggestions(branch),
        "members": members})


@login_required
def session_detail(request, session_id):
    session = access.get_session(request.user, session_id)
    attendances = session.attendances.select_related("person").order_by("person__pinyin")
    return render(request, "activities/session_detail.html", {
        "session": session, "attendances": attendances, "photos": session.photos.all(),
        "can_log": access.can_log(request.user, session.branch), "trail": _trail(request.user, session.branch)})


@login_required
def session_edit(request, session_id):
    try:
        session = access.get_session(request.user, session_id, write=True)
    except NotAllowed as exc:
        return _forbidden(exc)
    if session.merged_into_id:
        return redirect("activities:session", session_id=session.merged_into_id)
    members = list(queries.members_of(session.branch))
    current = [str(i) for i in session.attendances.values_list("person_id", flat=True)]
    # Former members keep their place on the form until unticked.
    known = {p.pk for p in members}
    members += list(Person.objects.filter(pk__in=[int(i) for i in current if int(i) not in known]))
    initial = {"held_on": session.held_on, "topic": session.topic, "hours": session.hours,
               "course_id": session.course_id, "courseware": session.courseware, "place": session.place,
               "attendee_ids": current, "guest_names": "，".join(session.guest_names)}
    form = SessionEditForm(request.POST or None, members=members, initial=initial,
                           courses=queries.course_choices(session.branch, keep=session.course_id))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_session(actor=request.user, session=session, photos=request.FILES.getlist("photos"),
                                    **form.service_kwargs())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("学习记录已修改，学时已按修改更正。"))
            return redirect("activities:session", session_id=session.pk)
    return render(request, "activities/session_form.html", {
        "form": form, "branch": session.branch, "session": session, "members": members})


@login_required
@require_POST
def photos_add(request, session_id):
    files = request.FILES.getlist("photos")
    try:
        session = access.get_session(request.user, session_id, write=True)
        added = services.add_photos(actor=request.user, session=session, files=files)
    except NotAllowed as exc:
        return _forbidden(exc)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        uploads.report_added(request, added, added_text=_("已上传 %(n)s 张照片。"),
                             nothing_text=_("没有收到照片：请先选择要上传的照片，再点“上传”。"))
    return redirect("activities:session", session_id=session.pk)


@login_required
def photo(request, photo_id):
    """Photos are not under a public MEDIA_URL: each request is authorised like the session itself."""
    item = access.get_photo(request.user, photo_id)
    return uploads.private_file(item.image, item.content_type)


@login_required
@require_POST
def photo_delete(request, photo_id):
    item = access.get_photo(request.user, photo_id)
    try:
        services.delete_photo(actor=request.user, photo=item)
    except NotAllowed as exc:
        return _forbidden(exc)
    messages.success(request, _("照片已删除。"))
    return redirect("activities:session", session_id=item.session_id)


# --- rules ----------------------------------------------------------------------------------------
@login_required
def rules(request):
    scope = scope_for(request.user, Perm.RULES_MANAGE)
    if scope.empty:
        raise Http404
    orgs = list(Organization.objects.filter(scope.q("path"), archived_at__isnull=True)
                .exclude(kind="branch").order_by("path"))
    form = RuleForm(request.POST or None, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        org = next(o for o in orgs if str(o.pk) == form.cleaned_data["org"])
        try:
            services.set_branch_rule(actor=request.user, org=org, **{
                k: form.cleaned_data[k] for k in ("min_sessions_per_month", "min_participation")})
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("学习规则已保存。"))
            return redirect("activities:rules")
    existing = BranchRule.objects.select_related("org").filter(scope.q("org__path")).order_by("org__path")
    return render(request, "activities/rules.html", {"form": form, "rules": existing,
                                                     "default": queries.Rule(queries.DEFAULT_MIN_SESSIONS,
                                                                             queries.DEFAULT_MIN_PARTICIPATION)})


# --- meetings -------------------------------------------------------------------------------------
@login_required
def meetings(request):
    visible = access.visible_meetings(request.user)
    if scope_for(request.user, Perm.ACTIVITY_VIEW).empty and scope_for(request.user, Perm.MEETING_MANAGE).empty:
        raise Http404
    year = params.year(request.GET.get("year")) or timezone.localdate().year
    page = Paginator(visible.filter(held_on__year=year).select_related("organizer"), 20).get_page(request.GET.get("page"))
    return render(request, "activities/meetings.html", {
        "summary": queries.meeting_summary(visible, year), "page": page, "year": year,
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
        "can_manage": not scope_for(request.user, Perm.MEETING_MANAGE).empty})


def _meeting_people(user, ids) -> list[Person]:
    scope = scope_for(user, Perm.MEETING_MANAGE)
    return list(Person.objects.filter(pk__in=params.numbers(ids), archived_at__isnull=True).in_orgs(scope.q("org__path"))
                .select_related("primary_org").order_by("pinyin"))


@login_required
def meeting_new(request):
    scope = scope_for(request.user, Perm.MEETING_MANAGE)
    if scope.empty:
        raise Http404
    organizers = list(Organization.objects.filter(scope.q("path"), archived_at__isnull=True)
                      .exclude(kind="branch").order_by("path")[:500])
    people = _meeting_people(request.user, request.POST.getlist("attendee_ids"))
    sheet_errors: list[str] = []
    data = request.POST.copy() if request.method == "POST" else None
    if request.method == "POST" and request.POST.get("action") == "import" and not request.FILES.get("sheet"):
        sheet_errors = [_("请先选择签到表文件（.xlsx、.xls 或 .csv），再点“导入”。")]
    if request.method == "POST" and request.FILES.get("sheet"):
        try:
            result = imports.read_attendance_sheet(actor=request.user, upload=request.FILES["sheet"])
        except DomainError as exc:
            sheet_errors = [exc.message]
        else:
            sheet_errors = result.errors
            known = {p.pk for p in people}
            people += [p for p in result.people if p.pk not in known]
            data.setlist("attendee_ids", [str(p.pk) for p in people])
    initial = {"held_on": timezone.localdate(), "hours": "2", "kind": "analysis",
               "organizer": str(organizers[0].pk) if organizers else None}
    form = MeetingForm(data, organizers=organizers, people=people, initial=initial)
    importing = request.POST.get("action") == "import" or bool(request.FILES.get("sheet"))
    if request.method == "POST" and not importing and form.is_valid():
        organizer = next(o for o in organizers if str(o.pk) == form.cleaned_data["organizer"])
        try:
            meeting = services.create_meeting(
                actor=request.user, organizer=organizer, held_on=form.cleaned_data["held_on"],
                kind=form.cleaned_data["kind"], subject=form.cleaned_data["subject"], hours=form.cleaned_data["hours"],
                place=form.cleaned_data["place"], attendee_ids=[int(i) for i in form.cleaned_data["attendee_ids"]])
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("以会代训记录已保存，%(n)s 人已计入学时。") % {"n": meeting.attendee_count})
            return redirect("activities:meeting", meeting_id=meeting.pk)
    return render(request, "activities/meeting_form.html", {"form": form, "sheet_errors": sheet_errors,
                                                           "imported": importing and request.method == "POST"})


@login_required
def meeting_people(request):
    """htmx: people of the officer's scope matching ``q``, as checkboxes to add to the meeting."""
    scope = scope_for(request.user, Perm.MEETING_MANAGE)
    if scope.empty:
        raise Http404
    q = (request.GET.get("q") or "").strip()
    people = []
    if q:
        people = list(Person.objects.filter(archived_at__isnull=True).in_orgs(scope.q("org__path"))
                      .filter(name__contains=q).select_related("primary_org").order_by("pinyin")[:30])
        if not people and q.isascii():
            people = list(Person.objects.filter(archived_at__isnull=True).in_orgs(scope.q("org__path"))
                          .filter(initials__contains=" " + q.lower()).select_related("primary_org")
                          .order_by("pinyin")[:30])
    return render(request, "activities/_people_results.html", {"people": people, "q": q})


@login_required
def meeting_detail(request, meeting_id):
    meeting = access.get_meeting(request.user, meeting_id)
    attendances = meeting.attendances.select_related("person__primary_org").order_by("person__pinyin")
    return render(request, "activities/meeting_detail.html", {"meeting": meeting, "attendances": attendances})

