"""The online academy (干部网络学院): courses, lessons, and what each learner has honestly watched."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Topic(models.Model):
    name = models.CharField(_("专题"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("课程专题")

    def __str__(self) -> str:
        return self.name


class CourseKind(models.TextChoices):
    MANDATORY = "mandatory", _("必修")
    ELECTIVE = "elective", _("选修")


class CourseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)


class Course(models.Model):
    """A course offered to the people of ``org``'s subtree (optionally only some categories) in ``year``.

    ``org`` is both the owner (who manages it) and the audience root (who may take it).
    """

    org = models.ForeignKey("orgs.Organization", verbose_name=_("开课组织"), on_delete=models.PROTECT,
                            related_name="courses")
    title = models.CharField(_("课程名称"), max_length=200)
    description = models.TextField(_("课程简介"), blank=True)
    lecturer = models.CharField(_("主讲人"), max_length=100, blank=True)
    topics = models.ManyToManyField(Topic, verbose_name=_("专题"), blank=True, related_name="courses")
    # Hundredths: a micro-course is worth 0.25 学时 (the ledger, in tenths, gets a year's running total).
    credit_hours = models.DecimalField(_("学时"), max_digits=6, decimal_places=2, default=Decimal("1.0"))
    # The hours follow the lessons' total length through the ledger's conversion rules (30 minutes or more
    # 1 学时, 15–30 minutes 0.5, shorter a micro-course 0.25), recomputed when a lesson is added and when
    # the rules change.
    hours_from_rules = models.BooleanField(_("按折算规则计学时"), default=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类别"), max_length=20, choices=CourseKind.choices, default=CourseKind.ELECTIVE)
    recommended = models.BooleanField(_("脱贫攻坚网络课程"), default=False)
    audience = models.ManyToManyField("orgs.Category", verbose_name=_("面向人员类别"), blank=True,
                                      related_name="courses", help_text=_("不选则面向全部人员。"))
    complete_share = models.DecimalField(_("完成比例"), max_digits=3, decimal_places=2, default=Decimal("0.90"),
                                         help_text=_("每节课观看达到该比例即视为完成。"))
    published = models.BooleanField(_("已发布"), default=True)
    # The after-course test (课后测试): taken once every lesson is done; a pass earns what the "passed
    # test" conversion rule gives (0.5 学时 as shipped), once per person and course.
    pass_percent = models.PositiveSmallIntegerField(_("测试及格分"), default=60)
    test_attempts = models.PositiveSmallIntegerField(_("测试次数上限"), default=3, help_text=_("0 表示不限次数。"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("网络课程")
        ordering = ["-year", "kind", "title"]
        indexes = [models.Index(fields=["year", "kind"], name="academy_course_year_kind_idx")]

    def __str__(self) -> str:
        return self.title


class LessonKind(models.TextChoices):
    VIDEO = "video", _("视频")
    DOCUMENT = "document", _("文档")
    TEXT = "text", _("图文")


class Lesson(models.Model):
    """One part of a course. ``duration_seconds`` is the length of the video, or for a document or text
    the reading time it asks for: the timeline on which watched intervals are kept."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    title = models.CharField(_("课节名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=LessonKind.choices)
    media = models.FileField(_("文件"), upload_to="academy/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=50, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    body = models.TextField(_("正文"), blank=True)
    duration_seconds = models.PositiveIntegerField(_("时长（秒）"), default=0)

    class Meta:
        verbose_name = _("课节")
        ordering = ["course", "order", "id"]

    def __str__(self) -> str:
        return self.title


class Enrollment(models.Model):
    """A person taking a course: made when they first open one of its lessons."""

    # Both lookups are served by the composite indexes below: no separate foreign-key indexes to maintain.
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="academy_enrollments",
                               db_index=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments", db_index=False)
    started_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    ledger_entry = models.ForeignKey("ledger.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "course"], name="academy_enrollment_unique")]
        indexes = [models.Index(fields=["course", "completed_at"], name="academy_enrol_course_idx")]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.course_id}"


class Progress(models.Model):
    """What one person has watched of one lesson.

    ``intervals`` holds the watched parts of the lesson's timeline as sorted, disjoint ranges in tenths
    of a second, in a compact text form (``"0-150,300-615"``): a lesson is rarely watched in more than a few
    pieces, so this stays tens of bytes where a row per heartbeat would be thousands of rows.
    ``anchor_at``/``anchor_pos`` are the last heartbeat that can start a credited segment (``anchor_pos``
    is null after a hidden, late, seeking or refused heartbeat: the next one only re-anchors).
    """

    # Every heartbeat rewrites this row: the foreign keys get no indexes of their own (the unique
    # (person, lesson) and the (lesson, person) index serve both lookups), so fewer indexes to maintain.
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="academy_progress",
                               db_index=False)
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress", db_index=False)
    intervals = models.TextField(default="", blank=True)
    watched_seconds = models.PositiveIntegerField(default=0)
    position = models.FloatField(default=0)  # resume point, any device
    anchor_at = models.DateTimeField(null=True, blank=True)
    anchor_pos = models.FloatField(null=True, blank=True)
    last_seq = models.BigIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "lesson"], name="academy_progress_unique")]
        indexes = [models.Index(fields=["lesson", "person"], name="academy_progress_lesson_idx")]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.lesson_id}"


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选题")
    MULTIPLE = "multiple", _("多选题")
    JUDGE = "judge", _("判断题")


class Question(models.Model):
    """One question of a course's test. ``choices`` are the options' texts in order (A, B, C…); ``answer``
    the letters of the right ones, sorted ("AC"). A true/false question has the options 正确 and 错误."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("题号"), default=1)
    kind = models.CharField(_("题型"), max_length=10, choices=QuestionKind.choices)
    text = models.TextField(_("题目"))
    choices = models.JSONField(_("选项"), default=list)
    answer = models.CharField(_("正确答案"), max_length=10)

    class Meta:
        verbose_name = _("测试题")
        ordering = ["course", "order", "id"]

    def __str__(self) -> str:
        return self.text[:30]

    @property
    def options(self) -> list[tuple[str, str]]:
        """(letter, text) of each option; a true/false question's in the reader's language."""
        if self.kind == QuestionKind.JUDGE:
            return [("A", str(_("正确"))), ("B", str(_("错误")))]
        return [(chr(ord("A") + i), text) for i, text in enumerate(self.choices)]


class QuizAttempt(models.Model):
    """One submitted test. The score and answers are kept as given: a question edited or removed later
    does not change a past result."""

    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="academy_attempts",
                               db_index=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="attempts", db_index=False)
    number = models.PositiveSmallIntegerField()
    submitted_at = models.DateTimeField()
    correct = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField()  # percent, rounded half up
    passed = models.BooleanField()
    answers = models.JSONField(default=dict)  # question id (text) → {"given": letters, "right": bool}
    ledger_entry = models.ForeignKey("ledger.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "course", "number"], name="academy_attempt_unique")]
        indexes = [models.Index(fields=["course", "passed"], name="academy_attempt_course_idx")]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.course_id}#{self.number}"


class PlaySession(models.Model):
    """The one device that may credit study time for a person, now.

    Opening a lesson on any device replaces ``token``: the old device's heartbeats no longer find their
    session and stop crediting. ``cookie_hash`` binds the token to the browser session that opened it,
    so a heartbeat needs both. A presence check falls due at ``check_due_at``; unanswered, it stops
    credit ``PRESENCE_GRACE`` later.
    """

    person = models.OneToOneField("orgs.Person", on_delete=models.CASCADE, related_name="academy_play")
    progress = models.ForeignKey(Progress, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)  # unique: Meta.constraints (looked up whole: no LIKE twin)
    cookie_hash = models.CharField(max_length=64)
    started_at = models.DateTimeField()
    check_due_at = models.DateTimeField()
    check_code = models.CharField(max_length=8)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token"], name="academy_play_token_unique")]
        indexes = [models.Index(fields=["started_at"], name="academy_play_started_idx")]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.progress_id}"


def course_visible_q(paths: list[str], prefix: str = "") -> Q:
    """Courses whose audience root is an ancestor-or-self of one of ``paths``."""
    ancestors = {p[:i] for p in paths for i in range(4, len(p) + 1, 4)}
    return Q(**{f"{prefix}org__path__in": sorted(ancestors)})
