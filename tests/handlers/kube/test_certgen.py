"""Certificate material: key types, SANs and usages, and which CAs a new bundle keeps."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from chatops.fulfillment import InputError
from handlers.kube.certgen import bundle, certificates, issue, key_type, verifies

NOW = dt.datetime.now(dt.timezone.utc)


@pytest.mark.parametrize(("said", "kind"), [("", "EC P-256"), ("ec", "EC P-256"), ("RSA", "RSA 2048"),
                                            ("rsa 4096", "RSA 4096"), ("RSA-2048", "RSA 2048")])
def test_key_types(said: str, kind: str) -> None:
    assert key_type(said) == kind


def test_unknown_key_type() -> None:
    with pytest.raises(InputError):
        key_type("ed25519")


def test_server_certificate_shape() -> None:
    material = issue("hook", "ops", kind="EC P-256", ca_days=30, days=365, now=NOW)
    server = material.server
    assert isinstance(server.public_key(), ec.EllipticCurvePublicKey)
    assert server.not_valid_after_utc == material.ca.not_valid_after_utc  # never outlives its CA
    sans = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    assert sans == ["hook", "hook.ops", "hook.ops.svc"]
    assert list(server.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert material.ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert "PRIVATE KEY" in material.tls_key and "PRIVATE KEY" not in material.tls_crt + material.ca_crt


def test_bundle_keeps_live_cas_once_and_drops_expired_ones() -> None:
    live = issue("old", "ops", kind="EC P-256", ca_days=100, days=10, now=NOW - dt.timedelta(days=10))
    expired = issue("older", "ops", kind="EC P-256", ca_days=100, days=10, now=NOW - dt.timedelta(days=200))
    new = issue("hook", "ops", kind="EC P-256", ca_days=100, days=10, now=NOW)
    text, kept = bundle(new.ca, [live.ca, expired.ca, live.ca, new.ca], NOW)
    assert certificates(text) == [new.ca, live.ca] and kept == [live.ca]
    assert verifies(text, new.server, "hook.ops.svc", NOW) and verifies(text, live.server, "old.ops.svc", NOW)
    assert not verifies(text, new.server, "hook.other.svc", NOW)
    assert not verifies(new.ca_crt, live.server, "old.ops.svc", NOW)
    assert certificates("not a pem") == []
