from django.utils.translation import gettext_lazy as _

from jingpei.core.navigation import NavItem
from jingpei.core.permissions import Perm

NAV_ITEMS = [
    NavItem(_("年度统计"), "reports:index", icon="graph-up", perm=Perm.REPORT_VIEW, order=1, section="reports"),
]
