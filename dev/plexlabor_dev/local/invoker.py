"""Calling a function's handler in process, the way Lambda would.

Each `LocalFunction` imports its handler module on first use ("cold start") and runs it with its
own environment only: while a handler runs, the process environment holds that function's
variables and none of another function's. Because the environment is process-wide, one handler
runs at a time (a process-wide lock); that also keeps the local runs deterministic. Timeouts are
not enforced (a thread cannot be killed) but `get_remaining_time_in_millis` counts down and an
overrun is logged.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import logging
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

from infra.function_specs import FunctionSpec
from plexlabor_dev.lambda_context import FakeLambdaContext
from plexlabor_dev.local.environment import AWS_ACCOUNT_ID, EnvPatch

logger = logging.getLogger(__name__)

INVOCATION_LOCK = threading.RLock()
"""One handler runs at a time in this process, so each sees only its own environment variables."""

_invocation = threading.local()


@dataclass(frozen=True)
class _Running:
    """The handler running now (one at a time, `INVOCATION_LOCK`): its output, and the threads there were before it
    started (a thread started since is one of its own, e.g. a bulk decision's pool: ux_s17 L9)."""

    sink: TextIO | None
    earlier_threads: frozenset[int | None]


_running: _Running | None = None


class RoutedStream(io.TextIOBase):
    """Stands in for `sys.stdout` / `sys.stderr` while a runtime runs: what a handler writes (its
    Powertools logs and EMF metrics lines, which Lambda would send to CloudWatch) goes to the
    runtime's handler output, everything else to the stream it replaced; so does what a thread the handler started
    writes (a bulk decision's pool logging "decision recorded": ux_s17 L9). Writers that kept a
    reference (a logging handler made during an invocation) keep being routed the same way."""

    def __init__(self, default: TextIO, which: str) -> None:
        self.default, self.which = default, which

    def _target(self) -> TextIO:
        sink: TextIO | None = getattr(_invocation, "sink", None)
        running = _running
        if sink is None and running is not None and threading.get_ident() not in running.earlier_threads:
            sink = running.sink  # a thread the running handler started writes where the handler does
        return sink if sink is not None else self.default

    def write(self, text: str) -> int:
        return self._target().write(text)

    def flush(self) -> None:
        self._target().flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self._target().isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.default, "encoding", "utf-8")

    def fileno(self) -> int:
        return self.default.fileno()


MAX_INVOCATION_LOG = 10_000


@dataclass(frozen=True)
class Invocation:
    """One call of a handler, kept for tests, `drain` and the demo's summary."""

    function: str
    trigger: str  # "api", "sqs", "schedule" or "direct"
    request_id: str
    started: float
    seconds: float
    error: str | None = None
    records: int = 0
    failed_records: int = 0


@dataclass
class LocalFunction:
    """A function of the runtime: its spec, handler module and environment."""

    spec: FunctionSpec
    module: str
    environment: Mapping[str, str]
    function_name: str
    region: str
    _handler: Callable[[Any, Any], Any] | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.spec.name

    def available(self) -> bool:
        """True when the handler module exists (specs may land before their handlers)."""
        try:
            return importlib.util.find_spec(self.module) is not None
        except ModuleNotFoundError:
            return False

    def lambda_environment(self) -> dict[str, str]:
        """The function's variables plus the ones Lambda itself sets."""
        return {
            **self.environment,
            "AWS_LAMBDA_FUNCTION_NAME": self.function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.spec.memory_mb),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{self.function_name}",
        }

    def handler(self) -> Callable[[Any, Any], Any]:
        """Import the handler (call with the function's environment applied)."""
        if self._handler is None:
            module = importlib.import_module(self.module)
            self._handler = module.handler
        return self._handler


class Invoker:
    """Runs handlers one at a time, each with its own environment, and logs every call."""

    def __init__(
        self,
        functions: Mapping[str, LocalFunction],
        output: TextIO | None = None,
        on_invocation: Callable[[Invocation], None] | None = None,
    ) -> None:
        self.functions = dict(functions)
        self.output = output
        """Where handlers' stdout/stderr go (None: the process's own, when `RoutedStream` is installed)."""
        self.on_invocation = on_invocation
        """Told of every call once it is over (`local up` prints one line each)."""
        self._log: deque[Invocation] = deque(maxlen=MAX_INVOCATION_LOG)
        self._log_lock = threading.Lock()
        self._running = 0

    @property
    def running(self) -> int:
        """Handlers running (or waiting for their turn) right now."""
        return self._running

    def invocations(self, function: str | None = None) -> list[Invocation]:
        with self._log_lock:
            return [entry for entry in self._log if function is None or entry.function == function]

    def invoke(
        self,
        name: str,
        event: Any,
        *,
        trigger: str = "direct",
        records: int = 0,
        failed_records: Callable[[Any], int] | None = None,
    ) -> Any:
        """Call function `name` with `event`; exceptions propagate to the caller (the trigger)."""
        try:
            function = self.functions[name]
        except KeyError:
            raise KeyError(f"no local function {name!r} (known: {sorted(self.functions)})") from None
        with self._log_lock:
            self._running += 1
        try:
            with INVOCATION_LOCK:
                return self._run(function, event, trigger, records, failed_records)
        finally:
            with self._log_lock:
                self._running -= 1

    def _run(
        self,
        function: LocalFunction,
        event: Any,
        trigger: str,
        records: int,
        failed_records: Callable[[Any], int] | None,
    ) -> Any:
        spec = function.spec
        context = FakeLambdaContext(
            function.function_name,
            region=function.region,
            account=AWS_ACCOUNT_ID,
            memory_mb=spec.memory_mb,
            timeout_s=spec.timeout_s,
        )
        started = time.time()
        clock = time.perf_counter()
        error: str | None = None
        failed = 0
        global _running
        previous_sink, previous_running = getattr(_invocation, "sink", None), _running
        _invocation.sink = self.output
        _running = _Running(self.output, frozenset(thread.ident for thread in threading.enumerate()))
        with EnvPatch(function.lambda_environment()):
            try:
                result = function.handler()(event, context)
            except BaseException as exc:
                error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
                failed = records
                raise
            else:
                if failed_records is not None:
                    failed = failed_records(result)
                return result
            finally:
                seconds = time.perf_counter() - clock
                if seconds > spec.timeout_s:
                    logger.warning("%s ran %.1f s, over its %d s timeout", spec.name, seconds, spec.timeout_s)
                entry = Invocation(
                    function=spec.name,
                    trigger=trigger,
                    request_id=context.aws_request_id,
                    started=started,
                    seconds=seconds,
                    error=error,
                    records=records,
                    failed_records=failed,
                )
                with self._log_lock:
                    self._log.append(entry)
                _invocation.sink, _running = previous_sink, previous_running
                if self.on_invocation is not None:  # after the sink is restored: not into the handler's output
                    self.on_invocation(entry)
