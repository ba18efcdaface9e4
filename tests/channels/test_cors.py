"""CORS on the widget's API and the page's frame-ancestors, through the real app, from CHATOPS_WIDGET_ORIGINS."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from chatops.channels.cors import parse_origins
from chatops.errors import ConfigError
from tests.channels.support import channel_settings, serve

SHOP, DOCS, OTHER = "https://shop.example.com", "http://docs.example.com:8443", "https://evil.example.net"
QUERY = b'{"session": "cors", "text": "tell me a joke"}'
JSON = {"Content-Type": "application/json"}


def preflight(origin: str, method: str = "POST", headers: str = "content-type") -> dict[str, str]:
    return {"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers}


def no_cors_grant(response: ClientResponse) -> bool:
    return not any(name.lower().startswith("access-control-") for name in response.headers)


@pytest.fixture
async def client(agent_dir: Path) -> AsyncIterator[TestClient]:
    async with serve(channel_settings(agent_dir, server={"widget_origins": ("HTTPS://Shop.Example.com:443/", DOCS)})) as client:
        yield client


async def test_an_allowed_origin_gets_its_own_origin_back_and_never_credentials(client: TestClient) -> None:
    for origin in (SHOP, DOCS):  # each of the list, and only its own
        answer = await client.post("/api/v1/query", data=QUERY, headers={**JSON, "Origin": origin})
        assert answer.status == 200 and (await answer.json())["reply"]["text"]
        assert answer.headers["Access-Control-Allow-Origin"] == origin
        assert answer.headers["Access-Control-Expose-Headers"] == "X-Request-Id"
        assert "Origin" in answer.headers.getall("Vary")
        assert "Access-Control-Allow-Credentials" not in answer.headers


async def test_errors_carry_the_grant_so_the_widget_can_read_their_message(client: TestClient) -> None:
    answer = await client.post("/api/v1/query", data=b'{"session": "cors"}', headers={**JSON, "Origin": SHOP})
    assert answer.status == 400 and "text" in (await answer.json())["message"]
    assert answer.headers["Access-Control-Allow-Origin"] == SHOP


async def test_an_origin_outside_the_list_gets_no_cors_header(client: TestClient) -> None:
    for origin in (OTHER, "null", "https://shop.example.com.evil.net", "http://shop.example.com"):
        answer = await client.post("/api/v1/query", data=QUERY, headers={**JSON, "Origin": origin})
        assert no_cors_grant(answer), origin
        assert "Origin" in answer.headers.getall("Vary")


async def test_a_preflight_from_an_allowed_origin_names_methods_headers_and_max_age(client: TestClient) -> None:
    answer = await client.options("/api/v1/query", headers=preflight(SHOP, headers="authorization,content-type"))
    assert answer.status == 204
    assert answer.headers["Access-Control-Allow-Origin"] == SHOP
    assert answer.headers["Access-Control-Allow-Methods"] == "POST"
    assert answer.headers["Access-Control-Allow-Headers"] == "authorization, content-type, x-request-id"
    assert answer.headers["Access-Control-Max-Age"] == "600"
    assert "Origin" in answer.headers.getall("Vary")
    assert "Access-Control-Allow-Credentials" not in answer.headers


async def test_a_preflight_from_another_origin_is_a_clear_403(client: TestClient) -> None:
    answer = await client.options("/api/v1/query", headers=preflight(OTHER))
    body = await answer.json()
    assert answer.status == 403 and no_cors_grant(answer)
    assert body == {
        "error": "origin_not_allowed",
        "message": f"Pages on {OTHER} may not use this chat service; its operator lists the sites allowed in CHATOPS_WIDGET_ORIGINS.",
    }


async def test_a_preflight_for_another_method_or_header_is_refused_by_name(client: TestClient) -> None:
    answer = await client.options("/api/v1/query", headers=preflight(SHOP, method="DELETE", headers="content-type, x-evil, cookie"))
    body = await answer.json()
    assert answer.status == 403 and body["error"] == "preflight_refused"
    assert body["message"].endswith("not DELETE, cookie, x-evil.")
    assert "Access-Control-Allow-Methods" not in answer.headers


async def test_without_an_origin_there_is_no_cors_and_options_says_what_is_accepted(client: TestClient) -> None:
    answer = await client.post("/api/v1/query", data=QUERY, headers=JSON)
    options = await client.options("/api/v1/query")
    assert answer.status == 200 and no_cors_grant(answer)
    assert options.status == 204 and options.headers["Allow"] == "OPTIONS, POST" and no_cors_grant(options)


async def test_only_the_widget_route_is_shared(client: TestClient) -> None:
    for path in ("/healthz", "/readyz", "/api/v1/audit"):
        answer = await client.get(path, headers={"Origin": SHOP})
        assert no_cors_grant(answer), path
    dataset = await client.options("/api/v1/datasets", headers=preflight(SHOP))
    assert dataset.status == 405 and no_cors_grant(dataset)


async def test_the_page_may_be_framed_by_the_listed_origins_only(client: TestClient, agent_dir: Path) -> None:
    listed = (await client.get("/")).headers["Content-Security-Policy"]
    async with serve(channel_settings(agent_dir)) as alone_client:
        alone = (await alone_client.get("/")).headers["Content-Security-Policy"]
    assert listed.endswith(f"; frame-ancestors 'self' {SHOP} {DOCS}")
    assert alone.endswith("; frame-ancestors 'self'")


async def test_with_no_list_every_preflight_is_refused(agent_dir: Path) -> None:
    async with serve(channel_settings(agent_dir)) as client:
        answer = await client.options("/api/v1/query", headers=preflight(SHOP))
        assert answer.status == 403 and no_cors_grant(answer)


def test_origins_are_written_as_browsers_send_them() -> None:
    assert parse_origins(["HTTPS://Shop.Example.com:443/", "http://127.0.0.1:8080", "http://[::1]", "https://shop.example.com"]) == (
        SHOP, "http://127.0.0.1:8080", "http://[::1]",
    )


@pytest.mark.parametrize("bad", ["*", "null", "shop.example.com", "https://shop.example.com/path", "ftp://shop.example.com",
                                 "https://user@shop.example.com", "https://shop.example.com:0", "https://a.com; script-src *"])
def test_a_bad_origin_stops_the_start_with_the_setting_named(bad: str) -> None:
    with pytest.raises(ConfigError, match="CHATOPS_WIDGET_ORIGINS"):
        parse_origins([bad])
