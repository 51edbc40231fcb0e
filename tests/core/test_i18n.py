def test_chinese_by_default_english_on_request(client_as, cast):
    client = client_as(cast.liaison_a)
    assert "人员名册" in client.get("/people/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/people/"})
    body = client.get("/people/").content.decode()
    assert "Roster" in body and "Register a person" in body


def test_api_errors_follow_the_language(client_as, cast):
    client = client_as(cast.liaison_a)
    resp = client.get(f"/api/v1/people/{cast.person_b.pk}", HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 404
    assert resp.json()["error"]["message"] == "Not found, or not yours to see."
