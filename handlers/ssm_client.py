"""AWS SSM Parameter Store through aioboto3: typed results, backoff on throttling, errors mapped once.

Values are only ever returned by ``get``; listing, history and the pre-write
``describe`` drop whatever value the API sent along, so nothing else in the
bot holds one. The AWS client is made by the first request, so the SDK is not
loaded by a service that is never asked for a secret.
"""

from __future__ import annotations

import asyncio
import random
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, AsyncIterator, Awaitable, Callable, TypeVar

from chatops.config import AwsSettings
from chatops.fulfillment import AccessError, ChatOpsError, InputError, NotFoundError, PermanentError, RetryableError
from handlers import aws_sdk

T = TypeVar("T")
Connect = Callable[[], AbstractAsyncContextManager[Any]]  # opens an aiobotocore SSM client
SECURE_STRING = "SecureString"
THROTTLED = frozenset({"ThrottlingException", "Throttling", "ThrottledException", "TooManyUpdates", "RequestLimitExceeded"})
DENIED = frozenset({"AccessDeniedException", "AccessDenied", "403"})
BAD_CREDENTIALS = frozenset({"UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException", "ExpiredTokenException"})
PAGE_SIZE = 10  # the most GetParametersByPath returns per page


@dataclass(frozen=True)
class ParameterInfo:
    """A parameter without its value."""

    name: str
    type: str
    version: int
    last_modified: datetime | None = None


@dataclass(frozen=True)
class Parameter(ParameterInfo):
    # Left out of repr, so logging a Parameter never prints its value.
    value: str = field(default="", repr=False)


@dataclass(frozen=True)
class ParameterVersion:
    version: int
    type: str
    last_modified: datetime | None
    modified_by: str
    labels: tuple[str, ...] = ()


class SsmClient:
    """The Parameter Store operations the bot offers; deleting is deliberately not one of them."""

    def __init__(
        self,
        connect: Connect,
        *,
        attempts: int = 4,
        backoff_seconds: float = 0.25,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._connect = connect
        self._client: Any = None
        self._opened = AsyncExitStack()
        self._connecting = asyncio.Lock()
        self._attempts = attempts
        self._backoff = backoff_seconds
        self._sleep = sleep

    async def close(self) -> None:
        """Close the AWS client, if a request made one."""
        await self._opened.aclose()
        self._client = None

    async def get(self, name: str, *, decrypt: bool) -> Parameter:
        """The parameter with its value; a SecureString's value is ciphertext unless ``decrypt``."""
        response = await self._call("GetParameter", name, lambda c: c.get_parameter(Name=name, WithDecryption=decrypt))
        raw = response["Parameter"]
        return Parameter(raw["Name"], raw["Type"], int(raw["Version"]), raw.get("LastModifiedDate"), value=raw["Value"])

    async def describe(self, name: str) -> ParameterInfo | None:
        """Type and version of ``name`` (None when it does not exist), never its value."""
        try:
            found = await self.get(name, decrypt=False)
        except NotFoundError:
            return None
        return ParameterInfo(found.name, found.type, found.version, found.last_modified)

    async def list(self, path: str, *, limit: int = 50) -> tuple[list[ParameterInfo], bool]:
        """Up to ``limit`` parameters under ``path`` (recursively), and whether there are more."""

        async def collect(client: Any) -> list[ParameterInfo]:
            paginator = client.get_paginator("get_parameters_by_path")
            pages = paginator.paginate(
                Path=path,
                Recursive=True,
                WithDecryption=False,
                PaginationConfig={"PageSize": PAGE_SIZE, "MaxItems": limit + 1},
            )
            return [_info(raw) async for page in pages for raw in page["Parameters"]]

        found = await self._call("GetParametersByPath", path, collect)
        return sorted(found[:limit], key=lambda p: p.name), len(found) > limit

    async def history(self, name: str) -> list[ParameterVersion]:
        """Every stored version of ``name``, oldest first."""

        async def collect(client: Any) -> list[ParameterVersion]:
            paginator = client.get_paginator("get_parameter_history")
            pages = paginator.paginate(Name=name, WithDecryption=False, PaginationConfig={"PageSize": 50})
            return [_version(raw) async for page in pages for raw in page["Parameters"]]

        return await self._call("GetParameterHistory", name, collect)

    async def put(self, name: str, value: str, *, kind: str) -> int:
        """Write ``value`` as a new version of ``name`` (creating it if needed); returns the version."""
        response = await self._call(
            "PutParameter",
            name,
            lambda c: c.put_parameter(Name=name, Value=value, Type=kind, Overwrite=True),
        )
        return int(response["Version"])

    async def _aws(self) -> Any:
        """The AWS client, made by the first request (concurrent first requests share it)."""
        async with self._connecting:
            if self._client is None:
                try:
                    self._client = await self._opened.enter_async_context(self._connect())
                except ValueError as exc:  # botocore's word for a malformed endpoint URL or region
                    raise PermanentError("The bot's AWS settings are invalid, so I cannot reach SSM.", detail=str(exc)) from exc
        return self._client

    async def _call(self, operation: str, subject: str, request: Callable[[Any], Awaitable[T]]) -> T:
        client = await self._aws()
        for attempt in range(1, self._attempts + 1):
            try:
                return await request(client)
            except aws_sdk.ClientError as exc:
                if attempt < self._attempts and _retryable(exc):
                    # Exponential backoff with jitter, so replicas throttled together spread out.
                    await self._sleep(self._backoff * 2 ** (attempt - 1) * random.uniform(0.5, 1.0))
                    continue
                raise ssm_error(exc, operation, subject) from exc
            except aws_sdk.NoCredentialsError as exc:
                raise PermanentError("I have no AWS credentials configured, so I cannot reach SSM.", detail=str(exc)) from exc
            except (aws_sdk.ConnectionError, asyncio.TimeoutError) as exc:
                raise RetryableError("I cannot reach AWS SSM right now; try again in a minute.", detail=str(exc)) from exc
            except aws_sdk.BotoCoreError as exc:
                raise PermanentError("The request to AWS SSM failed.", detail=f"{operation} {subject}: {exc}") from exc
        raise AssertionError("unreachable: the last attempt returns or raises")


def _retryable(exc: aws_sdk.ClientError) -> bool:
    return _code(exc) in THROTTLED or _status(exc) >= 500


def _code(exc: aws_sdk.ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _status(exc: aws_sdk.ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


def ssm_error(exc: aws_sdk.ClientError, operation: str, subject: str) -> ChatOpsError:
    """A chat-readable error for an SSM failure; upstream messages stay in ``detail`` (they may echo input)."""
    code, status = _code(exc), _status(exc)
    detail = f"{operation} {subject}: {code} (HTTP {status})"
    if code in ("ParameterNotFound", "ParameterVersionNotFound"):
        return NotFoundError(f"There is no parameter {subject} in SSM.", detail=detail)
    if code in DENIED or status == 403:
        return AccessError(
            f"AWS refused me access to {subject}: my IAM role lacks ssm:{operation} (or the KMS key) for it.",
            permission=f"ssm:{operation}",
            detail=detail,
        )
    if code in BAD_CREDENTIALS:
        return PermanentError("AWS rejected my credentials; ask an admin to check the bot's AWS keys.", detail=detail)
    if code in THROTTLED:
        return RetryableError("AWS is throttling SSM requests right now; try again in a minute.", detail=detail)
    if code == "HierarchyLevelLimitExceededException":
        return InputError(f"{subject} is too deep: SSM allows at most 15 levels.", detail=detail)
    if code == "HierarchyTypeMismatchException":
        return InputError(f"The type of {subject} cannot be changed to that type.", detail=detail)
    if code in ("ParameterMaxVersionLimitExceeded", "ParameterLimitExceeded"):
        return PermanentError(f"SSM refused to store another parameter or version for {subject}: a limit is reached.", detail=detail)
    if code in ("ValidationException", "InvalidKeyId", "ParameterPatternMismatchException", "UnsupportedParameterType"):
        return InputError(f"SSM rejected that request for {subject} as invalid.", detail=detail)
    if status >= 500:
        return RetryableError("AWS SSM failed on its side; try again in a minute.", detail=detail)
    return PermanentError(f"AWS SSM refused {operation} for {subject} ({code}).", detail=detail)


def _info(raw: dict[str, Any]) -> ParameterInfo:
    return ParameterInfo(raw["Name"], raw["Type"], int(raw["Version"]), raw.get("LastModifiedDate"))


def _version(raw: dict[str, Any]) -> ParameterVersion:
    return ParameterVersion(
        int(raw["Version"]),
        raw["Type"],
        raw.get("LastModifiedDate"),
        str(raw.get("LastModifiedUser") or "unknown"),
        tuple(raw.get("Labels") or ()),
    )


@asynccontextmanager
async def open_ssm_client(aws: AwsSettings) -> AsyncIterator[SsmClient]:
    """An SSM client for the configured region, endpoint and keys (empty keys: AWS's default chain)."""

    def connect() -> AbstractAsyncContextManager[Any]:
        session = aws_sdk.Session(
            aws_access_key_id=aws.access_key_id or None,
            aws_secret_access_key=aws.secret_access_key or None,
            region_name=aws.region,
        )
        # botocore's own retries are off: SsmClient retries throttling itself, with backoff it controls.
        config = aws_sdk.AioConfig(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=15)
        return session.client("ssm", endpoint_url=aws.endpoint_url or None, config=config)

    client = SsmClient(connect, attempts=aws.ssm_attempts, backoff_seconds=aws.ssm_backoff_seconds)
    try:
        yield client
    finally:
        await client.close()
