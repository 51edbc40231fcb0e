"""Questionnaires: the needs survey of the start of the year (需求调研, whose findings decide the classes),
the evaluation of a class by its trainees (培训效果评估, each session and its lecturer scored), and the
notes of the other ways a needs survey is done: visits, forums, phone inquiries, interviews
(走访、座谈、电话问询、个别访谈).

A survey is drawn up as a draft, opened to its audience, and closed. Its questions are frozen once it is
open, so every answer counts against the question it was given. A person answers once; an anonymous
survey keeps who answered (so nobody answers twice) but its results and exports never name them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jingpei.orgs.models import Organization


class Kind(models.TextChoices):
    NEEDS = "needs", _("培训需求调研")
    EVALUATION = "evaluation", _("培训效果评估")


class State(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选")
    MULTIPLE = "multiple", _("多选")
    SCALE = "scale", _("评分（1–5 分）")
    TEXT = "text", _("文字回答")


class Method(models.TextChoices):
    """The needs survey's ways other than the questionnaire."""

    VISIT = "visit", _("走访")
    FORUM = "forum", _("座谈")
    PHONE = "phone", _("电话问询")
    INTERVIEW = "interview", _("个别访谈")


class Survey(models.Model):
    org = models.ForeignKey(Organization, verbose_name=_("发起单位"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.NEEDS)
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("问卷名称"), max_length=200)
    intro = models.TextField(_("填写说明"), blank=True)
    # an evaluation belongs to one class and is answered by its trainees
    klass = models.ForeignKey("classes.TrainingClass", verbose_name=_("培训班"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="evaluations")
    # a needs survey is answered by the people of ``org``'s subtree, of these categories when any are set
    categories = models.ManyToManyField("orgs.Category", verbose_name=_("面向人员类别"), blank=True, related_name="+")
    anonymous = models.BooleanField(_("匿名"), default=False,
                                    help_text=_("匿名问卷的结果和导出不显示填写人。"))
    closes_on = models.DateField(_("截止日期"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # when those who had not answered were reminded that the closing day is near (once per survey)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("问卷")
        ordering = ["-year", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["klass"], condition=Q(klass__isnull=False), name="survey_one_per_class"),
            models.CheckConstraint(condition=Q(kind="evaluation", klass__isnull=False) | Q(kind="needs", klass__isnull=True),
                                   name="survey_class_iff_evaluation"),
        ]
        indexes = [models.Index(fields=["state", "year"], name="survey_state_year_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("surveys:detail", args=[self.pk])

    def get_answer_url(self) -> str:
        return reverse("surveys:answer", args=[self.pk])

    @property
    def state_color(self) -> str:
        return {State.DRAFT: "secondary", State.OPEN: "success", State.CLOSED: "dark"}[State(self.state)]


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions", db_index=False)
    position = models.PositiveSmallIntegerField(_("序号"))
    kind = models.CharField(_("题型"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("题目"), max_length=200)
    choices = models.JSONField(_("选项"), default=list, blank=True)  # ["乡村振兴政策", …] for single / multiple
    required = models.BooleanField(_("必答"), default=True)
    max_choices = models.PositiveSmallIntegerField(_("最多选几项"), default=0)  # 0: any number
    # the choices are training topics: the results offer to open a class on each
    topics = models.BooleanField(_("选项为培训专题"), default=False)
    # an evaluation's score of one session of the class (and so of its lecturer)
    session = models.ForeignKey("classes.Session", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="evaluation_questions")
    # 显示条件 (skip logic): {"q": position of an earlier choice question, "choices": [indexes]}; the question is
    # asked only of those who picked one of those choices there (and who were asked that question). Null: always.
    shown_if = models.JSONField(_("显示条件"), null=True, blank=True)

    class Meta:
        verbose_name = _("题目")
        ordering = ["survey_id", "position"]
        constraints = [models.UniqueConstraint(fields=["survey", "position"], name="survey_question_position_unique")]

    def __str__(self) -> str:
        return self.text

    @property
    def condition(self) -> tuple[int, list[int]] | None:
        """(position of the question it depends on, choice indexes that show it), or None."""
        return (self.shown_if["q"], self.shown_if["choices"]) if self.shown_if else None


class Response(models.Model):
    """One person's answers to one survey, given all at once."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses", db_index=False)
    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+")
    # where the person worked when answering: results are broken down by it
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    # who typed a paper questionnaire in for the person (代为录入); empty when the person answered
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("答卷")
        ordering = ["submitted_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["survey", "person"], name="survey_response_once")]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.person_id}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers", db_index=False)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choices = models.JSONField(default=list, blank=True)  # indexes into the question's choices
    other = models.CharField(max_length=100, blank=True)  # "其他" spelt out
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="survey_answer_once")]

    def __str__(self) -> str:
        return f"{self.response_id}:{self.question_id}"


class Note(models.Model):
    """A needs-survey record of a visit, forum, phone inquiry or interview (调研记录)."""

    org = models.ForeignKey(Organization, verbose_name=_("调研单位"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    method = models.CharField(_("调研方式"), max_length=10, choices=Method.choices)
    held_on = models.DateField(_("调研日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    participants = models.PositiveIntegerField(_("参与人数"), default=1)
    summary = models.TextField(_("调研情况"))
    needs = models.CharField(_("反映的培训需求"), max_length=300, help_text=_("用顿号或逗号分隔，如：电商营销、村集体经济"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("调研记录")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.held_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:note_edit", args=[self.pk])

    def need_list(self) -> list[str]:
        from jingpei.surveys.presets import split_needs

        return split_needs(self.needs)
