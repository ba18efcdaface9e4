"""A Kubernetes API stand-in on 127.0.0.1: real paths, bearer tokens, RBAC-style denials, faults,
watch streams as newline-delimited JSON, and a record of every call for assertions."""

from __future__ import annotations

import asyncio
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from chatops.demo.kube.kinds import Kind
from chatops.demo.kube.objects import Event, Expired, ObjectStore
from chatops.demo.kube.podlog import pod_log
from chatops.demo.kube.verbs import ApiError, Verbs
from chatops.demo.loopback import serve_on_loopback

ADMIN = "kubernetes-admin"
# The identity of deploy/rbac.yaml's ServiceAccount (chatops/chatops), as a real server names it.
BOT = "system:serviceaccount:chatops:chatops"


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: dict[str, str]
    content_type: str
    user: str
    status: int = 0


@dataclass
class _Fault:
    method: str | None
    path_prefix: str
    times: int
    status: int = 0
    stall: float = 0.0


@dataclass
class _Route:
    group: str
    version: str
    namespace: str | None
    plural: str
    name: str | None
    sub: str | None


@dataclass
class FakeKubeApi:
    """One fake cluster. ``tokens`` maps bearer tokens to user names (an admin and the bot by default)."""

    store: ObjectStore = field(default_factory=ObjectStore)
    tokens: dict[str, str] = field(default_factory=lambda: {secrets.token_hex(16): ADMIN, secrets.token_hex(16): BOT})
    calls: list[Call] = field(default_factory=list)
    logs: dict[tuple[str, str, str, bool], str] = field(default_factory=dict)
    _denied: set[tuple[str, str, str]] = field(default_factory=set)
    _faults: list[_Fault] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    url: str = ""

    def __post_init__(self) -> None:
        self.verbs = Verbs(self.store)

    # --- test controls ---------------------------------------------------------------------------
    def token(self, user: str) -> str:
        return next(token for token, name in self.tokens.items() if name == user)

    def deny(self, user: str, verb: str, resource: str) -> None:
        """Answer 403 when ``user`` tries ``verb`` ("list", "patch", ...) on ``resource`` ("pods", "pods/log")."""
        self._denied.add((user, verb, resource))

    def fail(self, status: int, *, method: str | None = None, path_prefix: str = "", times: int = 1) -> None:
        """Answer the next ``times`` matching requests with a Status of code ``status``."""
        self._faults.append(_Fault(method, path_prefix, times, status=status))

    def stall(self, seconds: float, *, method: str | None = None, path_prefix: str = "", times: int = 1) -> None:
        """Hold the next matching requests for ``seconds`` before answering (to trip client timeouts)."""
        self._faults.append(_Fault(method, path_prefix, times, stall=seconds))

    def set_log(self, namespace: str, pod: str, container: str, text: str, *, previous: bool = False) -> None:
        """What the container logged (``previous``: what the one before its last restart logged)."""
        self.logs[(namespace, pod, container, previous)] = text

    def calls_to(self, method: str, path_part: str = "") -> list[Call]:
        return [call for call in self.calls if call.method == method and path_part in call.path]

    # --- lifecycle -------------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner, port = await serve_on_loopback(app, shutdown_timeout=1.0)
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        self.store.close_watches()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- requests --------------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        user = self.tokens.get(request.headers.get("Authorization", "").removeprefix("Bearer ").strip(), "")
        query = dict(request.query)
        content_type = request.headers.get("Content-Type", "").split(";")[0].strip()
        status = 500
        try:
            response = await self._serve(request, user, query, content_type)
            status = response.status
            return response
        except ApiError as exc:
            status = exc.code
            return web.json_response(exc.status(), status=exc.code)
        finally:
            self.calls.append(Call(request.method, request.path, query, content_type, user, status))

    async def _serve(self, request: web.Request, user: str, query: dict[str, str], content_type: str) -> web.StreamResponse:
        if not user:
            raise ApiError(401, "Unauthorized")
        await self._inject_fault(request)
        route = _parse(request.path)
        kind = self.verbs.kind(route.group, route.version, route.plural)
        if kind.namespaced != (route.namespace is not None) and not (kind.namespaced and route.name is None):
            raise ApiError(404, "the server could not find the requested resource")
        self._authorize(user, request.method, route, query, kind)
        if route.sub == "log" and kind.key == ("", "pods"):
            return self._pod_log(route, query)
        namespace = route.namespace or ""
        if request.method == "GET" and route.name is None:
            if _truthy(query.get("watch")):
                return await self._watch(request, kind, route.namespace, query)
            return web.json_response(self.verbs.list(kind, route.namespace, query))
        if request.method == "POST" and route.name is None:
            return web.json_response(self.verbs.create(kind, namespace, await _json(request)), status=201)
        if route.name is None:
            raise ApiError(405, "the server does not allow this method on the requested resource")
        if request.method == "GET" and route.sub is None:
            return web.json_response(self.verbs.get(kind, namespace, route.name))
        if request.method == "PUT":
            return web.json_response(self.verbs.update(kind, namespace, route.name, await _json(request), route.sub))
        if request.method == "PATCH":
            body = await _json(request)
            return web.json_response(self.verbs.patch(kind, namespace, route.name, content_type, body, route.sub))
        if request.method == "DELETE" and route.sub is None:
            options = await _json(request) if request.can_read_body else {}
            grace = query.get("gracePeriodSeconds", (options or {}).get("gracePeriodSeconds"))
            return web.json_response(self.verbs.delete(kind, namespace, route.name, grace=None if grace is None else int(grace)))
        raise ApiError(405, "the server does not allow this method on the requested resource")

    async def _inject_fault(self, request: web.Request) -> None:
        for fault in self._faults:
            if fault.times > 0 and fault.method in (None, request.method) and request.path.startswith(fault.path_prefix):
                fault.times -= 1
                if fault.stall:
                    await asyncio.sleep(fault.stall)
                if fault.status:
                    raise ApiError(fault.status, "injected fault: the server is unable to handle the request")
                return

    def _authorize(self, user: str, method: str, route: _Route, query: dict[str, str], kind: Kind) -> None:
        verb = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}.get(method, "get")
        if method == "GET" and route.name is None:
            verb = "watch" if _truthy(query.get("watch")) else "list"
        resource = f"{kind.plural}/{route.sub}" if route.sub else kind.plural
        if (user, verb, resource) not in self._denied:
            return
        scope = f'in the namespace "{route.namespace}"' if route.namespace else "at the cluster scope"
        target = f'{resource} "{route.name}"' if route.name else resource
        raise ApiError(403, f'{target} is forbidden: User "{user}" cannot {verb} resource "{resource}" '
                       f'in API group "{kind.group}" {scope}', details={"name": route.name or "", "kind": kind.plural})

    def _pod_log(self, route: _Route, query: dict[str, str]) -> web.Response:
        pod = self.verbs.get(self.verbs.kind("", "v1", "pods"), route.namespace or "", route.name or "")
        return web.Response(text=pod_log(pod, query, self.logs), content_type="text/plain")

    async def _watch(self, request: web.Request, kind: Kind, namespace: str | None, query: dict[str, str]) -> web.StreamResponse:
        match = self.verbs.matcher(kind, query)
        since_text = query.get("resourceVersion") or "0"
        since = None if since_text == "0" else int(since_text)
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        try:
            queue, backlog = self.store.subscribe(since)
        except Expired as exc:
            await _send(response, "ERROR", ApiError(410, str(exc)).status())
            return response
        try:
            if since is None:
                backlog = [Event(0, "ADDED", kind.key, obj) for obj in self.store.items(kind.key, namespace)]
            wanted = lambda e: e.kind == kind.key and namespace in (None, e.obj["metadata"].get("namespace")) and match(e.obj)
            for event in filter(wanted, backlog):
                await _send(response, event.type, event.obj)
            await self._follow(response, queue, wanted, float(query.get("timeoutSeconds") or 1800))
            await response.write_eof()
        except ConnectionResetError:
            pass  # the client went away: the watch is over
        finally:
            self.store.unsubscribe(queue)
        return response

    async def _follow(self, response: web.StreamResponse, queue: asyncio.Queue[Event | None], wanted: Any, timeout: float) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while (remaining := deadline - asyncio.get_running_loop().time()) > 0:
            try:
                event = await asyncio.wait_for(queue.get(), remaining)
            except asyncio.TimeoutError:
                return
            if event is None:
                return
            if wanted(event):
                await _send(response, event.type, event.obj)


def _truthy(value: str | None) -> bool:
    """Go's strconv.ParseBool, which the real server uses for query flags."""
    return value in ("1", "t", "T", "TRUE", "true", "True")


async def _send(response: web.StreamResponse, event_type: str, obj: dict[str, Any]) -> None:
    await response.write(json.dumps({"type": event_type, "object": obj}).encode() + b"\n")


async def _json(request: web.Request) -> Any:
    try:
        return json.loads(await request.read())
    except ValueError as exc:
        raise ApiError(400, f"couldn't get version/kind; json parse error: {exc}") from None


def _parse(path: str) -> _Route:
    parts = [part for part in path.split("/") if part]
    if parts[:2] == ["api", "v1"]:
        group, version, rest = "", "v1", parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        raise ApiError(404, "the server could not find the requested resource")
    namespace = None
    if len(rest) >= 3 and rest[0] == "namespaces" and not (group == "" and len(rest) == 3 and rest[2] in ("status", "finalize")):
        namespace, rest = rest[1], rest[2:]
    if not 1 <= len(rest) <= 3:
        raise ApiError(404, "the server could not find the requested resource")
    return _Route(group, version, namespace, rest[0], *(rest[1:] + [None, None])[:2])
