"""Forms of the survey pages: the questionnaire editor (a formset, one card a question), the answer sheet
built from a survey's questions, and the note of a visit or forum. The services check again when they act."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from jingpei.core.dates import clean_date
from jingpei.core.forms import StyledForm, checked, style_fields
from jingpei.surveys import services
from jingpei.surveys.models import Method, QuestionKind


class DateInput(forms.DateInput):
    input_type = "date"


class SurveyForm(StyledForm):
    title = forms.CharField(label=_("问卷名称"), max_length=200)
    year = forms.IntegerField(label=_("年度"))
    org = forms.IntegerField(label=_("发起单位"), widget=forms.HiddenInput)
    intro = forms.CharField(label=_("填写说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    closes_on = forms.DateField(label=_("截止日期"), required=False, widget=DateInput())
    categories = forms.TypedMultipleChoiceField(label=_("面向人员类别"), required=False, coerce=int,
                                                help_text=_("不选：发起单位及下级的全部人员；可多选。"))
    anonymous = forms.BooleanField(label=_("匿名填写（结果和导出不显示填写人）"), required=False)

    def __init__(self, *args, categories=(), evaluation=False, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = [(c.pk, c.name) for c in categories]
        self.fields["categories"].widget.attrs["size"] = min(8, max(3, len(self.fields["categories"].choices)))
        if editing:  # a survey stays with the organisation it was drawn up for
            del self.fields["org"]
        if evaluation:  # an evaluation is the class's, anonymous, for its trainees
            for name in ("categories", "anonymous"):
                del self.fields[name]

    def clean_year(self):
        return checked(services.clean_year, self.cleaned_data["year"])

    def clean_closes_on(self):
        return checked(services.clean_closes_on, self.cleaned_data["closes_on"])


class ClosingDayForm(forms.Form):
    closes_on = forms.DateField(label=_("截止日期"), required=False, widget=DateInput(attrs={"class": "form-control form-control-sm"}))

    def clean_closes_on(self):
        return checked(services.clean_closes_on, self.cleaned_data["closes_on"])


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("题型"), choices=[("", _("请选择")), *QuestionKind.choices])
    text = forms.CharField(label=_("题目"), max_length=200)
    choices = forms.CharField(label=_("选项（每行一个）"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("单选、多选题填写；写一个“其他”选项，填写人须注明内容。"))
    max_choices = forms.IntegerField(label=_("最多选几项"), required=False, min_value=0, max_value=services.MAX_CHOICES,
                                     help_text=_("多选题：0 或不填为不限。"))
    required = forms.BooleanField(label=_("必答"), required=False, initial=True)
    topics = forms.BooleanField(label=_("选项为培训专题"), required=False,
                                help_text=_("结果页可按选中最多的专题直接开班。"))
    session = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # 显示条件: the question it depends on is named by its row in this editor (the form's index, which deleting
    # or adding rows never changes); app.js keeps the options' labels (第 N 题：题目) as the rows change.
    show_if_q = forms.ChoiceField(label=_("仅当这道题"), required=False)
    show_if_choices = forms.CharField(label=_("选了这些选项时才显示"), required=False, max_length=500,
                                      help_text=_("选项原文或序号，多个用顿号分隔，如：参加过"))

    def __init__(self, *args, index: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
        self.fields["kind"].widget.attrs["data-switch"] = ""
        # any row above this one (the service says when that row is no choice question)
        self.fields["show_if_q"].choices = [("", _("（总是显示）"))] + [
            (str(i), _("第 %(n)s 题") % {"n": i + 1}) for i in range(index or 0)]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        lines = [c for c in (data.get("choices") or "").splitlines() if c.strip()]
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and len(lines) < 2:
            self.add_error("choices", _("选择题至少要有两个选项，每行一个。"))
        data["choice_list"] = lines
        return data

    def as_input(self, positions: dict[int, int]) -> services.QuestionInput:
        """The question as typed; ``positions`` maps the editor's rows kept (form index) to their number in
        the survey, into which its condition is translated (0, which the service refuses, for a row dropped)."""
        d = self.cleaned_data
        shown_if = None
        if d.get("show_if_q") or (d.get("show_if_choices") or "").strip():  # the service says what is missing
            source = positions.get(int(d["show_if_q"]), 0) if d.get("show_if_q") else 0
            shown_if = services.ShownIf(source, tuple(split_choices(d.get("show_if_choices") or "")))
        return services.QuestionInput(d["kind"], d["text"], d["choice_list"], d["required"], d.get("max_choices") or 0,
                                      d.get("session"), d["topics"], shown_if)


def split_choices(text: str) -> list[str]:
    """Choices named in a condition: separated by 、，,；; or a new line (a choice may hold a space)."""
    return [c.strip() for c in re.split(r"[、，,；;\n]+", text) if c.strip()]


class BaseQuestionFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = _("删除这道题")
        form.fields["DELETE"].widget.attrs.update({"class": "form-check-input"})

    def clean(self):
        if any(self.errors):
            return
        kept = self._kept()
        if not kept:
            raise forms.ValidationError(_("问卷至少要有一道题。"))
        rows = {str(self.forms.index(f)) for f in kept}
        for n, f in enumerate(kept, 1):
            source = f.cleaned_data.get("show_if_q")
            if source and source not in rows:
                raise forms.ValidationError(_("第 %(n)s 题的显示条件所依据的题目已删除，请重新选择或清除条件。") % {"n": n})

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "index": index}

    def _kept(self) -> list:
        return [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]

    def inputs(self) -> list[services.QuestionInput]:
        kept = self._kept()
        positions = {self.forms.index(f): n for n, f in enumerate(kept, 1)}
        return [f.as_input(positions) for f in kept]


QuestionFormSet = forms.formset_factory(QuestionForm, formset=BaseQuestionFormSet, extra=1, can_delete=True,
                                        max_num=services.MAX_QUESTIONS, validate_max=True,
                                        absolute_max=services.MAX_QUESTIONS + 5)


def question_initial(questions) -> list[dict]:
    questions = list(questions)
    choices_at = {n: q.choices for n, q in enumerate(questions, 1)}

    def condition(q) -> dict:  # a stored question's, or a preset's (services.ShownIf, choices as texts); the
        if not q.shown_if:     # editor's rows are the questions in order, so question N is row N - 1
            return {}
        if isinstance(q.shown_if, services.ShownIf):
            return {"show_if_q": str(q.shown_if.question - 1), "show_if_choices": "、".join(q.shown_if.choices)}
        return {"show_if_q": str(q.shown_if["q"] - 1),
                "show_if_choices": "、".join(choices_at[q.shown_if["q"]][i] for i in q.shown_if["choices"])}

    return [{"kind": q.kind, "text": q.text, "choices": "\n".join(q.choices), "max_choices": q.max_choices or None,
             "required": q.required, "session": q.session_id, "topics": q.topics, **condition(q)} for q in questions]


class NoteForm(StyledForm):
    org = forms.IntegerField(label=_("调研单位"), widget=forms.HiddenInput)
    method = forms.ChoiceField(label=_("调研方式"), choices=[("", _("请选择")), *Method.choices])
    held_on = forms.DateField(label=_("调研日期"), widget=DateInput())
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    participants = forms.IntegerField(label=_("参与人数"), min_value=1, max_value=10000, initial=1)
    summary = forms.CharField(label=_("调研情况"), max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 5, "placeholder": _("走访了谁、座谈了什么、反映了哪些问题")}))
    needs = forms.CharField(label=_("反映的培训需求"), max_length=300,
                            help_text=_("用顿号或逗号分隔，如：电商营销、村集体经济"))

    def clean_needs(self):
        return checked(services.clean_needs, self.cleaned_data["needs"])

    def clean_held_on(self):
        return checked(clean_date, self.cleaned_data["held_on"], field="held_on", kept=self.initial.get("held_on"))


def _number(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # a tampered or stale value: the service names it as a changed choice


def answers_from(data, questions) -> dict[int, services.AnswerInput]:
    """The answer sheet's POST (``q<id>``, ``q<id>-other``) as the service's answers."""
    answers = {}
    for q in questions:
        key = f"q{q.pk}"
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            answers[q.pk] = services.AnswerInput(choices=[_number(v) for v in data.getlist(key)],
                                                 other=data.get(f"{key}-other", ""))
        elif q.kind == QuestionKind.SCALE:
            raw = data.get(key)
            answers[q.pk] = services.AnswerInput(score=_number(raw) if raw else None)
        else:
            answers[q.pk] = services.AnswerInput(text=data.get(key, ""))
    return answers
