"""Pages of the surveys: parse → access → service or query → respond."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingpei.classes.access import get_class
from jingpei.core import params
from jingpei.core.errors import DomainError
from jingpei.core.filetypes import XLSX
from jingpei.core.forms import show_domain_error
from jingpei.core.permissions import Perm
from jingpei.core.scoping import has_perm_anywhere
from jingpei.orgs.access import picked_org
from jingpei.orgs.models import Category, Person
from jingpei.orgs.queries import search_people
from jingpei.surveys import access, audience, exports, queries, services
from jingpei.surveys.forms import (
    ClosingDayForm,
    NoteForm,
    QuestionFormSet,
    SurveyForm,
    answers_from,
    question_initial,
)
from jingpei.surveys.models import Kind, Note, Response, State, Survey


def needs_runner(view):
    """Pages of whoever runs needs surveys and keeps the research notes (survey.manage somewhere): 404 for
    everyone else, as for a page that is not theirs."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not access.can_start_needs(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return login_required(wrapper)


@login_required
def index(request):
    """The year's needs surveys and class evaluations the user runs, and what the notes asked for."""
    user = request.user
    can_start = access.can_start_needs(user)
    year = params.year_asked(request)
    surveys = list(access.visible_surveys(user).filter(year=year).select_related("org", "klass")
                   .order_by("kind", "-created_at", "-pk"))
    if not can_start and not has_perm_anywhere(user, Perm.CLASS_HEAD) and not surveys:
        raise Http404
    counts = dict(Response.objects.filter(survey__in=[s.pk for s in surveys]).values_list("survey_id")
                  .annotate(n=Count("pk")).order_by())
    notes = access.visible_notes(user).filter(year=year)
    return render(request, "surveys/index.html", {
        "year": year, "years": params.recent_years(), "can_start": can_start,
        "needs": [(s, counts.get(s.pk, 0)) for s in surveys if s.kind == Kind.NEEDS],
        "evaluations": sorted(((s, counts.get(s.pk, 0)) for s in surveys if s.kind == Kind.EVALUATION),
                              key=lambda row: row[0].klass.start_date, reverse=True),  # the latest class first
        "note_count": notes.count(), "note_needs": queries.needs_in_notes(notes)[:10]})


# --- drawing up ------------------------------------------------------------------------------------------
def _survey_form(request, survey: Survey | None):
    user = request.user
    evaluation = survey is not None and survey.kind == Kind.EVALUATION
    categories = list(Category.objects.filter(active=True))
    if survey is None:
        orgs = access.managed_orgs(user).order_by("path")
        preset = services.preset_needs(timezone.localdate().year)
        first = orgs.first()
        initial = {"title": preset.title, "year": preset.year, "intro": preset.intro, "org": first.pk if first else None}
        questions = preset.questions
        source = request.GET.get("from")  # 以此为模板: an earlier needs survey's questions and wording
        if source:
            earlier = access.get_survey(user, source)
            if earlier.kind != Kind.NEEDS:
                raise Http404
            initial.update(intro=earlier.intro, org=earlier.org_id, anonymous=earlier.anonymous,
                           categories=list(earlier.categories.values_list("pk", flat=True)))
            questions = list(earlier.questions.order_by("position"))
    else:
        initial = {"title": survey.title, "year": survey.year, "intro": survey.intro, "closes_on": survey.closes_on,
                   "org": survey.org_id, "anonymous": survey.anonymous,
                   "categories": list(survey.categories.values_list("pk", flat=True))}
        questions = list(survey.questions.order_by("position"))
    data = request.POST if request.method == "POST" else None
    form = SurveyForm(data, initial=initial, categories=categories, evaluation=evaluation, editing=survey is not None)
    # a bound formset gets no initial: Django would skip an extra row equal to its initial as "unchanged"
    formset = QuestionFormSet(data, initial=None if data else question_initial(questions), prefix="questions")
    if data is not None and form.is_valid() & formset.is_valid():  # & not and: both show their errors
        d = form.cleaned_data
        payload = services.SurveyInput(
            title=d["title"], year=d["year"], intro=d["intro"], closes_on=d["closes_on"], anonymous=d.get("anonymous", False),
            categories=[c for c in categories if c.pk in set(d.get("categories") or [])], questions=formset.inputs())
        try:
            if survey is None:
                org = access.get_managed_org(user, d["org"])
                saved = services.create_survey(actor=user, org=org, data=payload)
            else:
                saved = services.update_survey(actor=user, survey=survey, data=payload)
        except Http404:
            form.add_error("org", _("请从搜索结果中点选您有需求调研权限的单位。"))
        except DomainError as exc:
            show_domain_error(exc, form, formset, rows_field="questions")
        else:
            messages.success(request, _("问卷已保存（草稿）。预览无误后点“发布”。"))
            return redirect(saved)
    picked = picked_org(user, form["org"].value(), Perm.SURVEY_MANAGE) if "org" in form.fields else None
    return render(request, "surveys/form.html", {"form": form, "formset": formset, "survey": survey, "picked": picked})


@needs_runner
def survey_new(request):
    return _survey_form(request, None)


@login_required
def survey_edit(request, survey_id):
    survey = access.get_survey(request.user, survey_id)
    if survey.state != State.DRAFT:
        messages.warning(request, _("问卷已发布，题目不能再修改。"))
        return redirect(survey)
    return _survey_form(request, survey)


@login_required
def detail(request, survey_id):
    survey = access.get_survey(request.user, survey_id)
    return render(request, "surveys/detail.html", {
        "survey": survey, "questions": _with_conditions(survey.questions.select_related("session__lecturer").order_by("position")),
        "categories": list(survey.categories.all()), "audience": audience.people(survey).count(),
        "responses": survey.responses.count(), "today": timezone.localdate(),
        "closing_form": ClosingDayForm(initial={"closes_on": survey.closes_on})})


@login_required
@require_POST
def act(request, survey_id):
    survey = access.get_survey(request.user, survey_id)
    action = request.POST.get("action")
    try:
        if action == "open":
            told = services.open_survey(actor=request.user, survey=survey)
            messages.success(request, _("问卷已重新开放。") if survey.state == State.CLOSED
                             else _("问卷已发布，已通知 %(n)s 人（有账号者）。") % {"n": told})
        elif action == "closing_day":
            form = ClosingDayForm(request.POST)
            if not form.is_valid():
                raise DomainError(" ".join(e for errors in form.errors.values() for e in errors))
            services.set_closing_day(actor=request.user, survey=survey, closes_on=form.cleaned_data["closes_on"])
            messages.success(request, _("截止日期已改为 %(d)s。") % {"d": f"{form.cleaned_data['closes_on']:%Y-%m-%d}"}
                             if form.cleaned_data["closes_on"] else _("已取消截止日期。"))
        elif action == "close":
            services.close_survey(actor=request.user, survey=survey)
            messages.success(request, _("问卷已结束，不再接受填写。"))
        elif action == "delete":
            services.delete_survey(actor=request.user, survey=survey)
            messages.success(request, _("草稿已删除。"))
            return redirect("surveys:index")
        else:
            raise DomainError(_("未知的操作。"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(survey)


@login_required
def results(request, survey_id):
    survey = access.get_survey(request.user, survey_id)
    return render(request, "surveys/results.html", {"survey": survey, "results": queries.results(survey),
                                                    "can_plan": has_perm_anywhere(request.user, Perm.CLASS_MANAGE)})


@login_required
def export(request, survey_id):
    survey = access.get_survey(request.user, survey_id)
    data = exports.survey_workbook(survey, queries.results(survey))
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, _("问卷结果-%(t)s.xlsx") % {"t": survey.title[:60]})
    return response


@login_required
@require_POST
def class_evaluation(request, class_id):
    """Start (or go to) a class's evaluation, from the class's page."""
    klass = get_class(request.user, class_id, write=True)  # NotAllowed: Django's 403 page says why
    try:
        survey = services.start_evaluation(actor=request.user, klass=klass)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("classes:detail", class_id=klass.pk)
    return redirect(survey)


# --- answering -------------------------------------------------------------------------------------------------
@login_required
def mine(request):
    person_id = request.user.person_id
    open_ids = set(access.answerable(person_id).values_list("pk", flat=True))
    answered = dict(Response.objects.filter(person_id=person_id).values_list("survey_id", "submitted_at"))
    surveys = list(access.surveys_for_person(person_id).select_related("org", "klass").order_by("-opened_at", "-pk")[:100])
    return render(request, "surveys/mine.html", {
        "to_answer": [s for s in surveys if s.pk in open_ids],
        "done": [(s, answered.get(s.pk)) for s in surveys if s.pk not in open_ids]})


@login_required
def answer(request, survey_id):
    survey = access.get_for_answer(request.user, survey_id)
    questions = list(survey.questions.order_by("position"))
    person_id = request.user.person_id
    mine = Response.objects.filter(survey=survey, person_id=person_id).prefetch_related("answers").first()
    open_now = access.answerable(person_id).filter(pk=survey.pk).exists()
    errors: dict[int, str] = {}
    if request.method == "POST" and not mine:
        try:
            services.submit_response(person=request.user.person, survey=survey, answers=answers_from(request.POST, questions))
        except services.Unanswered as exc:
            errors = exc.errors
            messages.error(request, exc.message)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("surveys:answer", survey_id=survey.pk)
        else:
            messages.success(request, _("提交成功，谢谢您的参与！"))
            return redirect("surveys:answer", survey_id=survey.pk)
    given = {a.question_id: a for a in mine.answers.all()} if mine else {}
    return render(request, "surveys/answer.html", {
        "survey": survey, "open_now": open_now and not mine, "response": mine, "errors": errors,
        "rows": _sheet_rows(request, questions, errors, given)})


def _sheet_rows(request, questions, errors: dict[int, str], given: dict | None = None) -> list[dict]:
    """The answer sheet's questions as the template shows them: with what was ticked or typed in the request
    that failed (kept for the next try), its errors, or the answers given (read-only)."""
    posted = request.method == "POST"
    at = {q.position: q for q in questions}
    return [{"q": q, "error": errors.get(q.pk), "given": (given or {}).get(q.pk), "has_other": services.has_other(q),
             "picked": [str(v) for v in request.POST.getlist(f"q{q.pk}")] if posted else [],
             "other": request.POST.get(f"q{q.pk}-other", ""), "typed": request.POST.get(f"q{q.pk}", ""),
             **_condition(q, at)} for q in questions]


def _with_conditions(questions) -> list:
    """The questions, each with ``condition_text`` (its display condition in words, or "")."""
    questions = list(questions)
    for q, text in zip(questions, queries.conditions(questions), strict=True):
        q.condition_text = text
    return questions


def _condition(q, at: dict) -> dict:
    """What the sheet needs of ``q``'s display condition: the question it depends on (its id, for the script)
    and the choices that show it (their indexes, and in words for the reader)."""
    if q.condition is None:
        return {}
    position, choices = q.condition
    source = at[position]
    return {"source_id": source.pk, "wanted": " ".join(map(str, choices)),
            "condition_text": queries.condition_text(position, [source.choices[i] for i in choices])}


@login_required
def enter(request, survey_id):
    """录入纸质问卷: someone of the audience who answered on paper (no account, no phone) is found by name
    and their sheet typed in by whoever runs the survey; the response records who typed it."""
    survey = access.get_survey(request.user, survey_id)
    if survey.state != State.OPEN:
        messages.warning(request, _("问卷不在进行中，不能录入。"))
        return redirect(survey)
    people = access.enterable_people(request.user, survey)
    chosen = params.number(request.POST.get("person") or request.GET.get("person"))
    person = people.select_related("primary_org").filter(pk=chosen).first() if chosen else None
    if chosen and person is None:
        messages.error(request, _("此人已提交过这份问卷，或不在应填范围内。"))
        return redirect("surveys:enter", survey_id=survey.pk)
    ctx: dict = {"survey": survey, "person": person, "entered": survey.responses.filter(entered_by__isnull=False).count()}
    if person is None:
        query = request.GET.get("q", "").strip()
        try:
            found = search_people(people, query) if query else Person.objects.none()
        except ValueError as exc:
            messages.error(request, str(exc))
            found = Person.objects.none()
        ctx.update(query=query, found=list(found.select_related("primary_org").order_by("pinyin", "pk")[:20]))
        return render(request, "surveys/enter.html", ctx)
    questions = list(survey.questions.order_by("position"))
    errors: dict[int, str] = {}
    if request.method == "POST":
        try:
            services.submit_response(person=person, survey=survey, answers=answers_from(request.POST, questions),
                                     entered_by=request.user)
        except services.Unanswered as exc:
            errors = exc.errors
            messages.error(request, exc.message)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("surveys:enter", survey_id=survey.pk)
        else:
            messages.success(request, _("已录入“%(p)s”的问卷。") % {"p": person.name})
            return redirect("surveys:enter", survey_id=survey.pk)
    return render(request, "surveys/enter.html", {**ctx, "rows": _sheet_rows(request, questions, errors)})


@login_required
def teaching(request):
    """A lecturer's own sessions and how the trainees scored them."""
    if not has_perm_anywhere(request.user, Perm.LECTURER):
        raise Http404
    scores = queries.teaching_scores(request.user)
    return render(request, "surveys/teaching.html", {"scores": scores, "overall": queries.overall(scores)})


# --- notes -----------------------------------------------------------------------------------------------------
@needs_runner
def notes(request):
    year = params.year_asked(request)
    rows = access.visible_notes(request.user).filter(year=year).select_related("org", "recorded_by")
    return render(request, "surveys/notes.html", {"year": year, "years": params.recent_years(), "notes": list(rows[:500]),
                                                  "needs": queries.needs_in_notes(rows)})


def _note_form(request, note: Note | None):
    user = request.user
    if note is None:
        first = access.managed_orgs(user).order_by("path").first()
        initial = {"org": first.pk if first else None, "held_on": timezone.localdate(), "participants": 1}
    else:
        initial = {"org": note.org_id, "method": note.method, "held_on": note.held_on, "place": note.place,
                   "participants": note.participants, "summary": note.summary, "needs": note.needs}
    form = NoteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            org = access.get_managed_org(user, d["org"])
            services.save_note(actor=user, org=org, note=note, data=services.NoteInput(
                method=d["method"], held_on=d["held_on"], summary=d["summary"], needs=d["needs"], place=d["place"],
                participants=d["participants"]))
        except Http404:
            form.add_error("org", _("请从搜索结果中点选您有需求调研权限的单位。"))
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("调研记录已保存。"))
            return redirect(f"{reverse('surveys:notes')}?year={d['held_on'].year}")
    picked = picked_org(user, form["org"].value(), Perm.SURVEY_MANAGE)
    return render(request, "surveys/note_form.html", {"form": form, "note": note, "picked": picked})


@needs_runner
def note_new(request):
    return _note_form(request, None)


@login_required
def note_edit(request, note_id):
    return _note_form(request, access.get_note(request.user, note_id))


@login_required
@require_POST
def note_delete(request, note_id):
    note = access.get_note(request.user, note_id)
    services.delete_note(actor=request.user, note=note)
    messages.success(request, _("调研记录已删除。"))
    return redirect(f"{reverse('surveys:notes')}?year={note.year}")
