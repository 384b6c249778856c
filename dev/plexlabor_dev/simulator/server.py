"""The Plex simulator: Plex's REST and Data Source API shapes over HTTP on 127.0.0.1, from a plant folder.

Serves (see `plexlabor.plex.defaults` for the one path/id/column map shared with the client):
- Connect REST reads (bare JSON arrays, Plex date format, `X-Plex-Connect-Api-Key`), with the filters
  `beginDate`/`endDate` (time-clock-entries on clockinTime, labor-entries on startTime, where they are
  required), `modifiedDateStart`/`modifiedDateEnd` and `employeeId`. Date bounds are inclusive at both
  ends: the pessimistic reading of Plex's undocumented semantics, so clients must de-duplicate.
- `POST /api/datasources/{id}/execute` with HTTP Basic: tables shape by default, `rows` objects with
  `?format=2`; `Begin_Date`/`End_Date` inputs filter dated data sources; a row limit with a flag.
- Writes: `POST .../workcenters/{id}/operators/clockin|clockout`, `POST/GET
  /platform/custom-objects/v1/data/{name}`, `POST /quality/v1/nonconformances` (400 naming a missing
  field); every write is kept in memory (`Idempotency-Key` honoured).
- The error envelope `{code, message, errors[]}` everywhere; 401, 404, 400, 429 with Retry-After past
  the rolling-minute rate limit; injected faults (latency, 429, 500, dropped connections).
- Control, loopback only and without auth: `GET/DELETE /_sim/writes`, `GET/DELETE /_sim/requests`,
  `GET/POST /_sim/faults`, `GET/POST /_sim/config`, `POST /_sim/webhooks`, `GET /_sim/health`.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import itertools
import json
import logging
import re
import signal
import threading
import time
from argparse import Namespace
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from plexlabor.models.types import format_plex_datetime
from plexlabor.plex import defaults as plex
from plexlabor_dev.serving import LISTEN_BACKLOG, Served, ServerThread, is_loopback
from plexlabor_dev.simulator.faults import FaultConfig, FaultInjector, RollingRateLimit
from plexlabor_dev.simulator.store import PlantStore, Row, normalize_date
from plexlabor_dev.simulator.webhook_sender import WebhookSender

logger = logging.getLogger(__name__)

DEFAULT_API_KEY = "sim-key"
DEFAULT_DATASOURCE_USER = "sim-user"
DEFAULT_DATASOURCE_PASSWORD = "sim-password"
MAX_BODY_BYTES = 5 * 1024 * 1024
REQUEST_LOG_SIZE = 20_000
NONCONFORMANCE_REQUIRED = ("externalReference", "nonconformanceType", "description", "foundTime")
T = TypeVar("T")


class SimConfig(BaseModel):
    """Behaviour switches changeable at runtime through `POST /_sim/config`."""

    model_config = ConfigDict(extra="forbid")

    datasource_shape: Literal["auto", "tables", "rows"] = "auto"  # auto: rows with ?format=2
    datasource_row_limit: int = Field(default=10_000, ge=1)
    row_limit_flag: Literal["rowLimitExceeded", "RowLimitExceeded", "row_limit_exceeded"] = "rowLimitExceeded"
    empty_as_404: bool = False  # answer an empty list read with 404 and an empty body, as Plex may


class HttpError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        errors: list[Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.errors, self.headers = list(errors or []), dict(headers or {})

    def envelope(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "errors": self.errors}

    def reply(self) -> Reply:
        return Reply(self.status, self.envelope(), headers=self.headers)


def _truncated(reply: Reply) -> Reply:
    """`reply` with the first half of its body only (the `truncate` fault)."""
    data = reply.raw if reply.raw is not None else json.dumps(reply.payload, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json; charset=utf-8", **reply.headers}
    return Reply(reply.status, raw=data[: len(data) // 2], headers=headers)


class Reply:
    """A response to send: status, JSON (or raw bytes) and headers."""

    def __init__(
        self,
        status: int,
        payload: Any = None,
        *,
        raw: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status, self.payload, self.raw, self.headers = status, payload, raw, dict(headers or {})


def _injected_fault(status: int, retry_after_s: int) -> Reply:
    codes = {429: "TOO_MANY_REQUESTS", 500: "INTERNAL_SERVER_ERROR", 503: "SERVICE_UNAVAILABLE"}
    retry = {"Retry-After": str(retry_after_s)} if status != 500 else None
    return HttpError(status, codes[status], "Injected fault", headers=retry).reply()


def _template_regex(template: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
    return re.compile(f"^{pattern}$")


def _first(query: Mapping[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _date_param(query: Mapping[str, list[str]], name: str) -> str | None:
    raw = _first(query, name)
    if raw is None or raw == "":
        return None
    try:
        return normalize_date(raw)
    except ValueError:
        raise HttpError(
            400,
            "INVALID_PARAMETER",
            f"Parameter '{name}' is not a valid date: {raw}",
            [{"code": "INVALID_DATE", "target": name, "message": "expected YYYY-MM-DDThh:mm:ssZ"}],
        ) from None


@dataclass(frozen=True)
class Request:
    """One API request as the handlers see it (path parameters come as keyword arguments)."""

    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes

    def json_object(self) -> dict[str, Any]:
        try:
            data = json.loads(self.body or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise HttpError(400, "INVALID_BODY", "Request body is not valid JSON") from None
        if not isinstance(data, dict):
            raise HttpError(400, "INVALID_BODY", "Request body must be a JSON object")
        return data


Handler = Callable[..., Reply]


class SimulatorState:
    """Everything the request handlers share: the plant, the rules and what was received."""

    def __init__(
        self,
        store: PlantStore,
        *,
        api_key: str,
        rate_limit: int,
        datasource_user: str,
        datasource_password: str,
        faults: FaultConfig | None = None,
        config: SimConfig | None = None,
    ) -> None:
        self.store = store
        self.api_key, self.datasource_user, self.datasource_password = (
            api_key,
            datasource_user,
            datasource_password,
        )
        self.rate_limit = RollingRateLimit(rate_limit)
        self.faults = FaultInjector(faults)
        self.config = config or SimConfig()
        self.datasource_by_id = {ds_id: name for name, ds_id in plex.DEFAULT_DATASOURCE_IDS.items()}
        self.datasource_by_id[plex.SIMULATOR_JOB_OPERATIONS_ID] = plex.JOB_OPERATIONS_DATASOURCE
        self._lock = threading.Lock()
        self._writes: list[dict[str, Any]] = []
        self._custom_objects: dict[str, list[dict[str, Any]]] = {}
        self._idempotent: dict[str, Reply] = {}
        self._requests: deque[dict[str, Any]] = deque(maxlen=REQUEST_LOG_SIZE)
        self._seq = itertools.count(1)
        self._transactions = itertools.count(1)

    # -- inspection (also used by tests through SimulatorServer) --------------------------------
    def writes(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(write) for write in self._writes]

    def clear_writes(self) -> None:
        with self._lock:
            self._writes.clear()
            self._custom_objects.clear()
            self._idempotent.clear()

    def requests(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(entry) for entry in self._requests]

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def log_request(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._requests.append(entry)

    def record_write(
        self,
        path: str,
        body: dict[str, Any],
        key: str | None,
        make_reply: Callable[[dict[str, Any]], Reply],
        custom_object: str | None = None,
    ) -> Reply:
        with self._lock:
            if key and key in self._idempotent:
                return self._idempotent[key]
            write = {
                "seq": next(self._seq),
                "method": "POST",
                "path": path,
                "body": body,
                "idempotencyKey": key,
                "receivedAt": format_plex_datetime(datetime.now(UTC)),
            }
            self._writes.append(write)
            if custom_object is not None:
                stored = {"id": f"{custom_object}-{write['seq']}", **body}
                self._custom_objects.setdefault(custom_object, []).append(stored)
                write["objectId"] = stored["id"]
            reply = make_reply(write)
            if key:
                self._idempotent[key] = reply
            return reply

    def update_config(self, changes: Mapping[str, Any]) -> SimConfig:
        """Apply a partial change to the behaviour switches (validated as a whole)."""
        self.config = SimConfig.model_validate({**self.config.model_dump(), **changes})
        return self.config

    def custom_objects(self, name: str) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(item) for item in self._custom_objects.get(name, [])]

    def next_transaction(self) -> str:
        return f"SIM-{next(self._transactions):08d}"


class _Router:
    """Maps (method, path) to a handler function of the simulator."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: re.Pattern[str], handler: Handler) -> None:
        self.routes.append((method, pattern, handler))

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        allowed = False
        for route_method, pattern, handler in self.routes:
            found = pattern.match(path)
            if found:
                if route_method == method:
                    return handler, {k: unquote(v) for k, v in found.groupdict().items()}
                allowed = True
        if allowed:
            raise HttpError(405, "METHOD_NOT_ALLOWED", f"{method} is not allowed on {path}")
        return None


def _cleared(clear: Callable[[], None]) -> Reply:
    clear()
    return Reply(204, raw=b"")


def _valid(update: Callable[[dict[str, Any]], T], changes: dict[str, Any]) -> T:
    """Apply a change from a request body; a validation error becomes a 400 naming the fields."""
    try:
        return update(changes)
    except ValidationError as error:
        problems = [
            {"code": item["type"], "target": ".".join(map(str, item["loc"])), "message": item["msg"]}
            for item in error.errors()
        ]
        message = "; ".join(f"{p['target']}: {p['message']}" if p["target"] else p["message"] for p in problems)
        raise HttpError(400, "INVALID_BODY", message, problems) from None
    except ValueError as error:
        raise HttpError(400, "INVALID_BODY", str(error).splitlines()[0]) from None


class PlexSimulatorApp:
    """The request logic, independent of the HTTP plumbing."""

    def __init__(self, state: SimulatorState) -> None:
        self.state = state
        self.control = self._control_routes()
        self.router = _Router()
        paths = plex.DEFAULT_RESOURCE_PATHS
        simple = {
            "employees": "employees",
            "user-accounts": "user-accounts",
            "workcenters": "workcenters",
            "approved-workcenters": "approved-workcenters",
            "jobs": "jobs",
        }
        for resource, plant_resource in simple.items():
            self.router.add("GET", _template_regex(paths[resource]), self._list_handler(plant_resource))
        self.router.add("GET", _template_regex(paths["job-operations"]), self.job_operations)
        self.router.add("GET", _template_regex(paths["time-clock-entries"]), self.time_clock_entries)
        self.router.add("GET", _template_regex(paths["labor-entries"]), self.labor_entries)
        self.router.add("POST", _template_regex(paths["workcenter-clockin"]), self.operator_write)
        self.router.add("POST", _template_regex(paths["workcenter-clockout"]), self.operator_write)
        self.router.add("POST", _template_regex(paths["custom-object-data"]), self.custom_object_post)
        self.router.add("GET", _template_regex(paths["custom-object-data"]), self.custom_object_get)
        self.router.add("POST", _template_regex(paths["nonconformance-create"]), self.nonconformance_post)
        self.router.add(
            "POST", re.compile(r"^/api/datasources/(?P<datasource_id>\d+)/execute$"), self.datasource_execute
        )

    # -- REST reads -----------------------------------------------------------------------------
    def _list_reply(self, rows: list[Row]) -> Reply:
        if not rows and self.state.config.empty_as_404:
            return Reply(404, raw=b"")
        return Reply(200, rows)

    def _list_handler(self, resource: str) -> Handler:
        def handler(request: Request) -> Reply:
            return self._list_reply(self.state.store.rows(resource))

        return handler

    def job_operations(self, request: Request, jobId: str) -> Reply:
        jobs = self.state.store.group("jobs", "id")
        if jobId not in jobs:
            raise HttpError(
                404,
                "NOT_FOUND",
                f"Job '{jobId}' was not found",
                [{"code": "NOT_FOUND", "target": "jobId", "message": "unknown job"}],
            )
        return self._list_reply(self.state.store.group("job-operations", "jobId").get(jobId, []))

    def time_clock_entries(self, request: Request) -> Reply:
        store, resource, query = self.state.store, "time-clock-entries", request.query
        begin, end = _date_param(query, plex.BEGIN_DATE_PARAM), _date_param(query, plex.END_DATE_PARAM)
        mod_start, mod_end = _date_param(query, plex.MODIFIED_START_PARAM), _date_param(query, plex.MODIFIED_END_PARAM)
        employee = _first(query, plex.EMPLOYEE_ID_PARAM)
        candidates: list[Row] | None = None
        if begin or end:
            candidates = store.index(resource, plex.REST_WINDOW_FIELDS[resource]).between(begin, end)
        if mod_start or mod_end:
            modified = store.index(resource, "modified").between(mod_start, mod_end)
            if candidates is None:
                candidates = modified
            else:
                wanted = {id(row) for row in modified}
                candidates = [row for row in candidates if id(row) in wanted]
        rows = store.index(resource, plex.REST_WINDOW_FIELDS[resource]).rows if candidates is None else candidates
        if employee:
            rows = [row for row in rows if str(row.get("employeeId")) == employee]
        return self._list_reply(rows)

    def labor_entries(self, request: Request) -> Reply:
        query = request.query
        missing = [name for name in (plex.BEGIN_DATE_PARAM, plex.END_DATE_PARAM) if not _first(query, name)]
        if missing:
            raise HttpError(
                400,
                "REQUIRED_PARAMETER_MISSING",
                f"Missing required query parameter(s): {', '.join(missing)}",
                [{"code": "REQUIRED", "target": name, "message": f"'{name}' is required"} for name in missing],
            )
        begin, end = _date_param(query, plex.BEGIN_DATE_PARAM), _date_param(query, plex.END_DATE_PARAM)
        resource = "labor-entries"
        return self._list_reply(self.state.store.index(resource, plex.REST_WINDOW_FIELDS[resource]).between(begin, end))

    # -- writes ---------------------------------------------------------------------------------
    def _record(
        self,
        request: Request,
        data: dict[str, Any],
        make_reply: Callable[[dict[str, Any]], Reply],
        custom_object: str | None = None,
    ) -> Reply:
        """Keep the write (once per `Idempotency-Key`) and answer it."""
        key = request.headers.get("idempotency-key")
        return self.state.record_write(request.path, data, key, make_reply, custom_object=custom_object)

    def operator_write(self, request: Request, workcenterId: str) -> Reply:
        data = request.json_object()
        if workcenterId not in self.state.store.group("workcenters", "workcenterId"):
            raise HttpError(404, "NOT_FOUND", f"Workcenter '{workcenterId}' was not found")
        return self._record(request, data, lambda write: Reply(200, {"seq": write["seq"]}))

    def custom_object_post(self, request: Request, name: str) -> Reply:
        data = request.json_object()
        return self._record(request, data, lambda write: Reply(201, {"id": write["objectId"], **data}), name)

    def custom_object_get(self, request: Request, name: str) -> Reply:
        return Reply(200, self.state.custom_objects(name))

    def nonconformance_post(self, request: Request) -> Reply:
        """A new nonconformance record (a confirmed incident, `plexlabor.approval.recommendations`)."""
        data = request.json_object()
        missing = [name for name in NONCONFORMANCE_REQUIRED if not data.get(name)]
        if missing:
            raise HttpError(
                400,
                "INVALID_BODY",
                f"Missing required field(s): {', '.join(missing)}",
                [{"code": "REQUIRED", "target": name, "message": f"'{name}' is required"} for name in missing],
            )
        return self._record(request, data, lambda write: Reply(201, {"id": f"NC-{write['seq']:06d}", **data}))

    # -- Data Source API --------------------------------------------------------------------------
    def datasource_execute(self, request: Request, datasource_id: str) -> Reply:
        name = self.state.datasource_by_id.get(int(datasource_id))
        if name is None:
            raise HttpError(
                404,
                "DATASOURCE_NOT_FOUND",
                f"Data source {datasource_id} does not exist or is not enabled for this account",
            )
        data = request.json_object() if request.body.strip() else {}
        inputs = data.get("inputs") or {}
        if not isinstance(inputs, dict):
            raise HttpError(400, "INVALID_BODY", "'inputs' must be a JSON object")
        dated = name in plex.DATASOURCE_WINDOW_FIELDS
        allowed = set(plex.DEFAULT_DATASOURCE_DATE_INPUTS) if dated else set()
        if name == plex.JOB_OPERATIONS_DATASOURCE:
            allowed = {plex.JOB_KEYS_INPUT}
        unknown = sorted(set(inputs) - allowed)
        if unknown:
            raise HttpError(
                400,
                "INVALID_INPUT",
                f"Unknown input(s) for data source {datasource_id}: "
                f"{', '.join(unknown)}; allowed: {', '.join(sorted(allowed)) or 'none'}",
                [{"code": "UNKNOWN_INPUT", "target": item} for item in unknown],
            )
        if dated:
            bounds = []
            for input_name in plex.DEFAULT_DATASOURCE_DATE_INPUTS:
                raw = inputs.get(input_name)
                try:
                    bounds.append(normalize_date(raw))
                except ValueError:
                    raise HttpError(400, "INVALID_INPUT", f"Input '{input_name}' is not a date: {raw}") from None
            rows = self.state.store.index(name, plex.DATASOURCE_WINDOW_FIELDS[name]).between(bounds[0], bounds[1])
        elif name == plex.JOB_OPERATIONS_DATASOURCE:
            rows = self._operations_of_jobs(inputs.get(plex.JOB_KEYS_INPUT))
        else:
            rows = self.state.store.rows(name)
        config = self.state.config
        truncated = len(rows) > config.datasource_row_limit
        rows = rows[: config.datasource_row_limit]
        fields = plex.DEFAULT_DATASOURCE_FIELDS[name]
        shape = config.datasource_shape
        if shape == "auto":
            shape = "rows" if _first(request.query, "format") == "2" else "tables"
        answer: dict[str, Any] = {"outputs": {}, "transactionNo": self.state.next_transaction()}
        if shape == "rows":
            answer["rows"] = [{column: row.get(field) for field, column in fields.items()} for row in rows]
        else:
            answer["tables"] = [
                {
                    "columns": list(fields.values()),
                    "rows": [[row.get(field) for field in fields] for row in rows],
                }
            ]
        if truncated:
            answer[config.row_limit_flag] = True
        return Reply(200, answer)

    def _operations_of_jobs(self, keys: Any) -> list[Row]:
        """The `job-operations` data source: every operation of the jobs named (comma-separated keys), job by job."""
        if not isinstance(keys, str) or not keys.strip():
            raise HttpError(
                400, "INVALID_INPUT", f"Input '{plex.JOB_KEYS_INPUT}' is required: job keys, comma-separated"
            )
        by_job = self.state.store.group("job-operations", "jobId")
        return [row for key in keys.split(",") for row in by_job.get(key.strip(), [])]

    # -- dispatch -------------------------------------------------------------------------------
    def check_auth(self, path: str, headers: Mapping[str, str]) -> None:
        if path.startswith("/api/datasources/"):
            if not self._basic_auth_ok(headers.get("authorization", "")):
                raise HttpError(
                    401,
                    "UNAUTHORIZED",
                    "Invalid credentials for the Data Source API",
                    headers={"WWW-Authenticate": 'Basic realm="Plex Data Source API"'},
                )
            return
        key = headers.get("x-plex-connect-api-key", "")
        if not key or not hmac.compare_digest(key.encode(), self.state.api_key.encode()):
            raise HttpError(
                401,
                "REQUEST_NOT_AUTHENTICATED",
                "The API key is missing or invalid, or the API product is not subscribed",
            )

    def _basic_auth_ok(self, header: str) -> bool:
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return hmac.compare_digest(user.encode(), self.state.datasource_user.encode()) and hmac.compare_digest(
            password.encode(), self.state.datasource_password.encode()
        )

    def handle(
        self, method: str, path: str, query: Mapping[str, list[str]], headers: Mapping[str, str], body: bytes
    ) -> Reply:
        self.check_auth(path, headers)
        retry_after = self.state.rate_limit.check()
        if retry_after is not None:
            raise HttpError(
                429,
                "TOO_MANY_REQUESTS",
                "Rate limit exceeded, retry later",
                headers={"Retry-After": str(retry_after)},
            )
        found = self.router.match(method, path)
        if found is None:
            raise HttpError(404, "NOT_FOUND", f"No resource at {method} {path}")
        handler, params = found
        return handler(Request(path, query, headers, body), **params)

    # -- control API (/_sim) ------------------------------------------------------------------------
    def _control_routes(self) -> dict[tuple[str, str], Callable[[Request], Reply]]:
        state = self.state
        return {
            ("GET", "/_sim/health"): lambda _: Reply(200, {"ok": True, "plant": str(state.store.folder.path)}),
            ("GET", "/_sim/writes"): lambda _: Reply(200, state.writes()),
            ("DELETE", "/_sim/writes"): lambda _: _cleared(state.clear_writes),
            ("GET", "/_sim/requests"): lambda _: Reply(200, state.requests()),
            ("DELETE", "/_sim/requests"): lambda _: _cleared(state.clear_requests),
            ("GET", "/_sim/faults"): lambda _: Reply(200, state.faults.config.model_dump()),
            ("POST", "/_sim/faults"): lambda r: Reply(200, _valid(state.faults.update, r.json_object()).model_dump()),
            ("GET", "/_sim/config"): lambda _: Reply(200, state.config.model_dump()),
            ("POST", "/_sim/config"): self._update_config,
            ("POST", "/_sim/webhooks"): lambda request: self._send_webhooks(request.json_object()),
        }

    def handle_control(self, method: str, path: str, body: bytes) -> Reply:
        handler = self.control.get((method, path))
        if handler is None:
            raise HttpError(404, "NOT_FOUND", f"No control resource at {method} {path}")
        return handler(Request(path, {}, {}, body))

    def _update_config(self, request: Request) -> Reply:
        """`POST /_sim/config`: change switches; `{"reset_rate_limit": true}` also empties the rate window."""
        changes = request.json_object()
        reset = bool(changes.pop("reset_rate_limit", False))
        config = _valid(self.state.update_config, changes)
        if reset:
            self.state.rate_limit.reset()
        return Reply(200, config.model_dump())

    def _send_webhooks(self, request: dict[str, Any]) -> Reply:
        url, secret = request.get("url"), request.get("secret")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")) or not secret:
            raise HttpError(400, "INVALID_BODY", "need 'url' (http/https) and 'secret'")
        try:
            begin = normalize_date(request.get(plex.BEGIN_DATE_PARAM))
            end = normalize_date(request.get(plex.END_DATE_PARAM))
        except ValueError as error:
            raise HttpError(400, "INVALID_BODY", str(error)) from None
        rows = self.state.store.index("time-clock-entries", "clockinTime").between(begin, end)
        report = WebhookSender(url, str(secret)).send_all(rows)
        return Reply(200, report.as_dict())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without TCP_NODELAY, Nagle plus delayed ACKs add
    # ~40 ms to every keep-alive exchange.
    disable_nagle_algorithm = True
    server: _SimHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("simulator: " + format, *args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            raise HttpError(413, "PAYLOAD_TOO_LARGE", "Request body too large")
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self, method: str) -> None:
        started = time.perf_counter()
        split = urlsplit(self.path)
        try:
            body = self._read_body()
        except ValueError:
            self._refuse_body(HttpError(400, "INVALID_BODY", "bad Content-Length"))
        except HttpError as error:
            self._refuse_body(error)
        else:
            if split.path.startswith("/_sim/"):
                self._reply(self._control(method, split.path, body))
            else:
                self._api(method, split, body, started)

    def _refuse_body(self, error: HttpError) -> None:
        self.close_connection = True
        self._reply(error.reply())

    def _control(self, method: str, path: str, body: bytes) -> Reply:
        if not is_loopback(self.client_address[0]):
            return HttpError(403, "FORBIDDEN", "/_sim is loopback only").reply()
        try:
            return self.server.app.handle_control(method, path, body)
        except HttpError as error:
            return error.reply()

    def _api(self, method: str, split: SplitResult, body: bytes, started: float) -> None:
        """A Plex API call, through the fault injector; every call is logged."""
        state = self.server.app.state
        latency, action = state.faults.decide(split.path)
        if latency:
            time.sleep(latency)
        entry = {"method": method, "path": split.path, "query": split.query}
        if action == "drop":
            state.log_request({**entry, "status": None, "fault": "drop"})
            self.close_connection = True
            return
        if action == "none":
            reply = self._answer(method, split, body)
        elif action == "truncate":
            reply = _truncated(self._answer(method, split, body))
        else:
            reply = _injected_fault(int(action), state.faults.config.retry_after_s)
        elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
        state.log_request(
            {**entry, "status": reply.status, "fault": None if action == "none" else action, "elapsed_ms": elapsed_ms}
        )
        self._reply(reply)

    def _answer(self, method: str, split: SplitResult, body: bytes) -> Reply:
        query = parse_qs(split.query, keep_blank_values=True)
        headers = {key.lower(): value for key, value in self.headers.items()}
        try:
            return self.server.app.handle(method, split.path, query, headers, body)
        except HttpError as error:
            return error.reply()
        except Exception:  # the simulator must answer, like Plex, with the envelope
            logger.exception("simulator handler failed")
            return HttpError(500, "INTERNAL_SERVER_ERROR", "Unexpected error").reply()

    def _reply(self, reply: Reply) -> None:
        if reply.raw is not None:
            self._write(reply.status, reply.raw, reply.headers, content_type=None)
        else:
            self._send(reply.payload, reply.status, reply.headers)

    def _send(self, payload: Any, status: int, headers: Mapping[str, str] | None = None) -> None:
        data = json.dumps(payload, separators=(",", ":")).encode("utf-8")
        self._write(status, data, headers or {}, content_type="application/json; charset=utf-8")

    def _write(self, status: int, data: bytes, headers: Mapping[str, str], content_type: str | None) -> None:
        try:
            self.send_response(status)
            if content_type and status != 204:
                self.send_header("Content-Type", content_type)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data) if status != 204 else 0))
            self.end_headers()
            if status != 204:
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. its timeout); nothing to do


class _SimHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG
    app: PlexSimulatorApp

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.debug("simulator connection error from %s", client_address, exc_info=True)


class SimulatorServer(Served):
    """A Plex simulator on its own thread. Use as a context manager:

    with SimulatorServer(plant_dir) as sim:
        client = PlexLaborClient(sim.settings())
    """

    def __init__(
        self,
        plant_dir: Path | str,
        *,
        api_key: str = DEFAULT_API_KEY,
        rate_limit: int = 200,
        host: str = "127.0.0.1",
        port: int = 0,
        datasource_user: str = DEFAULT_DATASOURCE_USER,
        datasource_password: str = DEFAULT_DATASOURCE_PASSWORD,
        faults: FaultConfig | None = None,
        config: SimConfig | None = None,
    ) -> None:
        self.state = SimulatorState(
            PlantStore(plant_dir),
            api_key=api_key,
            rate_limit=rate_limit,
            datasource_user=datasource_user,
            datasource_password=datasource_password,
            faults=faults,
            config=config,
        )
        self.app = PlexSimulatorApp(self.state)
        self._serving = ServerThread(
            lambda: self._bind(host, port), what="the simulator", thread_name="plex-simulator", poll_interval=0.05
        )

    def _bind(self, host: str, port: int) -> _SimHTTPServer:
        server = _SimHTTPServer((host, port), _Handler)
        server.app = self.app
        return server

    @property
    def base_url(self) -> str:
        return self._serving.url

    def bind(self) -> SimulatorServer:
        self._serving.bind()
        return self

    def serve_forever(self) -> None:
        """Serve on the calling thread until `stop()` or Ctrl-C."""
        self._serving.serve_forever(poll_interval=0.2)

    # -- conveniences for tests and the demo --------------------------------------------------------
    def settings(self, **overrides: Any) -> Any:
        """`PlexSettings` pointing at this simulator (both APIs, its credentials)."""
        from pydantic import SecretStr

        from plexlabor.plex.settings import PlexSettings

        values: dict[str, Any] = {
            "base_url": self.base_url,
            "api_key": SecretStr(self.state.api_key),
            "datasource_base_url": self.base_url,
            "datasource_username": SecretStr(self.state.datasource_user),
            "datasource_password": SecretStr(self.state.datasource_password),
        }
        values.update(overrides)
        return PlexSettings(**values)

    def set_faults(self, **changes: Any) -> FaultConfig:
        return self.state.faults.update(changes)

    def set_config(self, **changes: Any) -> SimConfig:
        return self.state.update_config(changes)

    def writes(self) -> list[dict[str, Any]]:
        return self.state.writes()

    def requests(self) -> list[dict[str, Any]]:
        return self.state.requests()


def _stop_on_ctrl_c() -> None:
    """Ctrl-C (and SIGTERM) stop the server even when the parent started it with SIGINT ignored or
    blocked (both are inherited: test runners and job launchers do this)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)


FAULT_FLAGS = {
    "latency_ms": "--fault-latency-ms",
    "rate_429": "--fault-429-rate",
    "rate_500": "--fault-500-rate",
    "rate_drop": "--fault-drop-rate",
}
"""FaultConfig's fields the command line sets, and their flags (a refusal names the flag typed)."""


def serve_command(args: Namespace) -> int:
    """`plexlabor simulator --plant DIR ...`: serve in the foreground until Ctrl-C."""
    from plexlabor_dev.commands import plant_flag

    plant = plant_flag(args.plant).path  # a folder that is not a plant is refused, not served empty
    if args.rate_limit < 1:
        raise ValueError(f"--rate-limit: calls per minute must be at least 1, not {args.rate_limit}")
    try:
        typed = {field: getattr(args, flag[2:].replace("-", "_")) for field, flag in FAULT_FLAGS.items()}
        faults = FaultConfig(**typed)
    except ValidationError as error:
        raise ValueError("; ".join(f"{FAULT_FLAGS[str(e['loc'][0])]}: {e['msg']}" for e in error.errors())) from None
    server = SimulatorServer(
        plant, api_key=args.api_key, rate_limit=args.rate_limit, host=args.host, port=args.port, faults=faults
    ).bind()
    if not is_loopback(args.host) and args.host != "localhost":
        print(f"warning: serving on {args.host}, not loopback; /_sim stays loopback-only", flush=True)
    print(f"Plex simulator for {plant} at {server.base_url}", flush=True)
    print(
        f"  try: curl -H 'X-Plex-Connect-Api-Key: {args.api_key}' {server.base_url}/mdm/v1/employees",
        flush=True,
    )
    print(
        f"  data sources: Basic {DEFAULT_DATASOURCE_USER}:<password> at {server.base_url}/api/datasources/"
        "{id}/execute; Ctrl-C to stop",
        flush=True,
    )
    _stop_on_ctrl_c()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopping", flush=True)
    finally:
        server.stop()
    return 0
