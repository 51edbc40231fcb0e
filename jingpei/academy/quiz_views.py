"""Pages of the after-course test: taking it, its result, and the course manager's questions."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingpei.academy import access, question_import, quiz
from jingpei.academy.forms import QuestionFileForm, QuestionForm, TestRulesForm
from jingpei.academy.models import QuestionKind, QuizAttempt
from jingpei.academy.views import forbidden_page, require_staff
from jingpei.core import params
from jingpei.core.errors import DomainError, NotAllowed
from jingpei.core.filetypes import XLSX


def learner_view(view):
    """Pages of the learner taking a course's test: ``view(request, course, person)``; 404 for a course the
    user may not see, 403 for one they see only as staff."""

    @wraps(view)
    def wrapped(request, course_id: int):
        course = access.get_course(request.user, course_id)
        person = access.learner_of(request.user, course.pk)
        if person is None:
            return forbidden_page(request, NotAllowed(_("该课程不面向您，不能参加测试。")))
        return view(request, course, person)

    return login_required(wrapped)


def manager_view(view):
    """Pages of a course's managers: ``view(request, course, **kwargs)``; 404 for a course the user may not
    see, 403 for one they may not manage."""

    @wraps(view)
    def wrapped(request, course_id: int, **kwargs):
        try:
            course = access.get_course(request.user, course_id, write=True)
        except NotAllowed as exc:
            return forbidden_page(request, exc)
        return view(request, course, **kwargs)

    return login_required(wrapped)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@learner_view
def take(request, course, person):
    chosen: dict[str, list[str]] = {}
    error, missing, status = "", (), 200
    if request.method == "POST":
        chosen = {key[1:]: request.POST.getlist(key) for key in request.POST if key.startswith("q")}
        shown = params.numbers(request.POST.getlist("shown"))
        try:
            quiz.submit(person=person, course=course, answers=chosen, question_ids=shown, actor=request.user)
        except quiz.Unanswered as exc:
            error, missing, status = exc.message, exc.numbers, exc.status
        except DomainError as exc:
            error, status = exc.message, exc.status
        else:
            return redirect("academy:test_result", course_id=course.pk)
    state = quiz.state_for(person, course)
    questions = [] if state.blocker else list(course.questions.all())
    rows = [(n, q, chosen.get(str(q.pk), []), n in missing) for n, q in enumerate(questions, start=1)]
    return render(request, "academy/test.html", {
        "course": course, "state": state, "rows": rows, "error": error, "reward": quiz.reward(),
    }, status=status)


@learner_view
def result(request, course, person):
    attempt = QuizAttempt.objects.filter(person=person, course=course).select_related("ledger_entry").order_by(
        "-number").first()
    if attempt is None:
        return redirect("academy:test", course_id=course.pk)
    state = quiz.state_for(person, course)
    return render(request, "academy/test_result.html", {
        "course": course, "attempt": attempt, "state": state,
        "rows": quiz.review(attempt, show_answers=state.passed or state.left == 0),
    })


@manager_view
def questions(request, course):
    form = QuestionForm(request.POST if request.POST.get("action") == "add" else None)
    rules = TestRulesForm(request.POST if request.POST.get("action") == "rules" else None,
                          initial={"pass_percent": course.pass_percent, "test_attempts": course.test_attempts})
    upload = (QuestionFileForm(request.POST, request.FILES) if request.POST.get("action") == "import"
              else QuestionFileForm())
    row_errors: list[dict] = []
    if request.method == "POST" and upload.is_bound:
        if upload.is_valid():
            file = upload.cleaned_data["file"]
            try:
                done = question_import.import_questions(actor=request.user, course=course, filename=file.name,
                                                        content=file.read())
            except question_import.RowErrors as exc:
                upload.add_domain_error(exc)
                row_errors = exc.errors
            except DomainError as exc:
                upload.add_domain_error(exc)
            else:
                messages.success(request, _("已导入 %(added)s 道题，跳过已有的 %(skipped)s 道。")
                                 % {"added": done.added, "skipped": done.skipped})
                return redirect("academy:questions", course_id=course.pk)
    elif request.method == "POST":
        bound = form if form.is_bound else rules
        if bound.is_valid():
            data = bound.cleaned_data
            try:
                if bound is form:
                    quiz.add_question(actor=request.user, course=course, kind=data["kind"], text=data["text"],
                                      choices=data["choices"], answer=data["answer"])
                else:
                    quiz.set_rules(actor=request.user, course=course, pass_percent=data["pass_percent"],
                                   attempts=data["test_attempts"])
            except DomainError as exc:
                bound.add_domain_error(exc)
            else:
                return redirect("academy:questions", course_id=course.pk)
    return render(request, "academy/questions.html", {
        "course": course, "form": form, "rules": rules, "upload": upload, "row_errors": row_errors,
        "questions": list(course.questions.all()),
        "figures": quiz.course_figures(course, access.stats_people(request.user)),
    }, status=400 if (form.errors or rules.errors or upload.errors) else 200)


@manager_view
def questions_template(request, course):
    return _xlsx(question_import.template(), _("测试题模板") + ".xlsx")


@require_POST
@manager_view
def question_delete(request, course, question_id: int):
    quiz.delete_question(actor=request.user, question=get_object_or_404(course.questions, pk=question_id))
    return redirect("academy:questions", course_id=course.pk)


@manager_view
def question_edit(request, course, question_id: int):
    question = get_object_or_404(course.questions, pk=question_id)
    initial = {"kind": question.kind, "text": question.text, "answer": question.answer,
               "choices": "" if question.kind == QuestionKind.JUDGE else "\n".join(question.choices)}
    form = QuestionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            quiz.update_question(actor=request.user, question=question, kind=data["kind"], text=data["text"],
                                 choices=data["choices"], answer=data["answer"])
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            return redirect("academy:questions", course_id=course.pk)
    return render(request, "academy/question_edit.html", {"course": course, "question": question, "form": form},
                  status=400 if form.errors else 200)


@login_required
def results(request, course_id: int):
    """Who took the course's test, in the viewer's scope: on the page, or as an Excel file."""
    course = access.get_course(request.user, course_id)
    try:
        require_staff(request)
    except NotAllowed as exc:
        return forbidden_page(request, exc)
    people = access.stats_people(request.user)
    only = request.GET.get("only", "")
    rows = quiz.results(course, people, only=only if only in quiz.RESULT_FILTERS else "")
    if request.GET.get("format") == "xlsx":
        return _xlsx(question_import.results_sheet(course, rows.iterator(chunk_size=2000)),
                     _("%(title)s测试成绩") % {"title": course.title} + ".xlsx")
    return render(request, "academy/test_results.html", {
        "course": course, "page": Paginator(rows, 50).get_page(request.GET.get("page")), "only": only,
        "figures": quiz.course_figures(course, people),
    })
