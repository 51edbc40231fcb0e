"""Pages of the classes capability: thin — parse, access, service or query, respond."""

from __future__ import annotations

import functools
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingpei.classes import access, forms, queries, services
from jingpei.classes.certificates import mask_name, render_sign_in_sheet
from jingpei.classes.models import Attendance, Certificate, Enrolment, LeaveRequest, Reflection, TrainingClass
from jingpei.core import params
from jingpei.core.errors import DomainError, NotAllowed
from jingpei.core.lookups import id_or_404
from jingpei.core.permissions import Perm
from jingpei.core.scoping import has_perm_anywhere, scope_for
from jingpei.orgs.access import visible_orgs, visible_people
from jingpei.orgs.models import Organization
from jingpei.surveys.access import answerable


def forbid_not_allowed(view):
    """A :class:`NotAllowed` from access or a service becomes a 403 page."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc

    return wrapper


def _attempt(request, fn, success: str) -> bool:
    """Run a service call from a POST button; the outcome becomes a flash message."""
    try:
        fn()
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


def _back(request, fallback: str):
    target = request.POST.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(fallback)


# --- lists ------------------------------------------------------------------------------------------
@login_required
def class_list(request):
    qs = access.visible_classes(request.user)
    year = params.year(request.GET.get("year"))
    if year:
        qs = qs.filter(start_date__year=year)
    for field in ("tier", "form", "status"):
        if request.GET.get(field):
            qs = qs.filter(**{field: request.GET[field]})
    page = Paginator(queries.with_counts(qs).order_by("-start_date", "-id"), 20).get_page(request.GET.get("page"))
    return render(request, "classes/list.html", {
        "page": page, "can_create": has_perm_anywhere(request.user, Perm.CLASS_MANAGE),
        "tiers": TrainingClass._meta.get_field("tier").choices, "forms": TrainingClass._meta.get_field("form").choices,
        "statuses": TrainingClass.Status.choices})


@login_required
def class_calendar(request):
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in request.GET.get("month", f"{today:%Y-%m}").split("-"))
        if not 1900 <= year <= 2100:
            raise ValueError(year)
        first = date(year, month, 1)
    except (ValueError, OverflowError):
        raise Http404 from None
    prev_month = date(year - 1, 12, 1) if month == 1 else date(year, month - 1, 1)
    next_month = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return render(request, "classes/calendar.html", {
        "weeks": queries.month_calendar(access.visible_classes(request.user), year, month), "first": first,
        "prev": f"{prev_month:%Y-%m}", "next": f"{next_month:%Y-%m}", "today": today})


@login_required
@forbid_not_allowed
def class_create(request):
    orgs = visible_orgs(request.user, Perm.CLASS_MANAGE).order_by("path")
    if not orgs.exists():
        raise PermissionDenied
    # "按此专题开班" from a needs survey's results brings the topic along
    form = forms.ClassCreateForm(request.POST or None, orgs=orgs, plans=access.visible_plans(request.user),
                                 heads=_head_choices(), initial={"topics": request.GET.get("topics", "")[:300]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            klass = services.create_class(actor=request.user, **data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("班次已创建，请添加课次和各单位名额。"))
            return redirect("classes:detail", class_id=klass.pk)
    return render(request, "classes/form.html", {"form": form, "title": _("新建培训班")})


def _head_choices():
    from jingpei.accounts.models import User

    return User.objects.filter(is_active=True, grants__revoked_at__isnull=True,
                               grants__role__in=["class_head", "training_officer"]).distinct().order_by("username")


@login_required
@forbid_not_allowed
def class_edit(request, class_id):
    klass = access.get_class(request.user, class_id, write=True)
    initial = {f: getattr(klass, f) for f in services.EDITABLE}
    form = forms.ClassEditForm(request.POST or None, initial=initial, heads=_head_choices())
    if request.method == "POST" and form.is_valid():
        changes = {f: v for f, v in form.cleaned_data.items() if v != initial.get(f)}
        try:
            if changes:
                services.update_class(actor=request.user, klass=klass, **changes)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("班次信息已保存。"))
            return redirect(f"/classes/{klass.pk}/?tab=info")
    return render(request, "classes/form.html", {"form": form, "title": _("修改班次 · %(t)s") % {"t": klass.title}})


# --- the class page ---------------------------------------------------------------------------------
@login_required
def class_detail(request, class_id):
    klass = access.get_class(request.user, class_id)
    user = request.user
    runs = access.can_run(user, klass)
    enrolments = access.visible_enrolments(user, klass).order_by("status", "nominated_at", "id")
    nominate_scope = scope_for(user, Perm.CLASS_NOMINATE)
    quotas = klass.quotas.select_related("org").order_by("org__path")
    if not runs:  # a liaison sees its own subtree's seats, not its neighbours'
        quotas = [q for q in quotas if any(q.org.path.startswith(p) or p.startswith(q.org.path)
                                           for p in nominate_scope.prefixes)]
    ctx = {"klass": klass, "runs": runs, "sessions": klass.sessions.select_related("lecturer"),
           "quotas": quotas, "enrolments": enrolments,
           "total_hours": klass.total_hours(), "tab": request.GET.get("tab", "roster"),
           "credit_note": services.credit_note(klass)}
    if klass.status == TrainingClass.Status.OPEN and not nominate_scope.empty:
        people = visible_people(user, Perm.CLASS_NOMINATE).active().select_related("primary_org").order_by(
            "pinyin", "id").exclude(pk__in=klass.enrolments.filter(status__in=Enrolment.LIVE).values("person_id"))
        ctx["nominate_form"] = forms.NominateForm(people=people[:500])
    if runs:
        ctx["grid"] = queries.attendance_grid(klass, enrolments.filter(status__in=[
            Enrolment.Status.APPROVED, Enrolment.Status.WITHDRAWN]))
        leaves = LeaveRequest.objects.filter(enrolment__klass=klass).select_related(
            "enrolment__person", "session").order_by("status", "-created_at")
        ctx["leaves"] = [{"leave": lv, "warning": services.leave_outlook(lv.enrolment, lv.hours).warning()
                          if lv.status == LeaveRequest.Status.PENDING else ""} for lv in leaves]
        ctx["reflections"] = Reflection.objects.filter(enrolment__klass=klass).select_related("enrolment__person")
        ctx["session_form"] = forms.SessionForm(lecturers=access.visible_lecturers(user))
        ctx["quota_form"] = forms.QuotaForm(orgs=Organization.objects.get_children(klass.organizer))
        ctx["certificates"] = Certificate.objects.filter(klass=klass).select_related("enrolment")
    return render(request, "classes/detail.html", ctx)


@login_required
@require_POST
@forbid_not_allowed
def session_add(request, class_id):
    klass = access.get_class(request.user, class_id, write=True)
    form = forms.SessionForm(request.POST, lecturers=access.visible_lecturers(request.user))
    if form.is_valid():
        _attempt(request, lambda: services.add_session(actor=request.user, klass=klass, **form.cleaned_data),
                 _("课次已添加。"))
    else:
        messages.error(request, " ".join(f"{form.fields[f].label}：{e[0]}" for f, e in form.errors.items()))
    return redirect(f"/classes/{klass.pk}/?tab=info")


@login_required
@require_POST
@forbid_not_allowed
def quota_set(request, class_id):
    klass = access.get_class(request.user, class_id, write=True)
    form = forms.QuotaForm(request.POST, orgs=Organization.objects.get_descendants(klass.organizer))
    if form.is_valid():
        _attempt(request, lambda: services.set_quota(actor=request.user, klass=klass, **form.cleaned_data),
                 _("名额已保存。"))
    return redirect(f"/classes/{klass.pk}/?tab=info")


@login_required
@require_POST
@forbid_not_allowed
def nominate(request, class_id):
    klass = access.get_class(request.user, class_id)
    form = forms.NominateForm(request.POST, people=visible_people(request.user, Perm.CLASS_NOMINATE))
    if form.is_valid():
        person = form.cleaned_data["person"]
        result = {}

        def run():
            result["e"] = services.nominate(actor=request.user, klass=klass, person=person)

        if _attempt(request, run, _("已推荐 %(name)s。") % {"name": person.name}) and \
                result["e"].status == Enrolment.Status.WAITLISTED:
            messages.warning(request, _("名额已满，%(name)s 已列入候补名单。") % {"name": person.name})
    else:
        messages.error(request, _("请选择要推荐的人员。"))
    return redirect("classes:detail", class_id=klass.pk)


@login_required
@require_POST
@forbid_not_allowed
def enrolment_decide(request, enrolment_id):
    enrolment = access.get_enrolment(request.user, enrolment_id, write=True)
    approve = request.POST.get("approve") == "1"
    _attempt(request, lambda: services.decide(actor=request.user, enrolment=enrolment, approve=approve),
             _("已录取。") if approve else _("已不予录取。"))
    return redirect("classes:detail", class_id=enrolment.klass_id)


@login_required
@require_POST
@forbid_not_allowed
def enrolment_respond(request, enrolment_id):
    enrolment = access.own_enrolment(request.user, enrolment_id)
    accept = request.POST.get("accept") == "1"
    _attempt(request, lambda: services.respond(actor=request.user, enrolment=enrolment, accept=accept),
             _("已确认参加，等待班主任审核。") if accept else _("已谢绝本次调训。"))
    return redirect("classes:mine")


@login_required
@require_POST
@forbid_not_allowed
def leave_decide(request, leave_id):
    leave = LeaveRequest.objects.select_related("enrolment").filter(pk=id_or_404(leave_id)).first()
    if leave is None:
        raise Http404
    access.get_enrolment(request.user, leave.enrolment_id, write=True)
    approve = request.POST.get("approve") == "1"
    _attempt(request, lambda: services.decide_leave(
        actor=request.user, leave=leave, approve=approve, confirm_withdrawal=request.POST.get("confirm_withdrawal") == "1"),
        _("已批准请假。") if approve else _("已不批准请假。"))
    return redirect(f"/classes/{leave.enrolment.klass_id}/?tab=leave")


@login_required
@require_POST
@forbid_not_allowed
def manual_sign_in(request, class_id):
    klass = access.get_class(request.user, class_id, write=True)
    session = klass.sessions.filter(pk=id_or_404(request.POST.get("session"))).first()
    enrolment = klass.enrolments.filter(pk=id_or_404(request.POST.get("enrolment"))).select_related("person").first()
    if session is None or enrolment is None:
        raise Http404
    method = Attendance.Method.SHEET if request.POST.get("method") == "sheet" else Attendance.Method.MANUAL
    late = request.POST.get("late") == "1"
    _attempt(request, lambda: services.sign_in(actor=request.user, session=session, enrolment=enrolment,
                                               method=method, late=late),
             _("已为 %(name)s 补签。") % {"name": enrolment.person.name})
    return redirect(f"/classes/{session.klass_id}/?tab=attendance")


@login_required
@require_POST
@forbid_not_allowed
def sheet_import(request, session_id):
    session = access.get_session(request.user, session_id, write=True)
    result = services.import_sheet(actor=request.user, session=session, text=request.POST.get("names", ""))
    messages.success(request, _("签到表录入：新签到 %(a)s 人，已签到 %(b)s 人。") % {
        "a": len(result.signed), "b": len(result.already)})
    if result.unknown:
        messages.error(request, _("不在已录取名单中：%(n)s") % {"n": "、".join(result.unknown)})
    if result.ambiguous:
        messages.error(request, _("重名无法区分，请逐个补签：%(n)s") % {"n": "、".join(result.ambiguous)})
    return redirect(f"/classes/{session.klass_id}/?tab=attendance")


@login_required
@require_POST
@forbid_not_allowed
def complete(request, class_id):
    klass = access.get_class(request.user, class_id, write=True)
    result = {}

    def run():
        result["r"] = services.complete_class(actor=request.user, klass=klass,
                                              base_url=request.build_absolute_uri("/"))

    if _attempt(request, run, _("班次已结业。")):
        r = result["r"]
        messages.info(request, _("结业 %(a)s 人，未达结业条件 %(b)s 人。") % {"a": len(r.completed), "b": len(r.not_completed)})
        if r.job is not None:
            return redirect("job", job_id=r.job.pk)
    return redirect(f"/classes/{klass.pk}/?tab=completion")


@login_required
@forbid_not_allowed
def cancel(request, class_id):
    """Confirm, with what it will do, then call the class off."""
    klass = access.get_class(request.user, class_id, write=True)
    if klass.status in (TrainingClass.Status.COMPLETED, TrainingClass.Status.CANCELLED):
        messages.error(request, _("本班已结业，不能取消。") if klass.status == TrainingClass.Status.COMPLETED
                       else _("本班已取消。"))
        return redirect("classes:detail", class_id=klass.pk)
    form = forms.CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            n = services.cancel_class(actor=request.user, klass=klass, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("班次已取消，已撤销 %(n)s 人的调训并通知本人及推荐人。") % {"n": n})
            return redirect("classes:detail", class_id=klass.pk)
    return render(request, "classes/form.html", {
        "form": form, "title": _("取消班次 · %(t)s") % {"t": klass.title}, "note": queries.cancel_outlook(klass),
        "submit_label": _("确认取消班次"), "submit_style": "danger"})


@login_required
@require_POST
@forbid_not_allowed
def reflection_review(request, reflection_id):
    reflection = Reflection.objects.select_related("enrolment").filter(pk=id_or_404(reflection_id)).first()
    if reflection is None:
        raise Http404
    access.get_enrolment(request.user, reflection.enrolment_id, write=True)
    _attempt(request, lambda: services.review_reflection(actor=request.user, reflection=reflection,
                                                         action=request.POST.get("action", ""),
                                                         comment=request.POST.get("comment", "")), _("已保存审阅。"))
    return redirect(f"/classes/{reflection.enrolment.klass_id}/?tab=reflections")


@login_required
def reflection_attachment(request, reflection_id):
    reflection = Reflection.objects.select_related("enrolment").filter(pk=id_or_404(reflection_id)).first()
    if reflection is None or not reflection.attachment:
        raise Http404
    if reflection.enrolment.person_id != request.user.person_id:
        access.get_enrolment(request.user, reflection.enrolment_id)
    return FileResponse(reflection.attachment.open("rb"), as_attachment=True,
                        filename=reflection.attachment.name.rsplit("/", 1)[-1])


@login_required
@forbid_not_allowed
def sign_in_sheet(request, session_id):
    session = access.get_session(request.user, session_id, write=True)
    rows = [{"name": e.person.name, "org": e.person.primary_org.name} for e in Enrolment.objects.filter(
        klass=session.klass, status=Enrolment.Status.APPROVED).select_related(
        "person", "person__primary_org").order_by("person__pinyin", "id")]
    response = HttpResponse(render_sign_in_sheet(session, rows), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="sign-in-sheet-{session.pk}.pdf"'
    return response


# --- the trainee --------------------------------------------------------------------------------------
@login_required
def mine(request):
    person = request.user.person
    if person is None:
        return render(request, "classes/mine.html", {"enrolments": [], "no_person": True})
    enrolments = list(queries.my_enrolments(person))
    waiting = dict(answerable(person.pk).filter(klass__isnull=False).values_list("klass_id", "pk"))
    for e in enrolments:  # the class's evaluation, while it waits for this trainee's scores
        e.evaluation_id = waiting.get(e.klass_id)
    return render(request, "classes/mine.html", {
        "enrolments": enrolments, "today_sessions": queries.sessions_today(person, timezone.localdate())})


@login_required
def leave_request(request, enrolment_id):
    enrolment = access.own_enrolment(request.user, enrolment_id)
    form = forms.LeaveForm(request.POST or None, sessions=enrolment.klass.sessions.all())
    warning = ""
    if request.method == "POST" and form.is_valid():
        try:
            leave = services.request_leave(actor=request.user, enrolment=enrolment, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            warning = services.leave_outlook(enrolment, leave.hours).warning()
            messages.success(request, _("请假申请已提交，等待班主任审批。"))
            if warning:
                messages.warning(request, _("提醒：") + warning)
            return redirect("classes:mine")
    return render(request, "classes/form.html", {
        "form": form, "title": _("请假 · %(t)s") % {"t": enrolment.klass.title},
        "note": _("脱产班累计请假超过总学时 1/7 将作退学处理。") if enrolment.klass.full_time else ""})


@login_required
def reflection_submit(request, enrolment_id):
    enrolment = access.own_enrolment(request.user, enrolment_id)
    existing = getattr(enrolment, "reflection", None)
    form = forms.ReflectionForm(request.POST or None, request.FILES or None,
                                initial={"text": existing.text if existing else ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_reflection(actor=request.user, enrolment=enrolment, text=form.cleaned_data["text"],
                                       attachment=form.cleaned_data.get("attachment"))
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("培训心得已提交。"))
            return redirect("classes:mine")
    note = _("班主任意见：%(c)s") % {"c": existing.comment} if existing and existing.comment else ""
    return render(request, "classes/form.html", {"form": form, "title": _("培训心得 · %(t)s") % {
        "t": enrolment.klass.title}, "multipart": True, "note": note})


@login_required
def certificate_pdf(request, certificate_id):
    cert = access.get_certificate(request.user, certificate_id)
    if not cert.pdf:  # issued moments ago in a large class, its job not yet at this one
        services.store_certificate_pdf(cert=cert)
    return FileResponse(cert.pdf.open("rb"), content_type="application/pdf", as_attachment=True,
                        filename=f"certificate-{cert.serial}.pdf")


def verify(request, serial):
    """Public: what a verifier needs to catch an edited PDF, and nothing more."""
    cert = Certificate.objects.filter(serial=serial.strip().upper()).first()
    context = {"serial": serial, "found": cert is not None}
    if cert is not None:
        context.update(name=mask_name(cert.person_name), class_title=cert.class_title, start=cert.start_date,
                       end=cert.end_date, hours=cert.hours, issuer=cert.issuer)
    return render(request, "classes/verify.html", context, status=200 if cert else 404)
