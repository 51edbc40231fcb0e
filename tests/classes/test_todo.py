"""The home page's to-do list for trainees and for whoever runs a class."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from jingpei.classes import services as classes
from jingpei.core.todo import todos_for
from tests.classes.conftest import enrol
from tests.core.test_todo import home_todos, texts


def test_a_trainee_is_asked_to_confirm_and_to_sign_in(cast, klass, session, head, client_as):
    client = client_as(cast.trainee)
    assert home_todos(client) == [] and "暂无待办事项。" in client.get("/").content.decode()
    e = classes.nominate(actor=cast.liaison_a, klass=klass, person=cast.person_a)
    assert texts(cast.trainee)[0] == "1 个培训班等您确认是否参加"
    classes.respond(actor=cast.trainee, enrolment=e, accept=True)
    e = classes.decide(actor=head, enrolment=e, approve=True)
    todos = home_todos(client)
    assert "今天有 1 次课尚未签到，请到现场扫码签到" in todos
    assert todos[-1] == "2 条未读通知"  # nominated, admitted; last in the list
    classes.sign_in(actor=cast.trainee, session=session, enrolment=e)
    assert not any("签到" in t for t in texts(cast.trainee))


def test_whoever_runs_a_class_sees_its_decisions_waiting(cast, klass, session, head, client_as):
    admitted = enrol(cast, klass, cast.person_a, head_user=head)
    classes.request_leave(actor=cast.trainee, enrolment=admitted, reason="村里防汛", session=session)
    e = classes.nominate(actor=cast.liaison_b, klass=klass, person=cast.person_b)
    from tests.factories import make_user

    classes.respond(actor=make_user("zhao", person=cast.person_b), enrolment=e, accept=True)
    line = f"{klass.title}：1 人待录取、1 条请假待审批"
    for user in (head, cast.officer):
        todo = next(t for t in todos_for(user) if t.text.startswith(klass.title))
        assert todo.text == line and todo.url == f"/classes/{klass.pk}/?tab=roster"
    assert line in home_todos(client_as(head))
    # A liaison nominates but does not run the class; another district's officer sees nothing of it.
    assert not any(klass.title in t for t in texts(cast.liaison_a) + texts(cast.liaison_b))
    classes.decide(actor=head, enrolment=e, approve=True)
    klass.end_date = klass.start_date = timezone.localdate() - timedelta(days=1)
    klass.save()
    todo = next(t for t in todos_for(head) if t.text.startswith(klass.title))
    assert todo.text == f"{klass.title}：1 条请假待审批、已结束，待办理结业" and todo.url.endswith("?tab=leave")
