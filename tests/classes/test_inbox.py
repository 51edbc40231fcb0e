"""The trainee hears in their inbox of every decision about their place in a class, never of their own
doing, and each message leads to "my classes"."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from jingpei.classes import services
from jingpei.ledger.models import Notification
from tests.factories import make_person, make_user, numbered


def inbox(user) -> list[tuple[str, str]]:
    return [(n.title, n.body) for n in Notification.objects.filter(user=user).order_by("id")]


def test_nomination_admission_leave_reflection_and_completion(cast, klass, session, head):
    dates = f"（{klass.start_date} 至 {klass.end_date}）"
    e = services.nominate(actor=cast.liaison_a, klass=klass, person=cast.person_a)
    assert inbox(cast.trainee) == [("请确认是否参加培训班“乡村振兴专题培训班”",
                                    f"您被推荐参加培训班“乡村振兴专题培训班”{dates}，请在“我的培训班”中确认参加或谢绝。")]
    services.respond(actor=cast.trainee, enrolment=e, accept=True)
    assert len(inbox(cast.trainee)) == 1  # their own doing: nothing
    e = services.decide(actor=head, enrolment=e, approve=True)
    assert inbox(cast.trainee)[-1][0] == "您已被培训班“乡村振兴专题培训班”录取"
    assert "每次课请用手机扫描现场二维码签到" in inbox(cast.trainee)[-1][1]

    leave = services.request_leave(actor=cast.trainee, enrolment=e, reason="村里防汛", session=session)
    services.decide_leave(actor=head, leave=leave, approve=False)
    assert inbox(cast.trainee)[-1] == ("请假未获批准：乡村振兴专题培训班", "壮大村集体经济，3.0 学时。")

    services.sign_in(actor=cast.trainee, session=session, enrolment=e)
    reflection = services.submit_reflection(actor=cast.trainee, enrolment=e, text="学习乡村振兴战略的体会，" * 3)
    services.review_reflection(actor=head, reflection=reflection, action="return", comment="请结合本村实际")
    assert inbox(cast.trainee)[-1] == ("培训心得被退回，请修改后重交：乡村振兴专题培训班", "班主任意见：请结合本村实际")

    services.complete_class(actor=cast.officer, klass=klass, today=timezone.localdate() + timedelta(days=1))
    title, body = inbox(cast.trainee)[-1]
    assert title == "您已从培训班“乡村振兴专题培训班”结业" and body.startswith("计 6.0 学时，结业证书编号 JP")  # a full-time day: 6 学时
    assert Notification.objects.filter(user=cast.trainee).values_list("url", flat=True).distinct().get() \
        == "/classes/mine/"
    assert not Notification.objects.exclude(user=cast.trainee).exists()  # nobody else was told anything


def test_waiting_list_rejection_and_a_freed_seat(cast, klass, head):
    people = [make_person(cast.branch_a, numbered("甲", i)) for i in range(4)]
    users = [make_user(f"p{i}", person=p) for i, p in enumerate(people)]
    enrolments = [services.nominate(actor=cast.liaison_a, klass=klass, person=p) for p in people]
    assert inbox(users[3]) == [("您已列入培训班“乡村振兴专题培训班”的候补名单", "名额已满，有空位时将通知您确认。")]
    services.decide(actor=head, enrolment=enrolments[0], approve=False)
    assert inbox(users[0])[-1] == ("培训班“乡村振兴专题培训班”未录取您", "")
    assert inbox(users[3])[-1][0] == "培训班“乡村振兴专题培训班”有了空位，请确认是否参加"
    users[1].is_active = False
    users[1].save()
    services.decide(actor=head, enrolment=enrolments[1], approve=False)
    assert len(inbox(users[1])) == 1  # a disabled account is not written to


def test_an_account_with_an_address_also_gets_the_message_by_mail(cast, klass, settings, monkeypatch,
                                                                  django_capture_on_commit_callbacks):
    from django.core import mail
    from django.core.mail import EmailMessage

    from jingpei.core.models import Job

    settings.PUBLIC_BASE_URL = "https://peixun.zlq.gov.cn"
    cast.trainee.email = "wxm@example.cn"
    cast.trainee.save()
    with django_capture_on_commit_callbacks(execute=True):  # the mail job runs once the decision commits
        services.nominate(actor=cast.liaison_a, klass=klass, person=cast.person_a)  # 王小明: an address
        services.nominate(actor=cast.liaison_a, klass=klass, person=make_person(cast.village_a, "郑无邮"))  # no account
    assert [m.to for m in mail.outbox] == [["wxm@example.cn"]]
    sent = mail.outbox[0]
    assert sent.subject == "请确认是否参加培训班“乡村振兴专题培训班”"
    assert sent.body.endswith("\n\nhttps://peixun.zlq.gov.cn/classes/mine/")
    assert Job.objects.get(name="ledger.mail_notifications").result == {"sent": 1, "mail_failed": 0}

    # A mail server that refuses: the message stays in the inbox, the job counts the failure.
    monkeypatch.setattr(EmailMessage, "send", lambda self, *a, **k: (_ for _ in ()).throw(OSError("refused")))
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_class(actor=cast.officer, klass=klass, reason="天气原因")
    assert Notification.objects.filter(user=cast.trainee, title__contains="已取消").exists()
    results = [job.result for job in Job.objects.filter(name="ledger.mail_notifications")]
    assert sorted(results, key=str) == [{"sent": 0, "mail_failed": 1}, {"sent": 1, "mail_failed": 0}]
