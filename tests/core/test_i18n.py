def test_chinese_by_default_english_on_request(client_as, cast):
    client = client_as(cast.liaison_a)
    assert "人员名册" in client.get("/people/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/people/"})
    body = client.get("/people/").content.decode()
    assert "Roster" in body and "Register a person" in body


def test_browser_language_is_ignored_the_users_choice_is_not(client_as, cast):
    client = client_as(cast.liaison_a)
    assert "人员名册" in client.get("/people/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    client.cookies["django_language"] = "en"
    assert "Roster" in client.get("/people/").content.decode()


def test_api_errors_follow_the_language(client_as, cast):
    client = client_as(cast.liaison_a)
    client.cookies["django_language"] = "en"
    resp = client.get(f"/api/v1/people/{cast.person_b.pk}")
    assert resp.status_code == 404
    assert resp.json()["error"]["message"] == "Not found, or not yours to see."


def test_huge_numbers_are_form_errors_not_server_errors(client_as, cast):
    client = client_as(cast.officer)
    resp = client.get("/people/", {"org": "99999999999999999999"})
    assert resp.status_code == 200
    resp = client.get("/classes/", {"year": "99999999999999999999"})
    assert resp.status_code == 200
    assert client.get("/classes/calendar/", {"month": "99999999-01"}).status_code == 404


def test_djangos_own_form_messages_read_as_plain_chinese():
    """Django's zh_Hans catalogue says 确保该变量包含不超过 200 字符 and 确认小数不超过 1 位. (sic); the overrides in
    jingpei/locale_overrides say it as an official would."""
    from decimal import Decimal

    from django import forms
    from django.utils import translation

    class Form(forms.Form):
        topic = forms.CharField(max_length=5)
        hours = forms.DecimalField(decimal_places=1, min_value=Decimal("0.5"))
        day = forms.DateField()
        count = forms.IntegerField(required=True)

    with translation.override("zh-hans"):
        errors = Form({"topic": "一二三四五六", "hours": "1.55", "day": "去年"}).errors
        assert errors == {"topic": ["不能超过 5 个字（现有 6 个）。"], "hours": ["最多 1 位小数。"],
                          "day": ["请填写有效的日期，如 2026-03-05。"], "count": ["此项必须填写。"]}
        assert Form({"topic": "一", "hours": "0.1", "day": "2026-03-05", "count": "x"}).errors == {
            "hours": ["不能小于 0.5。"], "count": ["请填写整数。"]}
    with translation.override("en"):
        assert Form({"topic": "一二三四五六"}).errors["topic"] == ["Ensure this value has at most 5 characters (it has 6)."]
