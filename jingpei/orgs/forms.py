from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingpei.core.errors import DomainError
from jingpei.core.forms import StyledForm
from jingpei.orgs import ranks
from jingpei.orgs.choices import ETHNICITY_CHOICES, Gender, OrgKind, PoliticalStatus, RankLevel
from jingpei.orgs.idnumbers import parse_id_number, validate_phone
from jingpei.orgs.models import Category, Organization
from jingpei.orgs.services import clean_person_name


class OrgForm(StyledForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=OrgKind.choices)


class OrgPickField(forms.IntegerField):
    """An organisation chosen with the search picker (the id travels in a hidden input)."""

    widget = forms.HiddenInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("error_messages", {"required": _("请选择组织。"), "invalid": _("请选择组织。")})
        super().__init__(*args, **kwargs)


class MoveForm(StyledForm):
    new_parent = OrgPickField(label=_("移动到（新的上级组织）"))


class PersonForm(StyledForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号"), max_length=30, help_text=_("18 位公民身份号码；出生日期和性别将据此自动填写。")
    )
    gender = forms.ChoiceField(
        label=_("性别"), choices=[("", _("按身份证号"))] + list(Gender.choices), required=False
    )
    birth_date = forms.DateField(
        label=_("出生日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("可不填；填写时须与身份证号一致。"),
    )
    ethnicity = forms.ChoiceField(label=_("民族"), choices=ETHNICITY_CHOICES, initial="汉族")
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    political_status = forms.ChoiceField(
        label=_("政治面貌"), choices=PoliticalStatus.choices, initial="masses"
    )
    position = forms.CharField(label=_("职务"), max_length=100, required=False)
    rank_level = forms.ChoiceField(
        label=_("职级"), choices=[("", "—")] + list(RankLevel.choices), required=False
    )
    rank_since = forms.DateField(
        label=_("任现职级时间"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("晋升职级时请同时修改；新提任的领导干部按学时规则享有宽限期。"),
    )
    primary_org = OrgPickField(label=_("所在组织"))
    categories = forms.ModelMultipleChoiceField(
        label=_("人员类别（本年度）"),
        queryset=Category.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.fields["categories"].widget.attrs["class"] = "form-check-input"
        if editing:
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _("不修改请留空。")
            self.fields["phone"].help_text = _("不修改请留空；填写“-”清除。")

    # The service checks these again; checking them here too shows every field's problem in one answer
    # (an official who forgot the organisation learned of a wrong ID number only on the next try).
    def clean_name(self) -> str:
        value = self.cleaned_data["name"]
        _domain_check(clean_person_name, value)
        return value

    def clean_id_number(self) -> str:
        value = self.cleaned_data["id_number"]
        if value or not self.editing:  # blank while editing keeps the number
            _domain_check(parse_id_number, value)
        return value

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"]
        if value.strip() != "-":  # "-" clears the number when editing
            _domain_check(validate_phone, value)
        return value

    def clean_rank_since(self):
        value = self.cleaned_data["rank_since"]
        rank = self.cleaned_data.get("rank_level", "")
        _domain_check(lambda v: ranks.check(rank, v, birth_date=None, today=timezone.localdate()), value)
        return value

    def category_year(self) -> int:
        return timezone.localdate().year


class PeopleFilterForm(forms.Form):
    q = forms.CharField(required=False)
    org = forms.IntegerField(required=False, min_value=1, max_value=2_147_483_647)
    category = forms.IntegerField(required=False, min_value=1, max_value=2_147_483_647)
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100)
    archived = forms.BooleanField(required=False)


def _domain_check(check, value) -> None:
    try:
        check(value)
    except DomainError as exc:
        raise forms.ValidationError(exc.message) from None


def org_label(org: Organization | None) -> str:
    return org.name if org else ""
