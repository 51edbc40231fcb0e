"""Form plumbing shared by every app: Bootstrap classes, and domain errors shown on their field."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator

from jingpei.core.errors import DomainError


class StyledForm(forms.Form):
    """Adds Bootstrap's classes to every widget (so templates stay one include)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def add_domain_error(self, exc: DomainError) -> None:
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)


# The largest value a 32-bit database integer holds: a number typed larger is a form error, never an
# overflow deep in the database driver (a 500).
MAX_INTEGER = 2_147_483_647


def style_fields(form: forms.BaseForm) -> None:
    for field in form.fields.values():
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
