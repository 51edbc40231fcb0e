from django.utils.translation import gettext_lazy as _

from jingpei.core.navigation import NavItem
from jingpei.core.permissions import Perm
from jingpei.surveys.todo import to_answer_count

NAV_ITEMS = [
    NavItem(_("需求调研"), "surveys:index", icon="clipboard-data", perm=Perm.SURVEY_MANAGE, order=0, section="classes"),
    # a class head runs the evaluations of their classes (an officer reaches them under 需求调研)
    NavItem(_("培训评估"), "surveys:index", icon="clipboard-check", perm=Perm.CLASS_HEAD, order=4, section="classes"),
    NavItem(_("我的问卷"), "surveys:mine", icon="ui-checks", order=3, section="mine", needs_person=True,
            count=to_answer_count, top=True, count_words=_("%(n)s 份待填")),
    NavItem(_("我的授课评估"), "surveys:teaching", icon="star-half", perm=Perm.LECTURER, order=6, section="mine"),
]
