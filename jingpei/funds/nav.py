from django.utils.translation import gettext_lazy as _

from jingpei.core.navigation import NavItem
from jingpei.core.permissions import Perm
from jingpei.funds.todo import waiting_count

NAV_ITEMS = [
    NavItem(_("经费预算与支出"), "funds:index", icon="cash-coin", perm=Perm.FUNDS_VIEW, order=1, section="funds"),
    NavItem(_("待我审批"), "funds:approvals", icon="patch-check", perm=Perm.FUNDS_APPROVE, order=2, section="funds",
            count=waiting_count, top=True),
    NavItem(_("审批流程"), "funds:chain", icon="diagram-3", perm=Perm.FUNDS_MANAGE, order=3, section="funds"),
]
