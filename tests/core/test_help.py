"""The user guide in the app: every section listed, its tables styled, for any logged-in role, in Chinese or English."""

from __future__ import annotations

from jingpei.core.help import guide


def test_the_guide_renders_with_its_contents(cast, client_as):
    html, sections = guide("zh-hans")
    names = [s["name"] for s in sections]
    assert names[:2] == ["登录", "角色与范围"] and "开通学员账号（系统管理员）" in names and "培训班（培训专员、班主任、联络员、学员）" in names
    assert '<table class="table table-sm table-bordered">' in html
    page = client_as(cast.trainee).get("/help/").content.decode()
    assert 'data-testid="guide"' in page and all(f'href="#{s["id"]}"' in page for s in sections)
    assert all(f'id="{s["id"]}"' in page for s in sections)  # each contents link has its heading
    assert 'href="/help/"' in page  # in the menu


def test_an_english_reader_gets_the_english_guide_with_the_same_sections(cast, client_as):
    chinese, english = guide("zh-hans"), guide("en")
    assert [s["name"] for s in english[1]][:2] == ["Logging in", "Roles and scope"]
    # The two versions keep in step: a section added to one must be added to the other.
    assert len(english[1]) == len(chinese[1])
    assert english[0].count("<table") == chinese[0].count("<table") and english[0].count("<li>") == chinese[0].count("<li>")
    assert guide("fr") == chinese  # no version of its own: the Chinese
    client = client_as(cast.trainee)
    assert "Logging in" not in client.get("/help/").content.decode()
    client.cookies["django_language"] = "en"
    page = client.get("/help/").content.decode()
    assert "Logging in" in page and "Year figures" in page and "登录" not in page and ">Help<" in page


def test_the_guide_needs_a_login(client):
    assert client.get("/help/").status_code == 302
