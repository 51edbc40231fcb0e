"""QR sign-in tokens.

A token is ``"<session_id>.<slot>:<HMAC>"`` signed with the site key (``django.core.signing.Signer``,
salted for this use), where ``slot`` is the 15-second interval it was shown in. The projector shows
a fresh token every slot; a token is accepted during its own slot and a short grace after it, so a
photo sent to someone at home is stale before it arrives. Nothing is stored per token: verifying is
one HMAC and a clock comparison, which keeps 500 scans a minute cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.utils.translation import gettext as _

SLOT_SECONDS = 15
GRACE_SECONDS = 10
CLOCK_SKEW_SECONDS = 5
_signer = signing.Signer(salt="jingpei.classes.signin")


def slot_of(now: datetime) -> int:
    return int(now.timestamp()) // SLOT_SECONDS


def make_token(session_id: int, now: datetime) -> str:
    return _signer.sign(f"{session_id}.{slot_of(now)}")


def seconds_left(now: datetime) -> int:
    return SLOT_SECONDS - int(now.timestamp()) % SLOT_SECONDS


@dataclass(frozen=True)
class TokenCheck:
    session_id: int | None
    slot: int | None
    error: str = ""
    code: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def check_token(token: str, now: datetime, *, expected_session_id: int | None = None,
                ignore_expiry: bool = False) -> TokenCheck:
    """Is ``token`` a genuine, current code (for ``expected_session_id`` when given)?"""
    try:
        value = _signer.unsign(token or "")
        session_part, slot_part = value.split(".")
        session_id, slot = int(session_part), int(slot_part)
    except (signing.BadSignature, ValueError):
        return TokenCheck(None, None, _("二维码无效（校验失败），请扫描现场投影的二维码。"), "forged")
    if expected_session_id is not None and session_id != expected_session_id:
        return TokenCheck(session_id, slot, _("该二维码属于其他课次，不能用于本课次签到。"), "other_session")
    issued = slot * SLOT_SECONDS
    age = now.timestamp() - issued
    if age < -CLOCK_SKEW_SECONDS:
        # Only the site key can sign, so a code from the future was not made by the projector.
        return TokenCheck(session_id, slot, _("二维码时间无效，请扫描现场投影的二维码。"), "forged")
    if not ignore_expiry and age > SLOT_SECONDS + GRACE_SECONDS:
        return TokenCheck(session_id, slot, _("二维码已过期（每 15 秒更新一次）。转发、截图的二维码无效，"
                                              "请扫描现场投影的最新二维码。"), "expired")
    return TokenCheck(session_id, slot)
