from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from jingpei.academy.models import CourseKind, LessonKind, QuestionKind
from jingpei.core.forms import StyledForm
from jingpei.core.permissions import Perm
from jingpei.orgs.access import visible_orgs
from jingpei.orgs.models import Category


class CourseForm(StyledForm):
    org = forms.ModelChoiceField(label=_("开课组织（面向其下全部人员）"), queryset=None)
    title = forms.CharField(label=_("课程名称"), max_length=200)
    lecturer = forms.CharField(label=_("主讲人"), max_length=100, required=False)
    description = forms.CharField(label=_("课程简介"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    topics = forms.CharField(label=_("专题"), required=False, help_text=_("多个专题用逗号分隔，如：乡村振兴，扶贫产业"))
    credit_hours = forms.DecimalField(
        label=_("学时"), max_digits=5, decimal_places=1, initial=Decimal("1.0"), required=False,
        help_text=_("留空则按学时折算规则由课程总时长计算（如 30 分钟及以上计 1 学时，15–30 分钟计 0.5 学时，不足 15 分钟的微课计 0.25 学时），增加课节后自动更新。"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("类别"), choices=CourseKind.choices)
    recommended = forms.BooleanField(label=_("列入脱贫攻坚网络课程"), required=False)
    audience = forms.ModelMultipleChoiceField(label=_("面向人员类别"), queryset=Category.objects.filter(active=True),
                                              required=False, help_text=_("不选则面向全部人员。"))
    complete_share = forms.DecimalField(label=_("完成比例"), max_digits=3, decimal_places=2, initial=Decimal("0.90"),
                                        help_text=_("每节课观看达到该比例即视为完成，例如 0.9。"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = visible_orgs(user, Perm.ACADEMY_MANAGE).filter(archived_at__isnull=True).order_by("path")

    def clean_topics(self):
        raw = self.cleaned_data["topics"].replace("，", ",").replace("、", ",")
        return [t.strip() for t in raw.split(",") if t.strip()]


class LessonForm(StyledForm):
    title = forms.CharField(label=_("课节名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类型"), choices=LessonKind.choices)
    media = forms.FileField(label=_("文件（视频 MP4/WebM 或 PDF 文档）"), required=False)
    body = forms.CharField(label=_("正文（图文课节）"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    reading_minutes = forms.IntegerField(label=_("要求阅读时长（分钟，文档/图文）"), min_value=1, max_value=600,
                                         required=False)


MAX_QUESTION_FILE = 2 * 1024 * 1024  # 500 questions of text are far below this


class QuestionForm(StyledForm):
    kind = forms.ChoiceField(label=_("题型"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("题目"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    choices = forms.CharField(label=_("选项（每行一个，依次为 A、B、C…；判断题不填）"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    answer = forms.CharField(label=_("正确答案"), max_length=20,
                             help_text=_("填选项字母，如 A；多选题如 ACD；判断题填“对”或“错”。"))

    def clean_choices(self):
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]


class TestRulesForm(StyledForm):
    pass_percent = forms.IntegerField(label=_("及格分（百分制）"), min_value=1, max_value=100)
    test_attempts = forms.IntegerField(label=_("测试次数上限"), min_value=0, max_value=99,
                                       help_text=_("0 表示不限次数。"))


class QuestionFileForm(StyledForm):
    file = forms.FileField(label=_("题库文件（.xlsx、.xls 或 .csv）"),
                           help_text=_("按模板填写：题型、题目、选项A–选项H（可增减列）、答案；每行一题。"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_QUESTION_FILE:
            raise forms.ValidationError(_("文件过大（上限 2 MB）。"))
        return upload
