"""One-time activation codes for accounts opened in bulk.

Hashing a password with the configured hasher costs ~0.5 s on purpose; opening 3,000 trainees' accounts
that way would take 25 minutes. An opened account therefore gets no password: its owner logs in once with
a random code (10 characters, ~50 bits) and must then choose a password. Only an HMAC of the code under
the site's secret key is stored (a code is random, so a keyed hash suffices: without the key nothing can
be tried offline), with an expiry; choosing a password ends it.
"""

from __future__ import annotations

import secrets
import unicodedata
from datetime import timedelta

from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 signs, none to misread (no 0/O, 1/I)
LENGTH = 10
VALID_FOR = timedelta(days=30)


def new_code() -> str:
    """``ABCDE-FGHJK``: read off a paper list and typed on a phone."""
    raw = "".join(secrets.choice(ALPHABET) for _i in range(LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def _normalise(text: str) -> str:
    # Full-width letters from a Chinese keyboard, lowercase, the hyphen or spaces typed or not.
    return "".join(c for c in unicodedata.normalize("NFKC", text or "").upper() if c.isalnum())


def digest(code: str) -> str:
    return salted_hmac("jingpei.accounts.activation", _normalise(code), algorithm="sha256").hexdigest()


def expiry():
    return timezone.now() + VALID_FOR


def matches(user, text: str) -> bool:
    """Whether ``text`` is the user's activation code, still valid."""
    if not user.activation_digest or user.activation_expires is None or user.activation_expires <= timezone.now():
        return False
    return constant_time_compare(digest(text), user.activation_digest)
