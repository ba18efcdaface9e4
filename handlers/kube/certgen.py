"""Certificate material for an admission webhook: a CA, a server certificate it signs, and the CA bundle.

Keys are EC P-256 by default (small, fast); RSA 2048 or 4096 on request.
Private keys leave this module only as the PEM that goes into the Secret.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from chatops.fulfillment import InputError
from handlers.kube import crypto

KEY_TYPES = {"ec": "EC P-256", "ecdsa": "EC P-256", "p256": "EC P-256", "rsa": "RSA 2048", "rsa2048": "RSA 2048",
             "rsa4096": "RSA 4096"}
_CLOCK_SKEW = dt.timedelta(minutes=5)

if TYPE_CHECKING:
    PrivateKey: TypeAlias = crypto.ec.EllipticCurvePrivateKey | crypto.rsa.RSAPrivateKey


def key_type(value: str) -> str:
    """Normalise a chat answer ("rsa 4096", "EC") to one of the supported key types."""
    key = value.replace(" ", "").replace("-", "").lower() or "ec"
    if key not in KEY_TYPES:
        raise InputError(f"I can make EC P-256, RSA 2048 or RSA 4096 keys, not {value!r}.")
    return KEY_TYPES[key]


def new_key(kind: str) -> PrivateKey:
    if kind == "EC P-256":
        return crypto.ec.generate_private_key(crypto.ec.SECP256R1())
    return crypto.rsa.generate_private_key(public_exponent=65537, key_size=4096 if kind == "RSA 4096" else 2048)


def dns_names(service: str, namespace: str, cluster_domain: str) -> list[str]:
    """Every name a client in the cluster may use for a webhook service (short forms resolve through search domains)."""
    return [service, f"{service}.{namespace}", server_name(service, namespace), f"{service}.{namespace}.svc.{cluster_domain}"]


def server_name(service: str, namespace: str) -> str:
    """The name the API server verifies when it calls a webhook service."""
    return f"{service}.{namespace}.svc"


@dataclass(frozen=True)
class Material:
    """PEM text for the Secret (tls.key is the only secret part) and the new certificates."""

    ca: crypto.x509.Certificate
    server: crypto.x509.Certificate
    tls_crt: str
    tls_key: str
    ca_crt: str


def issue(service: str, namespace: str, *, kind: str, ca_days: int, days: int, cluster_domain: str,
          now: dt.datetime) -> Material:
    """A fresh CA and a server certificate for ``service.namespace.svc`` signed by it."""
    x509 = crypto.x509
    ca_key, server_key = new_key(kind), new_key(kind)
    ca_name = x509.Name([x509.NameAttribute(crypto.NameOID.ORGANIZATION_NAME, "chatops"),
                         x509.NameAttribute(crypto.NameOID.COMMON_NAME, f"{service}.{namespace}.svc webhook CA")])
    ca = (
        _builder(ca_name, ca_name, ca_key.public_key(), now, now + dt.timedelta(days=ca_days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(cert_sign=True), critical=True)
        .sign(ca_key, crypto.hashes.SHA256())
    )
    names = dns_names(service, namespace, cluster_domain)
    not_after = min(now + dt.timedelta(days=days), ca.not_valid_after_utc)
    server_subject = x509.Name([x509.NameAttribute(crypto.NameOID.COMMON_NAME, server_name(service, namespace))])
    server = (
        _builder(server_subject, ca_name, server_key.public_key(), now, not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(key_encipherment=isinstance(server_key, crypto.rsa.RSAPrivateKey)), critical=True)
        .add_extension(x509.ExtendedKeyUsage([crypto.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name) for name in names]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, crypto.hashes.SHA256())
    )
    serialization = crypto.serialization
    key_pem = server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()).decode()
    return Material(ca, server, pem(server), key_pem, pem(ca))


def _builder(subject: crypto.x509.Name, issuer: crypto.x509.Name, public_key: object, now: dt.datetime,
             not_after: dt.datetime) -> crypto.x509.CertificateBuilder:
    return (
        crypto.x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)  # type: ignore[arg-type]
        .serial_number(crypto.x509.random_serial_number())
        .not_valid_before(now - _CLOCK_SKEW)
        .not_valid_after(not_after)
        .add_extension(crypto.x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)  # type: ignore[arg-type]
    )


def _usage(*, cert_sign: bool = False, key_encipherment: bool = False) -> crypto.x509.KeyUsage:
    return crypto.x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=key_encipherment,
                                data_encipherment=False, key_agreement=False, key_cert_sign=cert_sign, crl_sign=cert_sign,
                                encipher_only=False, decipher_only=False)


def pem(cert: crypto.x509.Certificate) -> str:
    return cert.public_bytes(crypto.serialization.Encoding.PEM).decode()


def certificates(text: str | bytes) -> list[crypto.x509.Certificate]:
    """Every certificate in a PEM text; unreadable text gives none (a broken bundle is reported, not fatal)."""
    data = text.encode() if isinstance(text, str) else text
    try:
        return crypto.x509.load_pem_x509_certificates(data) if data.strip() else []
    except ValueError:
        return []


def fingerprint(cert: crypto.x509.Certificate) -> str:
    return cert.fingerprint(crypto.hashes.SHA256()).hex()[:16]


def bundle(new_ca: crypto.x509.Certificate, previous: list[crypto.x509.Certificate],
           serving: crypto.x509.Certificate | None, now: dt.datetime) -> tuple[str, list[crypto.x509.Certificate]]:
    """The new CA first, then at most one previous CA: PEM text and the kept CAs.

    The one kept is the CA that signed the certificate the pods serve now, so they keep
    verifying until they load the new one; when none of them did, the newest. Expired CAs
    and older ones go, so the bundle never grows past two CAs however often it rotates.
    """
    live = {fingerprint(cert): cert for cert in previous
            if cert.not_valid_after_utc > now and fingerprint(cert) != fingerprint(new_ca)}
    signers = [cert for cert in live.values() if serving is not None and _issued(serving, cert)]
    newest = sorted(live.values(), key=lambda cert: cert.not_valid_before_utc, reverse=True)
    kept = (signers or newest)[:1]
    return "".join(pem(cert) for cert in [new_ca, *kept]), kept


def _issued(cert: crypto.x509.Certificate, ca: crypto.x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, crypto.InvalidSignature):
        return False
    return True


def verifies(bundle_pem: str, server: crypto.x509.Certificate, name: str, now: dt.datetime) -> bool:
    """Whether a TLS client trusting ``bundle_pem`` accepts ``server`` for ``name`` (chain, SAN, EKU, dates)."""
    roots = certificates(bundle_pem)
    if not roots:
        return False
    verifier = (crypto.PolicyBuilder().store(crypto.Store(roots)).time(now)
                .build_server_verifier(crypto.x509.DNSName(name)))
    try:
        verifier.verify(server, [])
    except crypto.VerificationError:
        return False
    return True
