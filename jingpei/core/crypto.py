"""Protection of personal data at rest: encryption plus a keyed hash for exact-match search.

ID and phone numbers are encrypted with AES-256-GCM (``cryptography``'s ``AESGCM``: one C call per
value, authenticated) and stored as ``v2:`` + URL-safe base64 of nonce‖ciphertext‖tag. Values written
before that are Fernet tokens (AES-128-CBC + HMAC-SHA256, no prefix); they still decrypt, so no data
migration is needed, and are replaced by the new format whenever the value is written again. Keys
rotate as before: the first key of ``FIELD_ENCRYPTION_KEYS`` encrypts, every key is tried to decrypt;
a new first key also changes every blind index, so ``jingpei rotate_field_keys`` rewrites them (and
re-encrypts everything under the new key) before the application starts again (core.fieldkeys).
Equality search goes through ``blind_index``: an HMAC-SHA256 of the normalised value under a key
derived separately from the same secret, so the database holds neither the number nor an unkeyed hash
that could be brute-forced from the small space of valid ID numbers.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Callable
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

PREFIX = "v2:"  # AES-256-GCM; anything without a prefix is a (legacy) Fernet token
NONCE_BYTES = 12


def _derive(secret: str, purpose: bytes) -> bytes:
    return hashlib.sha256(purpose + b"\x00" + secret.encode()).digest()


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(base64.urlsafe_b64encode(_derive(k, b"jingpei-field-enc"))) for k in keys])


@lru_cache(maxsize=4)
def _aead(keys: tuple[str, ...]) -> tuple[AESGCM, ...]:
    # Its own derivation label: the GCM key is never the key material Fernet used.
    return tuple(AESGCM(_derive(k, b"jingpei-field-enc-aes256gcm")) for k in keys)


@lru_cache(maxsize=16)
def _index_key(secret: str, purpose: str) -> bytes:
    return _derive(secret, b"jingpei-blind-index:" + purpose.encode())


@lru_cache(maxsize=16)
def _index_hmac(secret: str, purpose: str) -> hmac.HMAC:
    # Keyed once; each value hashes a copy. ``hmac.digest(key, msg, "sha256")`` looks the digest up
    # in OpenSSL 3 on every call, which cost a bulk import ~2 µs a value, far more beside a writer thread.
    return hmac.new(_index_key(secret, purpose), digestmod=hashlib.sha256)


def _keys() -> tuple[str, ...]:
    return tuple(settings.FIELD_ENCRYPTION_KEYS)


def encrypt(value: str) -> str:
    return encryptor()(value)


def encryptor() -> Callable[[str], str]:
    """``encrypt`` with the key looked up once: for loops over many values (imports)."""
    aead, urandom, b64encode = _aead(_keys())[0], os.urandom, base64.urlsafe_b64encode

    def encrypt_one(value: str) -> str:
        if not value:
            return ""
        nonce = urandom(NONCE_BYTES)  # random 96-bit nonces: safe far beyond 2^32 values per key
        return PREFIX + b64encode(nonce + aead.encrypt(nonce, value.encode(), None)).decode()

    return encrypt_one


def decrypt(token: str) -> str:
    """The plain value of ``token`` in either format; raises ``InvalidToken`` if it was tampered
    with or no configured key opens it."""
    return decryptor()(token)


def decryptor() -> Callable[[str], str]:
    """``decrypt`` with the keys looked up once: for loops over many values (exports)."""
    keys = _keys()
    aeads, fernet, skip = _aead(keys), _fernet(keys), len(PREFIX)
    b64decode = base64.urlsafe_b64decode

    def decrypt_one(token: str) -> str:
        if not token:
            return ""
        if not token.startswith(PREFIX):
            return fernet.decrypt(token.encode()).decode()
        try:
            raw = b64decode(token[skip:])
        except (binascii.Error, ValueError):
            raise InvalidToken from None
        nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
        for aead in aeads:
            try:
                return aead.decrypt(nonce, sealed, None).decode()
            except InvalidTag:
                continue
        raise InvalidToken

    return decrypt_one


def blind_index(value: str, purpose: str) -> str:
    """Keyed hash of ``value`` for equality search; always under the first (current) key."""
    return blind_indexer(purpose)(value)


def blind_indexer(purpose: str) -> Callable[[str], str]:
    """``blind_index`` for one purpose with the key looked up once: for loops over many values."""
    keyed = _index_hmac(_keys()[0], purpose)

    def index_one(value: str) -> str:
        if not value:
            return ""
        mac = keyed.copy()
        mac.update(value.encode())
        return mac.hexdigest()

    return index_one


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
