"""Every form and write endpoint, posted with what a tired official types: never a server error, and every
refusal in the user's language (Chinese), field by field.

The routes and the objects they need come from the same registry as the scoping test (``world``): a new
route is covered without being listed here. Posts are made as the district's training officer, who may
write to almost everything, so they reach the forms' validation rather than a permission check.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.test_scoping_leaks import world  # noqa: F401  (the fixture, shared)

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
# Field names the app's forms and bodies use, each posted with every kind of bad value below.
FIELDS = ["name", "title", "topic", "reason", "text", "content", "note", "position", "place", "subject", "code",
          "username", "password", "old_password", "new_password", "new_password2", "id_number", "phone", "gender",
          "birth_date", "held_on", "start_date", "end_date", "starts_at", "ends_at", "valid_from", "valid_to",
          "since", "until", "year", "hours", "minutes", "days", "seats", "capacity", "min_hours", "required_hours",
          "org", "org_id", "parent", "parent_id", "person", "person_id", "rule", "rule_id", "category", "categories",
          "kind", "tier", "form", "period_kind", "status", "role", "approve", "accept", "action", "attendee_ids",
          "enrolment_id", "session_id", "course_id", "rank_level", "rank_since", "political_status", "ethnicity"]
BAD_VALUES = {
    "empty": "",
    "typed": "  ＡＢＣ１２３<b>x</b>&amp; ",
    "huge": "99999999999999999999",
    "negative": "-1.55",
    "impossible date": "2026-02-30",
}
ERRORS = re.compile(r'class="[^"]*(?:invalid-feedback|errorlist|alert-danger|alert-warning)[^"]*"[^>]*>(.*?)</(?:div|ul|p)>',
                    re.S)


def _refusals(html: str) -> list[str]:
    texts = (re.sub(r"<[^>]+>", " ", t) for t in ERRORS.findall(html))
    return [" ".join(t.split()) for t in texts if t.strip()]


def test_every_form_refuses_bad_input_in_chinese_and_never_fails(client_as, world, cast):  # noqa: F811
    client = client_as(cast.officer)
    english = []
    for path, name, _owned in world["routes"]:
        if path.startswith("/api/") or name in world["public"] or name in {"accounts:logout", "set_language"}:
            continue
        for kind, value in BAD_VALUES.items():
            resp = client.post(path, dict.fromkeys(FIELDS, value), follow=True)
            assert resp.status_code < 500, f"POST {path} ({name}) with {kind} values → {resp.status_code}"
            if "html" in resp.get("Content-Type", "") and not resp.streaming:
                english += [(path, kind, t) for t in _refusals(resp.content.decode()) if not CJK.search(t)]
    assert not english, f"refusals not in Chinese: {english[:5]}"


def test_every_write_endpoint_refuses_bad_bodies_in_chinese_and_never_fails(client_as, world, cast):  # noqa: F811
    client = client_as(cast.officer)
    bodies = {kind: json.dumps(dict.fromkeys(FIELDS, value)) for kind, value in BAD_VALUES.items()}
    bodies |= {"not JSON": '{"name": ', "a list": "[1, 2]", "nothing": ""}
    english = []
    for path, name, _owned in world["routes"]:
        if not path.startswith("/api/") or name in world["public"]:
            continue
        for method in ("post", "put", "patch"):
            for kind, body in bodies.items():
                resp = getattr(client, method)(path, data=body, content_type="application/json")
                assert resp.status_code < 500, f"{method.upper()} {path} with {kind} → {resp.status_code}"
                if resp.status_code >= 400 and resp.get("Content-Type", "").startswith("application/json"):
                    error = resp.json().get("error", {})
                    messages = [error.get("message", "")] + [f.get("message", "") for f in error.get("fields", [])]
                    english += [(method, path, kind, m) for m in messages if not CJK.search(m)]
    assert not english, f"API refusals not in Chinese: {english[:5]}"


QUERY_PARAMS = ["year", "category", "org", "page", "q", "status", "sort", "child", "asof", "as_of", "kind", "tier",
                "rule", "since", "until", "month", "recommended", "form", "action", "actor"]


def test_every_page_reads_bad_query_strings_without_failing(client_as, world, cast):  # noqa: F811
    client = client_as(cast.officer)
    for path, name, _owned in world["routes"]:
        if name in {"accounts:logout", "set_language"}:
            continue
        for kind, value in BAD_VALUES.items():
            resp = client.get(path, dict.fromkeys(QUERY_PARAMS, value))
            assert resp.status_code < 500, f"GET {path} ({name}) with {kind} query values → {resp.status_code}"
