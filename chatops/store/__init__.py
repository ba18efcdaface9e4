"""State store: one interface, backends chosen by URL."""

from __future__ import annotations

from chatops.config import StoreSettings
from chatops.errors import ConfigError
from chatops.store.base import AuditRecord, Dataset, Job, SessionRecord, Store


def sqlite_path(url: str) -> str | None:
    """The file a ``sqlite:///PATH`` URL names, ``:memory:`` when it names none; None for other stores."""
    if not url.startswith("sqlite://"):
        return None
    return url.removeprefix("sqlite://").removeprefix("/") or ":memory:"


def create_store(settings: StoreSettings) -> Store:
    """The backend named by ``settings.url``: ``sqlite:///PATH`` or ``mongodb://...``."""
    url = settings.url
    path = sqlite_path(url)
    if path is not None:
        from chatops.store.sqlite import SqliteStore

        return SqliteStore(path, timeout=settings.timeout_seconds)
    if url.startswith(("mongodb://", "mongodb+srv://")):
        from chatops.store.mongo import MongoStore

        return MongoStore(url, timeout=settings.timeout_seconds)
    raise ConfigError(f"unknown store URL {url!r}: use sqlite:///PATH or mongodb://HOST/DB")


__all__ = ["AuditRecord", "Dataset", "Job", "SessionRecord", "Store", "create_store", "sqlite_path"]
