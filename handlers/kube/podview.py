"""How pods read in chat: kubectl's STATUS column, a summary by state, and a fixed-width table."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping

# Order of the summary; states outside it follow in alphabetical order.
STATES = ("Running", "Pending", "Failed", "CrashLoopBackOff", "Succeeded", "Unknown")
PHASES = {"running": "Running", "pending": "Pending", "failed": "Failed", "succeeded": "Succeeded", "unknown": "Unknown"}
CRASHLOOP = "CrashLoopBackOff"


@dataclass(frozen=True)
class PodRow:
    namespace: str
    name: str
    status: str
    ready: str
    restarts: int
    age: str
    node: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Summary:
    """Counts over every listed pod; only counters are kept, so memory stays flat however many pods."""

    states: Counter[str] = field(default_factory=Counter)
    restarts: int = 0
    total: int = 0
    most_restarts: tuple[int, str] = (0, "")

    def add(self, pod: Mapping[str, Any]) -> None:
        self.total += 1
        self.states[state(pod)] += 1
        count = restarts(pod)
        self.restarts += count
        if count > self.most_restarts[0]:
            meta = pod["metadata"]
            self.most_restarts = (count, f"{meta.get('namespace', '')}/{meta['name']}")

    def text(self) -> str:
        ordered = [s for s in STATES if self.states[s]] + sorted(s for s in self.states if s not in STATES)
        counts = ", ".join(f"{self.states[s]} {s}" for s in ordered) or "none"
        line = f"{counts}; {self.restarts} restart{'' if self.restarts == 1 else 's'}"
        if self.most_restarts[0]:
            line += f" (most: {self.most_restarts[1]}, {self.most_restarts[0]})"
        return line


def _container_statuses(pod: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list((pod.get("status") or {}).get("containerStatuses") or [])


def restarts(pod: Mapping[str, Any]) -> int:
    return sum(int(status.get("restartCount") or 0) for status in _container_statuses(pod))


def state(pod: Mapping[str, Any]) -> str:
    """The summary bucket: the phase, except that a crash-looping container wins (its pod is still Running)."""
    for status in _container_statuses(pod):
        if ((status.get("state") or {}).get("waiting") or {}).get("reason") == CRASHLOOP:
            return CRASHLOOP
    return str((pod.get("status") or {}).get("phase") or "Unknown")


def display_status(pod: Mapping[str, Any]) -> str:
    """Like kubectl's STATUS column: a waiting or terminated container's reason, else the phase."""
    status = pod.get("status") or {}
    shown = str(status.get("reason") or status.get("phase") or "Unknown")
    for init in status.get("initContainerStatuses") or []:
        reason = ((init.get("state") or {}).get("waiting") or {}).get("reason")
        if reason and reason != "PodInitializing":
            return f"Init:{reason}"
    for container in reversed(_container_statuses(pod)):
        current = container.get("state") or {}
        reason = (current.get("waiting") or {}).get("reason") or (current.get("terminated") or {}).get("reason")
        if reason:
            shown = str(reason)
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        return "Terminating"
    return shown


def age(timestamp: str | None, now: datetime) -> str:
    if not timestamp:
        return "?"
    seconds = max(int((now - datetime.fromisoformat(timestamp.replace("Z", "+00:00"))).total_seconds()), 0)
    for unit, size, smaller, smaller_size in (("d", 86400, "h", 3600), ("h", 3600, "m", 60), ("m", 60, "s", 1)):
        if seconds >= size:
            rest = (seconds % size) // smaller_size
            return f"{seconds // size}{unit}{rest}{smaller}" if rest and seconds < 10 * size else f"{seconds // size}{unit}"
    return f"{seconds}s"


def row(pod: Mapping[str, Any], now: datetime | None = None) -> PodRow:
    meta, spec = pod["metadata"], pod.get("spec") or {}
    statuses = _container_statuses(pod)
    ready = sum(1 for status in statuses if status.get("ready"))
    return PodRow(
        namespace=str(meta.get("namespace", "")),
        name=str(meta["name"]),
        status=display_status(pod),
        ready=f"{ready}/{len(spec.get('containers') or statuses)}",
        restarts=restarts(pod),
        age=age(meta.get("creationTimestamp"), now or datetime.now(timezone.utc)),
        node=str(spec.get("nodeName") or "<none>"),
    )


def table(rows: list[PodRow], *, with_namespace: bool) -> str:
    """A fixed-width table, as a code block renders it in Slack and the widget."""
    header = (["NAMESPACE"] if with_namespace else []) + ["NAME", "STATUS", "READY", "RESTARTS", "AGE", "NODE"]
    cells = [
        ([r.namespace] if with_namespace else []) + [r.name, r.status, r.ready, str(r.restarts), r.age, r.node] for r in rows
    ]
    widths = [max(len(line[i]) for line in [header, *cells]) for i in range(len(header))]
    lines = ["  ".join(value.ljust(width) for value, width in zip(line, widths)).rstrip() for line in [header, *cells]]
    return "```\n" + "\n".join(lines) + "\n```"
