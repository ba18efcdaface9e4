"""Admission webhooks as the certificate handlers see them: which service each webhook entry calls,
which Secret holds that service's certificate, which Deployment serves it, and what expires when."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

from handlers.kube import k8s
from handlers.kube.certgen import certificates, fingerprint, server_name, verifies
from handlers.kube.clusters import Cluster
from handlers.kube.errors import api_errors
from handlers.kube.listing import paged

if TYPE_CHECKING:
    from cryptography import x509

SECRET_ANNOTATION = "chatops.io/tls-secret"  # on a webhook configuration: the Secret's name, when discovery cannot tell
KINDS = ("mutating", "validating")


@dataclass(frozen=True)
class Entry:
    """One webhook of a configuration, and the caBundle (base64 of PEM) it holds now."""

    kind: str
    configuration: str
    webhook: str
    ca_bundle: str


@dataclass
class Target:
    """A webhook service and every entry, in every configuration, that calls it."""

    namespace: str
    service: str
    entries: list[Entry] = field(default_factory=list)
    secret_hint: str = ""
    secret: str = ""
    deployment: str | None = None
    service_found: bool = True

    @property
    def name(self) -> str:
        return f"{self.namespace}/{self.service}"

    @property
    def configurations(self) -> list[tuple[str, str]]:
        return sorted({(entry.kind, entry.configuration) for entry in self.entries})


@dataclass
class CertState:
    """What is deployed for a target now."""

    target: Target
    secret: dict[str, Any] | None
    server: x509.Certificate | None
    bundle_cas: list[x509.Certificate]
    secret_cas: list[x509.Certificate]
    verified: bool

    def days_left(self, now: dt.datetime) -> float | None:
        return None if self.server is None else (self.server.not_valid_after_utc - now).total_seconds() / 86400


def _api(cluster: Cluster) -> k8s.AdmissionregistrationV1Api:
    return k8s.AdmissionregistrationV1Api(cluster.api)


async def configurations(cluster: Cluster, page_size: int) -> list[tuple[str, dict[str, Any]]]:
    """Every mutating and validating webhook configuration, as (kind, object)."""
    api = _api(cluster)
    found: list[tuple[str, dict[str, Any]]] = []
    for kind, method in (("mutating", api.list_mutating_webhook_configuration),
                         ("validating", api.list_validating_webhook_configuration)):
        with api_errors(cluster.name, "list", f"{kind} webhook configurations"):
            async for _, items in paged(cluster, method, page_size=page_size):
                found += [(kind, item) for item in items]
    return found


def targets(configs: list[tuple[str, dict[str, Any]]]) -> tuple[list[Target], list[Entry]]:
    """Entries grouped by the service they call, and the entries that call a URL instead (not ours to manage)."""
    by_service: dict[tuple[str, str], Target] = {}
    by_url: list[Entry] = []
    for kind, config in configs:
        name = config["metadata"]["name"]
        hint = ((config["metadata"].get("annotations") or {}).get(SECRET_ANNOTATION)) or ""
        for hook in config.get("webhooks") or []:
            client = hook.get("clientConfig") or {}
            entry = Entry(kind, name, hook["name"], client.get("caBundle") or "")
            service = client.get("service")
            if not service:
                by_url.append(entry)
                continue
            key = (service.get("namespace", "default"), service["name"])
            target = by_service.setdefault(key, Target(*key))
            target.entries.append(entry)
            target.secret_hint = target.secret_hint or hint
    return sorted(by_service.values(), key=lambda t: t.name), by_url


def _matches(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


async def locate(cluster: Cluster, target: Target) -> None:
    """Find the Deployment behind the service and the Secret its pods mount (or the annotated one)."""
    core, apps = k8s.CoreV1Api(cluster.api), k8s.AppsV1Api(cluster.api)
    service: dict[str, Any] = {}
    with api_errors(cluster.name, "read", f"service {target.name}"):
        try:
            service = await cluster.call(core.read_namespaced_service, target.service, target.namespace)
        except k8s.ApiException as exc:
            if exc.status != 404:  # a webhook may name a service that is gone; report it, don't fail the check
                raise
            target.service_found = False
    selector = (service.get("spec") or {}).get("selector") or {}
    mounted: list[str] = []
    with api_errors(cluster.name, "list deployments in", f"namespace {target.namespace}"):
        deployments = (await cluster.call(apps.list_namespaced_deployment, target.namespace)).get("items") or []
    for deployment in deployments:
        template = (deployment.get("spec") or {}).get("template") or {}
        if _matches(selector, (template.get("metadata") or {}).get("labels") or {}):
            target.deployment = deployment["metadata"]["name"]
            volumes = (template.get("spec") or {}).get("volumes") or []
            mounted = [v["secret"]["secretName"] for v in volumes if (v.get("secret") or {}).get("secretName")]
            break
    target.secret = target.secret_hint or (mounted[0] if mounted else f"{target.service}-tls")


def decode(value: str | None) -> str:
    if not value:
        return ""
    try:
        return base64.b64decode(value).decode()
    except (binascii.Error, UnicodeDecodeError):
        return ""


async def read_state(cluster: Cluster, target: Target, now: dt.datetime) -> CertState:
    """The Secret's certificate and the CAs every entry trusts now. The key is read, never kept or shown."""
    secret: dict[str, Any] | None = None
    with api_errors(cluster.name, "read", f"secret {target.namespace}/{target.secret}"):
        try:
            secret = await cluster.call(k8s.CoreV1Api(cluster.api).read_namespaced_secret, target.secret, target.namespace)
        except k8s.ApiException as exc:
            if exc.status != 404:  # no Secret yet: rotation creates it
                raise
    data = (secret or {}).get("data") or {}
    servers = certificates(decode(data.get("tls.crt")))
    bundle_pem = "".join(decode(entry.ca_bundle) for entry in target.entries)
    server = servers[0] if servers else None
    verified = server is not None and all(
        verifies(decode(entry.ca_bundle), server, server_name(target.service, target.namespace), now)
        for entry in target.entries
    )
    return CertState(target, secret, server, _distinct(certificates(bundle_pem)), certificates(decode(data.get("ca.crt"))), verified)


def _distinct(certs: list[x509.Certificate]) -> list[x509.Certificate]:
    """Each CA once, though every entry calling the service carries its own copy of the bundle."""
    return list({fingerprint(cert): cert for cert in certs}.values())
