"""Rotating an admission webhook's certificate: the plan (a dry run) and carrying it out.

Order matters for zero downtime: first every caBundle gets the new CA *beside*
the old ones, then the Secret gets the new certificate, then (optionally) the
Deployment restarts. At every step the certificate the pods serve verifies
against what the API server trusts; if a later step fails, the state is still safe.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chatops.config import KubeSettings
from chatops.fulfillment import InputError, NotFoundError
from handlers.kube import k8s
from handlers.kube.certgen import Material, bundle, fingerprint, issue, server_name, verifies
from handlers.kube.clusters import Cluster
from handlers.kube.errors import api_errors
from handlers.kube.webhooks import CertState, Target, configurations, locate, read_state, targets

if TYPE_CHECKING:
    from cryptography import x509

SMP = "application/strategic-merge-patch+json"
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"


@dataclass
class TargetPlan:
    state: CertState
    due: bool
    why: str


@dataclass
class RotationPlan:
    cluster: str
    configuration: str
    key: str
    restart: bool
    force: bool
    targets: list[TargetPlan] = field(default_factory=list)

    @property
    def due(self) -> list[TargetPlan]:
        return [plan for plan in self.targets if plan.due]


@dataclass(frozen=True)
class Rotated:
    target: Target
    server: x509.Certificate
    ca: x509.Certificate
    kept: list[x509.Certificate]
    secret_created: bool
    restarted: bool
    verified: bool


def _reason(state: CertState, settings: KubeSettings, force: bool, now: dt.datetime) -> tuple[bool, str]:
    days = state.days_left(now)
    if not state.target.service_found:
        return False, "the service does not exist, so there is no server to give a certificate"
    if state.secret is None:
        return True, f"Secret {state.target.namespace}/{state.target.secret} does not exist yet"
    if days is None:
        return True, "the Secret holds no readable certificate"
    when = f"certificate expires {state.server.not_valid_after_utc:%Y-%m-%d} ({days:.0f} days left)"  # type: ignore[union-attr]
    if not state.verified:
        return True, f"{when}; the caBundle does not verify it"
    if days < settings.cert_renew_days:
        return True, f"{when}, under {settings.cert_renew_days} days"
    return force, f"{when}" + ("; rotating anyway (forced)" if force else "")


async def plan_rotation(cluster: Cluster, configuration: str, *, key: str, force: bool, restart: bool,
                        settings: KubeSettings, now: dt.datetime) -> RotationPlan:
    """Read everything a rotation would touch and decide, per service, whether it is due."""
    configs = await configurations(cluster, settings.page_size)
    if configuration not in {config["metadata"]["name"] for _, config in configs}:
        raise NotFoundError(f"No webhook configuration called {configuration} on {cluster.name}.")
    services, _ = targets(configs)
    chosen = [target for target in services if any(e.configuration == configuration for e in target.entries)]
    if not chosen:
        raise InputError(f"{configuration} calls URLs, not services in the cluster; I only rotate certificates of services.")
    plan = RotationPlan(cluster.name, configuration, key, restart, force)
    for target in chosen:
        await locate(cluster, target)
        state = await read_state(cluster, target, now)
        due, why = _reason(state, settings, force, now)
        plan.targets.append(TargetPlan(state, due, why))
    return plan


async def rotate(cluster: Cluster, plan: RotationPlan, *, settings: KubeSettings, now: dt.datetime) -> list[Rotated]:
    """Carry out every due part of ``plan``."""
    done = []
    for target_plan in plan.due:
        target = target_plan.state.target
        # RSA 4096 takes a noticeable fraction of a second: keep the event loop free.
        material = await asyncio.to_thread(issue, target.service, target.namespace, kind=plan.key,
                                           ca_days=settings.cert_ca_days, days=settings.cert_days,
                                           cluster_domain=settings.cluster_domain, now=now)
        state = target_plan.state
        bundle_pem, kept = bundle(material.ca, state.bundle_cas + state.secret_cas, state.server, now)
        await _patch_bundles(cluster, target, bundle_pem)
        created = await _write_secret(cluster, target, target_plan.state.secret, material, bundle_pem, now)
        restarted = plan.restart and target.deployment is not None and await _restart(cluster, target, now)
        verified = verifies(bundle_pem, material.server, server_name(target.service, target.namespace), now)
        done.append(Rotated(target, material.server, material.ca, kept, created, bool(restarted), verified))
    return done


async def _patch_bundles(cluster: Cluster, target: Target, bundle_pem: str) -> None:
    api = k8s.AdmissionregistrationV1Api(cluster.api)
    encoded = base64.b64encode(bundle_pem.encode()).decode()
    for kind, name in target.configurations:
        # Strategic merge keyed by webhook name: only these entries' caBundle changes (a merge patch
        # would replace the whole webhooks list).
        body = {"webhooks": [{"name": e.webhook, "clientConfig": {"caBundle": encoded}}
                             for e in target.entries if (e.kind, e.configuration) == (kind, name)]}
        method = api.patch_mutating_webhook_configuration if kind == "mutating" else api.patch_validating_webhook_configuration
        with api_errors(cluster.name, "patch", f"{kind} webhook configuration {name}"):
            await cluster.call(method, name, body, _content_type=SMP)


async def _write_secret(cluster: Cluster, target: Target, current: dict[str, Any] | None, material: Material,
                        bundle_pem: str, now: dt.datetime) -> bool:
    core = k8s.CoreV1Api(cluster.api)
    data = {"tls.crt": material.tls_crt, "tls.key": material.tls_key, "ca.crt": bundle_pem}
    encoded = {key: base64.b64encode(value.encode()).decode() for key, value in data.items()}
    annotations = {"chatops.io/rotated-at": now.strftime("%Y-%m-%dT%H:%M:%SZ")}
    where = f"secret {target.namespace}/{target.secret}"
    if current is None:
        body = {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                "metadata": {"name": target.secret, "namespace": target.namespace, "annotations": annotations},
                "data": encoded}
        with api_errors(cluster.name, "create", where):
            await cluster.call(core.create_namespaced_secret, target.namespace, body)
        return True
    body = {**current, "data": {**(current.get("data") or {}), **encoded}}
    # Replace with the resourceVersion we read: a concurrent change gives 409 instead of being overwritten.
    body["metadata"] = {**current["metadata"], "annotations": {**(current["metadata"].get("annotations") or {}), **annotations}}
    body["metadata"].pop("managedFields", None)
    with api_errors(cluster.name, "update", where):
        await cluster.call(core.replace_namespaced_secret, target.secret, target.namespace, body)
    return False


async def _restart(cluster: Cluster, target: Target, now: dt.datetime) -> bool:
    """What `kubectl rollout restart` does: a new pod-template annotation, so the pods roll."""
    body = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: now.isoformat()}}}}}
    with api_errors(cluster.name, "patch", f"deployment {target.namespace}/{target.deployment}"):
        await cluster.call(k8s.AppsV1Api(cluster.api).patch_namespaced_deployment, target.deployment, target.namespace,
                           body, _content_type=SMP)
    return True


def describe_ca(cert: x509.Certificate) -> str:
    return f"{fingerprint(cert)} (expires {cert.not_valid_after_utc:%Y-%m-%d})"
