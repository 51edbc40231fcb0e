"""Forms of the funds pages. The services check again when they act; the forms run the single-field
checks (core.forms.checked) so every mistake shows in one round."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingpei.core.errors import DomainError
from jingpei.core.forms import MAX_INTEGER, StyledForm, checked, style_fields
from jingpei.funds import services
from jingpei.funds.models import Item


class DateInput(forms.DateInput):
    input_type = "date"


def _labelled(form: forms.Form) -> None:
    """A formset row is a table row: its fields are named by the column heading, and by aria-label."""
    style_fields(form)
    for field in form.fields.values():
        field.widget.attrs.setdefault("aria-label", str(field.label))


def _amount_field(label):
    return forms.CharField(label=label, max_length=20,
                           widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": _("如 12000.00")}))


class BudgetForm(StyledForm):
    title = forms.CharField(label=_("预算名称"), max_length=200)
    year = forms.IntegerField(label=_("年度"))
    org = forms.IntegerField(label=_("预算单位"), widget=forms.HiddenInput)
    plan = forms.TypedChoiceField(label=_("对应年度培训计划"), required=False, coerce=int, empty_value=None)
    note = forms.CharField(label=_("编制说明"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [("", _("（不选）"))] + [(p.pk, f"{p.year} {p.title}") for p in plans]

    def clean_year(self):
        return checked(services.clean_year, self.cleaned_data["year"])


class LineForm(forms.Form):
    item = forms.ChoiceField(label=_("科目"), choices=[("", _("请选择")), *Item.choices])
    description = forms.CharField(label=_("用途说明"), max_length=200, required=False)
    amount = _amount_field(_("金额（元）"))
    training_class = forms.TypedChoiceField(label=_("对应培训班"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, classes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["training_class"].choices = [("", _("（不选）"))] + [(c.pk, c.title) for c in classes]
        _labelled(self)

    def clean_amount(self):
        return checked(services.clean_amount, self.cleaned_data["amount"])


class BaseLineFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].widget.attrs.update({"class": "form-check-input", "aria-label": str(_("删除这一行"))})

    def clean(self):
        if any(self.errors):
            return
        if not [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]:
            raise forms.ValidationError(_("预算至少要有一条明细：选科目、填金额。"))


LineFormSet = forms.formset_factory(LineForm, formset=BaseLineFormSet, extra=2, can_delete=True,
                                    max_num=50, validate_max=True, absolute_max=60)


class AdjustmentForm(StyledForm):
    reason = forms.CharField(label=_("调整理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("调整须写明理由，如“增开一期致富带头人培训班”。")})


class ChangeForm(forms.Form):
    """One row of an adjustment: an existing line (``line`` set; only its amount is typed) or a new one."""

    line = forms.IntegerField(required=False, widget=forms.HiddenInput, max_value=MAX_INTEGER)
    item = forms.ChoiceField(label=_("科目"), choices=[("", _("请选择")), *Item.choices], required=False)
    description = forms.CharField(label=_("用途说明"), max_length=200, required=False,
                                  widget=forms.TextInput(attrs={"placeholder": _("用途说明")}))
    amount = _amount_field(_("调整后金额（元）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _labelled(self)

    def clean(self):
        data = super().clean()
        existing = bool(data.get("line"))
        if "amount" in data:
            try:  # an existing line may go down to 0; a new one needs an amount
                data["amount"] = services.clean_amount(data["amount"], zero=existing)
            except DomainError as exc:
                self.add_error("amount", exc.message)
        if not existing and not data.get("item"):
            self.add_error("item", _("请选择科目。"))
        return data


ChangeFormSet = forms.formset_factory(ChangeForm, extra=0, max_num=60, validate_max=True, absolute_max=60)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern): cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class ExpenseForm(StyledForm):
    line = forms.TypedChoiceField(label=_("预算科目"), coerce=int)
    spent_on = forms.DateField(label=_("支出日期"), widget=DateInput())
    amount = _amount_field(_("金额（元）"))
    payee = forms.CharField(label=_("收款单位/个人"), max_length=100)
    purpose = forms.CharField(label=_("支出事由"), max_length=200)
    invoice_no = forms.CharField(label=_("票据号"), max_length=50, required=False)
    invoices = MultipleFileField(label=_("票据扫描件或照片"), required=False,
                                 help_text=_("发票、收据的扫描件或照片，JPG、PNG 或 PDF，每个不超过 10 MB，可多选。"))

    def __init__(self, *args, lines=(), year=None, invoices_kept=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        self.invoices_kept = invoices_kept
        self.fields["line"].choices = [("", _("请选择"))] + [
            (f.line.pk, _("%(line)s（结余 %(left)s）") % {"line": f.line, "left": services.yuan(f.remaining)}) for f in lines]
        self.fields["spent_on"].widget.attrs["max"] = f"{timezone.localdate():%Y-%m-%d}"

    def clean_amount(self):
        return checked(services.clean_amount, self.cleaned_data["amount"])

    def clean_spent_on(self):
        return checked(services.clean_spent_on, self.cleaned_data["spent_on"], year=self.year)

    def clean_invoices(self):
        files = self.cleaned_data["invoices"]
        if self.invoices_kept + len(files) > services.MAX_INVOICES:
            raise forms.ValidationError(_("每笔支出最多 %(n)s 个票据文件。") % {"n": services.MAX_INVOICES})
        for upload in files:
            checked(services.check_invoice, upload)
            upload.seek(0)  # the service reads it again when it stores it
        return files


class DecisionForm(StyledForm):
    step = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("审批意见"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("同意时可不填；退回时必须写明理由")}))


class StepForm(forms.Form):
    name = forms.CharField(label=_("环节名称"), max_length=50, required=False)
    approver_org = forms.TypedChoiceField(label=_("审批单位"), coerce=int, required=False, empty_value=None)
    min_amount = forms.CharField(label=_("起审金额（元）"), max_length=20, required=False, widget=forms.TextInput(
        attrs={"inputmode": "decimal", "placeholder": _("空：所有金额")}))

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approver_org"].choices = [("", _("请选择"))] + [(o.pk, o.name) for o in orgs]
        _labelled(self)

    def clean(self):
        data = super().clean()
        if data.get("name", "").strip() and not data.get("approver_org"):
            self.add_error("approver_org", _("请选择这一环节的审批单位。"))
        if data.get("approver_org") and not data.get("name", "").strip():
            self.add_error("name", _("请填写环节名称，如“地方政府审批”。"))
        if (amount := data.get("min_amount", "").strip()):
            try:
                data["min_amount"] = services.clean_amount(amount)
            except DomainError as exc:
                self.add_error("min_amount", exc.message)
        else:
            data["min_amount"] = None
        return data


StepFormSet = forms.formset_factory(StepForm, extra=1, max_num=services.MAX_STEPS, validate_max=True,
                                    absolute_max=services.MAX_STEPS + 2)
