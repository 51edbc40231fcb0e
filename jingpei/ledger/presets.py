"""The rules shipped with Jingpei: the source articles' online-study rule and the cadre-training
regulations (干部教育培训工作条例). Installed by migration 0003, switched on or off on the rules page."""

from __future__ import annotations

from decimal import Decimal as D

REQUIREMENT_PRESETS = [
    {
        "code": "online-monthly", "name": "网络学习每月不少于5学时",
        "description": "干部每月网络学习不少于5学时（来源文章）。",
        "period_kind": "month", "forms": ["online", "external"], "min_hours": D("5"),
    },
    {
        "code": "online-yearly", "name": "网络学习每年不少于60学时",
        "description": "干部每年网络学习不少于60学时（来源文章）。",
        "period_kind": "year", "forms": ["online", "external"], "min_hours": D("60"),
    },
    {
        "code": "fulltime-yearly", "name": "年度集中培训不少于12天或90学时",
        "description": "干部每年参加集中培训累计不少于12天或90学时，每天按7.5学时折算（干部教育培训工作条例）。",
        "period_kind": "year", "forms": ["class", "study_tour", "mobile_lecture"],
        "min_hours": D("90"), "min_days": D("12"), "hours_per_day": D("7.5"),
    },
    {
        "code": "county-leader-5y", "name": "县处级领导干部5年不少于550学时",
        "description": "县处级以上领导干部每5年参加培训累计不少于550学时；新提任的给予1年宽限（干部教育培训工作条例）。",
        "period_kind": "multi_year", "period_years": 5, "cycle_start_year": 2023,
        "rank_levels": ["county_chief", "county_deputy"], "forms": [], "min_hours": D("550"), "grace_years": 1,
    },
]

CONVERSION_PRESETS = [
    {"code": "course-30min", "name": "网络课程30分钟及以上计1学时", "form": "online", "basis": "minutes",
     "min_quantity": D("30"), "max_quantity": None, "hours": D("1")},
    {"code": "course-15min", "name": "网络课程15至30分钟计0.5学时", "form": "online", "basis": "minutes",
     "min_quantity": D("15"), "max_quantity": D("30"), "hours": D("0.5")},
    {"code": "micro-course", "name": "微课每门计0.25学时", "form": "online", "basis": "item",
     "min_quantity": D("0"), "max_quantity": None, "hours": D("0.25")},
    {"code": "test-passed", "name": "通过测试计0.5学时", "form": "online", "basis": "item",
     "min_quantity": D("0"), "max_quantity": None, "hours": D("0.5")},
    {"code": "fulltime-day", "name": "集中培训每天计6学时（每班上限60学时）", "form": "class", "basis": "day",
     "min_quantity": D("0"), "max_quantity": None, "hours": D("6"), "cap_per_source": D("60")},
    {"code": "teaching", "name": "授课按授课学时的5倍计", "form": "teaching", "basis": "hour",
     "min_quantity": D("0"), "max_quantity": None, "hours": D("1"), "multiplier": D("5"),
     "cap_per_year": D("50")},
]


def install(requirement_model=None, conversion_model=None) -> None:
    """Create the presets that are missing (the migration passes its historical models)."""
    if requirement_model is None:
        from jingpei.ledger.models import ConversionRule, RequirementRule

        requirement_model, conversion_model = RequirementRule, ConversionRule
    for preset in REQUIREMENT_PRESETS:
        requirement_model.objects.get_or_create(code=preset["code"], defaults={**preset, "is_preset": True})
    for preset in CONVERSION_PRESETS:
        conversion_model.objects.get_or_create(code=preset["code"], defaults=preset)
