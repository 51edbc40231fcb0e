"""Walk every URL and API route as the liaison of the sibling township (and as nobody) and fail on
any leak: seeing, listing, editing, exporting or counting township A's data.

Every app registers, in ``tests/<app>/leaks.py``:
* ``make_objects(cast) -> {url_kwarg: object_of_township_A}`` for every URL keyword its routes use;
* optionally ``OWN_RECORDS`` (model labels an outsider may create for themselves, e.g. their own export);
* optionally ``EXTRA_GETS`` (paths with ``{kwarg}`` placeholders, e.g. filters and exports),
  ``PUBLIC`` (url names meant for anyone, e.g. certificate verification) and
  ``MARKERS`` (more strings of A's that must never appear).
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

import tests

A_MARKERS = ["王小明", "李芳", "朱集村", "老窝镇", "甲镇机密", "13800001111"]
ALWAYS_PUBLIC = {"accounts:login", "set_language", "healthz", "favicon", "api:openapi-json", "api:openapi-view"}
WRITE_METHODS = ["post", "put", "patch", "delete"]


def _leak_modules():
    for info in pkgutil.iter_modules(tests.__path__):
        if info.ispkg:
            try:
                yield importlib.import_module(f"tests.{info.name}.leaks")
            except ModuleNotFoundError:
                continue


def _patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _patterns(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), f"{namespace}{p.name}" if p.name else ""


def _to_path(route: str, objects: dict) -> str | None:
    """Turn a route (``orgs/<int:org_id>/`` or a ninja ``people/<int:person_id>``) into a path."""
    route = route.lstrip("^").rstrip("$")
    missing = []

    def sub(match):
        name = match.group(2)
        if name not in objects:
            missing.append(name)
            return ""
        obj = objects[name]
        return str(getattr(obj, "pk", obj) if name.endswith("_id") else getattr(obj, "leak_value", obj))

    path = re.sub(r"<(?:(\w+):)?(\w+)>", sub, route)
    if missing:
        raise LookupError(", ".join(missing))
    return "/" + path


@pytest.fixture
def world(cast):
    objects, extra, public, markers = {}, [], set(ALWAYS_PUBLIC), list(A_MARKERS)
    own_records = {"core.Job"}
    for module in _leak_modules():
        objects.update(module.make_objects(cast))
        extra += getattr(module, "EXTRA_GETS", [])
        public |= set(getattr(module, "PUBLIC", ()))
        markers += getattr(module, "MARKERS", [])
        own_records |= set(getattr(module, "OWN_RECORDS", ()))
    routes = []
    unregistered = []
    for route, name in _patterns():
        if route.startswith("i18n/") or "static" in route or "media" in route and "<path" in route:
            continue
        try:
            routes.append((_to_path(route, objects), name, "<" in route))
        except LookupError as exc:
            unregistered.append(f"{route} needs {exc}")
    assert not unregistered, "register these URL kwargs in tests/<app>/leaks.py: " + "; ".join(unregistered)
    extra_paths = [e.format(**{k: getattr(v, "pk", v) for k, v in objects.items()}) for e in extra]
    return {"routes": routes, "extra": extra_paths, "public": public, "markers": markers, "own": own_records}


def _model_counts(own_records):
    # Left out: records of the outsider's own requests (a job, an export of their own data), which the
    # app's leaks module names in OWN_RECORDS; their jobs are checked separately below.
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m.__module__.startswith("jingpei.") and m._meta.label not in own_records
    }


def _assert_no_marker(resp, markers, where):
    if resp.status_code >= 300 or resp.get("Content-Type", "").startswith(("image/", "video/")):
        return
    body = b"".join(resp.streaming_content) if resp.streaming else resp.content
    text = body.decode("utf-8", errors="ignore")
    for m in markers:
        assert m not in text, f"{where} shows {m!r} of township A to the liaison of township B"


def test_outsider_sees_nothing_of_township_a(client_as, world, cast):
    client = client_as(cast.liaison_b)
    for path, name, _owned in world["routes"]:
        resp = client.get(path)
        assert resp.status_code < 500, f"GET {path} ({name}) → {resp.status_code}"
        if name not in world["public"]:
            _assert_no_marker(resp, world["markers"], f"GET {path} ({name})")
    for path in world["extra"]:
        resp = client.get(path)
        assert resp.status_code < 500, f"GET {path} → {resp.status_code}"
        _assert_no_marker(resp, world["markers"], f"GET {path}")


def test_outsider_cannot_change_township_a(client_as, world, cast):
    client = client_as(cast.liaison_b)
    before = _model_counts(world["own"])
    for path, name, owned in world["routes"]:
        if name in world["public"] or name in {"accounts:logout", "set_language"}:
            continue
        for method in WRITE_METHODS:
            resp = (
                getattr(client, method)(path, data="{}", content_type="application/json")
                if method != "post"
                else client.post(path, {"name": "乙镇篡改", "reason": "x", "action": "archive"})
            )
            assert resp.status_code < 500, f"{method.upper()} {path} ({name}) → {resp.status_code}"
            # A route about one of A's objects must refuse outright; others (lists, create forms) may
            # answer, but nothing may change (checked below).
            assert not owned or resp.status_code in (400, 403, 404, 405, 422), (
                f"{method.upper()} {path} ({name}) answered {resp.status_code} to the outsider"
            )
    assert _model_counts(world["own"]) == before, "the outsider's requests changed data"
    from jingpei.core.models import Job

    for job in Job.objects.filter(created_by=cast.liaison_b):
        text = f"{job.title} {job.message} {job.result} {job.params}"
        assert not any(m in text for m in world["markers"]), f"the outsider's job {job.name} touched A's data"


def test_anonymous_is_sent_to_login(client, world):
    """Every page sends a visitor who is not logged in (or whose session ran out) to the login page, never to a
    404 that looks like a missing page; the API answers 401. A route that only takes POST answers GET with 405.
    (The API's bare root has nothing to show anyone.)"""
    wrong = []
    for path, name, _owned in world["routes"]:
        if name in world["public"] or name == "api:api-root":
            continue
        resp = client.get(path)
        allowed = (401, 405) if path.startswith("/api/") else (302, 405)
        if resp.status_code not in allowed or (resp.status_code == 302 and "/accounts/login/" not in resp["Location"]):
            wrong.append(f"anonymous GET {path} ({name}) → {resp.status_code} {resp.get('Location', '')}")
    assert wrong == [], "\n".join(wrong)


def test_counts_of_the_outsider_are_their_own(client_as, cast):
    resp = client_as(cast.liaison_b).get("/")
    assert resp.context["summary"]["cards"] == [
        {"key": "orgs", "label": "组织", "value": 3},
        {"key": "branches", "label": "党支部", "value": 1},
        {"key": "people", "label": "人员", "value": 1},
    ]
    api = client_as(cast.liaison_b).get("/api/v1/people/").json()
    assert api["count"] == 1 and api["items"][0]["name"] == "赵秘密"


def test_out_of_range_ids_are_404_not_server_errors(client_as, cast):
    client = client_as(cast.officer)
    for path in ("/people/99999999999999999999/", "/orgs/99999999999999999999/", "/api/v1/people/99999999999999999999"):
        assert client.get(path).status_code == 404, path
