"""Form plumbing shared by every app: Bootstrap classes, and domain errors shown on their field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

from jingpei.core import params
from jingpei.core.errors import DomainError


def checked(check, value, **kwargs):
    """A service's own check of one field, run in the form's ``clean_<field>``: its mistake is then
    reported beside the other fields' ones, in the same round (the service checks again when it acts)."""
    try:
        return check(value, **kwargs)
    except DomainError as exc:
        raise ValidationError(exc.message) from None


class StyledForm(forms.Form):
    """Adds Bootstrap's classes to every widget (so templates stay one include)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def add_domain_error(self, exc: DomainError) -> None:
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)


def add_formset_error(formset, message: str) -> None:
    """A service's refusal of the rows as a whole, shown above them (Django has no public way to add a
    formset's non-form error after validation: this is the one place that sets it)."""
    formset._non_form_errors = formset.error_class([message])


def show_domain_error(exc: DomainError, form: StyledForm, formset, *, rows_field: str) -> None:
    """Where a service's refusal of a form with rows belongs: above the rows when it names them, else beside
    the form's field."""
    if exc.field == rows_field:
        add_formset_error(formset, exc.message)
    else:
        form.add_domain_error(exc)


# A number typed larger than a database integer holds is a form error, never an overflow in the driver.
MAX_INTEGER = params.MAX_INTEGER


def _bounded_choices(field: forms.ModelChoiceField) -> None:
    """A choice of records by id: an id no database integer holds is refused as an invalid choice before the
    query (Django catches a non-numeric id, not "99999999999999999999", which overflows in the driver)."""
    clean = field.clean

    def bounded(value):
        for item in value if isinstance(value, (list, tuple)) else [value]:
            text = str(item).strip() if item is not None else ""
            if text.isdecimal() and params.number(text) is None:  # (the single choice's message names no value)
                raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice", params={"value": text})
        return clean(value)

    field.clean = bounded  # type: ignore[method-assign]


def style_fields(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            _bounded_choices(field)
            if getattr(field, "empty_label", None) == BLANK_CHOICE_DASH[0][1]:  # Django's dashes say nothing
                field.empty_label = _("请选择") if field.required else _("（不选）")
        if isinstance(field, forms.IntegerField) and field.max_value is None:
            field.max_value = MAX_INTEGER
            field.validators.append(MaxValueValidator(MAX_INTEGER))
            field.widget.attrs.setdefault("max", MAX_INTEGER)
        widget = field.widget
        if isinstance(widget, forms.DateInput) and widget.input_type == "date":
            # <input type="date"> reads ISO dates only; the locale's first input format (zh-hans: 2026/03/05)
            # left every edit form's dates blank, and saving an optional one (a rule's validity) cleared it
            widget.format = "%Y-%m-%d"
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
