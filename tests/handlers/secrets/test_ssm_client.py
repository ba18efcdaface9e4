"""SsmClient's retries and error mapping, with AWS failures injected by a proxy in front of moto."""

from __future__ import annotations

import dataclasses
import socket
from typing import AsyncIterator

import aioboto3
import pytest
from aiobotocore.config import AioConfig

from chatops.config import AwsSettings, Settings
from chatops.fulfillment import AccessError, InputError, PermanentError, RetryableError
from handlers.secrets import table
from handlers.ssm_client import SsmClient, open_ssm_client
from tests.fakes.ssm_faults import SsmFaultProxy
from tests.handlers.secrets.conftest import make_call


class Sleeps:
    """Records the backoff delays instead of waiting them out."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
async def faulty(aws: AwsSettings, proxy: SsmFaultProxy, ssm: SsmClient) -> AsyncIterator[tuple[SsmClient, Sleeps]]:
    """A client to the proxy, backoff 1s and 4 attempts, recording its sleeps."""
    await ssm.put("/development/db/password", "faults-canary", kind="SecureString")
    session = aioboto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=aws.region)
    no_retries = AioConfig(retries={"total_max_attempts": 1})
    sleeps = Sleeps()
    client = SsmClient(lambda: session.client("ssm", endpoint_url=proxy.url, config=no_retries),
                       attempts=4, backoff_seconds=1.0, sleep=sleeps)
    yield client, sleeps
    await client.close()


async def test_throttling_is_retried_with_growing_backoff(faulty: tuple[SsmClient, Sleeps], proxy: SsmFaultProxy) -> None:
    client, sleeps = faulty
    proxy.fail("GetParameter", times=3, code="ThrottlingException")
    found = await client.get("/development/db/password", decrypt=True)
    assert found.value == "faults-canary"
    assert proxy.count("GetParameter") == 4
    assert len(sleeps.delays) == 3
    for attempt, delay in enumerate(sleeps.delays):
        assert 0.5 * 2**attempt <= delay <= 2**attempt


async def test_throttling_that_does_not_stop_becomes_a_retryable_error(faulty: tuple[SsmClient, Sleeps], proxy: SsmFaultProxy) -> None:
    client, _ = faulty
    proxy.fail("GetParameter", times=10, code="ThrottlingException")
    with pytest.raises(RetryableError) as caught:
        await client.get("/development/db/password", decrypt=False)
    assert caught.value.user_message == "AWS is throttling SSM requests right now; try again in a minute."
    assert proxy.count("GetParameter") == 4


async def test_server_errors_are_retried(faulty: tuple[SsmClient, Sleeps], proxy: SsmFaultProxy) -> None:
    client, sleeps = faulty
    proxy.fail("PutParameter", times=1, status=500, code="InternalServerError")
    assert await client.put("/development/db/password", "faults-canary-2", kind="SecureString") == 2
    assert proxy.count("PutParameter") == 2 and len(sleeps.delays) == 1


@pytest.mark.parametrize(("status", "code"), [(400, "AccessDeniedException"), (403, None)])
async def test_access_denied_is_explained_and_not_retried(
    faulty: tuple[SsmClient, Sleeps], proxy: SsmFaultProxy, status: int, code: str | None
) -> None:
    client, sleeps = faulty
    proxy.fail("GetParameter", times=1, status=status, code=code)
    with pytest.raises(AccessError) as caught:
        await client.get("/production/db/password", decrypt=True)
    assert caught.value.user_message == (
        "AWS refused me access to /production/db/password: my IAM role lacks ssm:GetParameter (or the KMS key) for it."
    )
    assert caught.value.permission == "ssm:GetParameter"
    assert proxy.count("GetParameter") == 1 and sleeps.delays == []


async def test_rejected_credentials(faulty: tuple[SsmClient, Sleeps], proxy: SsmFaultProxy) -> None:
    client, _ = faulty
    proxy.fail("GetParametersByPath", times=1, code="UnrecognizedClientException")
    with pytest.raises(PermanentError, match="rejected my credentials"):
        await client.list("/development")


async def test_validation_errors_do_not_echo_the_upstream_message(faulty: tuple[SsmClient, Sleeps], proxy: SsmFaultProxy) -> None:
    client, _ = faulty
    proxy.fail("PutParameter", times=1, code="ValidationException")
    with pytest.raises(InputError) as caught:
        await client.put("/development/db/password", "echo-canary", kind="SecureString")
    assert caught.value.user_message == "SSM rejected that request for /development/db/password as invalid."


async def test_listing_retries_through_the_handler(aws: AwsSettings, proxy: SsmFaultProxy, ssm: SsmClient) -> None:
    for i in range(12):
        await ssm.put(f"/development/p{i:02d}", "v-list", kind="String")
    proxy.fail("GetParametersByPath", times=1)
    settings = dataclasses.replace(Settings(), aws=dataclasses.replace(aws, endpoint_url=proxy.url, ssm_backoff_seconds=0.01))
    async with table.resources[SsmClient](settings) as client:
        reply = await table.actions["secrets.list"].handler(make_call("secrets.list", client, settings, path="/development"))
    assert len(reply.data["parameters"]) == 12
    # one throttled request, then two pages of at most ten
    assert proxy.count("GetParametersByPath") == 3


async def test_an_unreachable_endpoint(aws: AwsSettings) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    async with open_ssm_client(dataclasses.replace(aws, endpoint_url=closed)) as client:
        with pytest.raises(RetryableError, match="cannot reach AWS SSM"):
            await client.get("/development/x", decrypt=False)
