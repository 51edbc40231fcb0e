import pytest

from jingpei.accounts import services
from jingpei.core.errors import Conflict, NotAllowed
from jingpei.core.models import AuditLog
from jingpei.core.permissions import Role
from jingpei.core.scoping import scope_for
from tests.factories import make_user


def test_grant_gives_the_subtree_and_revoke_takes_it_back(cast):
    user = make_user("newbie")
    grant = services.grant_role(actor=cast.security_admin, user=user, role=Role.LIAISON, org=cast.town_a)
    assert scope_for(user, "person.view").covers(cast.branch_a.path)
    assert not scope_for(user, "person.view").covers(cast.branch_b.path)
    services.revoke_grant(actor=cast.security_admin, grant=grant)
    from jingpei.accounts.models import User

    assert scope_for(User.objects.get(pk=user.pk), "person.view").empty
    assert list(
        AuditLog.objects.filter(object_type="accounts.grant").values_list("action", flat=True).order_by("id")
    )[-2:] == ["grant.create", "grant.revoke"]


def test_three_administrators_stay_separate(cast):
    with pytest.raises(Conflict, match="三员分立"):
        services.grant_role(
            actor=cast.security_admin, user=cast.system_admin, role=Role.AUDIT_ADMIN, org=cast.district
        )


def test_no_self_grants_and_only_within_own_subtree(cast):
    with pytest.raises(NotAllowed, match="不能给自己授权"):
        services.grant_role(
            actor=cast.security_admin, user=cast.security_admin, role=Role.LIAISON, org=cast.town_a
        )
    sec_b = make_user("sec_b", role=Role.SECURITY_ADMIN, org=cast.town_b)
    with pytest.raises(NotAllowed):
        services.grant_role(actor=sec_b, user=cast.trainee, role=Role.LIAISON, org=cast.town_a)
    with pytest.raises(NotAllowed):
        services.grant_role(actor=cast.liaison_a, user=cast.trainee, role=Role.LIAISON, org=cast.town_a)


def test_sibling_security_admin_cannot_see_or_revoke_a_grant(client_as, cast):
    from jingpei.accounts.models import Grant

    sec_b = make_user("sec_b", role=Role.SECURITY_ADMIN, org=cast.town_b)
    grant = Grant.objects.get(user=cast.liaison_a)
    client = client_as(sec_b)
    assert "liaison_a" not in client.get("/admin/grants/").content.decode()
    assert client.post(f"/admin/grants/{grant.pk}/revoke/").status_code == 404
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_grant_page_errors_name_the_field(client_as, cast):
    resp = client_as(cast.security_admin).post(
        "/admin/grants/", {"username": "nobody", "role": "liaison", "org": cast.town_a.pk}
    )
    assert "没有用户名为“nobody”的账号" in resp.content.decode()


def test_audit_admin_reads_the_trail_others_cannot(client_as, cast):
    services.grant_role(actor=cast.security_admin, user=cast.trainee, role=Role.LIAISON, org=cast.town_a)
    assert "grant.create" in client_as(cast.audit_admin).get("/admin/audit/?action=grant").content.decode()
    assert client_as(cast.security_admin).get("/admin/audit/").status_code == 404
    assert client_as(cast.officer).get("/admin/audit/").status_code == 404


def test_initial_password_must_be_changed_first(client, cast):
    services.create_user(actor=cast.system_admin, username="fresh", password="Initial-pass-1", person=None)
    client.post("/accounts/login/", {"username": "fresh", "password": "Initial-pass-1"})
    assert client.get("/").url == "/accounts/password/"
    resp = client.post(
        "/accounts/password/",
        {"old_password": "Initial-pass-1", "new_password": "12345678", "new_password2": "12345678"},
    )
    assert resp.status_code == 200 and "form" in resp.context
    resp = client.post(
        "/accounts/password/",
        {
            "old_password": "Initial-pass-1",
            "new_password": "Better-pass-2026",
            "new_password2": "Better-pass-2026",
        },
    )
    assert resp.status_code == 302 and client.get("/").status_code == 200


def test_login_locks_after_repeated_failures(client, cast, settings):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "liaison_a", "password": "wrong"})
    resp = client.post("/accounts/login/", {"username": "liaison_a", "password": "Secret-pass-2026"})
    assert "已暂时锁定" in resp.content.decode()
