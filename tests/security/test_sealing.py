"""Sealing the secret parameters of a pending confirmation."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet

from chatops.config import SecuritySettings
from chatops.errors import ConfigError, InputError
from chatops.security.masking import MASK, SecretRegistry
from chatops.security.sealing import SEALED, UNREADABLE, Sealer


def test_seal_hides_secret_values_and_unseal_restores_them() -> None:
    registry = SecretRegistry()
    sealer = Sealer(registry=registry)
    parameters = {"path": "/development/db/password", "value": "sealed-canary-1", "tokens": ["a-token-1"], "count": 2}
    sealed = sealer.seal(parameters)
    stored = json.dumps(sealed)
    assert "sealed-canary-1" not in stored and "a-token-1" not in stored
    assert sealed["path"] == "/development/db/password" and sealed["count"] == 2
    assert set(sealed["value"]) == {SEALED}
    assert sealer.unseal(json.loads(stored)) == parameters
    assert registry.redact("sealed-canary-1") == MASK


def test_a_shared_key_opens_seals_of_another_replica() -> None:
    key = Fernet.generate_key().decode()
    sealed = Sealer.from_settings(SecuritySettings(seal_key=key)).seal({"password": "shared-canary"})
    assert Sealer(key).unseal(sealed) == {"password": "shared-canary"}


def test_another_key_cannot_open_a_seal() -> None:
    sealed = Sealer().seal({"value": "lost-canary"})
    with pytest.raises(InputError) as caught:
        Sealer().unseal(sealed)
    assert caught.value.user_message == UNREADABLE


def test_a_bad_key_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="CHATOPS_SEAL_KEY"):
        Sealer.from_settings(SecuritySettings(seal_key="too-short"))
