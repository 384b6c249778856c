"""Connect REST transport: headers, a client-side rate limit, GET retries, timeouts, typed errors.

Retries: urllib3's `Retry` (mounted through `HTTPAdapter`) retries **GETs only** on 429/500/502/503/504,
on connection errors and on read timeouts, with exponential backoff plus jitter, honouring
`Retry-After` (capped by `retry_after_max_s`). Every retry spends a rate-limit token like a first call.
A 429 spends no retry of `max_retries`: it is waited out within `rate_limited_patience_s`, holding the process's
whole bucket (`PacedRetry`), when the wait and one whole attempt fit in the invocation's remaining time.

The invocation's remaining time (`platform.deadline`, set by every handler) bounds every call: each attempt's
connect and read timeouts, a retry's included, are at most the time left when it starts less `DEADLINE_MARGIN_S`
(`InvocationTimeout`), none starts with less than `MIN_CALL_S` of that (`PlexTimeoutError` at once), and no retry
(after a 429 too), or repeated POST, is made unless its wait and one whole attempt (`PlexSettings.timeouts`) end
`DEADLINE_MARGIN_S` before the time runs out. So a stalled
Plex fails a call while the function still has time to record it (`writeback_failed`), instead of Lambda's
timeout cutting it off (review_infra_s17 #6).

POSTs are never retried blindly: a 5xx, a timeout or a dropped connection after a POST is ambiguous
(Plex may have applied it). A POST is repeated only when the caller passes an `idempotency_key` and
Plex answered 429 or 503, both of which mean "rejected before processing"; the key travels in an
`Idempotency-Key` header so a server that honours it can drop a duplicate.

Plex has no pagination and answers 404 for some empty results: `get_list` returns [] for a 404 with
an empty body or a "no data" message, and raises `PlexNotFoundError` for any other 404 (a wrong path).
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections.abc import Callable, Collection, Mapping
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ConnectTimeoutError,
    InvalidHeader,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ReadTimeoutError,
    ResponseError,
    SSLError,
)
from urllib3.util import Timeout
from urllib3.util.retry import RequestHistory, Retry

from plexlabor.models import PlexDataError
from plexlabor.platform import deadline
from plexlabor.plex.errors import (
    PlexConnectionError,
    PlexError,
    PlexNotFoundError,
    PlexRateLimitedError,
    PlexServerError,
    PlexTimeoutError,
    error_from_response,
)
from plexlabor.plex.settings import PlexSettings

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
IDEMPOTENT_POST_RETRY_STATUSES = frozenset({429, 503})
USER_AGENT = "plexlabor/0.1 (+https://github.com/plexlabor)"
DEADLINE_MARGIN_S = 3.0
"""What a Plex call leaves of the invocation for recording its failure (an audit append, a metric flush: tens of
milliseconds, a slow AWS retry included). Small, as every function that reads Plex must still call it: a 10 s one
(approval_callback) keeps 7 s for Plex; a margin of 10 s left it none, so its page named nobody."""
MIN_CALL_S = 1.0
"""The least time left (after the margin) a Plex call is started with."""
MIN_RATE_LIMITED_WAIT_S = 1.0
"""What each 429 retry spends of `rate_limited_patience_s` at least (a `Retry-After: 0` is not free)."""


class TokenBucket:
    """A thread-safe token bucket: `rate_per_s` tokens a second, at most `capacity` saved up.

    Hand-written on purpose: it is thirty lines, the rate-limit packages on PyPI are not in our pinned
    dependency layer, and we need two things they do not give together: reservations that queue
    callers fairly across threads (a caller takes its token at once and sleeps off the debt outside
    the lock), and an injectable clock and sleep so the unit tests run without waiting.
    The limit is per process: N concurrent Lambdas make N buckets. What keeps a plant under Plex's limit is in
    docs/plex-integration.md, "Plex calls across functions" (one heavy job at a time, 429s waited out).
    """

    def __init__(
        self,
        rate_per_s: float,
        capacity: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate_per_s <= 0 or capacity < 1:
            raise ValueError("a token bucket needs rate_per_s > 0 and capacity >= 1")
        self.rate_per_s, self.capacity = float(rate_per_s), float(capacity)
        self._clock, self._sleep = clock, sleep
        self._tokens = self.capacity
        self._updated = clock()
        self._lock = threading.Lock()

    @classmethod
    def per_minute(cls, calls_per_minute: int, burst: int) -> TokenBucket | None:
        """A bucket for `calls_per_minute`, or None (no limit) when it is 0."""
        if calls_per_minute <= 0:
            return None
        return cls(calls_per_minute / 60.0, min(burst, calls_per_minute))

    @classmethod
    def of_settings(cls, settings: PlexSettings) -> TokenBucket | None:
        """The client-side limit the settings ask for (`rate_limit_per_minute`, `rate_limit_burst`)."""
        return cls.per_minute(settings.rate_limit_per_minute, settings.rate_limit_burst)

    def _reserve(self, tokens: float) -> float:
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate_per_s)
            self._updated = now
            self._tokens -= tokens
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate_per_s

    def acquire(self, tokens: float = 1.0) -> float:
        """Take `tokens`, sleeping as long as needed; return the seconds waited."""
        wait = self._reserve(tokens)
        if wait > 0:
            self._sleep(wait)
        return wait

    def hold(self, seconds: float) -> None:
        """Let no call through for `seconds` from now (Plex said 429: every thread of the process waits it out)."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate_per_s)
            self._updated = now
            self._tokens = min(self._tokens, -seconds * self.rate_per_s)


class PacedRetry(Retry):
    """urllib3 `Retry` that takes a rate-limit token before each retry attempt and waits out 429s.

    A 429 says "too many calls now", not "this call is wrong": it spends none of the `status`/`total` retries.
    It is retried after the server's `Retry-After` (capped by `retry_after_max`; without one, the backoff) plus
    up to `backoff_jitter` (callers told the same second do not all come back at once), as long as this call's
    429 waits stay within `patience_s` and the wait and one whole attempt (`attempt_s`) end at least
    `DEADLINE_MARGIN_S` before the invocation's time runs out (`platform.deadline`), the rule of every retry;
    else the 429 is returned and becomes `PlexRateLimitedError`.
    The wait holds the process's bucket (`TokenBucket.hold`), so its other threads stop calling Plex too.
    """

    def __init__(
        self,
        *args: Any,
        limiter: TokenBucket | None = None,
        patience_s: float = 0.0,
        waited_s: float = 0.0,
        attempt_s: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.limiter, self.patience_s, self.waited_s = limiter, patience_s, waited_s
        self.attempt_s = attempt_s
        """The longest one attempt may take (connect + read timeout): a retry is made only if it fits."""
        self.rate_limited_wait_s: float | None = None
        """Set on the retry `increment` returns for a 429: what `sleep` waits."""

    def new(self, **kw: Any) -> PacedRetry:
        kw = {
            "limiter": self.limiter,
            "patience_s": self.patience_s,
            "waited_s": self.waited_s,
            "attempt_s": self.attempt_s,
            **kw,
        }
        return super().new(**kw)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> PacedRetry:
        if error is None and response is not None and response.status == 429:
            return self._after_rate_limit(method, url, response, _pool)
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        wait = retry._next_wait(response)
        if not fits_in_invocation(wait + self.attempt_s):
            logger.warning(
                "plex call failed: no time left in the invocation for a retry",
                extra={"path": urlsplit(url or "").path, "wait_s": round(wait, 1), "attempt_s": self.attempt_s},
            )
            status = getattr(response, "status", None)
            reason = error or ResponseError(ResponseError.SPECIFIC_ERROR.format(status_code=status))
            raise MaxRetryError(_pool, url, reason) from reason
        return retry

    def _retry_after(self, response: Any) -> float | None:
        """The server's Retry-After when honoured; None without one, or for one that is neither seconds nor a date."""
        if response is None or not self.respect_retry_after_header:
            return None
        try:
            return self.get_retry_after(response)
        except InvalidHeader:
            return None

    def _next_wait(self, response: Any) -> float:
        """What `sleep` waits before the next attempt: the server's Retry-After, else the backoff."""
        return self._retry_after(response) or self.get_backoff_time()

    def _after_rate_limit(self, method: str | None, url: str | None, response: Any, pool: Any) -> PacedRetry:
        retry = self.new(history=(*self.history, RequestHistory(method, url, None, 429, None)))
        wait = retry._rate_limited_wait(response)
        spent = self.waited_s + max(wait, MIN_RATE_LIMITED_WAIT_S)
        if spent > self.patience_s or not fits_in_invocation(wait + self.attempt_s):
            left = deadline.remaining_s()
            logger.warning(
                "plex rate limited: not waiting longer",
                extra={
                    "path": urlsplit(url or "").path,
                    "wait_s": round(wait, 1),
                    "waited_s": round(self.waited_s, 1),
                    "patience_s": self.patience_s,
                    "attempt_s": self.attempt_s,
                    "invocation_left_s": None if left is None else round(left, 1),
                },
            )
            raise MaxRetryError(pool, url, ResponseError(ResponseError.SPECIFIC_ERROR.format(status_code=429)))
        logger.info("plex rate limited: waiting", extra={"path": urlsplit(url or "").path, "wait_s": round(wait, 1)})
        retry.waited_s, retry.rate_limited_wait_s = spent, wait
        return retry

    def _rate_limited_wait(self, response: Any) -> float:
        retry_after = self._retry_after(response)
        if not retry_after:
            # exponential in the 429s so far, jitter included; urllib3 makes the first 0: a 429 is waited at least
            # backoff_factor
            return max(self.get_backoff_time(), self.backoff_factor)
        return retry_after + random.uniform(0, self.backoff_jitter)

    def sleep(self, response: Any = None) -> None:
        if self.rate_limited_wait_s is not None:
            if self.limiter is None:
                time.sleep(self.rate_limited_wait_s)
            else:
                self.limiter.hold(self.rate_limited_wait_s)
                self.limiter.acquire()
            return
        super().sleep(response)
        if self.limiter is not None:
            self.limiter.acquire()


def build_retry(settings: PlexSettings, limiter: TokenBucket | None, methods: Collection[str]) -> PacedRetry:
    """The retry policy for `methods` (GET for REST; see `datasource.py` for its POST reads)."""
    retries = settings.max_retries
    return PacedRetry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,
        redirect=0,
        allowed_methods=frozenset(method.upper() for method in methods),
        status_forcelist=RETRY_STATUSES,
        backoff_factor=settings.backoff_factor,
        backoff_jitter=settings.backoff_jitter_s,
        backoff_max=settings.backoff_max_s,
        respect_retry_after_header=True,
        retry_after_max=settings.retry_after_max_s,
        raise_on_status=False,  # hand back the last response so it becomes a typed error
        raise_on_redirect=False,
        limiter=limiter,
        patience_s=settings.rate_limited_patience_s,
        attempt_s=sum(settings.timeouts),
    )


def fits_in_invocation(seconds: float) -> bool:
    """Whether `seconds` from now still ends `DEADLINE_MARGIN_S` before the invocation's time runs out
    (always, outside an invocation)."""
    left = deadline.remaining_s()
    return left is None or left - seconds >= DEADLINE_MARGIN_S


def invocation_bounded(timeout: tuple[float, float], method: str, path: str) -> tuple[float, float]:
    """A call's (connect, read) timeouts, each at most the invocation's time left less `DEADLINE_MARGIN_S`;
    `PlexTimeoutError` when less than `MIN_CALL_S` would be left for it."""
    left = deadline.remaining_s()
    if left is None:
        return timeout
    budget = math.floor((left - DEADLINE_MARGIN_S) * 10) / 10  # tenths: the timeout an error names reads plainly
    if budget < MIN_CALL_S:
        raise PlexTimeoutError(
            f"not called: {left:.1f} s of the invocation left, {DEADLINE_MARGIN_S:g} s kept to record the failure",
            method=method,
            path=path,
        )
    return min(timeout[0], budget), min(timeout[1], budget)


class InvocationTimeout(Timeout):
    """A call's (connect, read) timeouts, bounded afresh at each attempt by the invocation's time left
    (`invocation_bounded`): urllib3 clones the request's `Timeout` before every attempt, its retries included, so
    a retry made after a wait (a 429's or the backoff, and the queue for the rate-limit bucket) gets what is left
    then, not what the first attempt had; a retry with less than `MIN_CALL_S` left is not started."""

    def __init__(self, wanted: tuple[float, float], method: str, path: str) -> None:
        self.wanted, self.method, self.path = wanted, method, path
        self.last = invocation_bounded(wanted, method, path)
        """The latest attempt's timeouts (what a timeout error names)."""
        super().__init__(connect=self.last[0], read=self.last[1])

    def clone(self) -> Timeout:
        self.last = invocation_bounded(self.wanted, self.method, self.path)
        return Timeout(connect=self.last[0], read=self.last[1])


def mount_retry(session: requests.Session, retry: Retry, pool_size: int = 10) -> None:
    adapter = HTTPAdapter(max_retries=retry, pool_connections=pool_size, pool_maxsize=pool_size)
    session.mount("https://", adapter)
    session.mount("http://", adapter)


def fill_path(template: str, params: Mapping[str, Any] | None = None) -> str:
    """Fill `{name}` placeholders with URL-quoted values; a missing value is a clear error."""
    try:
        return template.format_map({key: quote(str(value), safe="") for key, value in (params or {}).items()})
    except KeyError as missing:
        raise ValueError(f"path '{template}' needs a value for {missing}") from None


def describe_failure(
    error: requests.exceptions.RequestException, url: str, timeout: tuple[float, float]
) -> tuple[type[PlexError], str]:
    """What failed when no response came back, naming the host: DNS, TLS, a refused or failed
    connection, or a timeout (urllib3's connection errors subclass its connect timeout: checked first)."""
    reason: Any = error.args[0] if error.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    parts = urlsplit(url)
    host = parts.hostname or url
    where = f"{host}:{parts.port}" if parts.port else host
    if isinstance(reason, NameResolutionError):
        return PlexConnectionError, f"DNS failure: cannot resolve host {host}"
    if isinstance(error, requests.exceptions.SSLError) or isinstance(reason, SSLError):
        return PlexConnectionError, f"TLS failure with {where}: {str(reason or error)[:160]}"
    if isinstance(reason, NewConnectionError):
        refused = "refused" in str(reason).lower()
        return PlexConnectionError, f"connection refused by {where}" if refused else f"cannot connect to {where}"
    if isinstance(error, requests.exceptions.ConnectTimeout) or isinstance(reason, ConnectTimeoutError):
        return PlexTimeoutError, f"no connection to {where} within {timeout[0]:g} s"
    if isinstance(error, requests.exceptions.Timeout) or isinstance(reason, ReadTimeoutError):
        return PlexTimeoutError, f"no answer within {timeout[1]:g} s from {where}"
    if isinstance(error, requests.exceptions.ConnectionError):
        return PlexConnectionError, f"connection to {where} failed: {type(reason or error).__name__}"
    return PlexError, f"request to {where} failed: {error}"


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    display_path: str,
    timeout: InvocationTimeout,
    surface: str,
    **kwargs: Any,
) -> requests.Response:
    """One HTTP exchange (urllib3 retries included); every failure becomes a typed PlexError."""
    started = time.perf_counter()
    try:
        # requests hands a urllib3 Timeout on as it is (HTTPAdapter.send); its stubs only name floats and tuples
        response = session.request(method, url, timeout=timeout, **kwargs)  # type: ignore[arg-type]
    except requests.exceptions.RequestException as error:
        kind, message = describe_failure(error, url, timeout.last)
        raise kind(message, method=method, path=display_path) from error
    elapsed_ms = (time.perf_counter() - started) * 1000
    logger.debug(
        "plex call",
        extra={
            "method": method,
            "path": display_path,
            "status": response.status_code,
            "elapsed_ms": round(elapsed_ms, 1),
        },
    )
    if response.status_code >= 400:
        raise error_from_response(
            response.status_code,
            response.text,
            method=method,
            path=display_path,
            retry_after=response.headers.get("Retry-After"),
            surface=surface,
        )
    return response


def json_body(response: requests.Response, method: str, path: str) -> Any:
    """The JSON of a successful answer (None when empty); a non-JSON body is a typed error."""
    if not response.content.strip():
        return None
    try:
        return response.json()
    except ValueError:
        kind = response.headers.get("Content-Type", "unknown content type")
        raise PlexError(
            f"answer is not JSON ({kind}); is the base URL right?",
            status=response.status_code,
            method=method,
            path=path,
        ) from None


class PacedTransport:
    """What both Plex surfaces' transports share (Connect REST below, the Data Source API in
    `datasource.py`): the settings, the client-side rate limit, one session whose `read_methods` urllib3
    retries (`build_retry`), and one paced exchange (`_paced_send`: a token, then `send`)."""

    surface: ClassVar[str]
    """"connect" or "datasource": which surface's hints a typed error gives (`error_from_response`)."""
    read_methods: ClassVar[frozenset[str]]

    def __init__(
        self,
        settings: PlexSettings,
        *,
        session: requests.Session | None = None,
        limiter: TokenBucket | None = None,
    ) -> None:
        self.settings = settings
        self.limiter = limiter or TokenBucket.of_settings(settings)
        self._session = session or requests.Session()
        self._session.verify = settings.verify_tls
        mount_retry(self._session, build_retry(settings, self.limiter, methods=self.read_methods))
        self._timeout = settings.timeouts

    def _paced_send(
        self, session: requests.Session, method: str, base_url: str, path: str, **kwargs: Any
    ) -> requests.Response:
        if self.limiter is not None:
            self.limiter.acquire()
        return send(
            session,
            method,
            base_url + path,
            display_path=path,
            timeout=InvocationTimeout(self._timeout, method, path),
            surface=self.surface,
            **kwargs,
        )

    def close(self) -> None:
        self._session.close()


class ConnectTransport(PacedTransport):
    """HTTP to Plex Connect REST (`X-Plex-Connect-Api-Key`), thread-safe, one session per transport."""

    surface = "connect"
    read_methods = frozenset({"GET"})
    _sleep = staticmethod(time.sleep)
    """How a POST waits before it is repeated (`post`)."""

    def _headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = {
            "X-Plex-Connect-Api-Key": self.settings.api_key.get_secret_value(),
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        if self.settings.tenant_id:
            headers["X-Plex-Connect-Tenant-Id"] = self.settings.tenant_id
        if self.settings.customer_id:
            headers["X-Plex-Connect-Customer-Id"] = self.settings.customer_id
        headers.update(extra or {})
        return headers

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self._paced_send(self._session, method, self.settings.base_url, path, **kwargs)

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET a path and return its JSON (retried on 429/5xx/connection errors/timeouts)."""
        response = self._call("GET", path, params=dict(params or {}), headers=self._headers())
        return json_body(response, "GET", path)

    def get_list(self, path: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """GET a list resource: a bare JSON array. A "no data" 404 is an empty list."""
        try:
            data = self.get(path, params)
        except PlexNotFoundError as error:
            if error.means_no_data:
                return []
            raise
        if data is None:
            return []
        if not isinstance(data, list):
            raise PlexDataError(path, "(body)", f"is a {type(data).__name__}, expected a bare JSON array")
        return data

    def post(self, path: str, body: Mapping[str, Any], *, idempotency_key: str | None = None) -> requests.Response:
        """POST JSON once. Repeated only with an idempotency key, and only after a 429 or 503."""
        extra = {"Content-Type": "application/json"}
        if idempotency_key:
            extra["Idempotency-Key"] = idempotency_key
        attempt = 0
        while True:
            try:
                return self._call("POST", path, json=dict(body), headers=self._headers(extra))
            except (PlexRateLimitedError, PlexServerError) as error:
                wait = self._post_backoff(attempt + 1, error.retry_after_s)
                if not (
                    idempotency_key
                    and error.status in IDEMPOTENT_POST_RETRY_STATUSES
                    and attempt < self.settings.max_retries
                    and fits_in_invocation(wait + sum(self._timeout))
                ):
                    raise
                attempt += 1
                self._sleep(wait)

    def _post_backoff(self, attempt: int, retry_after_s: float | None) -> float:
        if retry_after_s is not None:
            return min(retry_after_s, float(self.settings.retry_after_max_s))
        wait = self.settings.backoff_factor * (2 ** (attempt - 1))
        wait += random.random() * self.settings.backoff_jitter_s
        return min(wait, self.settings.backoff_max_s)

    def __enter__(self) -> ConnectTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
