"""Files shared in Slack: which one is a CSV, and downloading it with the bot token.

Slack serves a file's ``url_private_download`` (or ``url_private``) to a request
bearing a token with the ``files:read`` scope. A token without it may get a 403,
or a redirect to Slack's sign-in page, so a redirect or an HTML page counts as
refused too. The token goes only to Slack's own hosts (or to the configured API
host, which is a test server in tests); the size is bounded while reading; the
file's text is never logged.
"""

from __future__ import annotations

import logging
from typing import Any, Mapping, Sequence
from urllib.parse import urlsplit

import aiohttp

from chatops.channels import texts
from chatops.errors import InputError, NotFoundError, PermanentError, RetryableError

log = logging.getLogger(__name__)

SlackFile = Mapping[str, Any]

CSV_FILETYPES = frozenset({"csv", "text"})
CSV_MIMETYPES = frozenset({"text/csv", "text/plain", "application/csv", "text/comma-separated-values", "text/x-csv"})
SLACK_DOMAINS = ("slack.com", "slack-gov.com")
DOWNLOAD_TIMEOUT = aiohttp.ClientTimeout(total=30)
CHUNK = 64 * 1024


def label(file: SlackFile) -> str:
    """How to name the file to the person who shared it."""
    return str(file.get("name") or file.get("title") or file.get("id") or "the file")


def is_csv(file: SlackFile) -> bool:
    """Slack's file type or MIME type says CSV or plain text (or the name ends in .csv)."""
    mime = str(file.get("mimetype") or "").split(";")[0].strip().lower()
    return file.get("filetype") in CSV_FILETYPES or mime in CSV_MIMETYPES or label(file).lower().endswith(".csv")


def pick_csv(files: Sequence[SlackFile]) -> SlackFile:
    """The first CSV among the shared files; none is an ``InputError`` naming what was shared instead."""
    for file in files:
        if is_csv(file):
            return file
    first = files[0] if files else {}
    kind = first.get("pretty_type") or first.get("filetype") or first.get("mimetype") or "an unknown type"
    raise InputError(texts.UPLOAD_NOT_CSV.format(name=label(first), kind=kind))


def download_url(file: SlackFile) -> str | None:
    url = file.get("url_private_download") or file.get("url_private")
    return url if isinstance(url, str) and url else None


def trusted(url: str, api_base_url: str) -> bool:
    """Whether the bot token may be sent to ``url``: Slack's hosts over HTTPS, or the configured API host."""
    target, api = urlsplit(url), urlsplit(api_base_url)
    if (target.scheme, target.netloc.lower()) == (api.scheme, api.netloc.lower()):
        return True
    host = (target.hostname or "").lower()
    return target.scheme == "https" and any(host == d or host.endswith(f".{d}") for d in SLACK_DOMAINS)


async def download_csv(http: aiohttp.ClientSession, file: SlackFile, *, token: str, limit: int, api_base_url: str) -> str:
    """The file's text, at most ``limit`` bytes; every failure is a ``ChatOpsError`` with a readable message."""
    name, url = label(file), download_url(file)
    if url is None:
        raise InputError(texts.UPLOAD_NO_LINK.format(name=name))
    if not trusted(url, api_base_url):
        raise PermanentError(texts.UPLOAD_UNTRUSTED.format(name=name), detail=f"file {file.get('id')} links to {urlsplit(url).hostname}")
    declared = file.get("size")
    if isinstance(declared, int) and declared > limit:
        raise InputError(texts.UPLOAD_TOO_LARGE.format(name=name, limit=size_text(limit)))
    try:
        async with http.get(url, headers={"Authorization": f"Bearer {token}"}, allow_redirects=False, timeout=DOWNLOAD_TIMEOUT) as resp:
            check_response(resp, name, limit)
            raw = await read_bounded(resp, name, limit)
    except (aiohttp.ClientError, TimeoutError) as exc:
        problem = "it did not answer in time" if isinstance(exc, TimeoutError) else "the connection failed"
        raise RetryableError(
            texts.UPLOAD_UNAVAILABLE.format(name=name, problem=problem), detail=f"file {file.get('id')}: {type(exc).__name__}"
        ) from exc
    log.info("downloaded Slack file %s (%d bytes)", file.get("id"), len(raw))
    return decode(raw, name)


def check_response(resp: aiohttp.ClientResponse, name: str, limit: int) -> None:
    status = resp.status
    if status in (401, 403) or 300 <= status < 400:
        raise PermanentError(texts.UPLOAD_FORBIDDEN.format(name=name, problem=f"HTTP {status}"))
    if status in (404, 410):
        raise NotFoundError(texts.UPLOAD_GONE.format(name=name, status=status))
    if status == 429 or status >= 500:
        raise RetryableError(texts.UPLOAD_UNAVAILABLE.format(name=name, problem=f"HTTP {status}"))
    if status != 200:
        raise PermanentError(texts.UPLOAD_UNAVAILABLE.format(name=name, problem=f"HTTP {status}"))
    if resp.content_type == "text/html":
        raise PermanentError(texts.UPLOAD_FORBIDDEN.format(name=name, problem="it answered with its sign-in page"))
    if resp.content_length is not None and resp.content_length > limit:
        raise InputError(texts.UPLOAD_TOO_LARGE.format(name=name, limit=size_text(limit)))


async def read_bounded(resp: aiohttp.ClientResponse, name: str, limit: int) -> bytes:
    """The body, stopping as soon as it passes ``limit`` (the declared length may be missing or wrong)."""
    data = bytearray()
    async for chunk in resp.content.iter_chunked(CHUNK):
        data += chunk
        if len(data) > limit:
            raise InputError(texts.UPLOAD_TOO_LARGE.format(name=name, limit=size_text(limit)))
    return bytes(data)


def decode(raw: bytes, name: str) -> str:
    """UTF-8 (a byte-order mark dropped), else Windows-1252: what Excel on Windows saves as "CSV"."""
    if b"\x00" in raw:
        raise InputError(texts.UPLOAD_NOT_TEXT.format(name=name))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        raise InputError(texts.UPLOAD_NOT_TEXT.format(name=name)) from None


def size_text(size: int) -> str:
    if size >= 1 << 20:
        return f"{size / (1 << 20):.1f} MB"
    return f"{size / 1024:.0f} KB" if size >= 1024 else f"{size} bytes"
