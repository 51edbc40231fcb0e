"""Opening the accounts of a whole subtree: one login name and one-time code per person, handed over as an
Excel list; the code logs in once and must be replaced by a password; nothing outside the admin's scope."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from jingpei.accounts import activation, services
from jingpei.accounts.models import User
from jingpei.core.errors import Conflict, NotAllowed
from jingpei.core.models import AuditLog
from jingpei.core.permissions import Role
from tests.factories import make_person, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def town_admin(cast):
    return make_user("xiangadmin", role=Role.SYSTEM_ADMIN, org=cast.town_a)


def login(client, username, secret):
    return client.post("/accounts/login/", {"username": username, "password": secret})


def test_everyone_without_an_account_gets_one_and_logs_in_once_with_the_code(cast, town_admin, client):
    twins = [make_person(cast.village_a, "李芳芳"), make_person(cast.village_a, "李芳芳")]  # namesakes in one batch
    zhao = make_person(cast.village_a, "赵敏")
    uyghur = make_person(cast.village_a, "阿依古丽·买买提")
    zeng = make_person(cast.village_a, "曾志强")
    make_user("zhaomin")  # a login name already taken
    archived = make_person(cast.village_a, "钱归档")
    archived.archived_at = timezone.now()
    archived.save()
    outlook = services.opening_outlook(actor=town_admin, org=cast.town_a)
    without = outlook.without
    assert without >= 2 and outlook.active >= 1  # the trainee (王小明) already has an account

    opened = services.open_accounts(actor=town_admin, org=cast.town_a)
    assert len(opened) == without and "钱归档" not in {o.person.name for o in opened}
    names = [o.user.username for o in opened]
    assert len(set(names)) == len(names)
    by_person = {o.person.pk: o.user.username for o in opened}
    assert [by_person[p.pk] for p in twins] == [f"lifangfang{p.pk}" for p in twins]
    assert by_person[zhao.pk] == f"zhaomin{zhao.pk}"
    assert by_person[uyghur.pk] == "ayigulimaimaiti"  # letters only: nothing hard to type on a phone
    assert by_person[zeng.pk] == "zengzhiqiang"  # 曾 read as the surname it is, not céng
    assert all(o.person.primary_org.path.startswith(cast.town_a.path) for o in opened)
    assert not any(o.user.has_usable_password() for o in opened)
    assert AuditLog.objects.filter(action="user.open").count() == without
    assert services.opening_outlook(actor=town_admin, org=cast.town_a).without == 0

    first = opened[0]
    typed = first.code.lower().replace("-", " ")  # as a tired official types it: lowercase, a space
    assert login(client, first.user.username, "wrong-code").status_code == 200
    assert login(client, first.user.username, typed).status_code == 302
    page = client.get("/")
    assert page.status_code == 302 and "password" in page["Location"]  # choose a password first
    done = client.post("/accounts/password/", {"old_password": first.code, "new_password": "Zhaoling-2026",
                                               "new_password2": "Zhaoling-2026"})
    assert done.status_code == 302
    user = User.objects.get(pk=first.user.pk)
    assert user.activation_digest == "" and user.has_usable_password() and not user.must_change_password
    client.logout()
    assert login(client, user.username, first.code).status_code == 200  # the code is spent
    assert login(client, user.username, "Zhaoling-2026").status_code == 302


def test_an_expired_code_does_not_log_in_and_a_reissued_one_does(cast, town_admin, client):
    opened = services.open_accounts(actor=town_admin, org=cast.village_a)
    one = opened[0]
    with time_machine.travel(timezone.now() + activation.VALID_FOR + timedelta(minutes=1)):
        assert login(client, one.user.username, one.code).status_code == 200
    again = services.open_accounts(actor=town_admin, org=cast.village_a, reissue=True)
    assert {o.user.pk for o in again} == {o.user.pk for o in opened}  # no new accounts: new codes
    assert AuditLog.objects.filter(action="user.reissue_code").count() == len(opened)
    fresh = next(o for o in again if o.user.pk == one.user.pk)
    assert login(client, one.user.username, one.code).status_code == 200  # the old code is void
    assert login(client, one.user.username, fresh.code).status_code == 302


def test_nobody_opens_accounts_outside_their_scope(cast, town_admin, client_as):
    with pytest.raises(NotAllowed):
        services.open_accounts(actor=town_admin, org=cast.town_b)
    with pytest.raises(NotAllowed):
        services.open_accounts(actor=cast.liaison_a, org=cast.town_a)  # a liaison manages people, not accounts
    before = User.objects.count()
    page = client_as(town_admin).post("/admin/accounts/open/", {"org": cast.town_b.pk})
    assert page.status_code == 200 and "请从搜索结果中选择您管理范围内的组织" in page.content.decode()
    assert client_as(cast.liaison_a).get("/admin/accounts/open/").status_code == 404
    assert client_as(town_admin).post("/admin/accounts/open/", {"org": "老窝镇"}).status_code == 200  # not an id
    assert User.objects.count() == before


def test_the_page_shows_the_counts_and_hands_over_the_list_once(cast, town_admin, client_as):
    client = client_as(town_admin)
    page = client.get(f"/admin/accounts/open/?org={cast.village_a.pk}").content.decode()
    assert 'data-testid="opening-outlook"' in page and cast.village_a.name in page
    response = client.post("/admin/accounts/open/", {"org": cast.village_a.pk})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "请分发到本人" in rows[0][0] and "/accounts/login/" in rows[1][0]
    assert rows[2] == ("序号", "姓名", "所在组织", "用户名", "激活码")
    listed = rows[3:]
    assert listed and all(len(r[4]) == 11 and r[4][5] == "-" for r in listed)
    user = User.objects.get(username=listed[0][3])
    assert activation.matches(user, listed[0][4]) and user.person.name == listed[0][1]
    assert "待激活" in client.get(f"/admin/accounts/?q={user.username}").content.decode()
    assert 'data-testid="pending-activation"' in client.get(f"/admin/accounts/{user.pk}/").content.decode()
    # Nothing left to open: a message, not an empty file.
    again = client.post("/admin/accounts/open/", {"org": cast.village_a.pk}, follow=True)
    assert "没有需要开通账号或重发激活码的人员" in again.content.decode()


def test_two_administrators_at_once_lose_nothing(cast, town_admin, monkeypatch):
    """The second of two overlapping openings meets the first's accounts: a clear refusal, nothing half-made."""
    real = User.objects.bulk_create

    def first_one_wins(objs, *args, **kwargs):
        objs = list(objs)
        real([User(username="zzfirst", person=objs[0].person)])  # the other administrator's commit
        return real(objs, *args, **kwargs)

    before = User.objects.count()
    monkeypatch.setattr(User.objects, "bulk_create", first_one_wins)
    with pytest.raises(Conflict, match="部分人员的账号刚刚已由他人开通"):
        services.open_accounts(actor=town_admin, org=cast.village_a)
    assert User.objects.count() == before and not AuditLog.objects.filter(action="user.open").exists()


def test_the_person_page_tells_the_liaison_whether_the_person_can_log_in(cast, town_admin, client_as):
    newcomer = make_person(cast.village_a, "孙新来")
    client = client_as(cast.liaison_a)

    def state() -> str:
        page = client.get(f"/people/{newcomer.pk}/").content.decode()
        return page.split('data-testid="account-state">')[1].split("</dd>")[0]

    assert "未开通" in state()
    services.open_accounts(actor=town_admin, org=cast.village_a)
    assert "待本人用激活码首次登录" in state()
    newcomer.user.set_password("Sunxinlai-2026")
    newcomer.user.activation_digest = ""
    newcomer.user.save()
    assert state().startswith("已开通")


def test_the_home_page_reminds_the_administrator_of_people_without_accounts(cast, town_admin, client_as):
    from jingpei.core.todo import todos_for

    def texts(user):
        return [t.text for t in todos_for(user) if "尚未开通平台账号" in t.text]

    assert len(texts(town_admin)) == 1 and texts(cast.liaison_a) == []
    assert f"/admin/accounts/open/?org={cast.town_a.pk}" in client_as(town_admin).get("/").content.decode()
    services.open_accounts(actor=town_admin, org=cast.town_a)
    assert texts(town_admin) == []


def test_the_code_also_logs_in_by_phone_number(cast, town_admin, client):
    person = make_person(cast.village_a, "周手机", phone="139 1234 5678")
    opened = next(o for o in services.open_accounts(actor=town_admin, org=cast.village_a) if o.person.pk == person.pk)
    assert login(client, "13912345678", opened.code).status_code == 302
    assert client.get("/").status_code == 302  # to the password page first


def test_a_refused_opening_says_why_on_the_page_beside_the_counts(cast, town_admin, client_as, monkeypatch):
    def refuse(**kwargs):
        raise Conflict("部分人员的账号刚刚已由他人开通，请刷新人数后重试。")

    monkeypatch.setattr(services, "open_accounts", refuse)
    page = client_as(town_admin).post("/admin/accounts/open/", {"org": cast.village_a.pk}).content.decode()
    assert 'data-testid="open-error"' in page and "请刷新人数后重试" in page
    assert 'data-testid="opening-outlook"' in page


def test_the_unread_count_is_forgotten_on_the_request_user_proxy(cast):
    from django.utils.functional import SimpleLazyObject

    from jingpei.ledger import services as ledger
    from jingpei.ledger.nav import unread_count

    proxy = SimpleLazyObject(lambda: cast.trainee)  # what request.user is
    ledger.notify([cast.trainee], title="一")
    assert unread_count(proxy) == 1
    ledger.mark_read(user=proxy, ids=list(cast.trainee.ledger_notifications.values_list("pk", flat=True)))
    assert unread_count(proxy) == 0
