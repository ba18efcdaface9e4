"""The demo's Parameter Store: moto's server, and a clear way out when the demo extra is missing."""

from __future__ import annotations

import sys

import aioboto3
import pytest

from chatops.demo import ssm
from chatops.errors import ConfigError


def test_without_moto_the_error_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "moto.server", None)  # as if moto were not installed
    with pytest.raises(ConfigError) as raised, ssm.parameter_store():
        pass
    assert "pip install 'chatops[demo]'" in raised.value.user_message


async def test_the_store_serves_the_seeded_parameters_over_the_ssm_protocol() -> None:
    with ssm.parameter_store() as url:
        await ssm.seed(url)
        session = aioboto3.Session(aws_access_key_id=ssm.KEY, aws_secret_access_key=ssm.KEY, region_name=ssm.REGION)
        async with session.client("ssm", endpoint_url=url) as client:
            secret = await client.get_parameter(Name="/development/db/password", WithDecryption=True)
            listed = await client.get_parameters_by_path(Path="/production", Recursive=True)
    assert (secret["Parameter"]["Type"], secret["Parameter"]["Value"]) == ("SecureString", "dev-pa55word")
    assert sorted(p["Name"] for p in listed["Parameters"]) == ["/production/db/password", "/production/db/url"]
