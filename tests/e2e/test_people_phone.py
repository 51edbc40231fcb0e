"""A township liaison, on a phone, logs in and finds a person by pinyin initials."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, shot


@pytest.mark.django_db(transaction=True)
def test_liaison_finds_person_by_initials_on_phone(phone, cast):
    login(phone, "liaison_a")
    shot(phone, "phone-home")
    # The menu is an off-canvas drawer on a phone.
    phone.click("button.navbar-toggler")
    phone.click("#jp-sidebar >> text=人员名册")
    phone.wait_for_url("**/people/")
    with phone.expect_response(lambda r: "archived=1" in r.url):  # the other filters refresh on change
        phone.check("#archived")
    phone.fill("[data-testid=people-search]", "wxm")
    expect(phone.locator("[data-testid=people-total]")).to_have_text("共 1 人")
    cards = phone.locator("[data-testid=person-card]")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("王小明")
    shot(phone, "phone-people-search")
    # Tapping a result blurs the search box; that must not refresh the list, whose pushState would
    # cancel the tap's navigation (it did, now and then).
    refreshes = []
    phone.on("request", lambda r: "/people/?" in r.url and refreshes.append(r.url))
    cards.first.click()
    phone.wait_for_selector("h1:has-text('王小明')")
    assert refreshes == []
    body = phone.inner_text("main")
    assert "13800001111" not in body and "138****1111" in body
    shot(phone, "phone-person")


@pytest.mark.django_db(transaction=True)
def test_officer_browses_tree_and_searches_org_on_desktop(desktop, cast):
    login(desktop, "officer")
    desktop.goto(desktop.base + "/orgs/")
    desktop.click("#org-tree button[aria-label='展开']")
    desktop.wait_for_selector("#org-tree >> text=老窝镇")
    desktop.fill("[data-testid=org-search]", "lwz")
    desktop.wait_for_selector("#org-search-results >> text=老窝镇")
    shot(desktop, "desktop-orgs")
    desktop.click("#org-search-results >> text=老窝镇")
    desktop.wait_for_selector("h1:has-text('老窝镇')")
    assert "人员（2）" in desktop.inner_text("main")
