from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingpei.core.forms import StyledForm, style_fields
from jingpei.roster.columns import COLUMNS
from jingpei.roster.models import RosterImport


class UploadForm(StyledForm):
    file = forms.FileField(label=_("花名册文件"), help_text=_("支持 .xlsx、.xls、.csv（UTF-8 或 GBK 编码）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}))


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


class MappingForm(StyledForm):
    """Which column of the file holds each field; guessed from the headers, corrected by the user."""

    on_duplicate = forms.ChoiceField(label=_("文件中已登记的人员"), choices=RosterImport.OnDuplicate.choices,
                                     widget=forms.RadioSelect)
    category_year = forms.IntegerField(label=_("人员类别所属年度"), min_value=2000, max_value=2100)

    def __init__(self, *args, roster_import: RosterImport, **kwargs):
        initial = {f"col_{k}": v for k, v in roster_import.mapping.items()}
        initial |= {"on_duplicate": roster_import.on_duplicate,
                    "category_year": roster_import.category_year or timezone.localdate().year}
        super().__init__(*args, initial=initial, **kwargs)
        choices = [("", _("— 不导入 —"))] + [
            (str(i), f"{column_letter(i)} {h or _('（无标题）')}") for i, h in enumerate(roster_import.headers)
        ]
        for column in COLUMNS:
            self.fields[f"col_{column.key}"] = forms.ChoiceField(
                label=column.header, choices=choices, required=column.required, help_text=column.note)
        self.order_fields([f"col_{c.key}" for c in COLUMNS] + ["on_duplicate", "category_year"])
        style_fields(self)  # the column fields were added after StyledForm styled the declared ones
        self.fields["on_duplicate"].widget.attrs["class"] = "form-check-input"

    def mapping(self) -> dict[str, int | None]:
        return {c.key: self.cleaned_data.get(f"col_{c.key}") or None for c in COLUMNS}
