"""Browser: the officer drills from the district's compliance to a person and corrects an entry; the
trainee reads their own hours on a phone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from jingpei.ledger import presets, services
from jingpei.ledger.models import LedgerEntry
from jingpei.orgs.models import Person
from tests.e2e.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hours(cast):
    presets.install()
    Person.objects.update(created_at=datetime(2020, 1, 1, tzinfo=UTC))
    today = date.today()
    services.credit_hours(person=cast.person_a, hours="3", form="online", occurred_on=today.replace(day=1),
                          idempotency_key="e2e:1", title="乡村振兴政策解读")
    services.credit_hours(person=cast.person_a2, hours="1", form="online", occurred_on=today.replace(day=1),
                          idempotency_key="e2e:2", title="重复登记的课程")
    return cast


def test_officer_drills_down_and_corrects(desktop, hours):
    page = desktop
    login(page, "officer")
    page.goto(page.base + "/ledger/")
    page.wait_for_selector("[data-testid=rule-online-yearly]")
    shot(page, "ledger-district")
    page.locator("[data-testid=rule-online-yearly] >> text=落后人员名单").click()
    page.wait_for_selector("[data-testid=people]")
    shot(page, "ledger-behind")
    page.locator("[data-testid=people] >> text=李芳").click()
    page.wait_for_selector("[data-testid=ledger-entries]")
    page.locator("[data-testid=ledger-entries] summary").first.click()
    page.fill("input[name=reason]", "重复登记")
    page.locator("[data-testid=ledger-entries] button:has-text('冲销')").click()
    page.wait_for_selector("text=已更正")
    assert LedgerEntry.objects.filter(reason="重复登记").count() == 1
    shot(page, "ledger-person-corrected")


def test_officer_corrects_an_entry_on_a_phone(phone, hours):
    """The row's last cell is a few characters wide on a phone: the correction form opens as a sheet at the
    bottom of the screen, naming the entry, at a width one can type a reason in; 取消 closes it."""
    page = phone
    login(page, "officer")
    page.goto(page.base + f"/ledger/person/{hours.person_a2.pk}/")
    page.wait_for_selector("[data-testid=ledger-entries]")
    page.locator("[data-testid=ledger-entries] summary").first.click()
    sheet = page.locator("[data-testid=ledger-entries] details[open] form")
    assert sheet.evaluate("f => getComputedStyle(f).position") == "fixed"
    assert "重复登记的课程 1.0 学时" in sheet.inner_text()
    assert page.locator("details[open] input[name=reason]").bounding_box()["width"] > 180
    shot(page, "ledger-correct-phone")
    page.locator("details[open] [data-close-details]").click()
    assert page.locator("[data-testid=ledger-entries] details[open]").count() == 0
    page.locator("[data-testid=ledger-entries] summary").first.click()
    page.fill("details[open] input[name=reason]", "重复登记")
    page.locator("details[open] button:has-text('冲销')").click()
    page.wait_for_selector("text=已更正")
    assert LedgerEntry.objects.filter(reason="重复登记", person=hours.person_a2).count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_trainee_reads_own_hours_on_phone(phone, hours):
    page = phone
    login(page, "trainee")
    page.goto(page.base + "/ledger/me/")
    page.wait_for_selector("[data-testid=compliance]")
    assert "乡村振兴政策解读" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "ledger-trainee-phone")


def test_another_date_of_a_large_subtree_on_a_phone(phone, hours, settings, tmp_path):
    """Past the inline limit, another date's figures and list come from background jobs: the officer
    follows the progress page to the figures, then has the list of the people behind made as Excel."""
    from jingpei.ledger import standing

    standing.rebuild()  # today's figures: the page opens on them
    settings.LEDGER_INLINE_PEOPLE = 2
    settings.MEDIA_ROOT = tmp_path
    page = phone
    login(page, "officer")
    page.goto(page.base + "/ledger/")
    page.wait_for_selector("[data-testid=rule-online-yearly]")
    page.fill("input[name=as_of]", "2026-03-31")
    page.locator("input[name=as_of]").press("Enter")
    page.wait_for_selector("text=查看达标情况")  # the job page (jobs run at once in tests)
    shot(page, "ledger-dated-job-phone")
    page.locator("text=查看达标情况").click()
    page.wait_for_selector("[data-testid=recompute]")
    assert "按 2026-03-31 计算（后台计算完成于" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "ledger-dated-figures-phone")
    page.locator("[data-testid=rule-online-yearly] >> text=落后人员名单").click()
    page.wait_for_selector("[data-testid=too-large]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "ledger-dated-list-phone")
    page.locator("[data-testid=export-job]").click()
    page.wait_for_selector("text=下载名单")
    with page.expect_download() as download:
        page.locator("text=下载名单").click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_a_second_click_does_not_send_the_archive_form_again(desktop, hours):
    """An impatient second click on 下载档案 while the first is on its way posts nothing (the buttons wait;
    the server would hand back the same job anyway, tests/core/test_jobs.py)."""
    page = desktop
    login(page, "officer")
    page.goto(page.base + f"/ledger/org/{hours.district.pk}/")
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "/records/" in r.url else None)
    # answered "204 No Content", the post leaves the page where it is, as a slow answer would
    page.route("**/records/", lambda route: route.fulfill(status=204))
    button = page.locator("form[action$='/records/'] button")
    button.click()
    page.wait_for_timeout(200)
    button.click(force=True)
    page.wait_for_timeout(200)
    assert len(posts) == 1 and button.is_disabled()
