from django.utils.translation import gettext_lazy as _

from jingpei.core.navigation import NavItem
from jingpei.core.permissions import Perm

NAV_ITEMS = [
    NavItem(_("账号管理"), "accounts:accounts", icon="person-gear", perm=Perm.ACCOUNT_MANAGE, order=1, section="system"),
    NavItem(_("授权管理"), "accounts:grants", icon="shield-lock", perm=Perm.GRANT_MANAGE, order=2, section="system"),
    NavItem(_("审计日志"), "accounts:audit", icon="journal-text", perm=Perm.AUDIT_VIEW, order=3, section="system"),
]
