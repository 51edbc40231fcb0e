from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from jingpei.core.forms import StyledForm
from jingpei.ledger.models import (
    ConversionBasis,
    ConversionRule,
    Exemption,
    PeriodKind,
    RequirementRule,
    TrainingForm,
)
from jingpei.orgs.choices import RankLevel
from jingpei.orgs.models import Category, Organization


class ReverseForm(StyledForm):
    reason = forms.CharField(label=_("更正原因"), max_length=300)


class ExemptionForm(StyledForm):
    kind = forms.ChoiceField(label=_("类型"), choices=Exemption.Kind.choices)
    rule = forms.ModelChoiceField(label=_("规则"), queryset=RequirementRule.objects.none(), required=False,
                                  empty_label=_("全部规则"))
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("原因"), max_length=300)

    def __init__(self, *args, rules=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rules is not None:
            self.fields["rule"].queryset = rules


class RuleForm(StyledForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    description = forms.CharField(label=_("说明"), max_length=300, required=False)
    active = forms.BooleanField(label=_("启用"), required=False)
    period_kind = forms.ChoiceField(label=_("周期"), choices=PeriodKind.choices)
    period_years = forms.IntegerField(label=_("周期年数（多年周期）"), min_value=1, max_value=10, initial=1)
    cycle_start_year = forms.IntegerField(label=_("周期起始年（多年周期）"), min_value=2000, max_value=2100, initial=2023)
    categories = forms.ModelMultipleChoiceField(label=_("适用人员类别（不选为全部）"), queryset=Category.objects.filter(active=True),
                                                required=False)
    rank_levels = forms.MultipleChoiceField(label=_("适用职级（不选为全部）"), choices=RankLevel.choices, required=False)
    org = forms.ModelChoiceField(label=_("适用组织范围"), queryset=Organization.objects.none(), required=False,
                                 empty_label=_("全部组织"))
    min_hours = forms.DecimalField(label=_("最低学时"), max_digits=7, decimal_places=1, required=False)
    min_days = forms.DecimalField(label=_("或最低天数"), max_digits=5, decimal_places=1, required=False)
    hours_per_day = forms.DecimalField(label=_("每天折合学时"), max_digits=4, decimal_places=1, required=False)
    grace_years = forms.IntegerField(label=_("新进入类别的宽限年数"), min_value=0, max_value=5, initial=0)
    prorate = forms.BooleanField(label=_("期中加入按月折算"), required=False, initial=True)
    carry_over = forms.BooleanField(label=_("超出部分结转下一周期"), required=False)
    valid_from = forms.DateField(label=_("生效日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label=_("失效日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    # last: the field's name shadows the ``forms`` module inside the class body
    forms = forms.MultipleChoiceField(label=_("计入的培训形式（不选为全部）"), choices=TrainingForm.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["forms"].widget.attrs["class"] = ""
        if orgs is not None:
            self.fields["org"].queryset = orgs

    @classmethod
    def initial_for(cls, rule: RequirementRule) -> dict:
        data = {name: getattr(rule, name) for name in cls.base_fields if name != "categories"}
        data["categories"] = list(rule.categories.all())
        return data


class ConversionForm(StyledForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    form = forms.ChoiceField(label=_("培训形式"), choices=TrainingForm.choices)
    basis = forms.ChoiceField(label=_("计算依据"), choices=ConversionBasis.choices)
    # The bounds here let one answer name every wrong field; save_conversion checks them again (API, shell).
    min_quantity = forms.DecimalField(label=_("下限（含）"), max_digits=8, decimal_places=2, initial=0, min_value=0,
                                      help_text=_("分钟、件、天或小时，按计算依据"))
    max_quantity = forms.DecimalField(label=_("上限（不含）"), max_digits=8, decimal_places=2, required=False, min_value=0,
                                      help_text=_("留空为不设上限"))
    hours = forms.DecimalField(label=_("折合学时"), max_digits=6, decimal_places=2, min_value=Decimal("0.01"), max_value=100,
                               help_text=_("按天、按小时为每单位的学时；按时长、按件为每次的学时"))
    multiplier = forms.DecimalField(label=_("倍数"), max_digits=5, decimal_places=2, initial=1, min_value=Decimal("0.01"),
                                    max_value=20)
    cap_per_source = forms.DecimalField(label=_("每个来源上限"), max_digits=7, decimal_places=1, required=False,
                                        min_value=Decimal("0.1"),
                                        help_text=_("如每个培训班最多计 60 学时；留空为不设上限"))
    cap_per_year = forms.DecimalField(label=_("每年上限"), max_digits=7, decimal_places=1, required=False,
                                      min_value=Decimal("0.1"),
                                      help_text=_("该培训形式每人每年最多计入达标的学时；留空为不设上限"))
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def clean(self):
        data = super().clean()
        low, high = data.get("min_quantity"), data.get("max_quantity")
        if low is not None and high is not None and high <= low:
            self.add_error("max_quantity", _("上限须大于下限（范围含下限、不含上限）。"))
        return data

    @classmethod
    def initial_for(cls, conversion: ConversionRule) -> dict:
        return {name: getattr(conversion, name) for name in cls.base_fields}


class ImportForm(StyledForm):
    platform = forms.CharField(label=_("来源平台"), max_length=50, help_text=_("例如：河南干部网络学院、学习强国"))
    file = forms.FileField(label=_("文件（.xlsx、.xls 或 .csv）"),
                           help_text=_("表头：身份证号（或 姓名 + 所在组织）、日期、学时、课程名称"))
    org = forms.ChoiceField(label=_("导入到"))

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [(o.pk, o.name) for o in orgs]
