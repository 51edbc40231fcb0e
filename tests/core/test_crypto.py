"""Field encryption: the AES-256-GCM format written now, the Fernet tokens written before it."""

import base64

import pytest
from cryptography.fernet import InvalidToken
from django.test import override_settings

from jingpei.core import crypto

NUMBER = "411104197503081234"


def _legacy_fernet(value: str) -> str:
    """A token exactly as the Fernet-only version of ``crypto.encrypt`` wrote it."""
    return crypto._fernet(crypto._keys()).encrypt(value.encode()).decode()


def test_new_values_are_aes_gcm_with_a_version_prefix_and_round_trip():
    token = crypto.encrypt(NUMBER)
    assert token.startswith(crypto.PREFIX) and NUMBER not in token
    raw = base64.urlsafe_b64decode(token[len(crypto.PREFIX):])
    assert len(raw) == crypto.NONCE_BYTES + len(NUMBER) + 16  # nonce, ciphertext, GCM tag
    assert crypto.decrypt(token) == NUMBER
    assert crypto.encrypt(NUMBER) != token  # a fresh nonce each time
    assert crypto.encrypt("") == "" and crypto.decrypt("") == ""


def test_fernet_tokens_written_before_still_decrypt():
    token = _legacy_fernet("13812345678")
    assert not token.startswith(crypto.PREFIX)
    assert crypto.decrypt(token) == "13812345678"


@pytest.mark.parametrize("make", [crypto.encrypt, _legacy_fernet])
def test_tampered_tokens_are_refused(make):
    token = make(NUMBER)
    body = token[len(crypto.PREFIX):] if token.startswith(crypto.PREFIX) else token
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[-20] ^= 1  # one bit inside the ciphertext
    forged = base64.urlsafe_b64encode(bytes(raw)).decode()
    with pytest.raises(InvalidToken):
        crypto.decrypt(crypto.PREFIX + forged if token.startswith(crypto.PREFIX) else forged)


def test_keys_rotate_for_both_formats():
    with override_settings(FIELD_ENCRYPTION_KEYS=["old-key"]):
        new_format, legacy = crypto.encrypt(NUMBER), _legacy_fernet(NUMBER)
    with override_settings(FIELD_ENCRYPTION_KEYS=["new-key", "old-key"]):
        assert crypto.decrypt(new_format) == NUMBER and crypto.decrypt(legacy) == NUMBER
        assert crypto.decrypt(crypto.encrypt(NUMBER)) == NUMBER
    with override_settings(FIELD_ENCRYPTION_KEYS=["new-key"]), pytest.raises(InvalidToken):
        crypto.decrypt(new_format)


def test_blind_index_is_keyed_and_stable():
    first = crypto.blind_index(NUMBER, "id_number")
    assert first == crypto.blind_index(NUMBER, "id_number") and len(first) == 64
    assert first != crypto.blind_index(NUMBER, "phone")
    with override_settings(FIELD_ENCRYPTION_KEYS=["another-key"]):
        assert crypto.blind_index(NUMBER, "id_number") != first
