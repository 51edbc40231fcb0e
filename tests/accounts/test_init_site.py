"""``jingpei init_site``: a new installation's top organisation and first accounts, in one go or not at all."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from jingpei.accounts.models import Grant, User
from jingpei.accounts.services import initial_password
from jingpei.core.models import AuditLog
from jingpei.orgs.models import Organization

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("init_site", *args, stdout=out)
    return out.getvalue()


def test_the_first_accounts_log_in_with_their_one_time_password_and_must_change_it(client):
    out = run("--org", "召陵区")
    org = Organization.objects.get(depth=1)
    assert (org.name, org.kind) == ("召陵区", "district") and "已创建顶级组织“召陵区”" in out
    lines = dict(re.findall(r"^  (\w+)\s+(\S+)\s", out, re.M))
    assert set(lines) == {"sysadmin", "secadmin", "auditadmin", "officer"}
    grants = {g.user.username: g.role for g in Grant.objects.select_related("user")}
    assert grants == {"sysadmin": "system_admin", "secadmin": "security_admin", "auditadmin": "audit_admin",
                      "officer": "training_officer"}
    assert all(g.org_id == org.pk for g in Grant.objects.all())
    assert all(u.must_change_password for u in User.objects.all())
    assert AuditLog.objects.filter(action="grant.create").count() == 4

    assert client.post("/accounts/login/", {"username": "officer", "password": lines["officer"]}).status_code == 302
    page = client.get("/")
    assert page.status_code == 302 and "password" in page["Location"]  # first, a password of their own


def test_a_second_initialisation_and_bad_input_change_nothing():
    with pytest.raises(CommandError, match="三员分立：每个角色须使用不同的用户名"):
        run("--org", "召陵区", "--secadmin", "sysadmin")
    with pytest.raises(CommandError, match="请填写组织名称|名称"):
        run("--org", "  ")
    assert not Organization.objects.exists() and not User.objects.exists()

    run("--org", "中国黄金集团扶贫办", "--kind", "enterprise", "--officer=")
    assert set(User.objects.values_list("username", flat=True)) == {"sysadmin", "secadmin", "auditadmin"}
    with pytest.raises(CommandError, match="系统已初始化（已有顶级组织“中国黄金集团扶贫办”）"):
        run("--org", "召陵区")
    assert Organization.objects.count() == 1 and User.objects.count() == 3


def test_one_time_passwords_are_legible_and_pass_the_password_rules(monkeypatch):
    from django.contrib.auth.password_validation import validate_password

    for _ in range(200):
        password = initial_password("sysadmin")
        assert len(password) == 12 and not set(password) & set("0O1lI")
        validate_password(password, User(username="sysadmin"))

    # A draw the similarity rule refuses ("sysadmin"'s letters, shuffled) is drawn again, not handed out.
    draws = iter("ysadminS2sxy" + "Kq7wEr9tYu3P")
    monkeypatch.setattr("jingpei.accounts.services.secrets.choice", lambda _alphabet: next(draws))
    assert initial_password("sysadmin") == "Kq7wEr9tYu3P"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_first_starts_at_once_make_one_top_organisation():
    import threading

    from django.db import close_old_connections, connection

    from jingpei.accounts.services import initialise_site
    from jingpei.core.errors import Conflict
    from jingpei.core.permissions import Role

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers by itself")
    barrier, outcomes = threading.Barrier(2), []

    def start(name: str, n: int):
        barrier.wait()
        try:
            initialise_site(org_name=name, kind="district", usernames={Role.SYSTEM_ADMIN: f"sys{n}"})
            outcomes.append("made")
        except Conflict:
            outcomes.append("refused")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=start, args=(name, n)) for n, name in enumerate(("召陵区", "郾城区"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["made", "refused"]
    assert Organization.objects.filter(depth=1).count() == 1 and User.objects.count() == 1
