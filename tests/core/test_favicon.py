"""The site's icon: named by every page, and /favicon.ico (asked for by browsers where a page names none,
such as a PDF) leads to it instead of a 404 in the console."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_pages_name_the_icon_and_favicon_ico_leads_to_it(client):
    page = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/jingpei/favicon.svg" type="image/svg+xml">' in page
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301 and answer["Location"] == "/static/jingpei/favicon.svg"
    with open(finders.find("jingpei/favicon.svg"), encoding="utf-8") as fh:
        assert fh.read().startswith('<svg xmlns="http://www.w3.org/2000/svg"')
