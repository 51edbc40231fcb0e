from django.utils.translation import gettext_lazy as _

from jingpei.core.navigation import NavItem
from jingpei.core.permissions import Perm

NAV_ITEMS = [NavItem(_("花名册导入"), "roster:home", icon="file-earmark-spreadsheet", perm=Perm.PERSON_IMPORT, order=3, section="people")]
