"""The user guide in the app: every section listed, its tables styled, for any logged-in role."""

from __future__ import annotations

from jingpei.core.help import guide


def test_the_guide_renders_with_its_contents(cast, client_as):
    html, sections = guide()
    names = [s["name"] for s in sections]
    assert names[:2] == ["登录", "角色与范围"] and "开通学员账号（系统管理员）" in names and "培训班（培训专员、班主任、联络员、学员）" in names
    assert '<table class="table table-sm table-bordered">' in html
    page = client_as(cast.trainee).get("/help/").content.decode()
    assert 'data-testid="guide"' in page and all(f'href="#{s["id"]}"' in page for s in sections)
    assert all(f'id="{s["id"]}"' in page for s in sections)  # each contents link has its heading
    assert 'href="/help/"' in page  # in the menu


def test_the_guide_says_it_is_in_chinese_to_an_english_reader(cast, client_as):
    client = client_as(cast.trainee)
    assert "written in Chinese" not in client.get("/help/").content.decode()
    client.cookies["django_language"] = "en"
    page = client.get("/help/").content.decode()
    assert "This guide is written in Chinese" in page and ">Help<" in page  # the menu item in English


def test_the_guide_needs_a_login(client):
    assert client.get("/help/").status_code == 302
