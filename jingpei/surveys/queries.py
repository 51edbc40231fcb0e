"""Read side of the surveys: a survey's results, question by question; who answered, by organisation; the
scores of sessions and their lecturers; what a year's notes asked for. Plain data for pages and exports."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Avg, Count, F, Q, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jingpei.orgs.models import Organization
from jingpei.surveys import audience
from jingpei.surveys.models import Answer, Kind, Note, Question, QuestionKind, Response, Survey
from jingpei.surveys.presets import is_other

TEXTS_SHOWN = 100
OTHERS_SHOWN = 20


def percent(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal(0)
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Tally:
    label: str
    count: int
    percent: Decimal
    url_topic: str = ""  # a topic to open a class on ("其他" is none)


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    tallies: list[Tally] = field(default_factory=list)  # choices (ranked for a multiple choice) or scores 5…1
    mean: Decimal | None = None
    texts: list[str] = field(default_factory=list)  # the latest written answers
    more_texts: int = 0
    others: list[tuple[str, int]] = field(default_factory=list)  # "其他" spelt out, most often first
    condition: str = ""  # its display condition in words (then ``answered`` counts those it was shown to)


@dataclass
class OrgRow:
    org: Organization
    audience: int
    responses: int

    @property
    def rate(self) -> Decimal:
        return percent(self.responses, self.audience)


@dataclass
class Results:
    survey: Survey
    audience: int
    responses: int
    questions: list[QuestionResult]
    by_org: list[OrgRow]

    @property
    def rate(self) -> Decimal:
        return percent(self.responses, self.audience)


def _mean(total: int | Decimal, n: int) -> Decimal | None:
    return (Decimal(total) / n).quantize(Decimal("0.01"), ROUND_HALF_UP) if n else None


# The database counts the choices: each answer keeps the indexes it picked as a JSON array, unnested by the
# database's own JSON function (the ORM has no portable way to unnest an array). Read into Python instead,
# 20,000 answer sheets took 2.3× the hand SQL (bench/survey_results.py).
CHOICE_COUNTS = {
    "postgresql": "SELECT a.question_id, e.value::int, count(*) FROM surveys_answer a "
                  "CROSS JOIN LATERAL jsonb_array_elements_text(a.choices) AS e(value) "
                  "WHERE a.question_id = ANY(%s) GROUP BY 1, 2",
    "sqlite": "SELECT a.question_id, CAST(e.value AS INTEGER), count(*) FROM surveys_answer a, json_each(a.choices) e "
              "WHERE a.question_id IN (SELECT value FROM json_each(%s)) GROUP BY 1, 2",
}


def _choice_counts(question_ids: list[int]) -> dict[int, Counter[int]]:
    counts: dict[int, Counter[int]] = defaultdict(Counter)
    if not question_ids:
        return counts
    vendor = connection.vendor
    with connection.cursor() as cursor:
        cursor.execute(CHOICE_COUNTS[vendor], [question_ids if vendor == "postgresql" else json.dumps(question_ids)])
        for qid, index, n in cursor.fetchall():
            counts[qid][index] = n
    return counts


def _question_result(question: Question, answered: int, counts: Counter[int]) -> QuestionResult:
    result = QuestionResult(question, answered=answered)
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        result.tallies = [Tally(label, counts[i], percent(counts[i], answered), "" if is_other(label) else label)
                          for i, label in enumerate(question.choices)]
        if question.kind == QuestionKind.MULTIPLE:  # what most asked for first
            result.tallies.sort(key=lambda t: -t.count)
    elif question.kind == QuestionKind.SCALE:
        result.tallies = [Tally(str(s), counts[s], percent(counts[s], answered)) for s in range(5, 0, -1)]
        result.mean = _mean(sum(s * n for s, n in counts.items()), answered)
    return result


def results(survey: Survey) -> Results:
    """Every question's figures in a fixed number of queries, however many answered: the database counts."""
    questions = list(survey.questions.order_by("position"))
    answers = Answer.objects.filter(question__survey=survey)
    answered = dict(answers.values_list("question_id").annotate(n=Count("pk")).order_by())
    counts = _choice_counts([q.pk for q in questions if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)])
    for qid, score, n in (answers.filter(score__isnull=False).values_list("question_id", "score")
                          .annotate(n=Count("pk")).order_by()):
        counts[qid][score] = n
    shown = [_question_result(q, answered.get(q.pk, 0), counts[q.pk]) for q in questions]
    for result, text in zip(shown, conditions(questions), strict=True):
        result.condition = text
    others: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for qid, other, n in (answers.exclude(other="").values_list("question_id", "other").annotate(n=Count("pk"))
                          .order_by("-n", "other")):
        if len(others[qid]) < OTHERS_SHOWN:
            others[qid].append((other, n))
    for result in shown:
        result.others = others[result.question.pk]
        if result.question.kind == QuestionKind.TEXT and result.answered:  # a questionnaire has one or two
            result.texts = list(answers.filter(question=result.question).exclude(text="").order_by("-pk")
                                .values_list("text", flat=True)[:TEXTS_SHOWN])
            result.more_texts = max(0, result.answered - len(result.texts))
    people = audience.people(survey)
    return Results(survey, audience=people.count(), responses=survey.responses.count(), questions=shown,
                   by_org=by_org(survey, people))


def by_org(survey: Survey, people) -> list[OrgRow]:
    """Audience and responses under each child of the survey's organisation (a needs survey's coverage,
    township by township); an evaluation's trainees come from anywhere, so it has none."""
    if survey.kind != Kind.NEEDS:
        return []
    cut = survey.org.child_cut
    children = list(Organization.objects.get_children(survey.org).filter(archived_at__isnull=True))
    sizes = dict(people.annotate(child=Substr("primary_org__path", 1, cut)).values_list("child")
                 .annotate(n=Count("pk")).order_by())
    answered = dict(survey.responses.annotate(child=Substr("org__path", 1, cut)).values_list("child")
                    .annotate(n=Count("pk")).order_by())
    return [OrgRow(c, sizes.get(c.path, 0), answered.get(c.path, 0)) for c in children]


@dataclass
class SessionScore:
    session_id: int
    subject: str
    class_title: str
    starts_at: object
    lecturer: str
    mean: Decimal | None
    n: int


def session_scores(answers) -> list[SessionScore]:
    """Mean score of each session in ``answers`` (a queryset of answers to session questions)."""
    rows = (answers.filter(question__session__isnull=False, score__isnull=False)
            .values("question__session_id", subject=F("question__session__subject"),
                    class_title=F("question__session__klass__title"), starts_at=F("question__session__starts_at"),
                    lecturer=F("question__session__lecturer__name"))
            .annotate(mean=Avg("score"), n=Count("pk")).order_by("-starts_at"))
    return [SessionScore(r["question__session_id"], r["subject"], r["class_title"], r["starts_at"], r["lecturer"] or "",
                         Decimal(str(r["mean"])).quantize(Decimal("0.01"), ROUND_HALF_UP) if r["mean"] else None, r["n"])
            for r in rows]


def teaching_scores(user) -> list[SessionScore]:
    """The lecturer's own sessions' scores (the lecturer in the pool linked to this account)."""
    return session_scores(Answer.objects.filter(question__session__lecturer__user_id=user.pk))


def lecturer_scores(lecturer) -> list[SessionScore]:
    return session_scores(Answer.objects.filter(question__session__lecturer=lecturer))


def overall(scores: list[SessionScore]) -> Decimal | None:
    n = sum(s.n for s in scores if s.mean is not None)
    return _mean(sum((s.mean * s.n for s in scores if s.mean is not None), Decimal(0)), n)


def needs_in_notes(notes) -> list[tuple[str, int]]:
    """The needs the notes named, most often named first (ties in a fixed order)."""
    counts: Counter[str] = Counter()
    for needs in notes.values_list("needs", flat=True):
        counts.update(Note(needs=needs).need_list())
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


@dataclass
class YearTotals:
    """What a subtree's year report says of its needs surveys and class evaluations (年终有总结)."""

    needs_surveys: int
    needs_answers: int
    notes: int
    evaluated_classes: int
    evaluation_answers: int
    mean_score: Decimal | None  # of every score given in those evaluations
    satisfied: Decimal  # the share of those scores at 4 or 5 (满意、非常满意), in %


def year_totals(root: Organization, year: int) -> YearTotals:
    """Surveys run by the subtree's organisations in ``year``, and the evaluations of the classes it
    organised; aggregates only, a handful of queries whatever the size."""
    needs = Survey.objects.filter(kind=Kind.NEEDS, year=year, org__path__startswith=root.path).exclude(state="draft")
    evaluations = Survey.objects.filter(kind=Kind.EVALUATION, klass__start_date__year=year,
                                        klass__organizer__path__startswith=root.path).exclude(state="draft")
    scores = Answer.objects.filter(question__survey__in=evaluations, score__isnull=False).aggregate(
        n=Count("pk"), good=Count("pk", filter=Q(score__gte=4)), total=Sum("score"))
    return YearTotals(
        needs_surveys=needs.count(), needs_answers=Response.objects.filter(survey__in=needs).count(),
        notes=Note.objects.filter(year=year, org__path__startswith=root.path).count(),
        evaluated_classes=evaluations.count(), evaluation_answers=Response.objects.filter(survey__in=evaluations).count(),
        mean_score=_mean(scores["total"] or 0, scores["n"]), satisfied=percent(scores["good"], scores["n"]))


def topic_ranking(surveys) -> list[tuple[str, int]]:
    """The training topics the surveys' respondents chose (their questions marked as topics), summed by
    name across the surveys, most chosen first (其他 left out: it names no topic)."""
    questions = list(Question.objects.filter(survey__in=surveys, topics=True).values_list("pk", "choices"))
    counts = _choice_counts([pk for pk, _choices in questions])
    totals: Counter[str] = Counter()
    for pk, choices in questions:
        for index, n in counts[pk].items():
            if index < len(choices) and not is_other(choices[index]):
                totals[choices[index]] += n
    return sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))


@dataclass
class PlanFindings:
    """What the year's needs survey found, beside the annual plan it decides (年初: needs survey → plan)."""

    surveys: list[Survey]
    topics: list[tuple[str, int]]
    notes: int
    note_needs: list[tuple[str, int]]


def plan_findings(surveys, notes) -> PlanFindings | None:
    """``surveys``, ``notes``: what the viewer may see of the plan's organisation and year."""
    surveys = list(surveys.filter(kind=Kind.NEEDS).exclude(state="draft").order_by("-opened_at", "pk"))
    note_count = notes.count()
    if not surveys and not note_count:
        return None
    return PlanFindings(surveys, topic_ranking(surveys)[:8], note_count, needs_in_notes(notes)[:8])


def condition_text(position: int, choices: list[str]) -> str:
    """A display condition in words: 第 6 题选“参加过”时作答."""
    return _("第 %(n)s 题选%(c)s时作答") % {"n": position, "c": pgettext("choices joined", "或").join(f"“{c}”" for c in choices)}


def conditions(questions: list[Question]) -> list[str]:
    """Each question's display condition in words ("" for none), ``questions`` being the whole survey's."""
    at = {q.position: q for q in questions}
    return [condition_text(q.condition[0], [at[q.condition[0]].choices[i] for i in q.condition[1]]) if q.condition else ""
            for q in questions]
