from django.utils.translation import gettext_lazy as _

from jingpei.core.navigation import NavItem
from jingpei.core.permissions import Perm

NAV_ITEMS = [
    NavItem(_("组织架构"), "orgs:tree", icon="diagram-3", perm=Perm.ORG_VIEW, order=1, section="people"),
    NavItem(_("人员名册"), "orgs:people", icon="people", perm=Perm.PERSON_VIEW, order=2, section="people"),
    NavItem(_("我的信息"), "orgs:me", icon="person-vcard", order=4, section="mine", needs_person=True),
]
