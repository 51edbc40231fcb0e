"""Every write of the surveys: drawing a questionnaire up, opening and closing it, a person's answers, and
the needs-survey notes. One transaction each; the survey's state changes and the notes write audit rows.
Answers write none: an anonymous survey's answers must not be traceable to a person through the trail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.classes.access import can_run
from jingpei.classes.models import TrainingClass
from jingpei.core import audit, dates
from jingpei.core.errors import Conflict, DomainError, NotAllowed
from jingpei.core.text import clean_text
from jingpei.ledger.services import notify_each
from jingpei.orgs.models import Category, Organization, Person
from jingpei.surveys import access, audience
from jingpei.surveys.models import Answer, Kind, Method, Note, Question, QuestionKind, Response, State, Survey
from jingpei.surveys.presets import (
    QuestionInput,
    ShownIf,
    evaluation_questionnaire,
    is_other,
    needs_questionnaire,
    split_needs,
)

MAX_QUESTIONS = 60
MAX_CHOICES = 20
CHOICE_LENGTH = 50
OTHER_LENGTH = 100
TEXT_ANSWER_LENGTH = 1000
SCORES = range(1, 6)


def has_other(question: Question | QuestionInput) -> bool:
    return question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and any(map(is_other, question.choices))


# --- single-field checks (the forms run them too) ------------------------------------------------------
def clean_year(value: int) -> int:
    return dates.clean_year(value, label=_("调研年度"))


def clean_closes_on(value: date | None) -> date | None:
    if value is not None and value < timezone.localdate():
        raise DomainError(_("截止日期不能早于今天。"), field="closes_on")
    return value


def clean_questions(questions: list[QuestionInput]) -> list[QuestionInput]:
    """The questionnaire as typed, each question checked and tidied; the message names the question."""
    if not questions:
        raise DomainError(_("问卷至少要有一道题。"), field="questions")
    if len(questions) > MAX_QUESTIONS:
        raise DomainError(_("一份问卷最多 %(n)s 道题。") % {"n": MAX_QUESTIONS}, field="questions")
    cleaned = []
    for n, q in enumerate(questions, 1):
        where = _("第 %(n)s 题") % {"n": n}
        if q.kind not in QuestionKind.values:
            raise DomainError(_("%(q)s：请选择题型。") % {"q": where}, field="questions")
        text = clean_text(q.text, field="questions", label=_("%(q)s的题目") % {"q": where})
        choices: list[str] = []
        max_choices = 0
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            for choice in q.choices:
                choice = " ".join(choice.split())
                if not choice:
                    continue
                if len(choice) > CHOICE_LENGTH:
                    raise DomainError(_("%(q)s：选项“%(c)s…”超过 %(m)s 个字。") % {
                        "q": where, "c": choice[:10], "m": CHOICE_LENGTH}, field="questions")
                if choice in choices:
                    raise DomainError(_("%(q)s：选项“%(c)s”重复了。") % {"q": where, "c": choice}, field="questions")
                choices.append(choice)
            if len(choices) < 2:
                raise DomainError(_("%(q)s：选择题至少要有两个选项，每行一个。") % {"q": where}, field="questions")
            if len(choices) > MAX_CHOICES:
                raise DomainError(_("%(q)s：最多 %(m)s 个选项。") % {"q": where, "m": MAX_CHOICES}, field="questions")
            if q.kind == QuestionKind.MULTIPLE:
                max_choices = q.max_choices or 0
                if not 0 <= max_choices <= len(choices):
                    raise DomainError(_("%(q)s：“最多选几项”须在 0（不限）到 %(m)s 之间。") % {
                        "q": where, "m": len(choices)}, field="questions")
        topics = bool(q.topics) and q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
        shown_if = _clean_condition(q.shown_if, n, cleaned, where) if q.shown_if else None
        cleaned.append(QuestionInput(q.kind, text, choices, bool(q.required), max_choices, q.session_id, topics, shown_if))
    return cleaned


def _clean_condition(shown_if: ShownIf, n: int, earlier: list[QuestionInput], where: str) -> ShownIf:
    """Question ``n``'s condition checked against the questions before it: an earlier choice question, and
    choices it has (named by their text or their number), tidied to the choices' own texts."""
    where = _("%(q)s的显示条件") % {"q": where}
    if not shown_if.question:
        raise DomainError(_("%(q)s：请填写是第几题的回答决定这道题是否显示。") % {"q": where}, field="questions")
    if not 1 <= shown_if.question < n:
        raise DomainError(_("%(q)s：第 %(m)s 题不在这道题前面，只能按前面的题目设置。") % {"q": where, "m": shown_if.question},
                          field="questions")
    source = earlier[shown_if.question - 1]
    if source.kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        raise DomainError(_("%(q)s：第 %(m)s 题不是选择题，只能按单选或多选题的回答设置。") % {"q": where, "m": shown_if.question},
                          field="questions")
    texts: list[str] = []
    for typed in shown_if.choices:
        typed = " ".join(str(typed).split())
        if not typed:
            continue
        if typed in source.choices:
            text = typed
        elif typed.isdecimal() and 1 <= int(typed) <= len(source.choices):  # ２ too, never ①
            text = source.choices[int(typed) - 1]
        else:
            raise DomainError(_("%(q)s：第 %(m)s 题没有“%(c)s”这个选项（可填选项原文或序号 1–%(k)s）。") % {
                "q": where, "m": shown_if.question, "c": typed[:20], "k": len(source.choices)}, field="questions")
        if text not in texts:
            texts.append(text)
    if not texts:
        raise DomainError(_("%(q)s：请填写第 %(m)s 题选了哪些选项时显示这道题。") % {"q": where, "m": shown_if.question},
                          field="questions")
    return ShownIf(shown_if.question, tuple(texts))


def _stored_condition(q: QuestionInput, questions: list[QuestionInput]) -> dict | None:
    if q.shown_if is None:
        return None
    source = questions[q.shown_if.question - 1].choices
    return {"q": q.shown_if.question, "choices": sorted(source.index(c) for c in q.shown_if.choices)}


# --- drawing a survey up ---------------------------------------------------------------------------------
@dataclass
class SurveyInput:
    title: str
    year: int
    intro: str = ""
    closes_on: date | None = None
    anonymous: bool = False
    categories: list[Category] = field(default_factory=list)
    questions: list[QuestionInput] = field(default_factory=list)


def _snapshot(survey: Survey) -> dict:
    return {"title": survey.title, "year": survey.year, "state": survey.state, "anonymous": survey.anonymous,
            "closes_on": survey.closes_on.isoformat() if survey.closes_on else None,
            "questions": survey.questions.count()}


def _write(survey: Survey, data: SurveyInput) -> None:
    survey.title = clean_text(data.title, field="title", label=_("问卷名称"))
    survey.year = clean_year(data.year)
    survey.intro = (data.intro or "").strip()
    if len(survey.intro) > 2000:
        raise DomainError(_("填写说明不能超过 2000 字。"), field="intro")
    survey.closes_on = clean_closes_on(data.closes_on)
    survey.anonymous = data.anonymous or survey.kind == Kind.EVALUATION
    questions = clean_questions(data.questions)
    sessions = set(survey.klass.sessions.values_list("pk", flat=True)) if survey.klass_id else set()
    for n, q in enumerate(questions, 1):
        if q.session_id is not None and q.session_id not in sessions:
            raise DomainError(_("第 %(n)s 题对应的课次不属于本培训班，请刷新后重试。") % {"n": n}, field="questions")
    survey.save()
    if survey.kind == Kind.NEEDS:
        survey.categories.set(data.categories)
    survey.questions.all().delete()  # a draft has no answers yet
    Question.objects.bulk_create(
        Question(survey=survey, position=n, kind=q.kind, text=q.text, choices=q.choices, required=q.required,
                 max_choices=q.max_choices, session_id=q.session_id, topics=q.topics,
                 shown_if=_stored_condition(q, questions)) for n, q in enumerate(questions, 1))


@transaction.atomic
def create_survey(*, actor, org: Organization, data: SurveyInput) -> Survey:
    """A needs survey of ``org``, drawn up as a draft."""
    if not access.managed_orgs(actor).filter(pk=org.pk).exists():
        raise NotAllowed(_("您没有“%(org)s”的需求调研权限。") % {"org": org.name})
    survey = Survey(org=org, kind=Kind.NEEDS, created_by=actor)
    _write(survey, data)
    audit.record("survey.create", survey, actor=actor, after=_snapshot(survey), org_path=org.path)
    return survey


def preset_needs(year: int) -> SurveyInput:
    """The needs questionnaire to start from (the articles' topics and forms), for the user to edit."""
    return SurveyInput(title=_("%(y)s 年度干部培训需求调查问卷") % {"y": year}, year=year,
                       intro=_("为增强培训的针对性和实效性，请根据您的工作实际如实填写，约需 3 分钟。"),
                       questions=needs_questionnaire())


@transaction.atomic
def update_survey(*, actor, survey: Survey, data: SurveyInput) -> Survey:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    access.require_runner(actor, survey)
    if survey.state != State.DRAFT:
        raise Conflict(_("问卷已发布，题目不能再修改（已收到的答卷须对应原题）。"))
    before = _snapshot(survey)
    _write(survey, data)
    audit.record("survey.update", survey, actor=actor, before=before, after=_snapshot(survey), org_path=survey.org.path)
    return survey


@transaction.atomic
def start_evaluation(*, actor, klass: TrainingClass) -> Survey:
    """The class's evaluation questionnaire, drawn up from its sessions (or the one it already has)."""
    if not can_run(actor, klass):
        raise NotAllowed(_("只有主办单位或本班班主任可以发起培训评估。"))
    TrainingClass.objects.select_for_update().filter(pk=klass.pk).first()  # one evaluation, even when clicked twice
    existing = Survey.objects.filter(klass=klass).first()
    if existing:
        return existing
    if klass.status == TrainingClass.Status.CANCELLED:
        raise DomainError(_("培训班已取消，不能发起评估。"))
    survey = Survey(org=klass.organizer, kind=Kind.EVALUATION, klass=klass, created_by=actor)
    sessions = klass.sessions.select_related("lecturer").order_by("starts_at", "pk")
    _write(survey, SurveyInput(
        title=(_("《%(c)s》培训效果评估") % {"c": klass.title})[:200], year=klass.start_date.year,
        intro=_("本问卷匿名填写，结果只用于改进培训，请如实评价。1 分很不满意，5 分非常满意。"),
        anonymous=True, questions=evaluation_questionnaire(sessions)))
    audit.record("survey.create", survey, actor=actor, after=_snapshot(survey), org_path=klass.organizer.path)
    return survey


@transaction.atomic
def delete_survey(*, actor, survey: Survey) -> None:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    access.require_runner(actor, survey)
    if survey.state != State.DRAFT:
        raise Conflict(_("问卷已发布过，不能删除；可以结束它。"))
    audit.record("survey.delete", survey, actor=actor, before=_snapshot(survey), org_path=survey.org.path)
    survey.delete()


# --- opening and closing -----------------------------------------------------------------------------------
def _set_state(actor, survey: Survey, *, source: tuple[str, ...], target: str, refused: str) -> tuple[Survey, str]:
    """The survey moved to ``target``, and the state it was in (read under the row lock)."""
    survey = Survey.objects.select_for_update(of=("self",)).select_related("org", "klass").get(pk=survey.pk)
    access.require_runner(actor, survey)
    if survey.state not in source:
        raise Conflict(refused)
    before, previous = _snapshot(survey), survey.state
    survey.state = target
    now = timezone.now()
    if target == State.OPEN:
        survey.opened_at = now
        survey.closed_at = None
    else:
        survey.closed_at = now
    survey.save(update_fields=["state", "opened_at", "closed_at"])
    audit.record("survey.state", survey, actor=actor, before=before, after=_snapshot(survey), org_path=survey.org.path)
    return survey, previous


@transaction.atomic
def open_survey(*, actor, survey: Survey) -> int:
    """Open the survey to its audience and tell each of them who has an account; returns how many."""
    clean_closes_on(survey.closes_on)
    if survey.klass_id and survey.klass.status == TrainingClass.Status.CANCELLED:
        raise DomainError(_("培训班已取消，不能发布评估。"))
    survey, previous = _set_state(actor, survey, source=(State.DRAFT, State.CLOSED), target=State.OPEN,
                                  refused=_("问卷已在进行中。"))
    if previous == State.CLOSED:  # reopened: the audience was told when it first opened
        return 0
    title = _("请填写问卷：%(t)s") % {"t": survey.title}
    body = _("截止 %(d)s。") % {"d": f"{survey.closes_on:%Y-%m-%d}"} if survey.closes_on else ""
    url = survey.get_answer_url()
    return notify_each((user, title, body, url) for user in audience.accounts(survey))


@transaction.atomic
def set_closing_day(*, actor, survey: Survey, closes_on: date | None) -> Survey:
    """Move a published survey's closing day (延期, or an earlier end): questions stay frozen, the day does
    not. A new day brings a new reminder before it."""
    survey = Survey.objects.select_for_update(of=("self",)).select_related("org").get(pk=survey.pk)
    access.require_runner(actor, survey)
    clean_closes_on(closes_on)
    before = _snapshot(survey)
    survey.closes_on, survey.reminded_at = closes_on, None
    survey.save(update_fields=["closes_on", "reminded_at"])
    audit.record("survey.closing_day", survey, actor=actor, before=before, after=_snapshot(survey),
                 org_path=survey.org.path)
    return survey


@transaction.atomic
def close_survey(*, actor, survey: Survey) -> Survey:
    return _set_state(actor, survey, source=(State.OPEN,), target=State.CLOSED, refused=_("问卷不在进行中。"))[0]


REMIND_DAYS_BEFORE = 3


def remind_unanswered(*, today: date | None = None) -> dict:
    """Tell each account that has not answered an open survey closing within ``REMIND_DAYS_BEFORE`` days
    (the daily job); each survey reminds once, whatever the job's runs (``reminded_at``, set under the
    survey's lock in the same transaction as the notifications)."""
    today = today or timezone.localdate()
    due = Survey.objects.filter(state=State.OPEN, reminded_at__isnull=True, closes_on__gte=today,
                                closes_on__lte=today + timedelta(days=REMIND_DAYS_BEFORE))
    surveys = people = 0
    for survey_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            survey = Survey.objects.select_for_update().filter(pk=survey_id, reminded_at__isnull=True).first()
            if survey is None:  # another run took it
                continue
            survey.reminded_at = timezone.now()
            survey.save(update_fields=["reminded_at"])
            answered = Response.objects.filter(survey=survey).values("person_id")
            title = _("问卷即将截止，请尽快填写：%(t)s") % {"t": survey.title}
            body = _("截止 %(d)s。") % {"d": f"{survey.closes_on:%Y-%m-%d}"}
            people += notify_each((user, title, body, survey.get_answer_url())
                                  for user in audience.accounts(survey).exclude(person_id__in=answered))
            surveys += 1
    return {"surveys": surveys, "people": people}


# --- answering ---------------------------------------------------------------------------------------------
@dataclass
class AnswerInput:
    choices: list[int] = field(default_factory=list)
    other: str = ""
    score: int | None = None
    text: str = ""


class Unanswered(DomainError):
    """Some answers are missing or wrong: ``errors`` maps the question's id to what to do."""

    def __init__(self, errors: dict[int, str]):
        super().__init__(_("有 %(n)s 道题需要补充或修改，请看标红的题目。") % {"n": len(errors)}, field="answers")
        self.errors = errors


def _check_answer(question: Question, given: AnswerInput | None) -> Answer | str | None:
    """The answer to keep, a message saying what is wrong, or None when an optional question is skipped."""
    given = given or AnswerInput()
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        picked = list(dict.fromkeys(given.choices))
        if any(not 0 <= i < len(question.choices) for i in picked):
            return _("选项已变化，请刷新页面后重新选择。")
        if not picked:
            return _("请选择一项。") if question.kind == QuestionKind.SINGLE and question.required else (
                _("请至少选择一项。") if question.required else None)
        if question.kind == QuestionKind.SINGLE and len(picked) > 1:
            return _("只能选一项。")
        if question.max_choices and len(picked) > question.max_choices:
            return _("最多选 %(n)s 项，您选了 %(m)s 项。") % {"n": question.max_choices, "m": len(picked)}
        other = ""
        if any(is_other(question.choices[i]) for i in picked):
            other = " ".join(given.other.split())
            if not other:
                return _("选了“其他”，请写明是什么。")
            if len(other) > OTHER_LENGTH:
                return _("“其他”的说明不能超过 %(n)s 个字。") % {"n": OTHER_LENGTH}
        return Answer(question=question, choices=sorted(picked), other=other)
    if question.kind == QuestionKind.SCALE:
        if given.score is None:
            return _("请打分（1–5 分）。") if question.required else None
        if given.score not in SCORES:
            return _("分数须是 1–5 分。")
        return Answer(question=question, score=given.score)
    text = (given.text or "").strip()
    if not text:
        return _("请填写。") if question.required else None
    if len(text) > TEXT_ANSWER_LENGTH:
        return _("不能超过 %(n)s 个字（现有 %(m)s 个）。") % {"n": TEXT_ANSWER_LENGTH, "m": len(text)}
    return Answer(question=question, text=text)


def asked(questions: list[Question], answers: Mapping[int, AnswerInput | Answer]) -> list[Question]:
    """The questions, in order, that ``answers`` (given, or kept: by question id) lead to: a question with a
    condition is asked only when the question it depends on was asked and answered with one of its choices
    (its answer is otherwise dropped, and it is never required)."""
    picked: dict[int, set[int]] = {}  # position → choices given, for the questions asked
    out = []
    for q in questions:
        condition = q.condition
        if condition is not None and not picked.get(condition[0], set()) & set(condition[1]):
            continue
        given = answers.get(q.pk)
        picked[q.position] = set(given.choices) if given else set()
        out.append(q)
    return out


@transaction.atomic
def submit_response(*, person: Person, survey: Survey, answers: dict[int, AnswerInput],
                    entered_by=None) -> Response:
    """The person's answers, all at once: nothing is kept unless every answer is right. The person is the
    one logged in, or ``entered_by`` types in their paper questionnaire (who runs the survey, for someone
    of their sight); either way the person must be in its audience while it is open."""
    if entered_by is not None and not access.can_enter_for(entered_by, survey, person):
        raise NotAllowed(_("只有问卷的发起单位可以代为录入，且只能录入本范围内的人员。"))
    answered = _("“%(p)s”已经提交过这份问卷。") % {"p": person.name} if entered_by else _("您已经提交过这份问卷，谢谢！")
    if not access.answerable(person.pk).filter(pk=survey.pk).exists():
        if Response.objects.filter(survey=survey, person=person).exists():
            raise Conflict(answered)
        raise DomainError(_("这份问卷已结束或不面向您，无法提交。"))
    questions = list(survey.questions.order_by("position"))
    kept, errors = [], {}
    for question in asked(questions, answers):
        outcome = _check_answer(question, answers.get(question.pk))
        if isinstance(outcome, str):
            errors[question.pk] = outcome
        elif outcome is not None:
            kept.append(outcome)
    if errors:
        raise Unanswered(errors)
    try:
        with transaction.atomic():
            response = Response.objects.create(survey=survey, person=person, org_id=person.primary_org_id,
                                               entered_by=entered_by)
    except IntegrityError:
        raise Conflict(answered) from None
    for answer in kept:
        answer.response = response
    Answer.objects.bulk_create(kept)
    if entered_by is not None:  # who typed whose sheet in (not what it says: an anonymous survey stays so)
        audit.record("survey.response.enter", response, actor=entered_by, org_path=survey.org.path,
                     after={"survey": survey.pk, "person": person.pk})
    return response


# --- notes of visits, forums, calls and interviews ----------------------------------------------------------
@dataclass
class NoteInput:
    method: str
    held_on: date
    summary: str
    needs: str
    place: str = ""
    participants: int = 1


def _note_snapshot(note: Note) -> dict:
    return {"method": note.method, "held_on": note.held_on.isoformat(), "place": note.place,
            "participants": note.participants, "needs": note.needs}


def clean_needs(value: str) -> str:
    """The needs a note raised, one each, joined by 、 (as typed: commas, slashes, spaces between them)."""
    needs = "、".join(split_needs(value))
    if not needs:
        raise DomainError(_("请填写反映的培训需求，多个用顿号分隔。"), field="needs")
    if len(needs) > 300:
        raise DomainError(_("反映的培训需求不能超过 300 个字。"), field="needs")
    return needs


@transaction.atomic
def save_note(*, actor, org: Organization, data: NoteInput, note: Note | None = None) -> Note:
    if not access.managed_orgs(actor).filter(pk=org.pk).exists() or (
            note is not None and not access.visible_notes(actor).filter(pk=note.pk).exists()):
        raise NotAllowed(_("您没有“%(org)s”的需求调研权限。") % {"org": org.name})
    if data.method not in Method.values:
        raise DomainError(_("请选择调研方式。"), field="method")
    held_on = dates.clean_date(data.held_on, field="held_on", kept=note.held_on if note else None)
    summary = (data.summary or "").strip()
    if not summary:
        raise DomainError(_("请填写调研情况：谈了什么、反映了哪些问题。"), field="summary")
    if len(summary) > 5000:
        raise DomainError(_("调研情况不能超过 5000 字。"), field="summary")
    needs = clean_needs(data.needs)
    if not 1 <= (data.participants or 0) <= 10000:
        raise DomainError(_("参与人数须在 1—10000 之间。"), field="participants")
    before = _note_snapshot(note) if note else None
    note = note or Note(recorded_by=actor)
    note.org, note.method, note.held_on, note.year = org, data.method, held_on, held_on.year
    note.place = clean_text(data.place, field="place", label=_("地点"), required=False, max_length=100)
    note.summary, note.needs, note.participants = summary, needs, data.participants
    note.save()
    audit.record("survey.note.save", note, actor=actor, before=before, after=_note_snapshot(note), org_path=org.path)
    return note


@transaction.atomic
def delete_note(*, actor, note: Note) -> None:
    if not access.visible_notes(actor).filter(pk=note.pk).exists():
        raise NotAllowed(_("您没有这条调研记录的权限。"))
    audit.record("survey.note.delete", note, actor=actor, before=_note_snapshot(note), org_path=note.org.path)
    note.delete()
