"""Browser: every role's pages of the demo district pass axe-core's WCAG 2 A and AA rules (labels, names,
contrast, structure), half of the roles on a desktop and half on a phone.

axe-core comes from npm (package-lock.json, a devDependency: it is never served to users) and is put into
each page by the test. The markup does not depend on the database, so this runs on SQLite only.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.db import connection

from jingpei.demo.builder import DEMO_PASSWORD, build_everything
from tests.e2e.conftest import login

AXE = settings.NODE_MODULES / "axe-core" / "axe.min.js"
ON_DESKTOP = ("officer", "liaison_wanjin", "auditor", "sysadmin", "secadmin", "auditadmin")
ON_PHONE = ("trainee", "secretary", "liaison_laowo", "head", "lecturer", "approver")
RUN = ("async () => (await axe.run(document, {resultTypes: ['violations'], runOnly: ['wcag2a', 'wcag2aa']}))"
       ".violations.map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)")


def _pages(page) -> list[str]:
    """The role's menu pages, and the first few links of the home page's content (a class, a person …)."""
    menu = page.eval_on_selector_all("aside a[href^='/'], nav a[href^='/']", "els => els.map(e => e.getAttribute('href'))")
    content = page.eval_on_selector_all("main a[href^='/']", "els => els.map(e => e.getAttribute('href'))")[:4]
    files = (".pdf", ".xlsx", ".zip", ".csv")
    return sorted({u for u in [*menu, *content, "/"] if "logout" not in u and "export" not in u and not u.endswith(files)})


def _violations(page, script: str) -> list[str]:
    found = []
    for url in _pages(page):
        page.goto(page.base + url)
        page.wait_for_load_state()
        page.add_script_tag(content=script)
        found += [f"{url}: {v}" for v in page.evaluate(RUN)]
    return found


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the pages' markup does not depend on the database")
@pytest.mark.django_db(transaction=True)
def test_every_roles_pages_pass_axe(desktop, phone):
    if not AXE.exists():
        message = f"axe-core not installed ({AXE}): run npm ci"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    script = AXE.read_text(encoding="utf-8")
    build_everything(people=150, log=lambda message: None)
    found = []
    for page, roles in ((desktop, ON_DESKTOP), (phone, ON_PHONE)):
        for username in roles:
            page.context.clear_cookies()
            login(page, username, DEMO_PASSWORD)
            assert "/accounts/login/" not in page.url, username
            found += [f"{username}@{page.viewport_size['width']} {v}" for v in _violations(page, script)]
    assert found == [], "\n".join(found)
