"""Forms of the activities pages. They parse; the rules live in ``services``."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingpei.activities import services
from jingpei.activities.models import MeetingKind
from jingpei.core.errors import DomainError
from jingpei.core.forms import StyledForm, checked


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def split_names(text: str) -> list[str]:
    return [text] if text else []


class SessionForm(StyledForm):
    held_on = forms.DateField(label=_("学习日期"), widget=DateInput())
    topic = forms.CharField(label=_("学习主题"), max_length=200,
                            widget=forms.TextInput(attrs={"list": "topic-suggestions", "autocomplete": "off"}))
    hours = forms.DecimalField(label=_("时长（小时）"), max_digits=4, decimal_places=1,
                               widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}))
    course_id = forms.ModelChoiceField(label=_("网络学院课程"), queryset=None, required=False,
                                       empty_label=_("（不是网络学院的课程）"))
    courseware = forms.CharField(label=_("课件"), max_length=200, required=False,
                                 help_text=_("所用课件或视频的名称，如“党员教育电视片《…》”；选了网络学院课程可不填。"))
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    attendee_ids = forms.MultipleChoiceField(label=_("参加党员"), required=False, widget=forms.CheckboxSelectMultiple)
    guest_names = forms.CharField(label=_("列席人员"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text=_("非本支部人员，填写姓名，多人用逗号分隔。"))

    def __init__(self, *args, members=(), courses=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course_id"].queryset = courses
        self.fields["course_id"].label_from_instance = lambda c: f"{c.title}（{c.year}）"
        self.fields["attendee_ids"].choices = [(str(p.pk), p.name) for p in members]
        self.fields["attendee_ids"].widget.attrs["class"] = "form-check-input"
        self.fields["held_on"].widget.attrs["max"] = f"{timezone.localdate():%Y-%m-%d}"

    # The services' checks of single fields, here too: every mistake of the form in one round.
    def clean_held_on(self):
        return checked(services.clean_date, self.cleaned_data["held_on"], field="held_on")

    def clean_hours(self):
        return checked(services.clean_hours, self.cleaned_data["hours"])

    def clean(self):
        data = super().clean()
        if "attendee_ids" in data and "guest_names" in data:
            try:
                services.require_attendance(data["attendee_ids"], split_names(data["guest_names"].strip()))
            except DomainError as exc:
                self.add_error("attendee_ids", exc.message)
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"held_on": data["held_on"], "topic": data["topic"], "hours": data["hours"],
                "course_id": data["course_id"].pk if data["course_id"] else None,
                "courseware": data["courseware"], "place": data["place"],
                "attendee_ids": [int(i) for i in data["attendee_ids"]],
                "guest_names": split_names(data["guest_names"])}


class SessionEditForm(SessionForm):
    reason = forms.CharField(label=_("修改原因"), max_length=300, required=False,
                             help_text=_("参加人员或学时变化时，原学时将冲销并重新计入，请说明原因。"))

    def clean_held_on(self):  # an old session's own date may stay as it is
        return checked(services.clean_date, self.cleaned_data["held_on"], field="held_on", kept=self.initial.get("held_on"))

    def service_kwargs(self) -> dict:
        return {**super().service_kwargs(), "reason": self.cleaned_data["reason"]}


class AsOfForm(forms.Form):
    asof = forms.DateField(label=_("截至"), required=False, widget=DateInput())


class RuleForm(StyledForm):
    org = forms.ChoiceField(label=_("适用组织"))
    min_sessions_per_month = forms.IntegerField(label=_("每月至少集中学习次数"), min_value=0, max_value=31, initial=2)
    min_participation = forms.DecimalField(label=_("参学率不低于（%）"), min_value=0, max_value=100, decimal_places=1,
                                           initial=90)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [(str(o.pk), "　" * (o.depth - 1) + o.name) for o in orgs]


class MeetingForm(StyledForm):
    held_on = forms.DateField(label=_("会议日期"), widget=DateInput())
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    subject = forms.CharField(label=_("会议主题"), max_length=200)
    organizer = forms.ChoiceField(label=_("主办单位"))
    hours = forms.DecimalField(label=_("计入学时"), max_digits=4, decimal_places=1,
                               widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}))
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    attendee_ids = forms.MultipleChoiceField(label=_("参会人员"), required=False, widget=forms.CheckboxSelectMultiple)
    sheet = forms.FileField(label=_("导入签到表"), required=False,
                            help_text=_("Excel 文件，含“姓名”列，最好再有“身份证号”或“手机号”列。"),
                            widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls"}))

    def clean_held_on(self):
        return checked(services.clean_date, self.cleaned_data["held_on"], field="held_on")

    def clean_hours(self):
        return checked(services.clean_hours, self.cleaned_data["hours"])

    def __init__(self, *args, organizers=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizer"].choices = [(str(o.pk), o.name) for o in organizers]
        self.fields["attendee_ids"].choices = [(str(p.pk), f"{p.name}（{p.primary_org.name}）") for p in people]
        self.fields["attendee_ids"].widget.attrs["class"] = "form-check-input"
        self.fields["held_on"].widget.attrs["max"] = f"{timezone.localdate():%Y-%m-%d}"
