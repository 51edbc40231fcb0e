"""The player's JSON exchanges in HTTP terms: a body in; a status and a JSON body out.

One implementation for both ways a heartbeat arrives: the Django view (the development server and the
test client) and the fast WSGI route ``jingpei serve`` takes for ordinary beats (``beat_wsgi``).
"""

from __future__ import annotations

import json

from django.utils.translation import gettext as _

from jingpei.academy import services
from jingpei.core.errors import DomainError

MAX_BODY = 16 * 1024  # a beat is ~0.3 KB with its state token; the token itself is capped at 4 KB


def parse_body(body: bytes) -> dict:
    try:
        data = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise DomainError(_("心跳数据格式错误。")) from None
    if not isinstance(data, dict):
        raise DomainError(_("心跳数据格式错误。"))
    return data


def _number(data: dict, key: str, default: float, *, integer: bool = False):
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DomainError(_("心跳字段 %(f)s 必须是数字。") % {"f": key}, field=key)
    if value != value or value in (float("inf"), float("-inf")):  # NaN and infinities
        raise DomainError(_("心跳字段 %(f)s 必须是数字。") % {"f": key}, field=key)
    return int(value) if integer else float(value)


def error_payload(exc: DomainError) -> dict:
    """The API's one error shape, for the player's JSON endpoints."""
    fields = [{"field": exc.field, "message": exc.message}] if exc.field else []
    return {"error": {"code": exc.code, "message": exc.message, "fields": fields}}


def error_body(exc: DomainError) -> bytes:
    return json.dumps(error_payload(exc), ensure_ascii=False).encode()


def beat(token: str, body: bytes, session_cookie: str) -> tuple[int, bytes]:
    """Judge and record one heartbeat (``services.heartbeat``); the answer's status and JSON bytes."""
    try:
        data = parse_body(body)
        sent = services.Beat(
            seq=_number(data, "seq", 0, integer=True), position=_number(data, "position", 0.0),
            visible=data.get("visible") is True, playing=data.get("playing", True) is True,
            rate=_number(data, "rate", 1.0), active=data.get("active", True) is True,
        )
        state = data.get("state")
        result = services.heartbeat(token=token, session_cookie=session_cookie, beat=sent,
                                    state=state if isinstance(state, str) else "")
    except DomainError as exc:
        return exc.status, error_body(exc)
    # Plain json.dumps (the C encoder): DjangoJSONEncoder costs more than encoding this small dict.
    return 200, json.dumps(result.as_dict()).encode()
