"""certs.check and certs.rotate against the API stand-in; trust is checked with real TLS handshakes."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
from pathlib import Path
from typing import Mapping

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from kubernetes_asyncio import client

from chatops.config import Settings
from chatops.fulfillment import InputError, NotFoundError, PlanOnly, RetryableError
from handlers import certs
from handlers.kube.certgen import issue
from tests.fakes.kube.server import FakeKubeApi
from tests.handlers.kube.seed import SEEDED
from tests.handlers.kube.conftest import SOURCE, KubeCluster, MakeCall
from tests.handlers.kube.seed_webhooks import Webhook, handshake, webhook

SVC = "policy"


@pytest.fixture
def ns(kube_cluster: KubeCluster) -> str:
    """The webhook's namespace."""
    return kube_cluster.ns("hooks")


def host(ns: str) -> str:
    return f"{SVC}.{ns}.svc"


def _old_ca(ns: str, *, expired: bool) -> str:
    """A CA from an earlier rotation: still valid for a year, or expired last year."""
    now = dt.datetime.now(dt.timezone.utc)
    issued = now - dt.timedelta(days=400 if expired else 10)
    return issue("old", ns, kind="EC P-256", ca_days=365 if expired else 400, days=30, cluster_domain="cluster.local", now=issued).ca_crt


async def _secret(api: client.ApiClient, ns: str, name: str) -> dict[str, str]:
    secret = await client.CoreV1Api(api).read_namespaced_secret(name, ns)
    return {key: base64.b64decode(value).decode() for key, value in secret.data.items()}


async def _bundles(api: client.ApiClient) -> dict[str, str]:
    admission = client.AdmissionregistrationV1Api(api)
    found = {}
    for config in [await admission.read_mutating_webhook_configuration(SVC),
                   await admission.read_validating_webhook_configuration(f"{SVC}-validate")]:
        for hook in config.webhooks:
            found[hook.name] = base64.b64decode(hook.client_config.ca_bundle).decode()
    return found


async def test_check_reports_expiry_and_trust(make_call: MakeCall, ns: str, admin: Mapping[str, client.ApiClient]) -> None:
    await webhook(admin[SOURCE], ns, SVC, days_left=12)
    await client.AdmissionregistrationV1Api(admin[SOURCE]).create_validating_webhook_configuration({
        "metadata": {"name": "external", "labels": SEEDED}, "webhooks": [{
            "name": "ext.example.com", "admissionReviewVersions": ["v1"], "sideEffects": "None",
            "clientConfig": {"url": "https://hooks.example.com/validate"}}]})
    only = await certs.certs_check(make_call("certs.check", webhook="external"))
    assert only.text.startswith("Webhook certificates of external on prod-gke:") and not only.data["services"]
    with pytest.raises(NotFoundError):
        await certs.certs_check(make_call("certs.check", webhook="nope"))
    reply = await certs.certs_check(make_call("certs.check"))
    assert f"service {ns}/{SVC} (mutating {SVC}/a.{SVC}.example.com, mutating {SVC}/b.{SVC}.example.com, " \
           f"validating {SVC}-validate/v.{SVC}.example.com)" in reply.text
    assert "(12 days left) — rotate soon" in reply.text or "(11 days left) — rotate soon" in reply.text
    assert "caBundle: 1 CA(s)" in reply.text  # three entries carry the same CA: counted once
    assert "verifies the server certificate: yes" in reply.text
    assert "Secret other-svc-tls: not found" in reply.text  # the other service's entry, with no Secret anywhere
    assert "validating external/ext.example.com calls a URL" in reply.text
    ours = next(s for s in reply.data["services"] if s["service"] == f"{ns}/{SVC}")
    assert ours["secret"] == f"{SVC}-certs" and ours["verified"] and sorted(ours["configurations"]) == [SVC, f"{SVC}-validate"]


async def test_plan_is_a_dry_run(make_call: MakeCall, ns: str, admin: Mapping[str, client.ApiClient], kube_cluster: KubeCluster) -> None:
    await webhook(admin[SOURCE], ns, SVC, days_left=12)
    before = (await _secret(admin[SOURCE], ns, f"{SVC}-certs"), await _bundles(admin[SOURCE]))
    action = certs.table.actions["certs.rotate"]
    assert action.confirm and action.access == "certs:rotate"
    reply = await action.plan(make_call("certs.rotate", webhook=SVC, restart="yes"))
    assert reply.text.startswith(f"Plan to rotate the certificate of webhook configuration {SVC} on prod-gke (dry run")
    assert f"new EC P-256 CA (730 days) and server certificate (365 days) for {SVC}, {SVC}.{ns}, {host(ns)}" in reply.text
    assert "caBundle on 3 entries" in reply.text and f"Secret {ns}/{SVC}-certs: update" in reply.text
    assert f"Deployment {ns}/{SVC}: rollout restart" in reply.text
    unconfirmed = await action.handler(make_call("certs.rotate", webhook=SVC))  # not confirmed: the plan again
    assert "dry run" in unconfirmed.text
    dry_run = await action.plan(make_call("certs.rotate", webhook=SVC, restart="yes", dry_run="true"))
    assert isinstance(dry_run, PlanOnly) and dry_run.text == reply.text  # the plan is the answer: nothing to confirm
    assert not isinstance(reply, PlanOnly)
    confirmed_dry_run = await action.handler(make_call("certs.rotate", webhook=SVC, dry_run=True, confirmed=True))
    assert "dry run" in confirmed_dry_run.text
    assert (await _secret(admin[SOURCE], ns, f"{SVC}-certs"), await _bundles(admin[SOURCE])) == before
    if kube_cluster.fakes:
        assert not [c for c in kube_cluster.fakes[SOURCE].calls if c.method in ("PUT", "PATCH", "POST", "DELETE")
                    and c.user != "kubernetes-admin"]


async def test_not_due_is_refused_unless_forced(make_call: MakeCall, ns: str, admin: Mapping[str, client.ApiClient]) -> None:
    await webhook(admin[SOURCE], ns, SVC, days_left=200)
    plan = certs.table.actions["certs.rotate"].plan
    with pytest.raises(InputError) as not_due:
        await plan(make_call("certs.rotate", webhook=SVC))
    assert "not due, skipped" in not_due.value.user_message and 'say "force"' in not_due.value.user_message
    forced = await plan(make_call("certs.rotate", webhook=SVC, force=True))
    assert "rotating anyway (forced)" in forced.text


async def test_rotation_keeps_the_serving_ca_beside_the_new_one(make_call: MakeCall, ns: str, admin: Mapping[str, client.ApiClient],
                                                        kube_cluster: KubeCluster, tmp_path: Path) -> None:
    previous, expired = _old_ca(ns, expired=False), _old_ca(ns, expired=True)
    seeded: Webhook = await webhook(admin[SOURCE], ns, SVC, days_left=12, extra_ca_pem=previous + expired)
    other_before = (await _bundles(admin[SOURCE]))[f"other.{SVC}.example.com"]
    reply = await certs.certs_rotate(make_call("certs.rotate", webhook=SVC, restart=True, confirmed=True))
    assert reply.text.startswith(f"Rotated the certificate of webhook configuration {SVC} on prod-gke (EC P-256):")
    assert f"Secret {SVC}-certs updated; caBundle patched on 3 entries; Deployment {SVC} restarting" in reply.text
    assert "PRIVATE KEY" not in reply.text + repr(reply.data)

    secret = await _secret(admin[SOURCE], ns, f"{SVC}-certs")
    bundles = await _bundles(admin[SOURCE])
    assert secret["tls.key"] not in reply.text + repr(reply.data)
    new_bundle = bundles[f"a.{SVC}.example.com"]
    assert bundles[f"b.{SVC}.example.com"] == bundles[f"v.{SVC}.example.com"] == new_bundle == secret["ca.crt"]
    assert bundles[f"other.{SVC}.example.com"] == other_before  # an entry for another service is untouched
    cas = x509.load_pem_x509_certificates(new_bundle.encode())
    assert len(cas) == 2  # the new CA and the CA of the certificate being replaced; older and expired ones go
    assert expired not in new_bundle and previous not in new_bundle and seeded.material.ca_crt in new_bundle

    # Real TLS handshakes: the new certificate verifies against the new bundle, and so does the old one
    # (still mounted in running pods until they reload), while the old bundle does not trust the new one.
    new_cert = dict(cert_pem=secret["tls.crt"], key_pem=secret["tls.key"])
    old_cert = dict(cert_pem=seeded.material.tls_crt, key_pem=seeded.material.tls_key)
    assert await handshake(tmp_path, **new_cert, bundle_pem=new_bundle, hostname=host(ns))
    assert await handshake(tmp_path, **old_cert, bundle_pem=new_bundle, hostname=host(ns))
    assert not await handshake(tmp_path, **new_cert, bundle_pem=seeded.material.ca_crt, hostname=host(ns))
    server = x509.load_pem_x509_certificate(secret["tls.crt"].encode())
    sans = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    assert sans == [SVC, f"{SVC}.{ns}", host(ns), f"{host(ns)}.cluster.local"]

    deployment = await client.AppsV1Api(admin[SOURCE]).read_namespaced_deployment(SVC, ns)
    assert "kubectl.kubernetes.io/restartedAt" in deployment.spec.template.metadata.annotations
    if kube_cluster.fakes:
        patches = kube_cluster.fakes[SOURCE].calls_to("PATCH")
        assert {(c.path, c.content_type) for c in patches} == {
            (f"/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/{SVC}", "application/strategic-merge-patch+json"),
            (f"/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/{SVC}-validate",
             "application/strategic-merge-patch+json"),
            (f"/apis/apps/v1/namespaces/{ns}/deployments/{SVC}", "application/strategic-merge-patch+json")}


async def test_forced_rotations_keep_the_bundle_at_two_cas(make_call: MakeCall, ns: str, settings: Settings,
                                                           admin: Mapping[str, client.ApiClient], tmp_path: Path) -> None:
    await webhook(admin[SOURCE], ns, SVC, days_left=200, extra_ca_pem=_old_ca(ns, expired=False))
    kube = dataclasses.replace(settings.kube, cluster_domain="corp.example")
    call = dataclasses.replace(make_call("certs.rotate", webhook=SVC, force=True, confirmed=True),
                               settings=dataclasses.replace(settings, kube=kube))
    serving = await _secret(admin[SOURCE], ns, f"{SVC}-certs")
    for _ in range(10):
        await certs.certs_rotate(call)
        bundle = (await _bundles(admin[SOURCE]))[f"a.{SVC}.example.com"]
        assert len(x509.load_pem_x509_certificates(bundle.encode())) == 2
        # The certificate the pods served until this rotation still verifies: no outage between rotations.
        assert await handshake(tmp_path, cert_pem=serving["tls.crt"], key_pem=serving["tls.key"], bundle_pem=bundle,
                               hostname=host(ns))
        serving = await _secret(admin[SOURCE], ns, f"{SVC}-certs")
    server = x509.load_pem_x509_certificate(serving["tls.crt"].encode())
    sans = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    assert sans[-1] == f"{host(ns)}.corp.example"


async def test_missing_secret_is_created_with_rsa_on_request(make_call: MakeCall, ns: str, admin: Mapping[str, client.ApiClient],
                                                             tmp_path: Path) -> None:
    await webhook(admin[SOURCE], ns, SVC, days_left=12, with_secret=False)
    reply = await certs.certs_rotate(make_call("certs.rotate", webhook=SVC, algorithm="rsa-2048", confirmed=True))
    assert f"Secret {SVC}-certs created" in reply.text and "(RSA 2048)" in reply.text
    secret = await client.CoreV1Api(admin[SOURCE]).read_namespaced_secret(f"{SVC}-certs", ns)
    assert secret.type == "kubernetes.io/tls"
    key = load_pem_private_key(base64.b64decode(secret.data["tls.key"]), None)
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048
    bundle = (await _bundles(admin[SOURCE]))[f"a.{SVC}.example.com"]
    assert await handshake(tmp_path, cert_pem=base64.b64decode(secret.data["tls.crt"]).decode(),
                           key_pem=base64.b64decode(secret.data["tls.key"]).decode(), bundle_pem=bundle, hostname=host(ns))


async def test_a_conflicting_secret_write_leaves_a_safe_state(make_call: MakeCall, ns: str, admin: Mapping[str, client.ApiClient],
                                                             fakes: Mapping[str, FakeKubeApi], tmp_path: Path) -> None:
    seeded = await webhook(admin[SOURCE], ns, SVC, days_left=5)
    fakes[SOURCE].fail(409, method="PUT", path_prefix=f"/api/v1/namespaces/{ns}/secrets/")
    with pytest.raises(RetryableError) as conflict:
        await certs.certs_rotate(make_call("certs.rotate", webhook=SVC, confirmed=True))
    assert conflict.value.user_message == f"secret {ns}/{SVC}-certs on prod-gke changed while I was updating it; try again."
    bundle = (await _bundles(admin[SOURCE]))[f"a.{SVC}.example.com"]  # patched first, with the old CA kept
    assert await handshake(tmp_path, cert_pem=seeded.material.tls_crt, key_pem=seeded.material.tls_key,
                           bundle_pem=bundle, hostname=host(ns))


@pytest.mark.parametrize(("parameters", "error", "message"), [
    ({"webhook": "Not Valid"}, InputError, "is not a valid webhook configuration name"),
    ({"webhook": SVC, "algorithm": "dsa"}, InputError, "not 'dsa'"),
    ({"webhook": SVC, "service": "nope"}, InputError, "{svc} does not call */nope; it calls {ns}/other-svc, {ns}/{svc}."),
    ({"webhook": "missing"}, NotFoundError, "No webhook configuration called missing on prod-gke."),
])
async def test_bad_requests(make_call: MakeCall, ns: str, admin: Mapping[str, client.ApiClient], parameters: dict,
                            error: type, message: str) -> None:
    await webhook(admin[SOURCE], ns, SVC, days_left=5)
    with pytest.raises(error) as refused:
        await certs.table.actions["certs.rotate"].plan(make_call("certs.rotate", **parameters))
    assert message.format(ns=ns, svc=SVC) in refused.value.user_message
