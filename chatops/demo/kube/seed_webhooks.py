"""Seeding an admission webhook as the article deploys it: a Deployment mounting a TLS Secret, its Service,
and webhook configurations whose caBundle trusts the Secret's CA. Also a real TLS handshake to check trust."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import ssl
from dataclasses import dataclass
from pathlib import Path

from kubernetes_asyncio import client

from handlers.kube.certgen import Material, issue
from chatops.demo.kube import seed


@dataclass(frozen=True)
class Webhook:
    namespace: str
    service: str
    secret: str
    material: Material


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _hook(name: str, namespace: str, service: str, bundle: str) -> dict:
    # The rule matches a resource nobody has: a real API server would otherwise call this webhook, which has no
    # pods behind it, for every request it matched (and refuse them all, failurePolicy being Fail by default).
    return {"name": name, "admissionReviewVersions": ["v1"], "sideEffects": "None",
            "clientConfig": {"service": {"name": service, "namespace": namespace, "path": "/mutate"}, "caBundle": b64(bundle)},
            "rules": [{"operations": ["CREATE"], "apiGroups": ["chatops.test"], "apiVersions": ["v1"], "resources": ["widgets"]}]}


async def webhook(api: client.ApiClient, namespace: str, service: str, *, days_left: int, extra_ca_pem: str = "",
                  with_secret: bool = True) -> Webhook:
    """Deploy a webhook whose server certificate expires in ``days_left`` days.

    Configurations: mutating ``<service>`` (two entries for the service and one for another
    service) and validating ``<service>-validate`` (one entry for the service).
    """
    now = dt.datetime.now(dt.timezone.utc)
    material = issue(service, namespace, kind="EC P-256", ca_days=days_left + 30, days=days_left, cluster_domain="cluster.local", now=now)
    bundle = material.ca_crt + extra_ca_pem
    secret = f"{service}-certs"
    await seed.namespace(api, namespace)
    core, apps, admission = client.CoreV1Api(api), client.AppsV1Api(api), client.AdmissionregistrationV1Api(api)
    await core.create_namespaced_service(namespace, {"metadata": {"name": service},
                                                     "spec": {"selector": {"app": service}, "ports": [{"port": 443, "targetPort": 8443}]}})
    await apps.create_namespaced_deployment(namespace, {
        "metadata": {"name": service},
        "spec": {"selector": {"matchLabels": {"app": service}}, "template": {
            "metadata": {"labels": {"app": service}},
            "spec": {"containers": [{"name": "server", "image": "webhook:1"}],
                     "volumes": [{"name": "config", "configMap": {"name": "cfg"}},
                                 {"name": "certs", "secret": {"secretName": secret}}]}}}})
    if with_secret:
        await core.create_namespaced_secret(namespace, {
            "metadata": {"name": secret}, "type": "kubernetes.io/tls",
            "data": {"tls.crt": b64(material.tls_crt), "tls.key": b64(material.tls_key), "ca.crt": b64(material.ca_crt)}})
    await admission.create_mutating_webhook_configuration({"metadata": {"name": service, "labels": seed.SEEDED}, "webhooks": [
        _hook(f"a.{service}.example.com", namespace, service, bundle),
        _hook(f"other.{service}.example.com", namespace, "other-svc", material.ca_crt),
        _hook(f"b.{service}.example.com", namespace, service, bundle)]})
    await admission.create_validating_webhook_configuration({"metadata": {"name": f"{service}-validate", "labels": seed.SEEDED}, "webhooks": [
        _hook(f"v.{service}.example.com", namespace, service, bundle)]})
    return Webhook(namespace, service, secret, material)


async def handshake(directory: Path, *, cert_pem: str, key_pem: str, bundle_pem: str, hostname: str) -> bool:
    """Whether a TLS client trusting ``bundle_pem`` completes a handshake with a server using cert and key."""
    (directory / "server.crt").write_text(cert_pem)
    (directory / "server.key").write_text(key_pem)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(directory / "server.crt", directory / "server.key")
    client_context = ssl.create_default_context(cadata=bundle_pem)
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0, ssl=server_context)
    port = server.sockets[0].getsockname()[1]
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port, ssl=client_context, server_hostname=hostname)
        writer.close()
        return True
    except ssl.SSLCertVerificationError:
        return False
    finally:
        server.close()
        await server.wait_closed()
