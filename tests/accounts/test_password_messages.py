"""Every configured password rule answers in the user's language (a Django upgrade once left one English)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import get_default_password_validators, validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

CJK = re.compile(r"[\u4e00-\u9fff]")
# One password each rule refuses: similar to the username, short, common, all digits.
REFUSED = ("wangxiaoming1", "Ab1", "password", "83920174")


def _messages(password: str) -> list[str]:
    user = get_user_model()(username="wangxiaoming")
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def test_every_rule_refuses_one_of_the_samples_in_chinese():
    with translation.override("zh-hans"):
        found = {m for pw in REFUSED for m in _messages(pw)}
        helps = [v.get_help_text() for v in get_default_password_validators()]
    assert len(found) >= len(get_default_password_validators())
    assert "密码太短，至少需要 8 个字符。" in found
    assert all(CJK.search(m) for m in found | set(helps)), found


@pytest.mark.parametrize("language,expected", [("zh-hans", "密码太短，至少需要 8 个字符。"),
                                                ("en", "The password is too short: at least 8 characters.")])
def test_short_password_message(language, expected):
    with translation.override(language):
        assert expected in _messages("Ab1")


@pytest.mark.django_db
def test_an_administrators_password_fields_are_not_filled_with_their_own_login(client_as, cast):
    """A browser fills a saved login into a page's password field unless told it is a new password: a reset
    or a new account would get the administrator's own password."""
    client = client_as(cast.system_admin)
    for url in ("/admin/accounts/", f"/admin/accounts/{cast.trainee.pk}/"):
        page = client.get(url).content.decode()
        field = re.search(r'<input type="password" name="password"[^>]*>', page).group(0)
        assert 'autocomplete="new-password"' in field, url
        assert "至少 8 位，不能全是数字，不能与用户名相似。" in page, url
