"""Why a pod is failing, from its status and its events: the likely cause and what to look at next.

The rules go from what stops a pod earliest (it is never scheduled, its image never
arrives) to what happens later (it runs out of memory, a probe kills it, it crashes,
it is not ready), so the first that applies is the one to fix first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Collection, Mapping, Sequence

Obj = Mapping[str, Any]

IMAGE_PULL = ("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull")
CONFIG = ("CreateContainerConfigError", "CreateContainerError")
# An event's fieldPath names the container it is about: "spec.containers{app}".
_FIELD_PATH = re.compile(r"spec\.(?:init)?[cC]ontainers\{([^}]+)\}")


@dataclass(frozen=True)
class Finding:
    """The likely cause, what to look at next, and the container whose log tells more (None: no log helps)."""

    cause: str
    next_step: str
    container: str | None = None

    @property
    def healthy(self) -> bool:
        return not self.next_step


Rule = Callable[[Obj, Sequence[Obj]], "Finding | None"]


def container_statuses(pod: Obj) -> list[Obj]:
    status = pod.get("status") or {}
    return list(status.get("initContainerStatuses") or []) + list(status.get("containerStatuses") or [])


def failing(pod: Obj) -> bool:
    """Not done and not (yet) serving: any phase but Running and Succeeded, or a container that is not ready."""
    phase = (pod.get("status") or {}).get("phase")
    if phase == "Succeeded":
        return False
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return phase != "Running" or not statuses or not all(status.get("ready") for status in statuses)


def diagnose(pod: Obj, events: Sequence[Obj]) -> Finding:
    """The first rule that explains the pod, or a healthy finding."""
    for rule in _RULES:
        finding = rule(pod, events)
        if finding is not None:
            return finding
    return Finding("nothing looks wrong: it is running and every container is ready", "")


def _waiting(status: Obj) -> Obj:
    return (status.get("state") or {}).get("waiting") or {}


def _first_waiting(pod: Obj, reasons: Collection[str] | None = None) -> tuple[Obj, Obj] | None:
    """The first container waiting for one of ``reasons`` (for any reason when None), with its waiting state."""
    for status in container_statuses(pod):
        waiting = _waiting(status)
        reason = waiting.get("reason")
        if reason and (reasons is None or reason in reasons):
            return status, waiting
    return None


def _terminations(status: Obj) -> list[Obj]:
    return [t for t in ((status.get("state") or {}).get("terminated"), (status.get("lastState") or {}).get("terminated")) if t]


def _with_message(text: str, message: object) -> str:
    return f"{text}: {message}" if message else text


def _unschedulable(pod: Obj, events: Sequence[Obj]) -> Finding | None:
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "PodScheduled" and condition.get("status") == "False" \
                and condition.get("reason") == "Unschedulable":
            return Finding(
                _with_message("it cannot be scheduled on any node", condition.get("message")),
                "the nodes' free CPU and memory against the pod's requests, its node selector, affinity and "
                "tolerations against the nodes' labels and taints, and any PersistentVolumeClaim still unbound",
            )
    return None


def _image_pull(pod: Obj, events: Sequence[Obj]) -> Finding | None:
    if (found := _first_waiting(pod, IMAGE_PULL)) is None:
        return None
    status, waiting = found
    return Finding(
        _with_message(f"container {status['name']} cannot pull its image {status.get('image') or ''} "
                      f"({waiting['reason']})", waiting.get("message")),
        "the image name and tag, that the registry is reachable from the nodes, "
        "and the registry credentials in the pod's imagePullSecrets",
    )


def _config(pod: Obj, events: Sequence[Obj]) -> Finding | None:
    if (found := _first_waiting(pod, CONFIG)) is not None:
        status, waiting = found
        return Finding(
            _with_message(f"container {status['name']} cannot be created ({waiting['reason']})", waiting.get("message")),
            "that the ConfigMaps, Secrets and keys its environment and volumes refer to exist in the namespace",
        )
    for event in events:
        if event.get("reason") in ("FailedMount", "FailedAttachVolume"):
            return Finding(_with_message("a volume cannot be mounted", event.get("message")),
                           "the volume's PersistentVolumeClaim, Secret or ConfigMap, and the storage driver on its node")
    return None


def _out_of_memory(pod: Obj, events: Sequence[Obj]) -> Finding | None:
    for status in container_statuses(pod):
        if any(t.get("reason") == "OOMKilled" for t in _terminations(status)):
            limit = _memory_limit(pod, status["name"])
            where = f"its memory limit ({limit})" if limit else "the node's memory (it has no memory limit)"
            return Finding(
                f"container {status['name']} was killed for running out of memory (OOMKilled): it used more than {where}; "
                f"{_restarts(status)}",
                "what the process holds in memory (the log lines before the kill below), "
                "then resources.limits.memory if the workload really needs more",
                status["name"],
            )
    return None


def _probe(prefix: str, explain: Callable[[str | None, str], Finding]) -> Rule:
    """A rule for the kubelet's Unhealthy events whose message starts with ``prefix``, the latest first."""
    def rule(pod: Obj, events: Sequence[Obj]) -> Finding | None:
        for event in reversed(events):
            message = str(event.get("message") or "")
            if event.get("reason") == "Unhealthy" and message.startswith(prefix):
                return explain(_event_container(event) or _first_not_ready(pod), message)
        return None
    return rule


def _liveness(container: str | None, message: str) -> Finding:
    return Finding(
        f"its probe fails ({message}), so the kubelet keeps restarting container {container or '?'}",
        "the probe's path, port and timeouts, and whether the app starts within initialDelaySeconds "
        "(a startupProbe gives a slow start more time)",
        container,
    )


def _readiness(container: str | None, message: str) -> Finding:
    return Finding(
        f"container {container or '?'} runs but is not ready: its readiness probe fails ({message})",
        "the probe's path and port, and what the app checks before it reports ready; Services send it no traffic meanwhile",
        container,
    )


def _crashing(pod: Obj, events: Sequence[Obj]) -> Finding | None:
    for status in container_statuses(pod):
        last = next(iter(_terminations(status)), None)
        # A past non-zero exit alone is history if the pod is fine now; a crash loop is not.
        if _waiting(status).get("reason") == "CrashLoopBackOff" or (failing(pod) and last and last.get("exitCode")):
            exit_text = f"exited with code {last.get('exitCode')} ({last.get('reason') or 'no reason'})" if last else "exits"
            return Finding(
                f"container {status['name']} keeps crashing: it {exit_text}; {_restarts(status)}",
                "the log of the container before its last restart (below), then its command, arguments, "
                "environment and mounted configuration",
                status["name"],
            )
    return None


def _evicted_or_waiting(pod: Obj, events: Sequence[Obj]) -> Finding | None:
    status = pod.get("status") or {}
    if status.get("phase") == "Failed" and status.get("reason"):
        return Finding(_with_message(f"it was stopped by its node ({status['reason']})", status.get("message")),
                       "the node's conditions (memory or disk pressure) and the pod's resource requests")
    if (found := _first_waiting(pod)) is not None:
        container, waiting = found
        return Finding(_with_message(f"container {container['name']} is waiting ({waiting['reason']})", waiting.get("message")),
                       "the events below, which say what the kubelet is waiting for")
    return None


def _not_ready(pod: Obj, events: Sequence[Obj]) -> Finding | None:
    if not failing(pod):
        return None
    phase = (pod.get("status") or {}).get("phase") or "Unknown"
    container = _first_not_ready(pod)
    cause = f"it is {phase}" + (f" and container {container} is not ready" if container else "")
    return Finding(cause, "the events below, and the node it runs on", container)


_RULES: tuple[Rule, ...] = (
    _unschedulable, _image_pull, _config, _out_of_memory, _probe("Liveness probe failed", _liveness),
    _probe("Startup probe failed", _liveness), _crashing, _probe("Readiness probe failed", _readiness),
    _evicted_or_waiting, _not_ready,
)


def _restarts(status: Obj) -> str:
    count = int(status.get("restartCount") or 0)
    return f"restarted {count} time{'' if count == 1 else 's'}"


def _memory_limit(pod: Obj, container: str) -> str:
    for spec in (pod.get("spec") or {}).get("containers") or []:
        if spec.get("name") == container:
            return str(((spec.get("resources") or {}).get("limits") or {}).get("memory") or "")
    return ""


def _event_container(event: Obj) -> str | None:
    match = _FIELD_PATH.search(str((event.get("involvedObject") or {}).get("fieldPath") or ""))
    return match.group(1) if match else None


def _first_not_ready(pod: Obj) -> str | None:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return next((str(s["name"]) for s in statuses if not s.get("ready")), None)
