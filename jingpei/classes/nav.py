from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jingpei.core.navigation import NavItem
from jingpei.core.permissions import Perm

NAV_ITEMS = [
    NavItem(pgettext_lazy("plural", "培训班"), "classes:list", icon="easel", perm=Perm.CLASS_VIEW, order=1, section="classes"),
    NavItem(_("年度计划"), "classes:plans", icon="calendar2-check", perm=Perm.CLASS_MANAGE, order=2, section="classes"),
    NavItem(_("师资库"), "classes:lecturers", icon="person-video3", perm=Perm.CLASS_MANAGE, order=3, section="classes"),
    NavItem(_("我的培训班"), "classes:mine", icon="qr-code-scan", order=3, section="mine", needs_person=True),
]
