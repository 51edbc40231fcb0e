"""The system administrator opens a village's accounts in the browser and downloads the list; a trainee on
a phone logs in with a code from it and is made to choose a password first."""

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import login, shot


@pytest.mark.django_db(transaction=True)
def test_accounts_opened_in_bulk_are_activated_on_a_phone(desktop, phone, cast, tmp_path):
    login(desktop, "sysadmin")
    desktop.goto(desktop.base + "/admin/accounts/")
    desktop.click("text=批量开通账号")
    desktop.fill("#pick-org", "zjc")  # 朱集村, by its initials
    desktop.locator(".jp-picker-results >> text=朱集村").first.click()
    desktop.click("text=查看人数")
    outlook = desktop.locator("[data-testid=opening-outlook]")
    expect(outlook).to_contain_text("朱集村")
    without = int(desktop.inner_text("[data-testid=without]"))
    assert without >= 1
    shot(desktop, "desktop-open-accounts")
    asked = []
    desktop.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    with desktop.expect_download() as download:
        outlook.locator("button[type=submit]").click()
    assert "朱集村" in asked[0] and "原激活码作废" in asked[0]
    path = tmp_path / "codes.xlsx"
    download.value.save_as(path)
    assert download.value.suggested_filename.startswith("开通账号-朱集村-")
    rows = list(load_workbook(path).active.iter_rows(values_only=True))[3:]
    assert len(rows) == without
    username, code = rows[0][3], rows[0][4]

    login(phone, username, code.replace("-", "").lower())  # typed without the hyphen, in lower case
    phone.goto(phone.base + "/")
    phone.wait_for_url("**/accounts/password/")
    phone.fill("input[name=old_password]", code)
    phone.fill("input[name=new_password]", "12345678")
    phone.fill("input[name=new_password2]", "12345678")
    phone.click("main button[type=submit]")
    expect(phone.locator(".invalid-feedback").first).to_contain_text("密码只包含数字")
    phone.fill("input[name=old_password]", code)
    phone.fill("input[name=new_password]", "Zhuji-2026")
    phone.fill("input[name=new_password2]", "Zhuji-2026")
    phone.click("main button[type=submit]")
    phone.wait_for_url(phone.base + "/")
    expect(phone.locator("main")).to_contain_text("密码已修改")
    shot(phone, "phone-activated")
