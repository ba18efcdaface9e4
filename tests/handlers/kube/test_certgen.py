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
    material = issue("hook", "ops", kind="EC P-256", ca_days=30, days=365, cluster_domain="cluster.local", now=NOW)
    server = material.server
    assert isinstance(server.public_key(), ec.EllipticCurvePublicKey)
    assert server.not_valid_after_utc == material.ca.not_valid_after_utc  # never outlives its CA
    sans = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    assert sans == ["hook", "hook.ops", "hook.ops.svc", "hook.ops.svc.cluster.local"]
    assert list(server.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert material.ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert "PRIVATE KEY" in material.tls_key and "PRIVATE KEY" not in material.tls_crt + material.ca_crt


def test_bundle_keeps_the_ca_of_the_serving_certificate_and_drops_older_and_expired_ones() -> None:
    serving = issue("hook", "ops", kind="EC P-256", ca_days=100, days=30, cluster_domain="cluster.local",
                    now=NOW - dt.timedelta(days=20))
    newer = issue("hook", "ops", kind="EC P-256", ca_days=100, days=10, cluster_domain="cluster.local",
                  now=NOW - dt.timedelta(days=10))
    expired = issue("hook", "ops", kind="EC P-256", ca_days=100, days=10, cluster_domain="cluster.local",
                    now=NOW - dt.timedelta(days=200))
    new = issue("hook", "ops", kind="EC P-256", ca_days=100, days=10, cluster_domain="cluster.local", now=NOW)
    text, kept = bundle(new.ca, [newer.ca, expired.ca, serving.ca, serving.ca, new.ca], serving.server, NOW)
    assert certificates(text) == [new.ca, serving.ca] and kept == [serving.ca]
    assert verifies(text, new.server, "hook.ops.svc", NOW) and verifies(text, serving.server, "hook.ops.svc", NOW)
    assert not verifies(text, new.server, "hook.other.svc", NOW)
    assert not verifies(new.ca_crt, serving.server, "hook.ops.svc", NOW)
    assert certificates("not a pem") == []


def test_bundle_without_a_serving_certificate_keeps_the_newest_live_ca() -> None:
    older = issue("hook", "ops", kind="EC P-256", ca_days=100, days=10, cluster_domain="cluster.local",
                  now=NOW - dt.timedelta(days=20))
    newer = issue("hook", "ops", kind="EC P-256", ca_days=100, days=10, cluster_domain="cluster.local",
                  now=NOW - dt.timedelta(days=10))
    new = issue("hook", "ops", kind="EC P-256", ca_days=100, days=10, cluster_domain="cluster.local", now=NOW)
    assert bundle(new.ca, [older.ca, newer.ca], None, NOW)[1] == [newer.ca]
    assert bundle(new.ca, [older.ca, newer.ca], new.server, NOW)[1] == [newer.ca]  # signed by none of them
    assert bundle(new.ca, [], None, NOW) == (new.ca_crt, [])
