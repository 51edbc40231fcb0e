from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jingpei.classes.models import ClassForm, Tier
from jingpei.core.forms import StyledForm
from jingpei.orgs.models import Category

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ClassCreateForm(StyledForm):
    title = forms.CharField(label=_("班次名称"), max_length=200)
    organizer = forms.ModelChoiceField(label=_("主办单位"), queryset=None)
    plan = forms.ModelChoiceField(label=_("所属年度计划"), queryset=None, required=False)
    tier = forms.ChoiceField(label=_("层级"), choices=Tier.choices)
    form = forms.ChoiceField(label=_("形式"), choices=ClassForm.choices)
    topics = forms.CharField(label=_("专题"), max_length=300, required=False)
    start_date = forms.DateField(label=_("开班日期"), widget=DATE)
    end_date = forms.DateField(label=_("结业日期"), widget=DATE)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    itinerary = forms.CharField(label=_("行程（考察点/讲堂站点，每行一站）"), required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))
    capacity = forms.IntegerField(label=_("容量（人）"), min_value=1)
    head = forms.ModelChoiceField(label=_("班主任"), queryset=None, required=False)
    audience_orgs = forms.ModelMultipleChoiceField(label=_("面向组织"), queryset=None, required=False)
    audience_categories = forms.ModelMultipleChoiceField(label=_("面向人员类别"), queryset=None, required=False)
    full_time = forms.BooleanField(label=_("脱产培训（请假超过 1/7 作退学处理）"), required=False, initial=True)
    min_attendance = forms.DecimalField(label=_("最低出勤比例"), min_value=0, max_value=1, initial="0.80",
                                        decimal_places=2)
    require_reflection = forms.BooleanField(label=_("须交培训心得"), required=False)
    late_after_minutes = forms.IntegerField(label=_("开课后几分钟算迟到"), min_value=0, initial=10)

    def __init__(self, *args, orgs, plans, heads, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["head"].queryset = heads
        if orgs is not None:
            self.fields["organizer"].queryset = orgs
            self.fields["plan"].queryset = plans
            self.fields["audience_orgs"].queryset = orgs
            self.fields["audience_categories"].queryset = Category.objects.filter(active=True)


class SessionForm(StyledForm):
    subject = forms.CharField(label=_("课程"), max_length=200)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME)
    hours = forms.DecimalField(label=_("学时"), max_digits=4, decimal_places=1, min_value=0)
    lecturer = forms.ModelChoiceField(label=_("授课专家"), queryset=None, required=False)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)

    def __init__(self, *args, lecturers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lecturer"].queryset = lecturers


class QuotaForm(StyledForm):
    org = forms.ModelChoiceField(label=_("单位"), queryset=None)
    seats = forms.IntegerField(label=_("名额"), min_value=0)

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs


class NominateForm(StyledForm):
    person = forms.ModelChoiceField(label=_("推荐人员"), queryset=None)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda p: f"{p.name}（{p.primary_org.name}）"


class LeaveForm(StyledForm):
    session = forms.ModelChoiceField(label=_("课次"), queryset=None, required=False, empty_label=_("整个班次"))
    reason = forms.CharField(label=_("请假事由"), max_length=300)

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions


class CancelForm(StyledForm):
    reason = forms.CharField(label=_("取消原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("将通知名单上的每位学员及其推荐人。"),
                             error_messages={"required": _("请填写取消原因。")})


class ReflectionForm(StyledForm):
    text = forms.CharField(label=_("心得内容"), widget=forms.Textarea(attrs={"rows": 8}))
    attachment = forms.FileField(label=_("附件（可选，10 MB 以内）"), required=False)


class PlanForm(StyledForm):
    org = forms.ModelChoiceField(label=_("组织单位"), queryset=None)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("计划名称"), max_length=200)
    total_target = forms.IntegerField(label=_("总目标（人次）"), min_value=0)
    topics = forms.CharField(label=_("培训专题"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    budget_note = forms.CharField(label=_("预算安排"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs


class TargetForm(StyledForm):
    tier = forms.ChoiceField(label=_("层级"), choices=[("", _("不限")), *Tier.choices], required=False)
    form = forms.ChoiceField(label=_("形式"), choices=[("", _("不限")), *ClassForm.choices], required=False)
    category = forms.ModelChoiceField(label=_("人员类别"), queryset=None, required=False)
    target = forms.IntegerField(label=_("目标（人次）"), min_value=1)

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories


class LecturerForm(StyledForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    title = forms.CharField(label=_("职称/职务"), max_length=100, required=False)
    affiliation = forms.CharField(label=_("工作单位"), max_length=200, required=False)
    subjects = forms.CharField(label=_("擅长专题"), max_length=300, required=False)
    owner_org = forms.ModelChoiceField(label=_("所属组织"), queryset=None)

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_org"].queryset = orgs


class ClassEditForm(ClassCreateForm):
    """The create form without what fixes a class's place in the plan (organizer, plan, audience)."""

    def __init__(self, *args, heads, **kwargs):
        super().__init__(*args, orgs=None, plans=None, heads=heads, **kwargs)
        for name in ("organizer", "plan", "audience_orgs", "audience_categories"):
            del self.fields[name]
