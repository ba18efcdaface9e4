"""What the stand-in API server does for each verb: list, get, create, update, patch, delete.

Behaviour follows the real kube-apiserver where the bot (or kubectl) can see it:
Status objects with reason and code, 409 on a stale resourceVersion, status
subresources that main-resource writes cannot touch, generation bumps on spec
changes, and the patch types each kind of resource accepts.
"""

from __future__ import annotations

import base64
import binascii
import copy
import re
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping

from chatops.demo.kube import patches
from chatops.demo.kube.kinds import BUILTIN, Kind, kinds_from_crd
from chatops.demo.kube.objects import Expired, ObjectStore
from chatops.demo.kube.selectors import SelectorError, field_matcher, label_matcher

_REASONS = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed",
            409: "Conflict", 410: "Expired", 415: "UnsupportedMediaType", 422: "Invalid", 429: "TooManyRequests",
            500: "InternalError", 503: "ServiceUnavailable", 504: "Timeout"}
_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_CRD = ("apiextensions.k8s.io", "customresourcedefinitions")


class ApiError(Exception):
    """An error answer: serialised as a ``Status`` object with the given HTTP code."""

    def __init__(self, code: int, message: str, *, reason: str | None = None, details: Mapping[str, Any] | None = None):
        super().__init__(message)
        self.code, self.message = code, message
        self.reason = reason or _REASONS.get(code, "Unknown")
        self.details = dict(details or {})

    def status(self) -> dict[str, Any]:
        body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": self.message, "reason": self.reason, "code": self.code}
        if self.details:
            body["details"] = self.details
        return body


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Verbs:
    """The verbs over an ObjectStore, for built-in kinds and the kinds of the CRDs created so far."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self.kinds: dict[tuple[str, str, str], Kind] = {(k.group, k.version, k.plural): k for k in BUILTIN}

    def kind(self, group: str, version: str, plural: str) -> Kind:
        found = self.kinds.get((group, version, plural))
        if found is None:
            raise ApiError(404, "the server could not find the requested resource")
        return found

    def list(self, kind: Kind, namespace: str | None, query: Mapping[str, str]) -> dict[str, Any]:
        limit = int(query.get("limit") or 0)
        try:
            if query.get("continue"):
                items, token, remaining, rv = self.store.continue_page(query["continue"], limit)
            else:
                items, rv = self._matching(kind, namespace, query), self.store.rv
                items, token, remaining = self.store.snapshot_page(items, limit)
        except Expired as exc:
            raise ApiError(410, str(exc)) from None
        except ValueError as exc:
            raise ApiError(400, str(exc)) from None
        metadata: dict[str, Any] = {"resourceVersion": str(rv)}
        if token:
            metadata.update({"continue": token, "remainingItemCount": remaining})
        return {"kind": f"{kind.kind}List", "apiVersion": kind.api_version, "metadata": metadata, "items": items}

    def matcher(self, kind: Kind, query: Mapping[str, str]) -> Any:
        try:
            labels = label_matcher(query.get("labelSelector"))
            fields = field_matcher(query.get("fieldSelector"), kind.fields)
        except SelectorError as exc:
            raise ApiError(400, str(exc)) from None
        return lambda obj: labels(obj["metadata"].get("labels") or {}) and fields(obj)

    def _matching(self, kind: Kind, namespace: str | None, query: Mapping[str, str]) -> list[dict[str, Any]]:
        match = self.matcher(kind, query)
        return [obj for obj in self.store.items(kind.key, namespace) if match(obj)]

    def get(self, kind: Kind, namespace: str, name: str) -> dict[str, Any]:
        found = self.store.get(kind.key, namespace, name)
        if found is None:
            resource = f"{kind.plural}.{kind.group}" if kind.group else kind.plural
            raise ApiError(404, f'{resource} "{name}" not found', details={"name": name, "group": kind.group, "kind": kind.plural})
        return found

    def create(self, kind: Kind, namespace: str, body: Any) -> dict[str, Any]:
        obj = self._checked_body(kind, namespace, body)
        meta = obj["metadata"]
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
        self._validate_name(kind, meta.get("name"))
        if kind.namespaced:
            owner = self.store.get(("", "namespaces"), "", namespace)
            if owner is None:
                raise ApiError(404, f'namespaces "{namespace}" not found', details={"name": namespace, "kind": "namespaces"})
            if owner["metadata"].get("deletionTimestamp"):
                raise ApiError(403, f"{kind.plural} \"{meta['name']}\" is forbidden: unable to create new content in "
                               f"namespace {namespace} because it is being terminated",
                               details={"name": meta["name"], "kind": kind.plural,
                                        "causes": [{"reason": "NamespaceTerminating", "field": "metadata.namespace"}]})
        if self.store.get(kind.key, namespace, meta["name"]) is not None:
            raise ApiError(409, f'{kind.plural} "{meta["name"]}" already exists', reason="AlreadyExists",
                           details={"name": meta["name"], "group": kind.group, "kind": kind.plural})
        meta.update({"uid": str(uuid.uuid4()), "creationTimestamp": now(), "generation": 1})
        meta.pop("resourceVersion", None)
        if kind.status_subresource:
            obj.pop("status", None)  # status is the controllers' to write, through the subresource
        self._defaults(kind, obj)
        stored = self.store.put(kind.key, obj, "ADDED")
        if kind.key == _CRD:
            for served in kinds_from_crd(stored):
                self.kinds[(served.group, served.version, served.plural)] = served
        return stored

    def update(self, kind: Kind, namespace: str, name: str, body: Any, subresource: str | None) -> dict[str, Any]:
        current = self.get(kind, namespace, name)
        obj = self._checked_body(kind, namespace, body)
        if obj["metadata"].get("name") != name:
            raise ApiError(400, "the name of the object does not match the name on the URL")
        return self._write(kind, current, obj, subresource)

    def patch(self, kind: Kind, namespace: str, name: str, content_type: str, body: Any,
              subresource: str | None) -> dict[str, Any]:
        current = self.get(kind, namespace, name)
        accepted = [patches.JSON_PATCH, patches.MERGE_PATCH, patches.APPLY_PATCH]
        if kind.builtin:
            accepted.insert(2, patches.STRATEGIC_MERGE_PATCH)
        if content_type not in accepted or content_type == patches.APPLY_PATCH:
            # Server-side apply is a real media type the real server takes; this stand-in does not model it.
            raise ApiError(415, "the body of the request was in an unknown format - accepted media types include: "
                           + ", ".join(accepted))
        try:
            if content_type == patches.JSON_PATCH:
                patched = patches.json_patch(current, body)
            elif content_type == patches.MERGE_PATCH:
                patched = patches.merge_patch(current, body)
            else:
                patched = patches.strategic_merge(current, body, kind.merge_keys)
        except patches.PatchError as exc:
            raise ApiError(exc.code, str(exc)) from None
        return self._write(kind, current, self._checked_body(kind, namespace, patched), subresource)

    def delete(self, kind: Kind, namespace: str, name: str, *, grace: int | None = None) -> dict[str, Any]:
        current = self.get(kind, namespace, name)
        if kind.key == ("", "pods"):
            return self._delete_pod(current, grace)
        if kind.key == ("", "namespaces") and (current.get("spec") or {}).get("finalizers"):
            # The real server only marks it: the namespace controller empties it and then removes the finalizer.
            # This stand-in has no such controller (nor has the real test server), so it stays Terminating.
            if current["metadata"].get("deletionTimestamp"):
                return current
            terminating = copy.deepcopy(current)
            terminating["metadata"]["deletionTimestamp"] = now()
            terminating["status"] = {"phase": "Terminating"}
            return self.store.put(kind.key, terminating, "MODIFIED")
        if kind.key == ("", "namespaces"):
            for other in list(self.kinds.values()):
                if other.namespaced:
                    for obj in self.store.items(other.key, name):
                        self.store.remove(other.key, name, obj["metadata"]["name"])
        if kind.key == _CRD:
            for key, served in list(self.kinds.items()):
                if not served.builtin and f"{served.plural}.{served.group}" == name:
                    self.store.drop_kind(served.key)
                    del self.kinds[key]
        self.store.remove(kind.key, namespace, name)
        return current

    def _delete_pod(self, pod: dict[str, Any], grace: int | None) -> dict[str, Any]:
        """Graceful deletion, as the real server does it: a pod on a node is only marked (deletionTimestamp) and
        waits for its kubelet to stop it, which this stand-in (like the real test server) has none of; a pod no
        kubelet runs (unscheduled, or finished) is marked and removed at once, as is any pod deleted with grace 0."""
        spec, phase = pod.get("spec") or {}, (pod.get("status") or {}).get("phase")
        if grace is None:
            grace = int(spec.get("terminationGracePeriodSeconds", 30))
        if not spec.get("nodeName") or phase in ("Failed", "Succeeded"):
            grace = 0
        meta = pod["metadata"]
        if meta.get("deletionTimestamp") and grace >= int(meta.get("deletionGracePeriodSeconds", 0)) > 0:
            return pod  # already terminating; only a shorter grace period changes anything
        marked = copy.deepcopy(pod)
        deadline = datetime.now(timezone.utc) + timedelta(seconds=grace)
        marked["metadata"].update(deletionTimestamp=deadline.strftime("%Y-%m-%dT%H:%M:%SZ"), deletionGracePeriodSeconds=grace)
        stored = self.store.put(("", "pods"), marked, "MODIFIED")
        if grace == 0:
            self.store.remove(("", "pods"), meta["namespace"], meta["name"])
        return stored

    def _write(self, kind: Kind, current: dict[str, Any], obj: dict[str, Any], subresource: str | None) -> dict[str, Any]:
        wanted_rv = obj["metadata"].get("resourceVersion")
        if wanted_rv and wanted_rv != current["metadata"]["resourceVersion"]:
            raise ApiError(409, f'Operation cannot be fulfilled on {kind.plural} "{current["metadata"]["name"]}": '
                           "the object has been modified; please apply your changes to the latest version and try again",
                           details={"name": current["metadata"]["name"], "group": kind.group, "kind": kind.plural})
        if subresource == "status":
            if not kind.status_subresource:
                raise ApiError(404, "the server could not find the requested resource")
            new = copy.deepcopy(current)
            new["status"] = obj.get("status")
        elif subresource:
            raise ApiError(404, "the server could not find the requested resource")
        else:
            new = obj
            for kept in ("uid", "creationTimestamp", "generation", "name", "namespace"):
                if kept in current["metadata"]:
                    new["metadata"][kept] = current["metadata"][kept]
            if kind.status_subresource:
                new["status"] = copy.deepcopy(current.get("status"))
            if new.get("spec") != current.get("spec"):
                new["metadata"]["generation"] = current["metadata"].get("generation", 1) + 1
        self._defaults(kind, new)
        return self.store.put(kind.key, new, "MODIFIED")

    def _checked_body(self, kind: Kind, namespace: str, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise ApiError(400, f"json: cannot unmarshal into Go value of type {kind.kind}")
        obj = copy.deepcopy(body)
        obj.setdefault("kind", kind.kind)
        obj.setdefault("apiVersion", kind.api_version)
        if obj["kind"] != kind.kind or obj["apiVersion"] != kind.api_version:
            raise ApiError(400, f"the API version in the data ({obj['apiVersion']}) does not match the expected "
                           f"API version ({kind.api_version})")
        meta = obj.setdefault("metadata", {})
        if kind.namespaced:
            if meta.setdefault("namespace", namespace) != namespace:
                raise ApiError(400, "the namespace of the provided object does not match the namespace sent on the request")
        else:
            meta.pop("namespace", None)
        return obj

    def _validate_name(self, kind: Kind, name: Any) -> None:
        ok = isinstance(name, str) and 0 < len(name) <= 253 and all(_LABEL.fullmatch(p) for p in name.split("."))
        if ok and kind.key == ("", "namespaces"):
            ok = len(name) <= 63 and "." not in name
        if not ok:
            raise ApiError(422, f'{kind.kind} "{name}" is invalid: metadata.name: Invalid value: "{name}": '
                           "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                           "'-' or '.', and must start and end with an alphanumeric character",
                           details={"name": str(name), "group": kind.group, "kind": kind.kind})

    def _defaults(self, kind: Kind, obj: dict[str, Any]) -> None:
        """What the real server's defaulting and registry strategies add."""
        if kind.key == ("", "namespaces"):
            obj.setdefault("spec", {"finalizers": ["kubernetes"]})
            obj["status"] = obj.get("status") or {"phase": "Active"}
        elif kind.key == ("", "pods"):
            obj["status"] = obj.get("status") or {"phase": "Pending", "qosClass": "BestEffort"}
        elif kind.key == ("", "secrets"):
            self._secret_data(obj)
        elif kind.key == _CRD:
            obj["status"] = {"conditions": [{"type": "NamesAccepted", "status": "True"},
                                            {"type": "Established", "status": "True"}],
                             "acceptedNames": obj["spec"]["names"]}
        elif kind.key == ("", "persistentvolumeclaims"):
            obj["status"] = obj.get("status") or {"phase": "Pending"}

    def _secret_data(self, obj: dict[str, Any]) -> None:
        obj.setdefault("type", "Opaque")
        data = dict(obj.get("data") or {})
        for key, value in (obj.pop("stringData", None) or {}).items():
            data[key] = base64.b64encode(str(value).encode()).decode()
        for key, value in data.items():
            try:
                base64.b64decode(value, validate=True)
            except (binascii.Error, TypeError):
                raise ApiError(400, f"illegal base64 data in Secret key {key!r}") from None
        obj["data"] = data
