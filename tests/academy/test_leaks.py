"""Every academy URL and API route, visited by the sibling township's liaison with township A's ids."""

from __future__ import annotations

import re

from django.urls import get_resolver

from tests.academy.leaks import make_objects

MARKER = "甲镇机密"


def _academy_routes():
    resolver = get_resolver()
    for pattern in resolver.url_patterns:
        for sub in getattr(pattern, "url_patterns", []):
            if getattr(sub, "app_name", None) == "academy" or getattr(pattern, "app_name", None) == "academy":
                yield str(sub.pattern)
    yield from ("api/v1/academy/courses", "api/v1/academy/courses/{course_id}", "api/v1/academy/my")


def _fill(route: str, objs: dict) -> str:
    def value(match):
        name = match.group(1).split(":")[-1]
        obj = objs[name]
        return str(getattr(obj, "pk", obj))

    return "/" + re.sub(r"[<{]([^>}]+)[>}]", value, route)


def test_no_route_leaks_township_a(cast, client_as):
    objs = make_objects(cast)
    client = client_as(cast.liaison_b)
    routes = list(_academy_routes())
    assert len(routes) >= 14
    for route in routes:
        url = _fill(route, objs)
        for method in (client.get, client.post):
            response = method(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert MARKER not in body.decode(errors="ignore"), (method.__name__, url)
            if any(k in route for k in ("course_id", "lesson_id", "job_id")):
                assert response.status_code in (403, 404, 405), (method.__name__, url, response.status_code)
