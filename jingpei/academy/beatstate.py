"""The heartbeat's state token: what the server knew after a beat, signed, for the next beat to bring back.

A beat that brings a valid token skips the read: the server runs the same honesty rules on the token's
state and applies one conditional write that matches only while the database is still exactly in that
state (see ``beatstore.save`` with a guard). So the token can only save a round trip, never decide
what is credited: forged, tampered, expired or stale tokens fall back to reading the row.

Plain text, ``:``-separated (cheaper to make and check than JSON + base64, and a load tool can read the
person id), ending in a truncated HMAC-SHA256. The MAC covers the play token and the hash of the browser
session cookie too, so a token is worthless on another device, session or play. It carries nothing the
learner may not see (no presence-check code; the cookie only as part of the MAC).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings

VERSION = "1"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_FIELDS = 17  # version, 15 state fields, MAC
_keys: dict[str, bytes] = {}


def _key() -> bytes:
    # Derived from SECRET_KEY once per process (and per key: tests may change it).
    secret = settings.SECRET_KEY
    if secret not in _keys:
        _keys[secret] = hashlib.sha256(b"jingpei.academy.beat-state\0" + secret.encode()).digest()
    return _keys[secret]


def _mac(payload: str, play_token: str, cookie_hash: str) -> str:
    msg = f"{payload}\n{play_token}\n{cookie_hash}".encode()
    return base64.urlsafe_b64encode(hmac.new(_key(), msg, hashlib.sha256).digest()[:16]).decode().rstrip("=")


def _us(moment: datetime) -> int:
    return (moment - _EPOCH) // _US


def _moment(us: str) -> datetime:
    return _EPOCH + timedelta(microseconds=int(us))


def encode(state, *, play_token: str, cookie_hash: str, loaded_at: datetime) -> str:
    """``state`` is a services._BeatState as it now stands in the database; ``loaded_at`` is when it was
    last read from the database (tokens made from tokens keep it, so the chain expires)."""
    payload = ":".join((
        VERSION, str(state.person_id), str(state.progress_id), str(state.course_id), str(state.duration),
        state.kind, str(state.complete_share), str(state.watched_seconds), repr(float(state.position)),
        str(_us(state.anchor_at)), "" if state.anchor_pos is None else repr(float(state.anchor_pos)),
        str(state.last_seq), "0" if state.completed_at is None else "1", str(_us(state.check_due_at)),
        str(_us(loaded_at)), state.intervals,
    ))
    return f"{payload}:{_mac(payload, play_token, cookie_hash)}"


def decode(token: str, *, play_token: str, cookie_hash: str, now: datetime, max_age: float) -> dict | None:
    """The state the token vouches for, or None if it is malformed, not ours, for another play or session,
    or older than ``max_age`` seconds since the row was last read."""
    if not token or len(token) > 4096:
        return None
    parts = token.split(":")
    if len(parts) != _FIELDS or parts[0] != VERSION:
        return None
    payload, _, mac = token.rpartition(":")
    if not hmac.compare_digest(mac, _mac(payload, play_token, cookie_hash)):
        return None
    try:
        loaded_at = _moment(parts[14])
        if not timedelta(0) <= now - loaded_at <= timedelta(seconds=max_age):
            return None
        return {
            "person_id": int(parts[1]), "progress_id": int(parts[2]), "course_id": int(parts[3]),
            "duration": int(parts[4]), "kind": parts[5], "complete_share": Decimal(parts[6]),
            "watched_seconds": int(parts[7]), "position": float(parts[8]), "anchor_at": _moment(parts[9]),
            "anchor_pos": float(parts[10]) if parts[10] else None, "last_seq": int(parts[11]),
            "completed_at": loaded_at if parts[12] == "1" else None, "check_due_at": _moment(parts[13]),
            "loaded_at": loaded_at, "intervals": parts[15],
        }
    except (ValueError, ArithmeticError, OverflowError):  # signed by us, so only after a format change
        return None
