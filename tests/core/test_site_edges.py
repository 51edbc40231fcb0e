"""The site's edges: its icon (named by every page; /favicon.ico, asked for where a page names none, such as
a PDF, leads to it instead of a 404 in the console) and its answers to addresses it does not have."""

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


def test_a_broken_upload_to_an_unknown_address_is_a_400_not_a_500(client, settings):
    """Found by fuzzing: the 404 page's CSRF step parsed the body inside the error handler."""
    from django.test import Client

    strict = Client(enforce_csrf_checks=True, raise_request_exception=False)
    strict.cookies["csrftoken"] = "x" * 32
    answer = strict.post("/no-such-page/", data="{}", content_type="multipart/form-data", HTTP_X_CSRFTOKEN="x" * 32)
    assert answer.status_code == 400
    assert client.get("/no-such-page/").status_code == 404
