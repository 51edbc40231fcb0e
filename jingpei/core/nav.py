from django.utils.translation import gettext_lazy as _

from jingpei.core.navigation import NavItem

NAV_ITEMS = [
    NavItem(_("首页"), "home", icon="house", order=0),
    NavItem(_("使用帮助"), "help", icon="question-circle", section="end"),
]
