"""pods/log as the API server and the kubelet behind it answer it.

The API server checks the container name, answers an empty body for a pod no node
runs yet, and relays the kubelet's refusals as 400 BadRequest with the kubelet's own
words (pkg/kubelet/kubelet_pods.go, validateContainerLogStatus): no previous
terminated container, or a container still waiting to start.
"""

from __future__ import annotations

from typing import Any, Mapping

from chatops.demo.kube.verbs import ApiError

# The kubelet's own explanations for the image-pull waits.
_WAITING = {"ErrImagePull": "image can't be pulled", "ImagePullBackOff": "trying and failing to pull image"}

Logs = Mapping[tuple[str, str, str, bool], str]  # (namespace, pod, container, previous) -> text


def pod_log(pod: Mapping[str, Any], query: Mapping[str, str], logs: Logs) -> str:
    """The text GET pods/{name}/log answers with ``query`` (container, previous, tailLines)."""
    meta, spec = pod["metadata"], pod.get("spec") or {}
    names = [container["name"] for container in spec.get("containers", [])]
    container = query.get("container") or (names[0] if len(names) == 1 else "")
    if not container:
        raise ApiError(400, f"a container name must be specified for pod {meta['name']}, choose one of: {names}")
    if container not in names:
        raise ApiError(400, f"container {container} is not valid for pod {meta['name']}")
    tail = query.get("tailLines")
    if tail is not None and (not tail.isdigit()):
        raise ApiError(400, f'invalid value "{tail}" for tailLines')
    if not spec.get("nodeName"):
        return ""  # no node, so no kubelet to ask: the real server answers with an empty stream
    previous = query.get("previous") in ("1", "t", "T", "TRUE", "true", "True")
    _check_status(meta["name"], container, _status(pod, container), previous=previous)
    lines = logs.get((meta["namespace"], meta["name"], container, previous), "").splitlines(keepends=True)
    if tail is not None:
        lines = lines[-int(tail):] if int(tail) else []
    return "".join(lines)


def _status(pod: Mapping[str, Any], container: str) -> Mapping[str, Any]:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return next((status for status in statuses if status.get("name") == container), {})


def _check_status(pod: str, container: str, status: Mapping[str, Any], *, previous: bool) -> None:
    last = (status.get("lastState") or {}).get("terminated") or {}
    if previous:
        if not last.get("containerID"):
            raise ApiError(400, f'previous terminated container "{container}" in pod "{pod}" not found')
        return
    state = status.get("state") or {}
    waiting = state.get("waiting")
    if waiting is not None and not state.get("running") and not state.get("terminated") and not last.get("containerID"):
        reason = str(waiting.get("reason") or "")
        raise ApiError(400, f'container "{container}" in pod "{pod}" is waiting to start: {_WAITING.get(reason, reason)}')
