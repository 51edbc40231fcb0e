"""Fixed vocabularies of people and organisations (national standards where there is one)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    DISTRICT = "district", _("区/县")
    TOWNSHIP = "township", _("乡镇/街道")
    VILLAGE = "village", _("村/社区")
    BRANCH = "branch", _("党支部")
    UNIT = "unit", _("单位")
    ENTERPRISE = "enterprise", _("企业")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class PoliticalStatus(models.TextChoices):
    CPC = "cpc", _("中共党员")
    CPC_PROBATIONARY = "cpc_prob", _("中共预备党员")
    CYL = "cyl", _("共青团员")
    DEMOCRATIC = "democratic", _("民主党派")
    NONE = "masses", _("群众")


class RankLevel(models.TextChoices):
    COUNTY_CHIEF = "county_chief", _("县处级正职")
    COUNTY_DEPUTY = "county_deputy", _("县处级副职")
    SECTION_CHIEF = "section_chief", _("乡科级正职")
    SECTION_DEPUTY = "section_deputy", _("乡科级副职")
    STAFF = "staff", _("科员及以下")
    VILLAGE = "village", _("村（社区）干部")
    OTHER = "other", _("其他")


# GB/T 3304 names of China's 56 ethnic groups, in the standard's order.
ETHNICITIES = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
]
ETHNICITY_CHOICES = [(e, e) for e in ETHNICITIES]
