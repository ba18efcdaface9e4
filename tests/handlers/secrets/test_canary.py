"""The canary: known secrets go through every channel, then nothing but the private reply may hold them.

Two canaries: a production SecureString fetched decrypted (it may appear only
in the requester's secret reply), and a new value typed to rotate a
development parameter (it may appear nowhere the bot writes). Each is sent
through the REST API, the DialogFlow webhook and the in-process chat; then the
captured logs (every logger at DEBUG), the SQLite store's files, the audit
records and every reply the bot sent are searched for them. Slack is not
covered until its channel exists.
"""

from __future__ import annotations

import hashlib
import json
import logging
import urllib.request
from pathlib import Path
from typing import Any, AsyncIterator

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from chatops.config import Settings, load_settings
from chatops.models import Principal, Visibility
from chatops.security.policy import Policy
from chatops.server import create_app
from chatops.server_keys import RUNTIME
from chatops.testing import ChatHarness
from handlers.ssm_client import SsmClient

FETCHED = "canary-fetched-7Hq2xZ"  # stored in SSM before the test, read through chat
TYPED = "canary-typed-Jw4pLq"  # typed in chat as a new value
API_TOKEN = "canary-api-token-0123456789"

POLICY = f"""\
roles:
  ops:
    statements:
      - {{effect: allow, actions: ["ssm:*"], resources: ["/production/*", "/development/*"]}}
bindings:
  - principals: [cli:ana, dialogflow:df-ana, token-sha256:{hashlib.sha256(API_TOKEN.encode()).hexdigest()}]
    roles: [ops]
"""


class Evidence:
    """Everything the bot said (private or not), and the store's files after every turn."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.private: list[str] = []
        self.public: list[str] = []
        # A pending confirmation is overwritten by the next turn, so look after each one.
        self.stored: list[bytes] = []

    def rest(self, answer: dict[str, Any]) -> None:
        self.stored.append(store_bytes(self.settings))
        reply = answer["reply"]
        if reply["visibility"] == Visibility.SECRET.value:
            self.private.append(reply["text"])
            answer = {**answer, "reply": {**reply, "text": "(secret reply)"}}
        self.public.append(json.dumps(answer))

    def dialogflow(self, answer: dict[str, Any]) -> None:
        self.stored.append(store_bytes(self.settings))
        self.public.append(json.dumps(answer))  # the webhook has no private way to answer


@pytest.fixture
def settings(tmp_path: Path, moto_url: str) -> Settings:
    urllib.request.urlopen(urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST")).close()
    return load_settings(
        env={},
        overrides={
            "store": {"url": f"sqlite:///{tmp_path / 'store' / 'chatops.db'}"},
            "aws": {"endpoint_url": moto_url, "access_key_id": "testing", "secret_access_key": "testing"},
            "server": {"api_tokens": (API_TOKEN,)},
            # The dialogflow:df-ana binding holds only because the webhook has its credential.
            "dialogflow": {"basic_user": "df", "basic_password": "df-secret"},
        },
    )


@pytest.fixture
def policy(tmp_path: Path) -> Policy:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY)
    return Policy.load(path)


@pytest.fixture
async def client(settings: Settings, policy: Policy) -> AsyncIterator[TestClient]:
    (Path(settings.store.url.removeprefix("sqlite:///")).parent).mkdir()
    async with TestClient(TestServer(create_app(settings, policy=policy), host="127.0.0.1", port=0)) as test_client:
        ssm = test_client.app[RUNTIME].runtime.resources.get(SsmClient)
        await ssm.put("/production/db/password", FETCHED, kind="SecureString")
        await ssm.put("/development/db/password", "dev-before", kind="SecureString")
        yield test_client


async def rest(client: TestClient, evidence: Evidence, session: str, text: str) -> dict[str, Any]:
    """One REST turn as a token-bound caller; the answer goes to the evidence."""
    headers = {"Authorization": f"Bearer {API_TOKEN}"}
    async with client.post("/api/v1/query", json={"session": session, "text": text}, headers=headers) as response:
        assert response.status == 200
        answer = await response.json()
    evidence.rest(answer)
    return answer


async def dialogflow(client: TestClient, evidence: Evidence, action: str, parameters: dict[str, Any], contexts: list[Any] | None = None) -> dict[str, Any]:
    body = {
        "session": "projects/p/agent/sessions/canary",
        "queryResult": {
            "queryText": "(matched by DialogFlow)", "action": action, "parameters": parameters,
            "outputContexts": contexts or [], "intent": {"displayName": action}, "languageCode": "en",
        },
        "originalDetectIntentRequest": {"source": "slack", "payload": {"user": {"userId": "df-ana"}}},
    }
    async with client.post("/dialogflow/webhook", json=body, auth=aiohttp.BasicAuth("df", "df-secret")) as response:
        assert response.status == 200
        answer = await response.json()
    evidence.dialogflow(answer)
    return answer


def store_bytes(settings: Settings) -> bytes:
    folder = Path(settings.store.url.removeprefix("sqlite:///")).parent
    return b"".join(path.read_bytes() for path in sorted(folder.iterdir()))


async def audit_text(client: TestClient) -> str:
    records = await client.app[RUNTIME].runtime.store.query_audit(limit=1000)
    assert records, "the canary turns left no audit records"
    return repr(records)


def leaks(places: dict[str, str | bytes]) -> list[str]:
    """``canary in place`` for every canary found anywhere, so one run reports every leak."""
    return [
        f"{canary} in {name}"
        for canary in (FETCHED, TYPED)
        for name, text in places.items()
        if (canary.encode() if isinstance(text, bytes) else canary) in text
    ]


async def test_canaries_through_the_rest_api_and_the_dialogflow_webhook(
    client: TestClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    evidence = Evidence(settings)

    fetched = await rest(client, evidence, "canary-rest", "get the secret /production/db/password decrypted")
    assert fetched["reply"]["visibility"] == "secret" and FETCHED in fetched["reply"]["text"]
    await rest(client, evidence, "canary-rest", f"set /development/db/password to {TYPED}")
    rotated = await rest(client, evidence, "canary-rest", "yes")
    assert rotated["reply"]["text"].startswith("Done: /development/db/password is now at version 2")

    withheld = await dialogflow(client, evidence, "secrets.get", {"path": "/production/db/password", "decrypt": "true"})
    assert "secret" in withheld["fulfillmentText"]
    plan = await dialogflow(client, evidence, "secrets.put", {"path": "/development/db/password", "value": TYPED})
    await dialogflow(client, evidence, "confirm.yes", {}, contexts=plan.get("outputContexts"))

    ssm = client.app[RUNTIME].runtime.resources.get(SsmClient)
    assert (await ssm.get("/development/db/password", decrypt=True)).version == 3  # both rotations happened
    audit = await audit_text(client)
    assert evidence.private and all(TYPED not in text for text in evidence.private)
    found = leaks({"logs": caplog.text, "audit": audit, "replies": "\n".join(evidence.public), "store": b"".join(evidence.stored)})
    assert not found, "secrets leaked: " + "; ".join(found)


async def test_canaries_through_the_in_process_chat(settings: Settings, policy: Policy, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    (Path(settings.store.url.removeprefix("sqlite:///")).parent).mkdir()
    async with ChatHarness(settings, policy=policy, principal=Principal(id="ana", channel="cli")) as chat:
        ssm = chat.runtime.resources.get(SsmClient)
        await ssm.put("/production/db/password", FETCHED, kind="SecureString")
        snapshots = []  # the store after every turn, as Evidence does
        for text in ("get the secret /production/db/password decrypted", f"set /development/db/password to {TYPED}", "yes"):
            await chat.say(text)
            snapshots.append(store_bytes(settings))
        replies = [r.reply for r in chat.results]
        assert replies[0].visibility is Visibility.SECRET
        public = "\n".join(repr(r) for r in replies if r.visibility is not Visibility.SECRET)
        audit = repr(await chat.runtime.store.query_audit(limit=1000))
    found = leaks({"logs": caplog.text, "audit": audit, "replies": public, "store": b"".join(snapshots)})
    assert not found, "secrets leaked: " + "; ".join(found)
