"""Fixtures for the SSM handlers: one moto server for the session, emptied before every test."""

from __future__ import annotations

import dataclasses
from typing import Any, AsyncIterator, Awaitable, Callable, Iterator, cast

import pytest

from chatops.config import AwsSettings, Settings
from chatops.fulfillment import HandlerCall, Principal, Reply, Resources
from chatops.store.base import Store
from handlers.secrets import table
from handlers.ssm_client import SsmClient
from tests.fakes.moto_ssm import moto_server, reset_moto
from tests.fakes.ssm_faults import SsmFaultProxy

Run = Callable[..., Awaitable[Reply]]


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture
def aws(moto_url: str) -> AwsSettings:
    reset_moto(moto_url)
    return AwsSettings(region="eu-west-1", endpoint_url=moto_url, access_key_id="testing", secret_access_key="testing")


@pytest.fixture
def settings(aws: AwsSettings) -> Settings:
    return dataclasses.replace(Settings(), aws=aws)


@pytest.fixture
async def ssm(settings: Settings) -> AsyncIterator[SsmClient]:
    """The client exactly as the server opens it: through the table's resource factory."""
    async with table.resources[SsmClient](settings) as client:
        yield client


@pytest.fixture
async def proxy(moto_url: str) -> AsyncIterator[SsmFaultProxy]:
    fake = await SsmFaultProxy(moto_url).start()
    yield fake
    await fake.stop()


@pytest.fixture
async def seed(ssm: SsmClient) -> Callable[..., Awaitable[int]]:
    async def put(name: str, value: str, kind: str = "String") -> int:
        return await ssm.put(name, value, kind=kind)

    return put


def make_call(action: str, client: SsmClient, settings: Settings, principal: Principal | None = None, **parameters: Any) -> HandlerCall:
    return HandlerCall(
        action=action,
        parameters=parameters,
        principal=principal or Principal(id="ana", channel="cli"),
        session="test-session",
        resources=Resources({SsmClient: client}),
        store=cast(Store, None),  # the secrets handlers never touch the store
        settings=settings,
    )


@pytest.fixture
def run(ssm: SsmClient, settings: Settings) -> Run:
    """Call an action's handler the way the dispatcher does, after the resource function."""

    async def call(action: str, **parameters: Any) -> Reply:
        registered = table.actions[action]
        registered.resource_of(parameters)
        return await registered.handler(make_call(action, ssm, settings, **parameters))

    return call
