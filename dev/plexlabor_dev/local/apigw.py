"""A local API Gateway (REST API, Lambda proxy integration) on 127.0.0.1.

Each HTTP request becomes the event API Gateway sends a proxy-integrated Lambda (payload v1:
`httpMethod`, `path`, `resource`, `pathParameters`, `queryStringParameters`, the `multiValue*`
twins, `headers`, `body`, `isBase64Encoded`, `requestContext` with `requestId`, `stage` and
`identity.sourceIp`); the handler's `{statusCode, headers, multiValueHeaders, body,
isBase64Encoded}` becomes the HTTP response. As on AWS: an unknown route answers 403
`Missing Authentication Token`, a handler that raises or answers something malformed 502
`Internal server error`, a body over 10 MB 413.

Locally the stage is not part of the URL (as behind a custom domain): `http://127.0.0.1:PORT/punches`.
Paths under `/_local/` are the runtime's own controls (firing schedules, reading captured e-mails),
answered only to loopback clients; they do not exist on AWS. An `Authorizer` (the runtime's is
`signin.DevSignIn`) stands in for the Cognito authorizer: it serves its own pages (the dev login,
loopback clients only) and, per route, either lets the request through (no authorizer), passes the
signed-in person's claims on in `requestContext.authorizer`, or answers itself (a redirect to sign in).
"""

from __future__ import annotations

import base64
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from infra.function_specs import FUNCTION_SPECS, FunctionSpec
from plexlabor_dev.local.environment import AWS_ACCOUNT_ID
from plexlabor_dev.serving import LISTEN_BACKLOG, Served, ServerThread, is_loopback

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
LOCAL_API_ID = "plexlocal"


@dataclass(frozen=True)
class Route:
    """`method` (or `ANY`) on `resource` (`/approvals/{token}`, `/{proxy+}`) -> function; `authorizer`:
    the function API Gateway asks first on AWS (None: the route is open or authenticates itself)."""

    method: str
    resource: str
    function: str
    authorizer: str | None = None

    def specificity(self) -> tuple[int, ...]:
        """Per segment 0 (literal), 1 (`{parameter}`) or 2 (`{greedy+}`): the smaller is the more specific."""
        return tuple(
            2 if segment.endswith("+}") else 1 if segment.startswith("{") else 0
            for segment in self.resource.strip("/").split("/")
        )

    def pattern(self) -> re.Pattern[str]:
        parts = []
        for segment in self.resource.strip("/").split("/"):
            greedy = re.fullmatch(r"\{(\w+)\+\}", segment)
            single = re.fullmatch(r"\{(\w+)\}", segment)
            if greedy:
                parts.append(f"(?P<{greedy.group(1)}>.+)")
            elif single:
                parts.append(f"(?P<{single.group(1)}>[^/]+)")
            else:
                parts.append(re.escape(segment))
        return re.compile("^/" + "/".join(parts) + "$")


def routes_of(specs: Iterable[FunctionSpec]) -> tuple[Route, ...]:
    """The REST API's routes, from the specs (as `infra/constructs/api.py` builds them)."""
    return tuple(
        Route(route.method, route.path, spec.name, getattr(route, "authorizer", None))
        for spec in specs
        for route in spec.routes
    )


DEFAULT_ROUTES: tuple[Route, ...] = routes_of(FUNCTION_SPECS)
"""The routes of the real functions."""

Invoke = Callable[[str, dict[str, Any]], Any]
Control = Callable[[str, str, bytes], "HttpReply"]
CONTROL_PREFIX = "/_local/"


def _multi(pairs: Iterable[tuple[str, str]]) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    """API Gateway's single-value (last wins) and multi-value maps; both null when empty."""
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        multi.setdefault(name, []).append(value)
    if not multi:
        return None, None
    return {name: values[-1] for name, values in multi.items()}, multi


@dataclass(frozen=True)
class HttpRequest:
    """One request as it came in: `raw_path` with its query string, headers in order."""

    method: str
    raw_path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    source_ip: str


def build_rest_event(
    request: HttpRequest,
    route: Route,
    path_parameters: Mapping[str, str],
    *,
    stage: str,
    region: str,
    authorizer: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The API Gateway REST proxy event (payload v1) for one request; `authorizer` is what an
    authorizer passed on (`{"claims": {...}}` for Cognito), absent without one."""
    method, body, source_ip = request.method, request.body, request.source_ip
    split = urlsplit(request.raw_path)
    path = unquote(split.path) or "/"
    header_pairs = request.headers
    single_headers, multi_headers = _multi(header_pairs)
    query, multi_query = _multi(parse_qsl(split.query, keep_blank_values=True))
    text: str | None
    if not body:
        text, encoded = None, False
    else:
        try:
            text, encoded = body.decode("utf-8"), False
        except UnicodeDecodeError:
            text, encoded = base64.b64encode(body).decode("ascii"), True
    now = datetime.now(UTC)
    user_agent = next((value for name, value in header_pairs if name.lower() == "user-agent"), None)
    host = next((value for name, value in header_pairs if name.lower() == "host"), "127.0.0.1")
    return {
        "resource": route.resource,
        "path": path,
        "httpMethod": method,
        "headers": single_headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": dict(path_parameters) or None,
        "stageVariables": None,
        "requestContext": {
            "accountId": AWS_ACCOUNT_ID,
            "apiId": LOCAL_API_ID,
            "domainName": host,
            "domainPrefix": host.split(":")[0].split(".")[0],
            "extendedRequestId": uuid.uuid4().hex[:16],
            "httpMethod": method,
            "identity": {
                "accessKey": None,
                "accountId": None,
                "caller": None,
                "cognitoAuthenticationProvider": None,
                "cognitoAuthenticationType": None,
                "cognitoIdentityId": None,
                "cognitoIdentityPoolId": None,
                "principalOrgId": None,
                "sourceIp": source_ip,
                "user": None,
                "userAgent": user_agent,
                "userArn": None,
            },
            "path": path,
            "protocol": "HTTP/1.1",
            "requestId": str(uuid.uuid4()),
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "resourceId": uuid.uuid5(uuid.NAMESPACE_URL, route.resource).hex[:6],
            "resourcePath": route.resource,
            "stage": stage,
            "region": region,
            **({"authorizer": dict(authorizer)} if authorizer is not None else {}),
        },
        "body": text,
        "isBase64Encoded": encoded,
    }


@dataclass(frozen=True)
class HttpReply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class Authorizer(Protocol):
    """What stands in for API Gateway's authorizer on the local gateway."""

    def serves(self, path: str) -> bool:
        """True for the authorizer's own pages (e.g. a dev login page)."""
        ...

    def page(self, request: HttpRequest) -> HttpReply:
        """Answer a request for one of its own pages."""
        ...

    def authorize(self, request: HttpRequest, route: Route) -> Mapping[str, Any] | HttpReply | None:
        """None: the route has no authorizer; a mapping: the request's `requestContext.authorizer`;
        a reply: the answer instead of invoking the function (refused, or sent to sign in)."""
        ...


def reply_from_result(result: Any) -> HttpReply:
    """Turn a proxy integration result into the HTTP response API Gateway would send."""
    if not isinstance(result, Mapping) or not isinstance(result.get("statusCode"), int):
        logger.warning("handler answered a malformed proxy response: %r", type(result).__name__)
        return _gateway_error(502, "Internal server error")
    headers: list[tuple[str, str]] = []
    for name, value in (result.get("headers") or {}).items():
        headers.append((str(name), str(value)))
    single = {name.lower() for name, _ in headers}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        if str(name).lower() in single:
            continue  # API Gateway: `headers` wins over `multiValueHeaders` for the same name
        headers.extend((str(name), str(value)) for value in values)
    body = result.get("body")
    if body is None:
        data = b""
    elif result.get("isBase64Encoded"):
        data = base64.b64decode(body)
    else:
        data = str(body).encode("utf-8")
    return HttpReply(result["statusCode"], headers, data)


def json_reply(status: int, payload: Any) -> HttpReply:
    return HttpReply(status, [("Content-Type", "application/json")], json.dumps(payload, default=str).encode())


def _gateway_error(status: int, message: str, extra: Mapping[str, str] | None = None) -> HttpReply:
    headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", message.replace(" ", ""))]
    headers += list((extra or {}).items())
    return HttpReply(status, headers, json.dumps({"message": message}).encode())


class _Handler(BaseHTTPRequestHandler):
    server: _GatewayServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else Nagle + delayed ACKs add ~40 ms to each keep-alive request

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("api %s - %s", self.address_string(), format % args)

    def _handle(self) -> None:
        gateway = self.server.gateway
        declared = (self.headers.get("Content-Length") or "0").strip()
        # "abc" or "-1" is no size to read: int() raised (no answer), and -1 read until the client gave up
        if not (declared.isascii() and declared.isdigit()):
            self.close_connection = True
            self._send(_gateway_error(400, "Bad Request"))
            return
        length = int(declared)
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            self._send(_gateway_error(413, "Request Too Long"))
            return
        body = self.rfile.read(length) if length else b""
        request = HttpRequest(self.command, self.path, tuple(self.headers.items()), body, self.client_address[0])
        self._send(gateway.dispatch(request))

    def _send(self, reply: HttpReply) -> None:
        try:
            self.send_response(reply.status)
            names = set()
            for name, value in reply.headers:
                if name.lower() in ("content-length", "connection", "transfer-encoding"):
                    continue
                names.add(name.lower())
                self.send_header(name, value)
            if "content-type" not in names and reply.body:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _handle


class _GatewayServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG
    gateway: LocalApiGateway


class LocalApiGateway(Served):
    """Routes HTTP requests on 127.0.0.1 to handlers through `invoke(function, event)`."""

    def __init__(
        self,
        invoke: Invoke,
        routes: Iterable[Route] = (),
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        stage: str = "local",
        region: str = "us-east-1",
        control: Control | None = None,
        authorizer: Authorizer | None = None,
    ) -> None:
        self._invoke = invoke
        self._control = control
        self.authorizer = authorizer
        self.set_routes(routes)
        self.stage, self.region = stage, region
        self._serving = ServerThread(
            lambda: self._bind(host, port),
            what="the local API gateway",
            thread_name="local-api-gateway",
            poll_interval=0.1,
        )

    def _bind(self, host: str, port: int) -> _GatewayServer:
        server = _GatewayServer((host, port), _Handler)
        server.gateway = self
        return server

    @property
    def url(self) -> str:
        return self._serving.url

    def set_routes(self, routes: Iterable[Route]) -> None:
        """Replace the routes (the runtime drops those whose function has no handler yet). They are tried
        most specific first, as API Gateway picks a resource: a literal segment before a `{parameter}`
        before a `{greedy+}` at the first place they differ (`/incidents/openapi.json` is incident_log's
        document, not web_app's `/incidents/{incident_id}`; found by fuzzing)."""
        self.routes = tuple(routes)
        ordered = sorted(self.routes, key=lambda route: route.specificity())
        self._compiled = [(route, route.pattern()) for route in ordered]

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route, pattern in self._compiled:
            found = pattern.match(path)
            if found and route.method in (method, "ANY"):
                return route, {name: unquote(value) for name, value in found.groupdict().items()}
        return None

    def dispatch(self, request: HttpRequest) -> HttpReply:
        method = request.method
        path = urlsplit(request.raw_path).path or "/"
        if path.startswith(CONTROL_PREFIX) and self._control is not None:
            if not is_loopback(request.source_ip):
                return _gateway_error(403, "Missing Authentication Token")
            return self._control(method, path[len(CONTROL_PREFIX) :], request.body)
        authorizer = self.authorizer
        if authorizer is not None and authorizer.serves(path):
            if not is_loopback(request.source_ip):
                return _gateway_error(403, "Missing Authentication Token")
            return authorizer.page(request)
        matched = self.match(method, path)
        if matched is None:
            return _gateway_error(403, "Missing Authentication Token")
        route, parameters = matched
        context = authorizer.authorize(request, route) if authorizer is not None else None
        if isinstance(context, HttpReply):
            return context
        event = build_rest_event(request, route, parameters, stage=self.stage, region=self.region, authorizer=context)
        started = time.perf_counter()
        try:
            result = self._invoke(route.function, event)
        except Exception:
            logger.exception("%s failed on %s %s", route.function, method, route.resource)
            return _gateway_error(502, "Internal server error")
        logger.debug("%s %s -> %s in %.3f s", method, path, route.function, time.perf_counter() - started)
        return reply_from_result(result)
