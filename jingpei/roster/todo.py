"""The roster's part of the home page's to-do list: the user's own imports checked and waiting for
their go-ahead."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from jingpei.core.todo import Todo
from jingpei.roster.models import RosterImport


def waiting_imports(user):
    for imp in RosterImport.objects.filter(created_by=user, status=RosterImport.Status.VALIDATED).order_by("-id")[:3]:
        yield Todo(_("花名册“%(f)s”已校验，待确认导入") % {"f": imp.filename}, reverse("roster:import", args=[imp.pk]),
                   "file-earmark-spreadsheet")


TODOS = [waiting_imports]
