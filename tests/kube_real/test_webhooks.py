"""Secrets and webhook configurations as the certs handler uses them, as the bot."""

from __future__ import annotations

import base64

import pytest
from kubernetes_asyncio import client
from kubernetes_asyncio.client import ApiClient, ApiException

STRATEGIC = "application/strategic-merge-patch+json"
MERGE = "application/merge-patch+json"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def webhook(name: str, ca: str) -> dict:
    # Matches a resource nobody has, so the API server never calls it.
    return {
        "name": name,
        "clientConfig": {"service": {"namespace": "chatops", "name": "hook", "path": "/validate"}, "caBundle": b64(ca)},
        "rules": [{"apiGroups": ["chatops.test"], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["widgets"]}],
        "sideEffects": "None",
        "admissionReviewVersions": ["v1"],
        "failurePolicy": "Ignore",
    }


async def test_bot_creates_reads_and_replaces_a_tls_secret(bot_api: ApiClient, namespace: str) -> None:
    core = client.CoreV1Api(bot_api)
    body = {
        "metadata": {"name": "hook-tls"},
        "type": "kubernetes.io/tls",
        "data": {"tls.crt": b64("old-cert"), "tls.key": b64("old-key")},
    }
    await core.create_namespaced_secret(namespace, body)

    await core.patch_namespaced_secret("hook-tls", namespace, {"data": {"tls.crt": b64("new-cert")}})
    secret = await core.read_namespaced_secret("hook-tls", namespace)

    assert secret.data == {"tls.crt": b64("new-cert"), "tls.key": b64("old-key")}


async def test_a_tls_secret_without_its_key_is_rejected(bot_api: ApiClient, namespace: str) -> None:
    body = {"metadata": {"name": "half"}, "type": "kubernetes.io/tls", "data": {"tls.crt": b64("cert")}}

    with pytest.raises(ApiException) as refused:
        await client.CoreV1Api(bot_api).create_namespaced_secret(namespace, body)

    assert refused.value.status == 422
    assert "tls.key" in refused.value.body


async def test_strategic_merge_patch_replaces_one_webhooks_ca_bundle(admin_api: ApiClient, bot_api: ApiClient) -> None:
    name = "chatops-smoke-strategic"
    await client.AdmissionregistrationV1Api(admin_api).create_validating_webhook_configuration(
        {"metadata": {"name": name}, "webhooks": [webhook("a.chatops.test", "ca-a"), webhook("b.chatops.test", "ca-b")]}
    )
    patch = {"webhooks": [{"name": "b.chatops.test", "clientConfig": {"caBundle": b64("ca-new")}}]}

    bot = client.AdmissionregistrationV1Api(bot_api)
    await bot.patch_validating_webhook_configuration(name, patch, _content_type=STRATEGIC)
    patched = await bot.read_validating_webhook_configuration(name)

    bundles = {w.name: w.client_config.ca_bundle for w in patched.webhooks}
    assert bundles == {"a.chatops.test": b64("ca-a"), "b.chatops.test": b64("ca-new")}


async def test_merge_patch_would_replace_the_whole_webhook_list(admin_api: ApiClient) -> None:
    # Why the certs handler must send a strategic merge patch: JSON merge patch
    # replaces lists, leaving a webhook without its required fields.
    api = client.AdmissionregistrationV1Api(admin_api)
    name = "chatops-smoke-merge"
    await api.create_validating_webhook_configuration({"metadata": {"name": name}, "webhooks": [webhook("a.chatops.test", "ca-a")]})
    patch = {"webhooks": [{"name": "a.chatops.test", "clientConfig": {"caBundle": b64("ca-new")}}]}

    with pytest.raises(ApiException) as refused:
        await api.patch_validating_webhook_configuration(name, patch, _content_type=MERGE)

    assert refused.value.status == 422
    assert "sideEffects" in refused.value.body
