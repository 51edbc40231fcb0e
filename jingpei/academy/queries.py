"""Read side of the academy: "my study", coverage and course figures for the organisation department."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from jingpei.academy.access import learner_courses, staff_courses_q, stats_people
from jingpei.academy.models import Course, CourseKind, Enrollment, Lesson, Progress, Question, QuizAttempt
from jingpei.core.permissions import Perm
from jingpei.ledger.models import LedgerEntry, TrainingForm
from jingpei.orgs.access import scope_roots
from jingpei.orgs.models import Organization
from jingpei.orgs.queries import subtree_people_counts

# The online-study rule of the articles (每月不少于 5 学时、每年不少于 60 学时). The ledger's rules engine
# owns rules as data; until it lands here, "my study" shows this one.
MONTH_TARGET = Decimal("5")
YEAR_TARGET = Decimal("60")


@dataclass
class CourseProgress:
    course: Course
    watched: int
    duration: int
    lessons: int
    lessons_done: int
    completed: bool

    @property
    def share(self) -> int:
        return min(100, round(100 * self.watched / self.duration)) if self.duration else 0


@dataclass
class MyStudy:
    month_hours: Decimal
    year_hours: Decimal
    month_target: Decimal
    year_target: Decimal
    watched_seconds: int
    in_progress: list[CourseProgress] = field(default_factory=list)
    completed: list[CourseProgress] = field(default_factory=list)
    next_courses: list[Course] = field(default_factory=list)
    tests_due: list[Course] = field(default_factory=list)  # completed, with a test not passed and tries left

    @property
    def watched_minutes(self) -> int:
        return self.watched_seconds // 60

    @property
    def month_pct(self) -> int:
        return min(100, int(100 * self.month_hours / self.month_target)) if self.month_target else 100

    @property
    def year_pct(self) -> int:
        return min(100, int(100 * self.year_hours / self.year_target)) if self.year_target else 100


# The forms the online-study rule counts (the ledger's preset: 5 h a month, 60 a year of online study).
ONLINE_FORMS = (TrainingForm.ONLINE, TrainingForm.EXTERNAL)


def ledger_hours(person_id: int, start: date, end: date) -> Decimal:
    """Online-study hours credited to the person in ``[start, end)`` (reversals included)."""
    total = LedgerEntry.objects.filter(
        person_id=person_id, occurred_on__gte=start, occurred_on__lt=end, form__in=ONLINE_FORMS
    ).aggregate(s=Sum("hours"))["s"]
    return total or Decimal("0")


def course_progress(person, courses) -> list[CourseProgress]:
    course_ids = [c.pk for c in courses]
    lesson_rows = Lesson.objects.filter(course_id__in=course_ids).values("course_id").annotate(
        n=Count("id"), seconds=Sum("duration_seconds"))
    totals = {r["course_id"]: r for r in lesson_rows}
    progress_rows = Progress.objects.filter(person=person, lesson__course_id__in=course_ids).values(
        "lesson__course_id").annotate(w=Sum("watched_seconds"), done=Count("id", filter=Q(completed_at__isnull=False)))
    watched = {r["lesson__course_id"]: r for r in progress_rows}
    completed = set(Enrollment.objects.filter(person=person, course_id__in=course_ids, completed_at__isnull=False)
                    .values_list("course_id", flat=True))
    out = []
    for c in courses:
        t, w = totals.get(c.pk, {}), watched.get(c.pk, {})
        out.append(CourseProgress(course=c, watched=w.get("w") or 0, duration=t.get("seconds") or 0,
                                  lessons=t.get("n") or 0, lessons_done=w.get("done") or 0,
                                  completed=c.pk in completed))
    return out


def my_study(person, *, today: date | None = None) -> MyStudy:
    today = today or timezone.localdate()
    month_start = today.replace(day=1)
    next_month = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    year_start, next_year = date(today.year, 1, 1), date(today.year + 1, 1, 1)
    enrolled = list(Course.objects.filter(enrollments__person=person).order_by("-enrollments__started_at"))
    progress = course_progress(person, enrolled)
    watched = Progress.objects.filter(person=person).aggregate(s=Sum("watched_seconds"))["s"] or 0
    # What to take next: this year's courses for the person not yet begun, mandatory first, then the
    # poverty-alleviation recommendations, then electives.
    next_courses = list(
        learner_courses(person).filter(year=today.year).exclude(enrollments__person=person)
        .order_by("kind", "-recommended", "title")[:10]
    )
    next_courses.sort(key=lambda c: (c.kind != CourseKind.MANDATORY, not c.recommended, c.title))
    completed = [p.course for p in progress if p.completed]
    return MyStudy(
        month_hours=ledger_hours(person.pk, month_start, next_month),
        year_hours=ledger_hours(person.pk, year_start, next_year),
        month_target=MONTH_TARGET, year_target=YEAR_TARGET, watched_seconds=watched,
        in_progress=[p for p in progress if not p.completed], completed=[p for p in progress if p.completed],
        next_courses=next_courses, tests_due=tests_due(person, completed),
    )


def tests_due(person, courses: list[Course]) -> list[Course]:
    """Of ``courses`` (completed), those with a test the person has not passed and may still take. Two
    queries, however many courses."""
    ids = [c.pk for c in courses]
    with_questions = set(Question.objects.filter(course_id__in=ids).values_list("course_id", flat=True).distinct())
    tries = {r["course_id"]: r for r in QuizAttempt.objects.filter(person=person, course_id__in=ids)
             .values("course_id").annotate(n=Count("id"), passed=Count("id", filter=Q(passed=True)))}
    return [c for c in courses if c.pk in with_questions and not tries.get(c.pk, {}).get("passed")
            and (not c.test_attempts or tries.get(c.pk, {}).get("n", 0) < c.test_attempts)]


# --- organisation department -------------------------------------------------------------------------
@dataclass
class CoverageRow:
    org: Organization
    people: int
    registered: int
    started: int

    @property
    def registered_pct(self) -> int:
        return round(100 * self.registered / self.people) if self.people else 0

    @property
    def started_pct(self) -> int:
        return round(100 * self.started / self.people) if self.people else 0


def coverage(user) -> list[CoverageRow]:
    """Per child organisation of each root of the user's scope (and the root itself, first): people,
    people with an account (registered), people who began a course (activated). Three GROUP BYs a level."""
    rows: list[CoverageRow] = []
    has_account = Q(person__user__isnull=False)
    started = Q(Exists(Enrollment.objects.filter(person_id=OuterRef("person_id"))))
    for root in scope_roots(user, Perm.ACADEMY_VIEW):
        children = list(Organization.objects.filter(path__startswith=root.path, depth=root.depth + 1,
                                                    archived_at__isnull=True).order_by("path"))
        for level, orgs in ((len(root.path), [root]), (root.child_cut, children)):
            if not orgs:
                continue
            base = Q(org__path__startswith=root.path)
            people = subtree_people_counts(level, base)
            registered = subtree_people_counts(level, base & has_account)
            active = subtree_people_counts(level, base & started)
            rows.extend(CoverageRow(org=o, people=people.get(o.path, 0), registered=registered.get(o.path, 0),
                                    started=active.get(o.path, 0)) for o in orgs)
    return rows


def not_started(user):
    """People of the user's scope who have not begun any course."""
    return (stats_people(user).active().filter(~Exists(Enrollment.objects.filter(person_id=OuterRef("pk"))))
            .select_related("primary_org").order_by("pinyin", "id"))


@dataclass
class CourseRow:
    course: Course
    enrolled: int
    completed: int
    avg_share: int  # average watched share of the enrolled, in percent
    tested: int = 0  # people who passed the course's test


def course_rows(user, *, year: int | None = None) -> list[CourseRow]:
    """Per course the user may see as staff: enrolled, completed, average watched share and test passes,
    counting only people of the user's scope. Four grouped queries whatever the number of courses."""
    courses = Course.objects.filter(staff_courses_q(user)).select_related("org").order_by("-year", "kind", "title")
    if year:
        courses = courses.filter(year=year)
    courses = list(courses)
    ids = [c.pk for c in courses]
    in_scope = Exists(stats_people(user).filter(pk=OuterRef("person_id")))
    enrol = {r["course_id"]: r for r in Enrollment.objects.filter(in_scope, course_id__in=ids).values("course_id")
             .annotate(n=Count("id"), done=Count("id", filter=Q(completed_at__isnull=False)))}
    watched = {r["lesson__course_id"]: r["w"] or 0 for r in Progress.objects.filter(in_scope, lesson__course_id__in=ids)
               .values("lesson__course_id").annotate(w=Sum("watched_seconds"))}
    length = {r["course_id"]: r["s"] or 0 for r in Lesson.objects.filter(course_id__in=ids).values("course_id")
              .annotate(s=Sum("duration_seconds"))}
    tested = dict(QuizAttempt.objects.filter(in_scope, course_id__in=ids, passed=True).values("course_id")
                  .annotate(n=Count("person_id", distinct=True)).values_list("course_id", "n"))
    out = []
    for c in courses:
        n = enrol.get(c.pk, {}).get("n", 0)
        total = n * length.get(c.pk, 0)
        out.append(CourseRow(course=c, enrolled=n, completed=enrol.get(c.pk, {}).get("done", 0),
                             avg_share=min(100, round(100 * watched.get(c.pk, 0) / total)) if total else 0,
                             tested=tested.get(c.pk, 0)))
    return out
