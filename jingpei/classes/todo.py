"""Classes' part of the home page's to-do list: the trainee's confirmations and today's sign-ins; for
whoever runs open classes, each class's decisions waiting for them."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.classes import access, queries
from jingpei.classes.models import Enrolment, LeaveRequest, Reflection, TrainingClass
from jingpei.core.todo import Todo

RUN_LIMIT = 10  # open classes listed; a whole district's officer sees the first ten by date


def trainee(user):
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return
    mine = reverse("classes:mine")
    waiting = Enrolment.objects.filter(person_id=person_id, status=Enrolment.Status.NOMINATED).count()
    if waiting:
        yield Todo(_("%(n)s 个培训班等您确认是否参加") % {"n": waiting}, mine, "person-check")
    today = [s for s in queries.sessions_today(user.person, timezone.localdate()) if not s["signed"]]
    if today:
        yield Todo(_("今天有 %(n)s 次课尚未签到，请到现场扫码签到") % {"n": len(today)}, mine, "qr-code-scan")


def runner(user):
    """Per open class the user may run: admissions, leave, reflections waiting, or completion due."""
    classes = {k.pk: k for k in access.runnable_classes(user).filter(status=TrainingClass.Status.OPEN)
               .order_by("start_date", "id")}
    if not classes:
        return
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for key, rows in (
        ("admit", Enrolment.objects.filter(klass_id__in=classes, status=Enrolment.Status.CONFIRMED)
         .values("klass_id").annotate(n=Count("id")).values_list("klass_id", "n")),
        ("leave", LeaveRequest.objects.filter(enrolment__klass_id__in=classes, status=LeaveRequest.Status.PENDING)
         .values("enrolment__klass_id").annotate(n=Count("id")).values_list("enrolment__klass_id", "n")),
        ("reflection", Reflection.objects.filter(enrolment__klass_id__in=classes, status=Reflection.Status.SUBMITTED)
         .values("enrolment__klass_id").annotate(n=Count("id")).values_list("enrolment__klass_id", "n")),
    ):
        for class_id, n in rows:
            counts[class_id][key] = n
    today = timezone.localdate()
    shown = 0
    for class_id, klass in classes.items():
        waiting, tab = [], ""
        for key, tab_name, text in (
            ("admit", "roster", _("%(n)s 人待录取")), ("leave", "leave", _("%(n)s 条请假待审批")),
            ("reflection", "reflections", _("%(n)s 篇心得待批阅")),
        ):
            if counts[class_id].get(key):
                waiting.append(text % {"n": counts[class_id][key]})
                tab = tab or tab_name
        if klass.end_date < today:
            waiting.append(_("已结束，待办理结业"))
            tab = tab or "completion"
        if not waiting:
            continue
        shown += 1
        if shown > RUN_LIMIT:
            yield Todo(_("还有更多班次有待办事项"), reverse("classes:list") + "?status=open", "three-dots")
            return
        yield Todo(_("%(t)s：%(w)s") % {"t": klass.title, "w": _("、").join(waiting)},
                   reverse("classes:detail", args=[class_id]) + f"?tab={tab}", "easel")


TODOS = [trainee, runner]
