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
