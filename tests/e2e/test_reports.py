"""The officer opens the year's figures from the menu on a phone and on a desktop: the chart is drawn,
the Excel file downloads under the report's title, and nothing scrolls sideways."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from jingpei.ledger import services as ledger
from tests.e2e.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def _hours(cast):
    for n, (person, form) in enumerate([(cast.person_a, "online"), (cast.person_b, "branch"), (cast.person_a2, "online")]):
        ledger.credit_hours(person=person, hours=Decimal("3.5"), form=form, occurred_on=timezone.localdate(),
                            idempotency_key=f"e2e:{n}")


def test_the_year_figures_on_a_phone(cast, phone):
    _hours(cast)
    login(phone, "liaison_a")
    phone.click(".navbar-toggler")
    phone.click("#jp-sidebar >> text=年度统计")
    phone.wait_for_load_state("networkidle")
    year = timezone.localdate().year
    assert phone.locator("h1").inner_text() == f"老窝镇 {year} 年度培训工作统计"
    assert phone.locator("[data-testid=year-chart] canvas").count() == 1
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the report overflows the phone: {width}px"
    shot(phone, "reports-year-phone")


def test_the_officer_downloads_the_district_figures(cast, desktop):
    _hours(cast)
    login(desktop, "officer")
    desktop.goto(desktop.base + "/reports/")
    year = timezone.localdate().year
    figures = desktop.get_by_test_id("key-figures").inner_text()
    assert "总学时" in figures and "10.5" in figures
    with desktop.expect_download() as download:
        desktop.get_by_test_id("year-xlsx").click()
    assert download.value.suggested_filename == f"召陵区 {year} 年度培训工作统计.xlsx"
    desktop.get_by_text("万金镇").click()  # down to a township, and back up by the trail
    desktop.wait_for_load_state("networkidle")
    assert "万金镇" in desktop.locator("h1").inner_text()
    desktop.locator(".breadcrumb a", has_text="召陵区").click()
    assert "召陵区" in desktop.locator("h1").inner_text()
    shot(desktop, "reports-year-desktop")
