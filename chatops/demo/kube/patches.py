"""The three patch formats the API server understands: JSON patch, merge patch, strategic merge patch."""

from __future__ import annotations

import copy
from typing import Any, Mapping

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"


class PatchError(Exception):
    """The patch cannot be applied; ``code`` is the HTTP status the server answers with."""

    def __init__(self, message: str, code: int = 422) -> None:
        super().__init__(message)
        self.code = code


def json_patch(document: Any, operations: Any) -> Any:
    """RFC 6902."""
    if not isinstance(operations, list):
        raise PatchError("json: cannot unmarshal object into Go value of type jsonpatch.Patch", 400)
    result = copy.deepcopy(document)
    for operation in operations:
        result = _apply_operation(result, operation)
    return result


def _apply_operation(document: Any, operation: Mapping[str, Any]) -> Any:
    op, path = operation.get("op"), operation.get("path")
    if not isinstance(path, str):
        raise PatchError(f"missing path in json patch operation {op!r}")
    if op == "test":
        if _get(document, path) != operation.get("value"):
            raise PatchError(f"testing value {path} failed")
        return document
    if op in ("move", "copy"):
        value = copy.deepcopy(_get(document, operation.get("from", "")))
        if op == "move":
            document = _remove(document, operation["from"])
        return _add(document, path, value)
    if op == "add":
        return _add(document, path, copy.deepcopy(operation.get("value")))
    if op == "remove":
        return _remove(document, path)
    if op == "replace":
        _get(document, path)
        return _add(_remove(document, path), path, copy.deepcopy(operation.get("value")))
    raise PatchError(f"unexpected json patch operation {op!r}")


def _tokens(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f"invalid JSON pointer {path!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _get(document: Any, path: str) -> Any:
    current = document
    for token in _tokens(path):
        current = _child(current, token, path)
    return current


def _child(container: Any, token: str, path: str) -> Any:
    try:
        if isinstance(container, list):
            return container[int(token)]
        return container[token]
    except (KeyError, IndexError, ValueError, TypeError):
        raise PatchError(f"doc is missing path: {path}") from None


def _parent(document: Any, path: str) -> tuple[Any, str]:
    tokens = _tokens(path)
    if not tokens:
        raise PatchError("cannot address the document root")
    parent = document
    for token in tokens[:-1]:
        parent = _child(parent, token, path)
    return parent, tokens[-1]


def _add(document: Any, path: str, value: Any) -> Any:
    if path == "":
        return value
    parent, last = _parent(document, path)
    if isinstance(parent, list):
        index = len(parent) if last == "-" else int(last)
        if not 0 <= index <= len(parent):
            raise PatchError(f"index out of range in {path}")
        parent.insert(index, value)
    elif isinstance(parent, dict):
        parent[last] = value
    else:
        raise PatchError(f"doc is missing path: {path}")
    return document


def _remove(document: Any, path: str) -> Any:
    parent, last = _parent(document, path)
    _child(parent, last, path)
    if isinstance(parent, list):
        del parent[int(last)]
    else:
        del parent[last]
    return document


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge, null deletes, everything else (lists too) replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def strategic_merge(target: Any, patch: Any, merge_keys: Mapping[str, str], path: str = "") -> Any:
    """Kubernetes' strategic merge: like a merge patch, but lists with a merge key merge item by item.

    Supports the ``$patch: replace|delete`` directives; ``$setElementOrder`` and
    ``$retainKeys`` directives are accepted and ignored (ordering is not modelled).
    """
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        child = f"{path}.{key}" if path else key
        if value is None:
            result.pop(key, None)
        elif isinstance(value, list) and child in merge_keys:
            result[key] = _merge_list(result.get(key) or [], value, merge_keys[child], merge_keys, child)
        else:
            result[key] = strategic_merge(result.get(key), value, merge_keys, child)
    return result


def _merge_list(current: list[Any], patch: list[Any], key: str, merge_keys: Mapping[str, str], path: str) -> list[Any]:
    merged = list(current)
    for item in patch:
        if not isinstance(item, dict) or key not in item:
            raise PatchError(f"map: {item!r} does not contain declared merge key: {key}")
        index = next((i for i, old in enumerate(merged) if isinstance(old, dict) and old.get(key) == item[key]), None)
        if item.get("$patch") == "delete":
            if index is not None:
                del merged[index]
        elif index is None:
            merged.append(strategic_merge({}, item, merge_keys, path))
        else:
            merged[index] = strategic_merge(merged[index], item, merge_keys, path)
    return merged
