"""Object storage for the stand-in API server: one resourceVersion counter, an event history for watches,
and list snapshots behind continue tokens (as etcd serves every page of a list at one revision)."""

from __future__ import annotations

import asyncio
import base64
import copy
import itertools
import json
from collections import OrderedDict, defaultdict, deque
from dataclasses import dataclass
from typing import Any

KindKey = tuple[str, str]
ObjectKey = tuple[str, str]


@dataclass(frozen=True)
class Event:
    rv: int
    type: str
    kind: KindKey
    obj: dict[str, Any]


class Expired(Exception):
    """A resourceVersion or continue token older than what the server keeps (answered with 410)."""


class ObjectStore:
    """Stored objects are never mutated in place: every write stores a new dict, so snapshots stay valid."""

    def __init__(self, *, history: int = 20_000, snapshots: int = 64) -> None:
        self.rv = 1000
        self.compacted_rv = self.rv
        self._objects: dict[KindKey, dict[ObjectKey, dict[str, Any]]] = defaultdict(dict)
        self._events: deque[Event] = deque(maxlen=history)
        self._watchers: set[asyncio.Queue[Event | None]] = set()
        self._snapshots: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
        self._snapshot_limit = snapshots
        self._snapshot_ids = itertools.count(1)

    def items(self, kind: KindKey, namespace: str | None = None) -> list[dict[str, Any]]:
        stored = self._objects.get(kind, {})
        keys = sorted(key for key in stored if namespace is None or key[0] == namespace)
        return [stored[key] for key in keys]

    def get(self, kind: KindKey, namespace: str, name: str) -> dict[str, Any] | None:
        return self._objects.get(kind, {}).get((namespace, name))

    def put(self, kind: KindKey, obj: dict[str, Any], event_type: str) -> dict[str, Any]:
        """Store ``obj`` with the next resourceVersion and tell the watchers."""
        stored = copy.deepcopy(obj)
        self.rv += 1
        stored["metadata"]["resourceVersion"] = str(self.rv)
        key = (stored["metadata"].get("namespace", ""), stored["metadata"]["name"])
        self._objects[kind][key] = stored
        self._record(Event(self.rv, event_type, kind, stored))
        return stored

    def remove(self, kind: KindKey, namespace: str, name: str) -> dict[str, Any] | None:
        removed = self._objects.get(kind, {}).pop((namespace, name), None)
        if removed is not None:
            self.rv += 1
            gone = copy.deepcopy(removed)
            gone["metadata"]["resourceVersion"] = str(self.rv)
            self._record(Event(self.rv, "DELETED", kind, gone))
        return removed

    def drop_kind(self, kind: KindKey) -> None:
        for namespace, name in list(self._objects.get(kind, {})):
            self.remove(kind, namespace, name)

    def _record(self, event: Event) -> None:
        if len(self._events) == self._events.maxlen:
            self.compacted_rv = self._events[0].rv
        self._events.append(event)
        for queue in self._watchers:
            queue.put_nowait(event)

    def subscribe(self, since: int | None) -> tuple[asyncio.Queue[Event | None], list[Event]]:
        """A queue of future events and the retained events after ``since``, taken at one instant."""
        if since is not None and since < self.compacted_rv:
            raise Expired(f"too old resource version: {since} ({self.compacted_rv})")
        backlog = [event for event in self._events if since is not None and event.rv > since]
        queue: asyncio.Queue[Event | None] = asyncio.Queue()
        self._watchers.add(queue)
        return queue, backlog

    def unsubscribe(self, queue: asyncio.Queue[Event | None]) -> None:
        self._watchers.discard(queue)

    def close_watches(self) -> None:
        """End every open watch stream (None tells a watcher to finish), as a server shutdown does."""
        for queue in self._watchers:
            queue.put_nowait(None)

    def compact(self) -> None:
        """Forget the event history and every list snapshot, as an etcd compaction does."""
        self._events.clear()
        self.compacted_rv = self.rv
        self._snapshots.clear()

    def snapshot_page(self, items: list[dict[str, Any]], limit: int) -> tuple[list[dict[str, Any]], str, int]:
        """The first page of ``items`` and a continue token for the rest ('' when there is none)."""
        if not limit or len(items) <= limit:
            return items, "", 0
        snapshot_id = str(next(self._snapshot_ids))
        self._snapshots[snapshot_id] = items
        while len(self._snapshots) > self._snapshot_limit:
            self._snapshots.popitem(last=False)
        return items[:limit], self._token(snapshot_id, limit), len(items) - limit

    def continue_page(self, token: str, limit: int) -> tuple[list[dict[str, Any]], str, int, int]:
        """The page a continue token points at: (items, next token, remaining count, snapshot rv)."""
        try:
            state = json.loads(base64.urlsafe_b64decode(token.encode()))
            snapshot_id, offset, rv = state["s"], int(state["o"]), int(state["rv"])
        except (ValueError, KeyError, TypeError):
            raise ValueError("continue key is not valid") from None
        items = self._snapshots.get(snapshot_id)
        if items is None:
            raise Expired(
                "The provided continue parameter is too old to display a consistent list result. "
                "You can start a new list without the continue parameter."
            )
        self._snapshots.move_to_end(snapshot_id)
        end = offset + limit if limit else len(items)
        more = end < len(items)
        next_token = self._token(snapshot_id, end, rv) if more else ""
        return items[offset:end], next_token, max(len(items) - end, 0), rv

    def _token(self, snapshot_id: str, offset: int, rv: int | None = None) -> str:
        state = {"v": "meta.k8s.io/v1", "s": snapshot_id, "o": offset, "rv": rv if rv is not None else self.rv}
        return base64.urlsafe_b64encode(json.dumps(state).encode()).decode()
