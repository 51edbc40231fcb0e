"""Protection of personal data at rest: encryption plus a keyed hash for exact-match search.

ID and phone numbers are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``);
``MultiFernet`` lets keys rotate (the first key encrypts, all decrypt). Equality search goes through
``blind_index``: an HMAC-SHA256 of the normalised value under a key derived separately from the same
secret, so the database holds neither the number nor an unkeyed hash that could be brute-forced from
the small space of valid ID numbers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def _derive(secret: str, purpose: bytes) -> bytes:
    return hashlib.sha256(purpose + b"\x00" + secret.encode()).digest()


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(base64.urlsafe_b64encode(_derive(k, b"jingpei-field-enc"))) for k in keys])


def _keys() -> tuple[str, ...]:
    return tuple(settings.FIELD_ENCRYPTION_KEYS)


def encrypt(value: str) -> str:
    if not value:
        return ""
    return _fernet(_keys()).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    return _fernet(_keys()).decrypt(token.encode()).decode()


def blind_index(value: str, purpose: str) -> str:
    """Keyed hash of ``value`` for equality search; always under the first (current) key."""
    if not value:
        return ""
    key = _derive(_keys()[0], b"jingpei-blind-index:" + purpose.encode())
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def mask_id_number(number: str) -> str:
    """``411104197503081234`` → ``4111**********1234``."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(number: str) -> str:
    """``13812345678`` → ``138****5678``."""
    if len(number) < 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
