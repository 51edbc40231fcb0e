import pytest


def test_login_with_username_then_home(client, cast):
    resp = client.post("/accounts/login/", {"username": "liaison_a", "password": "Secret-pass-2026"})
    assert resp.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "联络员" in home.content.decode()


def test_login_with_phone_of_linked_person(client, cast):
    resp = client.post("/accounts/login/", {"username": "138 0000 1111", "password": "Secret-pass-2026"})
    assert resp.status_code == 302


def test_wrong_password_says_so_in_chinese(client, cast):
    resp = client.post("/accounts/login/", {"username": "liaison_a", "password": "nope"})
    assert resp.status_code == 200
    assert "用户名/手机号或密码不正确" in resp.content.decode()


@pytest.mark.parametrize("path", ["/", "/accounts/password/"])
def test_pages_need_login(client, db, path):
    resp = client.get(path)
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
