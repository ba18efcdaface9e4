"""Sealing secret parameters that must wait in the store, such as a new value awaiting confirmation.

A confirmation outlives its turn, so its parameters are saved with the
session; the secret ones are encrypted first (Fernet: AES-CBC with an HMAC)
and opened again when the requester confirms. With ``security.seal_key`` unset
each process makes its own key, so a confirmation must come back to the same
replica; set the key to share confirmations between replicas.
"""

from __future__ import annotations

import base64
import functools
import json
import os
from typing import Any, Mapping

from chatops.config import SecuritySettings
from chatops.errors import ConfigError, InputError
from chatops.security import fernet
from chatops.security.masking import SecretRegistry, is_secret_name, register_secret_parameters

SEALED = "$sealed"
UNREADABLE = "That request can no longer be read (the service restarted or changed keys), so nothing was done. Please ask again."


class Sealer:
    """Encrypts and decrypts the secret-named values of a parameter mapping."""

    def __init__(self, key: str | bytes | None = None, *, registry: SecretRegistry | None = None) -> None:
        if key and not _is_fernet_key(key):
            raise ConfigError("CHATOPS_SEAL_KEY must be 32 bytes in URL-safe base64 (Fernet.generate_key())")
        self._key = key or base64.urlsafe_b64encode(os.urandom(32))  # what Fernet.generate_key() makes
        self._registry = registry

    @functools.cached_property
    def _fernet(self) -> fernet.Fernet:
        return fernet.Fernet(self._key)

    @classmethod
    def from_settings(cls, security: SecuritySettings) -> Sealer:
        return cls(security.seal_key or None)

    def seal(self, parameters: Mapping[str, Any]) -> dict[str, Any]:
        """A copy to store: each secret-named value replaced by ``{"$sealed": token}``."""
        # The values are about to be handled in the open elsewhere too (logs of this turn).
        register_secret_parameters(parameters, self._registry)
        return {
            # JSON inside the seal, so a value comes back with its type.
            name: {SEALED: self._fernet.encrypt(json.dumps(value).encode()).decode()}
            if is_secret_name(name) and value not in (None, "")
            else value
            for name, value in parameters.items()
        }

    def unseal(self, parameters: Mapping[str, Any]) -> dict[str, Any]:
        """The original parameters; ``InputError`` with a chat-readable text when a seal cannot be opened."""
        opened = {name: self._open(value) for name, value in parameters.items()}
        register_secret_parameters(opened, self._registry)
        return opened

    def unseal_readable(self, parameters: Mapping[str, Any]) -> dict[str, Any]:
        """The parameters with every seal opened; one that cannot be opened (another key) is left out."""
        opened = {}
        for name, value in parameters.items():
            try:
                opened[name] = self._open(value)
            except InputError:
                continue
        register_secret_parameters(opened, self._registry)
        return opened

    def _open(self, value: Any) -> Any:
        if not (isinstance(value, Mapping) and set(value) == {SEALED}):
            return value
        try:
            return json.loads(self._fernet.decrypt(str(value[SEALED]).encode()))
        except (fernet.InvalidToken, ValueError):
            raise InputError(UNREADABLE, detail="a sealed parameter did not decrypt with this process's key") from None


def _is_fernet_key(key: str | bytes) -> bool:
    """Fernet's own test of a key (32 bytes in URL-safe base64), made at start-up without loading cryptography."""
    try:
        return len(base64.urlsafe_b64decode(key)) == 32
    except (ValueError, TypeError):
        return False
