from django.utils.translation import gettext_lazy as _

from jingpei.core.navigation import NavItem
from jingpei.core.permissions import Perm

NAV_ITEMS = [
    NavItem(_("我的学习"), "academy:my", icon="play-circle", order=1, section="mine", needs_person=True),
    NavItem(_("网络学院"), "academy:catalog", icon="collection-play", order=1, section="academy"),
    NavItem(_("学习统计"), "academy:coverage", icon="bar-chart", perm=Perm.ACADEMY_VIEW, order=2, section="academy"),
]
