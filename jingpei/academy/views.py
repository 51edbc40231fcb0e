"""Pages of the academy, the media it serves, and the player's JSON endpoints (start, heartbeat, check)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from jingpei.academy import access, beat_http, exports, media, queries, quiz, services
from jingpei.academy.forms import CourseForm, LessonForm
from jingpei.academy.models import CourseKind, LessonKind, Progress
from jingpei.academy.rules import WatchRules
from jingpei.accounts.middleware import password_change_exempt
from jingpei.core import params
from jingpei.core.errors import DomainError, NotAllowed
from jingpei.core.filetypes import XLSX
from jingpei.core.jobs import enqueue
from jingpei.core.permissions import Perm
from jingpei.core.scoping import has_perm_anywhere
from jingpei.core.views import job_file


def _error(exc: DomainError) -> JsonResponse:
    return JsonResponse(beat_http.error_payload(exc), status=exc.status)


def forbidden_page(request, exc: NotAllowed):
    return render(request, "academy/forbidden.html", {"message": exc.message}, status=403)


# --- catalogue ---------------------------------------------------------------------------------------
@login_required
def catalog(request):
    courses = access.visible_courses(request.user).prefetch_related("topics")
    year, kind = request.GET.get("year", ""), request.GET.get("kind", "")
    if typed_year := params.year(year):
        courses = courses.filter(year=typed_year)
    if kind in CourseKind.values:
        courses = courses.filter(kind=kind)
    if request.GET.get("recommended"):
        courses = courses.filter(recommended=True)
    page = Paginator(courses.order_by("-year", "kind", "-recommended", "title"), 20).get_page(request.GET.get("page"))
    return render(request, "academy/catalog.html", {
        "page": page, "year": year, "kind": kind, "kinds": CourseKind.choices,
        "recommended": bool(request.GET.get("recommended")),
        "can_create": has_perm_anywhere(request.user, Perm.ACADEMY_MANAGE),
    })


@login_required
def course_detail(request, course_id: int):
    course = access.get_course(request.user, course_id)
    lessons = list(course.lessons.all())
    person = request.user.person if request.user.person_id else None
    done = {}
    if person is not None:
        done = {p.lesson_id: p for p in Progress.objects.filter(person=person, lesson__course=course)}
    rows = [(lesson, done.get(lesson.pk)) for lesson in lessons]
    test = quiz.state_for(person, course) if access.studies(person, course.pk) else None
    return render(request, "academy/course.html", {
        "course": course, "rows": rows, "can_manage": access.can_manage(request.user, course),
        "topics": list(course.topics.all()), "test": test,
        "question_count": test.questions if test else course.questions.count(),
        "reward": quiz.reward() if test and test.questions else 0,
    })


@login_required
def course_new(request):
    if not has_perm_anywhere(request.user, Perm.ACADEMY_MANAGE):
        return forbidden_page(request, NotAllowed(_("您没有开设课程的权限。")))
    form = CourseForm(request.POST or None, user=request.user, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            course = services.create_course(
                actor=request.user, org=data["org"], title=data["title"], year=data["year"],
                credit_hours=data["credit_hours"], kind=data["kind"], description=data["description"],
                lecturer=data["lecturer"], topics=data["topics"], recommended=data["recommended"],
                complete_share=data["complete_share"], audience=data["audience"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            return redirect("academy:course", course_id=course.pk)
    return render(request, "academy/course_form.html", {"form": form})


@login_required
def lesson_new(request, course_id: int):
    try:
        course = access.get_course(request.user, course_id, write=True)
    except NotAllowed as exc:
        return forbidden_page(request, exc)
    form = LessonForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_lesson(actor=request.user, course=course, title=data["title"], kind=data["kind"],
                                upload=data.get("media"), body=data["body"],
                                reading_minutes=data.get("reading_minutes"))
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            return redirect("academy:course", course_id=course.pk)
    return render(request, "academy/lesson_form.html", {"form": form, "course": course})


# --- learning ----------------------------------------------------------------------------------------
@login_required
def lesson_player(request, lesson_id: int):
    lesson = access.get_lesson(request.user, lesson_id)
    person = access.learner_of(request.user, lesson.course_id)
    learner = person is not None
    progress = Progress.objects.filter(person=person, lesson=lesson).first() if learner else None
    rules = WatchRules.current()
    siblings = list(lesson.course.lessons.only("id", "title", "order"))
    config = {
        "learner": learner, "kind": lesson.kind, "duration": lesson.duration_seconds,
        "heartbeatMs": int(rules.heartbeat_seconds * 1000), "idleMs": rules.idle_seconds * 1000,
        "startUrl": reverse("academy:start", kwargs={"lesson_id": lesson.pk}),
    }
    return render(request, "academy/player.html", {
        "lesson": lesson, "course": lesson.course, "progress": progress, "learner": learner,
        "config": config, "siblings": siblings,
        "needed": round(100 * lesson.course.complete_share),
    })


@login_required
@require_POST
def lesson_start(request, lesson_id: int):
    """Make this page the person's one crediting device; answer the token and the resume point."""
    try:
        lesson = access.get_learnable_lesson(request.user, lesson_id)
        play = services.start_lesson(person=request.user.person, lesson=lesson,
                                     session_cookie=request.session.session_key or "")
    except DomainError as exc:
        return _error(exc)
    progress = play.progress
    return JsonResponse({"token": play.token, "position": progress.position, "watched": progress.watched_seconds,
                         "duration": lesson.duration_seconds,
                         "beatUrl": reverse("academy:beat", kwargs={"token": play.token}),
                         "checkUrl": reverse("academy:check", kwargs={"token": play.token})})


@password_change_exempt  # reads the session in its own single query; nothing to protect here
@require_POST
def heartbeat(request, token: str):
    """The player's heartbeat. Authorised by the play token together with the browser session that
    obtained it (no user lookup: this is the hot path; see docs/capabilities/academy.md). Under
    ``jingpei serve`` an ordinary beat takes a fast WSGI route instead (``beat_wsgi``); both answer
    through ``beat_http.beat``."""
    status, body = beat_http.beat(token, request.body, request.COOKIES.get(settings.SESSION_COOKIE_NAME, ""))
    return HttpResponse(body, status=status, content_type="application/json")


@require_POST
def presence_check(request, token: str):
    try:
        data = beat_http.parse_body(request.body)
        services.answer_check(token=token, session_cookie=request.COOKIES.get(settings.SESSION_COOKIE_NAME, ""),
                              code=str(data.get("code", "")))
    except DomainError as exc:
        return _error(exc)
    return JsonResponse({"status": "ok"})


@login_required
@require_GET
@xframe_options_sameorigin  # the PDF viewer embeds the document in the lesson page
def lesson_media(request, lesson_id: int):
    lesson = access.get_lesson(request.user, lesson_id)
    if lesson.kind == LessonKind.TEXT or not lesson.media:
        raise Http404
    return media.ranged_response(request, lesson.media, lesson.content_type)


# --- my study ----------------------------------------------------------------------------------------
@login_required
def my_study(request):
    if not request.user.person_id:
        return forbidden_page(request, NotAllowed(_("您的账号未关联人员信息，没有个人学习记录。")))
    return render(request, "academy/my_study.html", {"study": queries.my_study(request.user.person)})


# --- organisation department -------------------------------------------------------------------------
def require_staff(request):
    """The department's figures: for users with ACADEMY_VIEW somewhere (scoped further by stats_people)."""
    if not has_perm_anywhere(request.user, Perm.ACADEMY_VIEW):
        raise NotAllowed(_("您没有查看学习统计的权限。"))


@login_required
def coverage(request):
    try:
        require_staff(request)
    except NotAllowed as exc:
        return forbidden_page(request, exc)
    return render(request, "academy/coverage.html", {
        "rows": queries.coverage(request.user), "courses": queries.course_rows(request.user),
    })


@login_required
def not_started(request):
    try:
        require_staff(request)
    except NotAllowed as exc:
        return forbidden_page(request, exc)
    page = Paginator(queries.not_started(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "academy/not_started.html", {"page": page})


@login_required
@require_POST
def export_xlsx(request):
    """Start the Excel export as a background job and show its progress."""
    try:
        require_staff(request)
    except NotAllowed as exc:
        return forbidden_page(request, exc)
    job = enqueue(exports.JOB_NAME, user=request.user, title=_("导出网络学院学习统计"), reuse=True,
                  user_id=request.user.pk)
    return redirect("job", job_id=job.pk)


@login_required
def export_file(request, job_id):
    """The workbook of one's own finished export job (figures as scoped when it ran)."""
    return job_file(request, job_id, name=exports.JOB_NAME, path_of=exports.export_path,
                    filename="academy-coverage.xlsx", content_type=XLSX)
