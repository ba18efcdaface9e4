"""Certificate material per rotation: time to issue a CA and a server certificate, and the bytes it adds
to the Secret and to each webhook entry's caBundle (which keeps one previous CA beside the new one)."""

from __future__ import annotations

import base64
import datetime as dt
import time
from dataclasses import dataclass

from handlers.kube.certgen import bundle, issue


@dataclass(frozen=True)
class Material:
    seconds: float
    tls_key: int
    tls_crt: int
    secret_data: int
    ca_bundle: int


def rotation(kind: str, rounds: int) -> Material:
    """Mean over ``rounds`` rotations of ``kind`` ("EC P-256", "RSA 2048", "RSA 4096")."""
    now = dt.datetime.now(dt.timezone.utc)
    previous = issue("hook", "ops", kind=kind, ca_days=730, days=365, cluster_domain="cluster.local", now=now - dt.timedelta(days=300))
    started = time.perf_counter()
    for _ in range(rounds):
        material = issue("hook", "ops", kind=kind, ca_days=730, days=365, cluster_domain="cluster.local", now=now)
    seconds = (time.perf_counter() - started) / rounds
    bundle_pem, _ = bundle(material.ca, [previous.ca], previous.server, now)
    data = {"tls.crt": material.tls_crt, "tls.key": material.tls_key, "ca.crt": bundle_pem}
    encoded = sum(len(base64.b64encode(value.encode())) for value in data.values())
    return Material(seconds, len(material.tls_key), len(material.tls_crt), encoded, len(base64.b64encode(bundle_pem.encode())))
