from django.utils.translation import gettext_lazy as _

from jingpei.core.navigation import NavItem
from jingpei.core.permissions import Perm

NAV_ITEMS = [
    NavItem(_("远程教育"), "activities:index", icon="display", perm=Perm.ACTIVITY_VIEW, order=1, section="branches"),
    NavItem(_("以会代训"), "activities:meetings", icon="people", perm=Perm.ACTIVITY_VIEW, order=2, section="branches"),
    NavItem(_("支部学习规则"), "activities:rules", icon="sliders", perm=Perm.RULES_MANAGE, order=3, section="branches"),
]
