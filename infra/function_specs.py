"""The Lambda functions of the design, one `FunctionSpec` each. Adding a function = adding a spec.

A spec says what the function is and what it may touch; `infra/constructs/functions.py` turns it
into a Function with its own log group, role, layers, env vars and (optionally) SQS trigger.
A spec is only instantiated when `functions/<name>/handler.py` exists (the handler is
`functions.<name>.handler.handler`), so specs can land before their handlers.
API Gateway routes, schedules and the approval state machine attach to these functions in their
own constructs (later work); they are not part of the spec.

Pure data: no CDK import, so the queue construct and the tests can use it cheaply.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from infra.constants import FUNCTIONS_PACKAGE, LayerName, PythonRuntime, QueueName, SecretName

MAX_TIMEOUT_S = 900
VISIBILITY_TIMEOUT_FACTOR = 6  # AWS: SQS visibility >= 6 x function timeout (+ batching window)


@dataclass(frozen=True)
class Flavour:
    """A runtime and the layers that match it (binary wheels are built per Python version)."""

    name: str
    python: PythonRuntime
    layers: tuple[LayerName, ...]


REALTIME = Flavour("realtime", PythonRuntime.PY311, (LayerName.CORE, LayerName.DEPS_LIGHT))
"""Handlers on the event path: python3.11, no numpy/scipy/scikit-learn (cold start)."""
BATCH = Flavour("batch", PythonRuntime.PY312, (LayerName.CORE, LayerName.DEPS_HEAVY))
"""Scheduled jobs that need the numeric stack: python3.12 (the pinned wheels need AL2023's glibc)."""


class TableAccess(StrEnum):
    """DynamoDB permissions, each an explicit action list (see infra/constructs/permissions.py)."""

    AUDIT_APPEND = "audit-append"  # PutItem (also authorizes TransactWriteItems puts); never Update/Delete
    AUDIT_READ = "audit-read"  # GetItem, Query on the table and its GSIs
    STATE_READ = "state-read"  # GetItem, Query
    STATE_READ_WRITE = "state-read-write"  # + PutItem, UpdateItem (poll cursor, link nonces)
    IDEMPOTENCY = "idempotency"  # what Powertools idempotency needs: Get/Put/Update/DeleteItem


@dataclass(frozen=True)
class SendTo:
    """sqs:SendMessage on one queue; the function gets `<QUEUE>_QUEUE_URL`."""

    queue: QueueName


@dataclass(frozen=True)
class ReadSecret:
    """secretsmanager:GetSecretValue on one secret; the function gets `<SECRET>_SECRET_ARN`."""

    secret: SecretName


Access = TableAccess | SendTo | ReadSecret


@dataclass(frozen=True)
class FunctionSpec:
    """One Lambda function. Defaults suit a small real-time handler."""

    name: str
    description: str
    flavour: Flavour = REALTIME
    memory_mb: int = 256
    timeout_s: int = 30
    access: tuple[Access, ...] = ()
    consumes: QueueName | None = None
    batch_size: int = 10
    max_batching_window_s: int = 0
    reserved_concurrency: int | None = None
    environment: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.name.isidentifier() or not self.name.islower():
            raise ValueError(f"function name must be a lower-case identifier: {self.name!r}")
        if not 1 <= self.timeout_s <= MAX_TIMEOUT_S:
            raise ValueError(f"{self.name}: timeout must be 1..{MAX_TIMEOUT_S} s")
        if not 128 <= self.memory_mb <= 10240:
            raise ValueError(f"{self.name}: memory must be 128..10240 MB")
        if not 1 <= self.batch_size <= (10 if self.max_batching_window_s == 0 else 10000):
            raise ValueError(f"{self.name}: SQS batch size above 10 needs a batching window")
        if not 0 <= self.max_batching_window_s <= 300:
            raise ValueError(f"{self.name}: batching window must be 0..300 s")
        if self.reserved_concurrency is not None and self.reserved_concurrency < 1:
            raise ValueError(f"{self.name}: reserved concurrency must be >= 1 (0 would disable it)")

    @property
    def handler(self) -> str:
        return f"{FUNCTIONS_PACKAGE}.{self.name}.handler.handler"

    @property
    def construct_id(self) -> str:
        return "".join(part.capitalize() for part in self.name.split("_"))

    @property
    def reads_plex(self) -> bool:
        return ReadSecret(SecretName.PLEX_API_KEY) in self.access


def visibility_timeouts(specs: Iterable[FunctionSpec]) -> dict[QueueName, int]:
    """Visibility timeout (s) of each queue from its one consumer: 6 x timeout + batching window."""
    consumers: dict[QueueName, FunctionSpec] = {}
    for spec in specs:
        if spec.consumes is None:
            continue
        if spec.consumes in consumers:
            raise ValueError(f"queue {spec.consumes.value} has two consumers")
        consumers[spec.consumes] = spec
    missing = [queue.value for queue in QueueName if queue not in consumers]
    if missing:
        raise ValueError(f"queues without a consumer spec: {missing}")
    return {
        queue: VISIBILITY_TIMEOUT_FACTOR * spec.timeout_s + spec.max_batching_window_s
        for queue, spec in consumers.items()
    }


PLEX = ReadSecret(SecretName.PLEX_API_KEY)

FUNCTION_SPECS: tuple[FunctionSpec, ...] = (
    FunctionSpec(
        name="punch_webhook",
        description="Verifies a signed punch webhook and enqueues the punch.",
        timeout_s=10,
        access=(SendTo(QueueName.PUNCH), ReadSecret(SecretName.WEBHOOK_HMAC)),
    ),
    FunctionSpec(
        name="punch_poller",
        description="Polls Plex time-clock entries since the stored modifiedDate cursor; enqueues them.",
        memory_mb=512,
        timeout_s=120,
        access=(TableAccess.STATE_READ_WRITE, SendTo(QueueName.PUNCH), PLEX),
        reserved_concurrency=1,  # one poller at a time keeps the cursor consistent
    ),
    FunctionSpec(
        name="punch_validator",
        description="Validates punch batches (rules, norms, scorer); records findings in the audit table.",
        memory_mb=1024,
        timeout_s=60,
        access=(
            TableAccess.AUDIT_APPEND,
            TableAccess.AUDIT_READ,
            TableAccess.STATE_READ,
            TableAccess.IDEMPOTENCY,
            PLEX,
        ),
        consumes=QueueName.PUNCH,
        batch_size=10,
        max_batching_window_s=5,
    ),
    FunctionSpec(
        name="approval_notify",
        description="Sends the supervisor a signed, expiring approval link for a finding.",
        access=(
            TableAccess.AUDIT_APPEND,
            TableAccess.IDEMPOTENCY,
            ReadSecret(SecretName.APPROVAL_SIGNING_KEY),
        ),
        consumes=QueueName.NOTIFY,
        batch_size=5,
    ),
    FunctionSpec(
        name="approval_callback",
        description="Checks a supervisor's signed, expiring, single-use approval link; records the decision.",
        timeout_s=10,
        access=(
            TableAccess.AUDIT_APPEND,
            TableAccess.AUDIT_READ,
            TableAccess.STATE_READ_WRITE,
            ReadSecret(SecretName.APPROVAL_SIGNING_KEY),
        ),
    ),
    FunctionSpec(
        name="plex_writeback",
        description="Writes an approved correction to Plex (dry-run by default), keeping previous values.",
        memory_mb=512,
        timeout_s=60,
        access=(TableAccess.AUDIT_APPEND, TableAccess.AUDIT_READ, TableAccess.IDEMPOTENCY, PLEX),
        consumes=QueueName.WRITEBACK,
        batch_size=1,  # non-idempotent POSTs: one at a time
        reserved_concurrency=2,  # stay well inside Plex's ~200 calls/minute
    ),
    FunctionSpec(
        name="norms_refresh",
        description="Recomputes per-employee and per-role punch norms and refreshes the scorer model.",
        flavour=BATCH,
        memory_mb=3008,
        timeout_s=900,
        access=(TableAccess.AUDIT_READ, TableAccess.STATE_READ_WRITE, PLEX),
        reserved_concurrency=1,
    ),
)
