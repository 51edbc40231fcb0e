from django.utils.translation import gettext_lazy as _

from jingpei.core.navigation import NavItem
from jingpei.core.permissions import Perm


def unread_count(user) -> int:
    """Unread messages, counted once per request: the menu, the top bar and the home page's to-do list all
    ask of the same ``request.user`` (``services.mark_read`` forgets the count)."""
    from jingpei.ledger.models import Notification

    if (n := getattr(user, UNREAD, None)) is None:
        n = Notification.objects.filter(user=user, read_at__isnull=True).count()
        setattr(user, UNREAD, n)
    return n


UNREAD = "_jingpei_unread"  # where the count is kept on the user object


def forget_unread(user) -> None:
    """The count taken on ``user`` is out of date. ``delattr``, not ``__dict__``: ``request.user`` is a lazy
    proxy, whose own ``__dict__`` is not the user's."""
    if getattr(user, UNREAD, None) is not None:
        delattr(user, UNREAD)


NAV_ITEMS = [
    NavItem(_("学时达标"), "ledger:index", icon="clipboard-check", perm=Perm.LEDGER_VIEW, order=1, section="hours"),
    NavItem(_("我的学时"), "ledger:me", icon="hourglass-split", order=2, section="mine", needs_person=True),
    NavItem(_("学时规则"), "ledger:rules", icon="sliders", perm=Perm.RULES_MANAGE, order=2, section="hours"),
    NavItem(_("导入外部学时"), "ledger:import_upload", icon="upload", perm=Perm.LEDGER_MANAGE, order=3, section="hours"),
    NavItem(_("站内通知"), "ledger:notifications", icon="bell", order=5, section="mine", count=unread_count, top=True,
            count_words=_("%(n)s 条未读")),
]
