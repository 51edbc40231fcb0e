"""A choice of records never offers Django's bare "---------": it says what choosing nothing means."""

from django import forms

from jingpei.core.forms import StyledForm
from jingpei.orgs.models import Organization


class _Form(StyledForm):
    needed = forms.ModelChoiceField(queryset=Organization.objects.none())
    optional = forms.ModelChoiceField(queryset=Organization.objects.none(), required=False)
    named = forms.ModelChoiceField(queryset=Organization.objects.none(), required=False, empty_label="全部组织")


def test_the_empty_choice_says_choose_or_none_unless_the_form_names_it(db):
    form = _Form()
    assert [str(f.empty_label) for f in form.fields.values()] == ["请选择", "（不选）", "全部组织"]
    assert "---------" not in str(form)


def test_a_leave_is_for_the_whole_class_unless_a_session_is_chosen(db):
    from jingpei.classes.forms import LeaveForm
    from jingpei.classes.models import Session

    html = str(LeaveForm(sessions=Session.objects.none()))
    assert "整个班次" in html and "---------" not in html
