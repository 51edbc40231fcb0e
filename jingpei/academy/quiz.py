"""The after-course test (课后测试): its questions, taking it, and the 学时 a pass earns.

A learner takes a course's test once every lesson is done. Every question weighs the same; a multiple-choice
question counts only when exactly the right options are chosen. A pass (score ≥ the course's pass mark)
credits what the ledger's "passed test" conversion rule gives (0.5 学时 as shipped; nothing when the rule is
switched off), once per person and course, through the ledger's service.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.academy.access import can_manage, studies
from jingpei.academy.models import Course, Enrollment, Question, QuestionKind, QuizAttempt
from jingpei.core import audit
from jingpei.core.errors import Conflict, DomainError, NotAllowed
from jingpei.core.locks import xact_lock
from jingpei.ledger.conversion import convert_hours
from jingpei.ledger.models import TrainingForm
from jingpei.ledger.services import credit_hours

TEST_PASSED = "test-passed"  # the conversion preset valuing a passed test, by the item
MAX_OPTIONS = 8
MAX_TEXT, MAX_OPTION = 2000, 300  # characters of a question and of an option
JUDGE_CHOICES = ["正确", "错误"]
_TRUE = {"A", "对", "正确", "√", "✓", "✔", "T", "TRUE", "Y", "YES", "是"}
_FALSE = {"B", "错", "错误", "×", "✗", "✘", "X", "F", "FALSE", "N", "NO", "否"}


def option_letters(raw: str) -> str:
    """"a, c" / "ＡＣ" / "A、C" → "AC" (full-width folded, separators dropped); anything else stays in."""
    text = unicodedata.normalize("NFKC", raw or "").upper()
    return "".join(ch for ch in text if not ch.isspace() and ch not in ",，、;；/")


def check_manager(actor, course: Course) -> None:
    if actor is not None and not can_manage(actor, course):
        raise NotAllowed(_("您没有管理该课程的权限。"))


def _answer_for(kind: str, raw: str, options: int) -> str:
    given = option_letters(raw)
    if kind == QuestionKind.JUDGE:
        if given in _TRUE:
            return "A"
        if given in _FALSE:
            return "B"
        raise DomainError(_("判断题的答案请填“对”或“错”。"), field="answer")
    if not given:
        raise DomainError(_("请填写正确答案的选项字母，如 A 或 AC。"), field="answer")
    last = chr(ord("A") + options - 1)
    wrong = sorted({ch for ch in given if not "A" <= ch <= last})
    if wrong:
        raise DomainError(_("答案“%(bad)s”不在选项 A–%(last)s 之中。") % {"bad": "".join(wrong), "last": last},
                          field="answer")
    letters = "".join(sorted(set(given)))
    if kind == QuestionKind.SINGLE and len(letters) != 1:
        raise DomainError(_("单选题只能有一个正确答案。"), field="answer")
    if kind == QuestionKind.MULTIPLE and len(letters) < 2:
        raise DomainError(_("多选题至少应有两个正确答案；只有一个时请选“单选题”。"), field="answer")
    return letters


@dataclass(frozen=True)
class CleanQuestion:
    kind: str
    text: str
    choices: list[str]
    answer: str


def clean_question(kind: str, text: str, choices: list[str] | tuple, answer: str) -> CleanQuestion:
    """A question as typed, checked and tidied, or a DomainError naming the field at fault. ``choices``
    are the option texts (ignored for a true/false question); ``answer`` the right letters as typed
    ("A", "a c", "ＡＣ"; "对"/"错")."""
    if kind not in QuestionKind.values:
        raise DomainError(_("未知的题型。"), field="kind")
    text = (text or "").strip()
    if not text:
        raise DomainError(_("请填写题目。"), field="text")
    if len(text) > MAX_TEXT:
        raise DomainError(_("题目不能超过 %(n)s 字（现有 %(got)s 字）。") % {"n": MAX_TEXT, "got": len(text)},
                          field="text")
    if kind == QuestionKind.JUDGE:
        options = list(JUDGE_CHOICES)
    else:
        options = [c.strip() for c in choices if c and c.strip()]
        if len(options) < 2 or len(options) > MAX_OPTIONS:
            raise DomainError(_("选择题须有 2 到 %(n)s 个选项（现有 %(got)s 个）。")
                              % {"n": MAX_OPTIONS, "got": len(options)}, field="choices")
        if len(set(options)) != len(options):
            raise DomainError(_("选项有重复，请检查。"), field="choices")
        if kind == QuestionKind.MULTIPLE and len(options) < 3:
            raise DomainError(_("多选题至少需要 3 个选项。"), field="choices")
        long = next((i for i, o in enumerate(options) if len(o) > MAX_OPTION), None)
        if long is not None:
            raise DomainError(_("选项 %(l)s 不能超过 %(n)s 字。") % {"l": chr(ord("A") + long), "n": MAX_OPTION},
                              field="choices")
    return CleanQuestion(kind, text, options, _answer_for(kind, answer, len(options)))


def add_question(*, actor, course: Course, kind: str, text: str, choices: list[str] | tuple = (),
                 answer: str) -> Question:
    """Add a question (see :func:`clean_question`) at the end of ``course``'s test."""
    check_manager(actor, course)
    q = clean_question(kind, text, choices, answer)
    with transaction.atomic():
        last = course.questions.aggregate(last=Max("order"))["last"] or 0
        question = Question.objects.create(course=course, order=last + 1, kind=q.kind, text=q.text,
                                           choices=q.choices, answer=q.answer)
        audit.record("academy.question.add", question, actor=actor, org_path=course.org.path,
                     after={"course": course.pk, "kind": q.kind, "text": q.text[:100], "answer": q.answer})
    return question


def update_question(*, actor, question: Question, kind: str, text: str, choices: list[str] | tuple = (),
                    answer: str) -> Question:
    """Correct a question (a typo, a wrong key). Results already given keep their scores and verdicts."""
    check_manager(actor, question.course)
    q = clean_question(kind, text, choices, answer)
    before = {"kind": question.kind, "text": question.text[:100], "choices": question.choices, "answer": question.answer}
    question.kind, question.text, question.choices, question.answer = q.kind, q.text, q.choices, q.answer
    with transaction.atomic():
        question.save(update_fields=["kind", "text", "choices", "answer"])
        audit.record("academy.question.update", question, actor=actor, org_path=question.course.org.path,
                     before=before, after={"kind": q.kind, "text": q.text[:100], "choices": q.choices, "answer": q.answer})
    return question


def delete_question(*, actor, question: Question) -> None:
    """Remove a question; results already given keep their scores."""
    course = question.course
    check_manager(actor, course)
    with transaction.atomic():
        audit.record("academy.question.delete", question, actor=actor, org_path=course.org.path,
                     before={"course": course.pk, "text": question.text[:100], "answer": question.answer})
        question.delete()


def set_rules(*, actor, course: Course, pass_percent, attempts) -> Course:
    """The pass mark (1–100) and the number of tries (0: no limit) of ``course``'s test."""
    check_manager(actor, course)
    try:
        pass_percent, attempts = int(pass_percent), int(attempts)
    except (TypeError, ValueError):
        raise DomainError(_("及格分和测试次数须为整数。")) from None
    if not 1 <= pass_percent <= 100:
        raise DomainError(_("及格分须在 1 到 100 之间。"), field="pass_percent")
    if not 0 <= attempts <= 99:
        raise DomainError(_("测试次数须在 0 到 99 之间（0 表示不限次数）。"), field="test_attempts")
    before = {"pass_percent": course.pass_percent, "test_attempts": course.test_attempts}
    course.pass_percent, course.test_attempts = pass_percent, attempts
    with transaction.atomic():
        course.save(update_fields=["pass_percent", "test_attempts"])
        audit.record("academy.course.test_rules", course, actor=actor, org_path=course.org.path, before=before,
                     after={"pass_percent": pass_percent, "test_attempts": attempts})
    return course


# --- taking the test -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class QuizState:
    """What the learner may do with a course's test now, and why not."""

    questions: int
    used: int
    best: int | None
    passed: bool
    lessons_done: bool
    allowed: int  # 0: no limit

    @property
    def left(self) -> int | None:
        return None if not self.allowed else max(0, self.allowed - self.used)

    @property
    def blocker(self) -> str:
        """Why the test cannot be taken now; empty when it can."""
        if not self.questions:
            return _("本课程没有测试。")
        if self.passed:
            return _("您已通过本课程测试。")
        if not self.lessons_done:
            return _("请先学完全部课节，再参加课后测试。")
        if self.left == 0:
            return _("测试次数已用完（共 %(n)s 次）。") % {"n": self.allowed}
        return ""


def reward() -> Decimal:
    """学时 a pass earns now (0 when the "passed test" rule is switched off)."""
    return convert_hours(form=TrainingForm.ONLINE, basis="item", quantity=1, code=TEST_PASSED)


def state_for(person, course: Course) -> QuizState:
    attempts = QuizAttempt.objects.filter(person=person, course=course).aggregate(
        used=Count("id"), best=Max("score"), passed=Count("id", filter=Q(passed=True)))
    lessons = course.lessons.count()
    done = not lessons or Enrollment.objects.filter(person=person, course=course, completed_at__isnull=False).exists()
    return QuizState(questions=course.questions.count(), used=attempts["used"], best=attempts["best"],
                     passed=bool(attempts["passed"]), lessons_done=done, allowed=course.test_attempts)


class Unanswered(DomainError):
    """Not every question was answered: nothing is recorded, and the page shows the answers given."""

    def __init__(self, numbers: list[int]):
        shown = "、".join(str(n) for n in numbers[:10]) + ("…" if len(numbers) > 10 else "")
        super().__init__(_("第 %(n)s 题未作答，请答完全部题目再交卷。") % {"n": shown}, field="answers")
        self.numbers = tuple(numbers)


def _given(question: Question, raw) -> str:
    """The learner's letters for ``question`` from the form (a list of option letters), sorted; "" if none
    is an option. Two letters sent for a single-choice question (a crafted request) are simply wrong."""
    valid = {letter for letter, _text in question.options}
    return "".join(sorted({option_letters(v) for v in (raw or [])} & valid))


def submit(*, person, course: Course, answers: dict[str, list[str]], question_ids: list[int],
           actor=None) -> QuizAttempt:
    """Grade and record one try. ``answers`` maps a question id (text) to the option letters chosen;
    ``question_ids`` are the questions the page showed (a test changed meanwhile is refused, unanswered).
    A pass credits the "passed test" hours once; a pass after a pass is refused."""
    if not studies(person, course.pk):
        raise NotAllowed(_("该课程不面向您，不能参加测试。"))
    with transaction.atomic():
        xact_lock(f"academy-quiz:{person.pk}:{course.pk}")  # two tabs submitting at once: one try each, in turn
        state = state_for(person, course)
        if state.blocker:
            raise Conflict(state.blocker, code="quiz_closed")
        questions = list(course.questions.all())
        if sorted(q.pk for q in questions) != sorted(question_ids):
            raise Conflict(_("测试题目已更新，请重新作答。"), code="quiz_changed")
        given = {str(q.pk): _given(q, answers.get(str(q.pk))) for q in questions}
        missing = [i for i, q in enumerate(questions, start=1) if not given[str(q.pk)]]
        if missing:
            raise Unanswered(missing)
        graded = {str(q.pk): {"given": given[str(q.pk)], "right": given[str(q.pk)] == q.answer} for q in questions}
        correct = sum(1 for g in graded.values() if g["right"])
        score = int((Decimal(100 * correct) / len(questions)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        now = timezone.now()
        attempt = QuizAttempt.objects.create(
            person=person, course=course, number=state.used + 1, submitted_at=now, correct=correct,
            total=len(questions), score=score, passed=score >= course.pass_percent, answers=graded)
        if attempt.passed:
            hours = reward()
            if hours > 0:  # the rule switched off: the pass is recorded, not credited
                attempt.ledger_entry = credit_hours(
                    person=person, hours=hours, form=TrainingForm.ONLINE, occurred_on=timezone.localdate(now),
                    idempotency_key=f"academy-test:{course.pk}:{person.pk}",
                    title=_("%(title)s（课后测试）") % {"title": course.title}, source_type="academy.test",
                    source_id=course.pk).entry
                attempt.save(update_fields=["ledger_entry"])
        audit.record("academy.test.submit", attempt, actor=actor, org_path=person.primary_org.path if person.primary_org_id else "",
                     after={"course": course.pk, "number": attempt.number, "score": score, "passed": attempt.passed})
    return attempt


@dataclass(frozen=True)
class Review:
    number: int
    question: Question
    given: str
    right: bool
    answer: str  # the right letters; "" while they are not shown


def review(attempt: QuizAttempt, *, show_answers: bool) -> list[Review]:
    """The attempt's questions that still exist, with what was given and whether it was right when graded
    (a question corrected since keeps its verdict); the right letters only when ``show_answers`` (after a
    pass, or once no try is left)."""
    rows = []
    for number, q in enumerate(attempt.course.questions.all(), start=1):
        graded = attempt.answers.get(str(q.pk))
        if graded is not None:  # None: added after this attempt
            rows.append(Review(number, q, _shown(q, graded["given"]), graded["right"],
                               _shown(q, q.answer) if show_answers else ""))
    return rows


def _shown(question: Question, letters: str) -> str:
    """Letters as the learner reads them: a true/false answer as 正确/错误."""
    if question.kind == QuestionKind.JUDGE:
        return dict(question.options).get(letters, letters)
    return letters


RESULT_FILTERS = ("passed", "failed")


def results(course: Course, people, *, only: str = ""):
    """Per person of ``people`` (the viewer's scope) who took ``course``'s test: best score, tries, passed;
    those not passed first, then by name (pinyin). ``only``: "passed" or "failed"."""
    rows = (QuizAttempt.objects.filter(course=course, person__in=people)
            .values("person_id", "person__name", "person__pinyin", "person__primary_org__name")
            .annotate(best=Max("score"), tries=Count("id"), passes=Count("id", filter=Q(passed=True)),
                      last=Max("submitted_at")))
    if only == "passed":
        rows = rows.filter(passes__gt=0)
    elif only == "failed":
        rows = rows.filter(passes=0)
    return rows.order_by("passes", "person__pinyin", "person_id")


def course_figures(course: Course, people) -> dict:
    """Of ``people`` (the viewer's scope): how many took the test and how many passed."""
    rows = QuizAttempt.objects.filter(course=course, person__in=people).aggregate(
        took=Count("person", distinct=True), passed=Count("person", distinct=True, filter=Q(passed=True)))
    rows["rate"] = round(rows["passed"] * 100 / rows["took"], 1) if rows["took"] else 0.0
    return rows
