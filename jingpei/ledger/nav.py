from django.utils.translation import gettext_lazy as _

from jingpei.core.navigation import NavItem
from jingpei.core.permissions import Perm


def unread_count(user) -> int:
    from jingpei.ledger.models import Notification

    return Notification.objects.filter(user=user, read_at__isnull=True).count()


NAV_ITEMS = [
    NavItem(_("学时达标"), "ledger:index", icon="clipboard-check", perm=Perm.LEDGER_VIEW, order=30),
    NavItem(_("我的学时"), "ledger:me", icon="hourglass-split", order=31, needs_person=True),
    NavItem(_("学时规则"), "ledger:rules", icon="sliders", perm=Perm.RULES_MANAGE, order=32),
    NavItem(_("导入外部学时"), "ledger:import_upload", icon="upload", perm=Perm.LEDGER_MANAGE, order=33),
    NavItem(_("站内通知"), "ledger:notifications", icon="bell", order=90, count=unread_count, top=True),
]
