"""certs.check and certs.rotate against the API stand-in; trust is checked with real TLS handshakes."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path
from typing import Mapping

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from kubernetes_asyncio import client

from chatops.fulfillment import InputError, NotFoundError, RetryableError
from handlers import certs
from handlers.kube.certgen import issue
from tests.fakes.kube.server import FakeKubeApi
from tests.handlers.kube.conftest import SOURCE, KubeCluster, MakeCall
from tests.handlers.kube.seed_webhooks import Webhook, handshake, webhook

NS, SVC = "hooks", "policy"
HOST = f"{SVC}.{NS}.svc"


def _old_ca(*, expired: bool) -> str:
    """A CA from an earlier rotation: still valid for a year, or expired last year."""
    now = dt.datetime.now(dt.timezone.utc)
    issued = now - dt.timedelta(days=400 if expired else 10)
    return issue("old", NS, kind="EC P-256", ca_days=365 if expired else 400, days=30, now=issued).ca_crt


async def _secret(api: client.ApiClient, name: str) -> dict[str, str]:
    secret = await client.CoreV1Api(api).read_namespaced_secret(name, NS)
    return {key: base64.b64decode(value).decode() for key, value in secret.data.items()}


async def _bundles(api: client.ApiClient) -> dict[str, str]:
    admission = client.AdmissionregistrationV1Api(api)
    found = {}
    for config in [await admission.read_mutating_webhook_configuration(SVC),
                   await admission.read_validating_webhook_configuration(f"{SVC}-validate")]:
        for hook in config.webhooks:
            found[hook.name] = base64.b64decode(hook.client_config.ca_bundle).decode()
    return found


async def test_check_reports_expiry_and_trust(make_call: MakeCall, admin: Mapping[str, client.ApiClient]) -> None:
    await webhook(admin[SOURCE], NS, SVC, days_left=12)
    await client.AdmissionregistrationV1Api(admin[SOURCE]).create_validating_webhook_configuration({
        "metadata": {"name": "external"}, "webhooks": [{
            "name": "ext.example.com", "admissionReviewVersions": ["v1"], "sideEffects": "None",
            "clientConfig": {"url": "https://hooks.example.com/validate"}}]})
    only = await certs.certs_check(make_call("certs.check", webhook="external"))
    assert only.text.startswith("Webhook certificates of external on prod-gke:") and not only.data["services"]
    with pytest.raises(NotFoundError):
        await certs.certs_check(make_call("certs.check", webhook="nope"))
    reply = await certs.certs_check(make_call("certs.check"))
    assert f"service {NS}/{SVC} (mutating {SVC}/a.{SVC}.example.com, mutating {SVC}/b.{SVC}.example.com, " \
           f"validating {SVC}-validate/v.{SVC}.example.com)" in reply.text
    assert "(12 days left) — rotate soon" in reply.text or "(11 days left) — rotate soon" in reply.text
    assert "caBundle: 1 CA(s)" in reply.text  # three entries carry the same CA: counted once
    assert "verifies the server certificate: yes" in reply.text
    assert "Secret other-svc-tls: not found" in reply.text  # the other service's entry, with no Secret anywhere
    assert "validating external/ext.example.com calls a URL" in reply.text
    ours = next(s for s in reply.data["services"] if s["service"] == f"{NS}/{SVC}")
    assert ours["secret"] == f"{SVC}-certs" and ours["verified"] and sorted(ours["configurations"]) == [SVC, f"{SVC}-validate"]


async def test_plan_is_a_dry_run(make_call: MakeCall, admin: Mapping[str, client.ApiClient], kube_cluster: KubeCluster) -> None:
    await webhook(admin[SOURCE], NS, SVC, days_left=12)
    before = (await _secret(admin[SOURCE], f"{SVC}-certs"), await _bundles(admin[SOURCE]))
    action = certs.table.actions["certs.rotate"]
    assert action.confirm and action.access == "certs:rotate"
    reply = await action.plan(make_call("certs.rotate", webhook=SVC, restart="yes"))
    assert reply.text.startswith(f"Plan to rotate the certificate of webhook configuration {SVC} on prod-gke (dry run")
    assert f"new EC P-256 CA (730 days) and server certificate (365 days) for {SVC}, {SVC}.{NS}, {HOST}" in reply.text
    assert "caBundle on 3 entries" in reply.text and f"Secret {NS}/{SVC}-certs: update" in reply.text
    assert f"Deployment {NS}/{SVC}: rollout restart" in reply.text
    unconfirmed = await action.handler(make_call("certs.rotate", webhook=SVC))  # not confirmed: the plan again
    assert "dry run" in unconfirmed.text
    with pytest.raises(InputError) as dry_run:  # asked as a dry run: the plan is the answer, nothing to confirm
        await action.plan(make_call("certs.rotate", webhook=SVC, dry_run="true"))
    assert dry_run.value.user_message.startswith("Plan to rotate")
    confirmed_dry_run = await action.handler(make_call("certs.rotate", webhook=SVC, dry_run=True, confirmed=True))
    assert "dry run" in confirmed_dry_run.text
    assert (await _secret(admin[SOURCE], f"{SVC}-certs"), await _bundles(admin[SOURCE])) == before
    if kube_cluster.fakes:
        assert not [c for c in kube_cluster.fakes[SOURCE].calls if c.method in ("PUT", "PATCH", "POST", "DELETE")
                    and c.user != "kubernetes-admin"]


async def test_not_due_is_refused_unless_forced(make_call: MakeCall, admin: Mapping[str, client.ApiClient]) -> None:
    await webhook(admin[SOURCE], NS, SVC, days_left=200)
    plan = certs.table.actions["certs.rotate"].plan
    with pytest.raises(InputError) as not_due:
        await plan(make_call("certs.rotate", webhook=SVC))
    assert "not due, skipped" in not_due.value.user_message and 'say "force"' in not_due.value.user_message
    forced = await plan(make_call("certs.rotate", webhook=SVC, force=True))
    assert "rotating anyway (forced)" in forced.text


async def test_rotation_keeps_old_cas_until_they_expire(make_call: MakeCall, admin: Mapping[str, client.ApiClient],
                                                        kube_cluster: KubeCluster, tmp_path: Path) -> None:
    previous, expired = _old_ca(expired=False), _old_ca(expired=True)
    seeded: Webhook = await webhook(admin[SOURCE], NS, SVC, days_left=12, extra_ca_pem=previous + expired)
    other_before = (await _bundles(admin[SOURCE]))[f"other.{SVC}.example.com"]
    reply = await certs.certs_rotate(make_call("certs.rotate", webhook=SVC, restart=True, confirmed=True))
    assert reply.text.startswith(f"Rotated the certificate of webhook configuration {SVC} on prod-gke (EC P-256):")
    assert f"Secret {SVC}-certs updated; caBundle patched on 3 entries; Deployment {SVC} restarting" in reply.text
    assert "PRIVATE KEY" not in reply.text + repr(reply.data)

    secret = await _secret(admin[SOURCE], f"{SVC}-certs")
    bundles = await _bundles(admin[SOURCE])
    assert secret["tls.key"] not in reply.text + repr(reply.data)
    new_bundle = bundles[f"a.{SVC}.example.com"]
    assert bundles[f"b.{SVC}.example.com"] == bundles[f"v.{SVC}.example.com"] == new_bundle == secret["ca.crt"]
    assert bundles[f"other.{SVC}.example.com"] == other_before  # an entry for another service is untouched
    cas = x509.load_pem_x509_certificates(new_bundle.encode())
    assert len(cas) == 3  # new CA, the CA of the certificate being replaced, the previous still-valid CA
    assert expired not in new_bundle and previous in new_bundle and seeded.material.ca_crt in new_bundle

    # Real TLS handshakes: the new certificate verifies against the new bundle, and so does the old one
    # (still mounted in running pods until they reload), while the old bundle does not trust the new one.
    new_cert = dict(cert_pem=secret["tls.crt"], key_pem=secret["tls.key"])
    old_cert = dict(cert_pem=seeded.material.tls_crt, key_pem=seeded.material.tls_key)
    assert await handshake(tmp_path, **new_cert, bundle_pem=new_bundle, hostname=HOST)
    assert await handshake(tmp_path, **old_cert, bundle_pem=new_bundle, hostname=HOST)
    assert not await handshake(tmp_path, **new_cert, bundle_pem=seeded.material.ca_crt, hostname=HOST)
    server = x509.load_pem_x509_certificate(secret["tls.crt"].encode())
    sans = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    assert sans == [SVC, f"{SVC}.{NS}", HOST]

    deployment = await client.AppsV1Api(admin[SOURCE]).read_namespaced_deployment(SVC, NS)
    assert "kubectl.kubernetes.io/restartedAt" in deployment.spec.template.metadata.annotations
    if kube_cluster.fakes:
        patches = kube_cluster.fakes[SOURCE].calls_to("PATCH")
        assert {(c.path, c.content_type) for c in patches} == {
            (f"/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/{SVC}", "application/strategic-merge-patch+json"),
            (f"/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/{SVC}-validate",
             "application/strategic-merge-patch+json"),
            (f"/apis/apps/v1/namespaces/{NS}/deployments/{SVC}", "application/strategic-merge-patch+json")}


async def test_missing_secret_is_created_with_rsa_on_request(make_call: MakeCall, admin: Mapping[str, client.ApiClient],
                                                             tmp_path: Path) -> None:
    await webhook(admin[SOURCE], NS, SVC, days_left=12, with_secret=False)
    reply = await certs.certs_rotate(make_call("certs.rotate", webhook=SVC, algorithm="rsa-2048", confirmed=True))
    assert f"Secret {SVC}-certs created" in reply.text and "(RSA 2048)" in reply.text
    secret = await client.CoreV1Api(admin[SOURCE]).read_namespaced_secret(f"{SVC}-certs", NS)
    assert secret.type == "kubernetes.io/tls"
    key = load_pem_private_key(base64.b64decode(secret.data["tls.key"]), None)
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048
    bundle = (await _bundles(admin[SOURCE]))[f"a.{SVC}.example.com"]
    assert await handshake(tmp_path, cert_pem=base64.b64decode(secret.data["tls.crt"]).decode(),
                           key_pem=base64.b64decode(secret.data["tls.key"]).decode(), bundle_pem=bundle, hostname=HOST)


async def test_a_conflicting_secret_write_leaves_a_safe_state(make_call: MakeCall, admin: Mapping[str, client.ApiClient],
                                                             fakes: Mapping[str, FakeKubeApi], tmp_path: Path) -> None:
    seeded = await webhook(admin[SOURCE], NS, SVC, days_left=5)
    fakes[SOURCE].fail(409, method="PUT", path_prefix=f"/api/v1/namespaces/{NS}/secrets/")
    with pytest.raises(RetryableError) as conflict:
        await certs.certs_rotate(make_call("certs.rotate", webhook=SVC, confirmed=True))
    assert conflict.value.user_message == f"secret {NS}/{SVC}-certs on prod-gke changed while I was updating it; try again."
    bundle = (await _bundles(admin[SOURCE]))[f"a.{SVC}.example.com"]  # patched first, with the old CA kept
    assert await handshake(tmp_path, cert_pem=seeded.material.tls_crt, key_pem=seeded.material.tls_key,
                           bundle_pem=bundle, hostname=HOST)


@pytest.mark.parametrize(("parameters", "error", "message"), [
    ({"webhook": "Not Valid"}, InputError, "is not a valid webhook configuration name"),
    ({"webhook": SVC, "algorithm": "dsa"}, InputError, "not 'dsa'"),
    ({"webhook": SVC, "service": "nope"}, InputError, f"{SVC} does not call */nope; it calls {NS}/other-svc, {NS}/{SVC}."),
    ({"webhook": "missing"}, NotFoundError, "No webhook configuration called missing on prod-gke."),
])
async def test_bad_requests(make_call: MakeCall, admin: Mapping[str, client.ApiClient], parameters: dict,
                            error: type, message: str) -> None:
    await webhook(admin[SOURCE], NS, SVC, days_left=5)
    with pytest.raises(error) as refused:
        await certs.table.actions["certs.rotate"].plan(make_call("certs.rotate", **parameters))
    assert message in refused.value.user_message
