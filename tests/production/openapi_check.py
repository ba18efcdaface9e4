"""Holding real responses to the OpenAPI document: the status is documented, and the body fits its schema."""

from __future__ import annotations

from typing import Any

from aiohttp import ClientResponse
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = "urn:chatops:openapi"


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


class Contract:
    """Checks responses against one OpenAPI 3.1 document (its schemas are JSON Schema 2020-12)."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.registry: Registry[Any] = Registry().with_resource(ROOT, Resource.from_contents(document, DRAFT202012))

    def _resolve(self, item: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in item:
            node: Any = self.document
            for part in item["$ref"].removeprefix("#/").split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            item = node
        return item

    def validator(self, pointer: str) -> Draft202012Validator:
        return Draft202012Validator({"$ref": f"{ROOT}#{pointer}"}, registry=self.registry)

    def schema_pointer(self, path: str, method: str, status: int, media: str) -> str:
        """The JSON pointer of the response schema; fails when the status or media type is not documented."""
        operation = self.document["paths"][path][method.lower()]
        responses = operation["responses"]
        key = str(status) if str(status) in responses else "default"
        assert key in responses, f"{method} {path} answered {status}, which the document does not list ({sorted(responses)})"
        response = responses[key]
        base = f"/paths/{_escape(path)}/{method.lower()}/responses/{key}"
        if "$ref" in response:
            base = response["$ref"].removeprefix("#")
            response = self._resolve(response)
        assert media in response.get("content", {}), f"{method} {path} {status}: {media} is not documented"
        return f"{base}/content/{_escape(media)}/schema"

    async def check(self, response: ClientResponse, *, path: str | None = None) -> Any:
        """Validate one real response (its request's path and method); returns the parsed body."""
        method = response.method
        path = path or response.url.path
        media = response.content_type
        pointer = self.schema_pointer(path, method, response.status, media)
        body: Any = await response.json() if media == "application/json" else await response.text()
        errors = sorted(self.validator(pointer).iter_errors(body), key=lambda e: list(e.path))
        assert not errors, f"{method} {path} {response.status}: " + "; ".join(
            f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5]
        )
        for name, spec in self.document["paths"][path][method.lower()]["responses"].get(str(response.status), {}).get("headers", {}).items():
            assert name in response.headers, f"{method} {path} {response.status}: header {name} is documented but missing"
        return body

    def check_value(self, schema_name: str, value: Any) -> None:
        """Validate a value against ``components/schemas/<schema_name>``."""
        errors = list(self.validator(f"/components/schemas/{schema_name}").iter_errors(value))
        assert not errors, f"{schema_name}: " + "; ".join(e.message for e in errors[:5])
