"""The Lambda functions of the design, one `FunctionSpec` each. Adding a function = adding a spec.

A spec says what the function is and what it may touch; `infra/constructs/functions.py` turns it
into a Function with its own log group, role, layers, env vars and (optionally) SQS trigger.
A spec is only instantiated when `functions/<name>/handler.py` exists (the handler is
`functions.<name>.handler.handler`), so specs can land before their handlers.
The spec also says how the function is triggered: a queue it consumes, API routes it serves, an
EventBridge schedule; the API, schedule and approval constructs read those fields. What a function
may touch is `access` (tables, queues, secrets) plus `needs` (the artifacts bucket, the approval
state machine, SES, and settings from the deployment configuration); `infra/wiring.py` derives the
environment variables from both, for CDK and the local runtime alike.

Pure data: no CDK import, so the queue construct and the tests can use it cheaply.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from infra.constants import (
    ALLOCATION_REPORTS_PREFIX,
    ANALYTICS_REPORTS_PREFIX,
    BACKFILL_PREFIX,
    CREW_KEPT_PREFIX,
    FORECAST_RUNS_PREFIX,
    FUNCTIONS_PACKAGE,
    INCIDENT_MODELS_PREFIX,
    INCIDENT_REPORTS_PREFIX,
    INCIDENT_RUNS_PREFIX,
    NORMS_PREFIX,
    SCHEDULE_EXPRESSION,
    SCORER_MODELS_PREFIX,
    SCORER_RUNS_PREFIX,
    SCORER_SALT_PREFIX,
    SKILLS_REPORTS_PREFIX,
    LayerName,
    PythonRuntime,
    QueueName,
    SecretName,
)
from plexlabor.copilot import INDEX_PREFIX as COPILOT_INDEX_PREFIX
from plexlabor.copilot import PROCEDURES_PREFIX as COPILOT_PROCEDURES_PREFIX
from plexlabor.incidents.transcribe import AUDIO_PREFIX as TRANSCRIBE_AUDIO_PREFIX
from plexlabor.incidents.transcribe import TRANSCRIPT_PREFIX
from plexlabor.platform.modelregistry import LAST_RUN_KEY, in_force_keys
from plexlabor.validation.scorer import MODEL_FILE as SCORER_MODEL_FILE

MAX_TIMEOUT_S = 900
CALL_OFF_PERIOD_MINUTES = 5
"""crew_call_offs runs this often and looks at the shifts that started in the last period (less the grace)."""
MAX_PERIOD_MINUTES = 60
"""The longest period a look-back window may follow (crew_call_offs' CREW_CALL_OFF_PERIOD_MINUTES is at most 60)."""
RATE_MINUTES = re.compile(r"rate\((?P<n>[1-9]\d*) (?P<unit>minutes?|hours?)\)")
MIN_MAX_CONCURRENCY = 2
"""The least MaximumConcurrency Lambda accepts for an SQS event source (ScalingConfig: 2..1000)."""
VISIBILITY_TIMEOUT_FACTOR = 6  # AWS: SQS visibility >= 6 x function timeout (+ batching window)
FIFO_VISIBILITY_FACTOR = 2
"""A FIFO queue's visibility: 2 x its consumer's timeout (+ batching window). Its one message group hands the consumer
one batch at a time (no throttled batch waits out the visibility, the case the 6 x of a standard queue covers), and
every second of it is a second a failing message holds the messages behind it (review_close_s15 #2)."""
FIFO_HOLD_LIMIT_S = 15 * 60
"""At most this long may a message that keeps failing hold its FIFO group before it moves to the DLQ (and alarms):
its queue's maxReceiveCount is the receives that fit (`max_receive_counts`)."""


def period_minutes(schedule: str) -> int | None:
    """The minutes between two runs of `rate(N minute(s)|hour(s))`; None for a cron expression or days."""
    found = RATE_MINUTES.fullmatch(schedule)
    if found is None:
        return None
    return int(found["n"]) * (60 if found["unit"].startswith("hour") else 1)


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
COPILOT = Flavour("copilot", PythonRuntime.PY312, (LayerName.CORE, LayerName.DEPS_COPILOT))
"""The operator copilot: NumPy, BM25 and the sentence encoder's weights, without SciPy (`plexlabor.copilot`)."""


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
class BucketAccess:
    """The artifacts bucket, under one key prefix; the function gets `ARTIFACTS_BUCKET_NAME`.

    A function may hold several, one per prefix and none inside another (web_app reads the skills
    reports and the forecasts): each is its own grant, and all share the one bucket variable.

    Read: s3:GetObject on `<prefix><key>` for each of `keys` (`<prefix>*` unless the reader names them) and
    s3:ListBucket on the bucket (without it S3 answers a missing key with 403 instead of 404, and "no norms yet"
    would look like an outage).
    Write: also s3:PutObject on `<prefix>*`. Never delete: the bucket is versioned.
    """

    prefix: str
    write: bool = False
    keys: tuple[str, ...] = ("*",)
    """Key patterns under the prefix (S3's `*` wildcard) a reader may get: a prefix that also holds what the
    reader must not see (the scorer's pseudonymised training rows beside its models) is read by its keys only."""

    def __post_init__(self) -> None:
        if not self.prefix.endswith("/") or self.prefix.startswith("/") or "*" in self.prefix:
            raise ValueError(f"bucket prefix must look like 'norms/', got {self.prefix!r}")
        if not self.keys or any(not key or key.startswith("/") for key in self.keys):
            raise ValueError(f"bucket keys must be relative key patterns, got {self.keys!r}")
        if self.write and self.keys != ("*",):
            raise ValueError("a writer is granted its whole prefix")

    @classmethod
    def read(cls, prefix: str, *keys: str) -> BucketAccess:
        """Read `prefix`: all of it, or only `keys` (patterns under it)."""
        return cls(prefix, keys=keys or ("*",))

    @classmethod
    def read_write(cls, prefix: str) -> BucketAccess:
        return cls(prefix, write=True)


class Need(StrEnum):
    """Other things a handler uses, each with its grant and environment variables (infra/wiring.py)."""

    START_APPROVALS = "start-approvals"
    """states:StartExecution on the approval state machine; `APPROVAL_STATE_MACHINE_ARN`,
    `APPROVAL_WAIT_SECONDS` and, when configured, `DEFAULT_SUPERVISOR_ID`."""
    ANSWER_APPROVALS = "answer-approvals"
    """states:SendTaskSuccess/SendTaskFailure/SendTaskHeartbeat on the approval state machine."""
    SEND_EMAIL = "send-email"
    """ses:SendEmail from the configured sender only; `NOTIFY_SENDER`."""
    APPROVAL_LINKS = "approval-links"
    """`APPROVAL_BASE_URL`: the API's stage URL (links are `<base>/approvals/<token>`)."""
    PLANT_TIMEZONE = "plant-timezone"
    """`PLEXLABOR_TIMEZONE`: functions that read labor data judge days and shifts in plant time; functions
    that show times to people show them in plant time."""
    PEOPLE_NAMES = "people-names"
    """Names people to whoever reads (pages, e-mail): `SHOW_NAMES_TO` when configured (who sees names
    beside employee numbers). The names come from Plex employees: such a function also reads Plex."""
    REDRIVE_LIMIT = "redrive-limit"
    """`MAX_RECEIVE_COUNT`: the maxReceiveCount of the queue the function consumes."""
    PILOT_SCOPE = "pilot-scope"
    """The phased rollout's scope (docs/rollout.md): `PILOT_DEPARTMENTS`, `PILOT_WORKCENTERS`,
    `PILOT_SHIFTS`, `NOTIFY_KINDS`, `ADVISORY_MODE`, each only when configured."""
    SIGN_IN = "sign-in"
    """Sends people through the user pool's hosted UI (no grant: public HTTPS endpoints):
    `COGNITO_CLIENT_ID`, `COGNITO_HOSTED_UI_URL` and `WEB_APP_URL` (the API stage URL)."""
    REVIEW_NOTICES = "review-notices"
    """Tells people of the recommendations waiting in the review queue (no grant of its own):
    `WEB_APP_URL` (the queue's base), `APPROVAL_WAIT_SECONDS`, and when configured
    `REVIEW_HR_EMAILS`, `REVIEW_PLANNER_EMAILS`, `REVIEW_EHS_EMAILS`."""
    VERIFY_SIGN_IN = "verify-sign-in"
    """Verifies the user pool's ID tokens (no grant: the signing keys are public):
    `COGNITO_USER_POOL_ID`, `COGNITO_CLIENT_ID`, `COGNITO_REGION`."""
    BEDROCK = "bedrock"
    """Amazon Bedrock's Converse API on the configured foundation model only (`plexlabor:copilotBedrockModelId`):
    bedrock:InvokeModel on that model's ARN and `COPILOT_BEDROCK_MODEL_ID`; nothing when it is not configured."""
    SPOKEN_REPORTS = "spoken-reports"
    """Knows whether spoken incident reports are transcribed (no grant: the web app's report form offers a
    recording only then): `INCIDENT_TRANSCRIBE_LANGUAGE` when configured."""
    CHAT_NOTICES = "chat-notices"
    """Nudges an incoming-webhook chat channel of approval notices (no grant: an https POST to the plant's channel):
    `CHAT_WEBHOOK_URL` when configured (`plexlabor:chatWebhookUrl`)."""
    VALIDATION_POLICY = "validation-policy"
    """Reads the plant's policy (no grant): `VALIDATION_POLICY` when configured (`plexlabor:validationPolicy`;
    `plexlabor.validation.policy.PolicySettings` reads it): to validate punches, count its plant facts, judge a
    retrain, check an edited correction."""
    TRANSCRIBE = "transcribe"
    """Amazon Transcribe batch jobs on recordings in the artifacts bucket (`plexlabor.incidents.transcribe`):
    transcribe:StartTranscriptionJob with the transcript written under its prefix of the bucket only,
    transcribe:GetTranscriptionJob on its own job names; `INCIDENT_TRANSCRIBE_LANGUAGE` when configured.
    The spec also holds the bucket accesses of the recordings and transcripts (Transcribe reads and
    writes them with the caller's permissions)."""


Requirement = Need | BucketAccess

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class Throttle(StrEnum):
    """Which request budget of the API stage a route draws on (`infra.constructs.api.ROUTE_LIMITS`)."""

    STAGE = "stage"
    """The stage's limit (`plexlabor:apiRateLimit`/`apiBurstLimit`): machine intake, the webhook."""
    PEOPLE = "people"
    """Pages people open: signed-in pages and approval links."""
    PUBLIC = "public"
    """Anyone, no credential needed to be answered: sign-in routes, OpenAPI documents. The smallest."""


@dataclass(frozen=True)
class Route:
    """One REST API method served by the function (Lambda proxy integration)."""

    method: str
    path: str  # API Gateway resource path: "/punches", "/approvals/{token}"
    authorizer: str | None = None
    """The function (spec name) API Gateway asks before it lets a request through: a Lambda REQUEST
    authorizer. None: the route authenticates requests itself or is where signing in starts."""
    throttle: Throttle = field(default=Throttle.PUBLIC, compare=False)  # a route is its method and path
    """Its own request budget, so a flood on one route cannot use up another's (default: the smallest)."""

    def __post_init__(self) -> None:
        if self.method not in HTTP_METHODS:
            raise ValueError(f"route method must be one of {HTTP_METHODS}, got {self.method!r}")
        if not self.path.startswith("/") or self.path.endswith("/") or "//" in self.path:
            raise ValueError(f"route path must look like /a/{{b}}, got {self.path!r}")


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
    needs: tuple[Requirement, ...] = ()
    routes: tuple[Route, ...] = ()
    schedule: str | None = None
    """EventBridge expression (UTC): `rate(5 minutes)`, `cron(0 7 * * ? *)`; `plexlabor:schedules` overrides it."""
    period_variable: str | None = None
    """A variable of `environment` that is the period in minutes of the schedule in force (`environment_for`): the
    window of time each run looks back over, so an override of the rate moves it too."""

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
        if (
            self.consumes is not None
            and not self.consumes.fifo
            and self.reserved_concurrency is not None
            and self.reserved_concurrency < MIN_MAX_CONCURRENCY
        ):
            raise ValueError(
                f"{self.name}: reserved concurrency {self.reserved_concurrency} is below the least MaximumConcurrency "
                f"of an SQS event source ({MIN_MAX_CONCURRENCY}): a throttled batch would count as a receive; "
                "reserve more, or consume a FIFO queue (one message group: one batch at a time)"
            )
        if Need.REDRIVE_LIMIT in self.needs and self.consumes is None:
            raise ValueError(f"{self.name}: {Need.REDRIVE_LIMIT.value} needs a consumed queue")
        prefixes = [access.prefix for access in self.needs if isinstance(access, BucketAccess)]
        if any(a != b and a.startswith(b) for a in prefixes for b in prefixes) or len(set(prefixes)) < len(prefixes):
            raise ValueError(f"{self.name}: one bucket access per prefix, none inside another")
        if len(set(self.routes)) != len(self.routes):
            raise ValueError(f"{self.name}: duplicate route")
        if self.schedule is not None and not SCHEDULE_EXPRESSION.fullmatch(self.schedule):
            raise ValueError(f"{self.name}: schedule must be rate(...) or cron(...), got {self.schedule!r}")
        if self.period_variable is not None and (
            self.schedule is None or self.environment_for(self.schedule) != self.environment
        ):
            raise ValueError(f"{self.name}: {self.period_variable} must be in its environment, its schedule's period")

    def environment_for(self, schedule: str) -> dict[str, str]:
        """The spec's own variables when `schedule` is in force: `period_variable` its period in minutes. ValueError
        for a schedule without one (a cron expression) or with one longer than MAX_PERIOD_MINUTES."""
        if self.period_variable is None:
            return dict(self.environment)
        minutes = period_minutes(schedule)
        if minutes is None or minutes > MAX_PERIOD_MINUTES:
            raise ValueError(
                f"{self.name} must run on rate(N minutes) with N at most {MAX_PERIOD_MINUTES} (or 'rate(1 hour)'): "
                f"its {self.period_variable} is the window each run looks back over, so it needs a fixed period; "
                f"got {schedule!r}"
            )
        return {**self.environment, self.period_variable: str(minutes)}

    @property
    def handler(self) -> str:
        return f"{FUNCTIONS_PACKAGE}.{self.name}.handler.handler"

    @property
    def construct_id(self) -> str:
        return "".join(part.capitalize() for part in self.name.split("_"))

    @property
    def reads_plex(self) -> bool:
        return ReadSecret(SecretName.PLEX_API_KEY) in self.access

    @property
    def bucket_access(self) -> BucketAccess | None:
        return next((access for access in self.needs if isinstance(access, BucketAccess)), None)

    @property
    def bucket_accesses(self) -> tuple[BucketAccess, ...]:
        return tuple(access for access in self.needs if isinstance(access, BucketAccess))


def _consumers(specs: Iterable[FunctionSpec]) -> dict[QueueName, FunctionSpec]:
    """Each queue's one consumer; ValueError for a queue with none or two."""
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
    return consumers


def covering_visibility_s(run_s: float, batching_window_s: float) -> int:
    """A queue's visibility timeout in whole seconds: the time its consumer may run a batch, plus the batching window,
    which the messages received first wait out before the function starts (so their receipt handles stay valid and no
    message comes back while its batch succeeds). The local runtime's queues follow the same rule (ux_s16 #3)."""
    return math.ceil(run_s + batching_window_s)


def visibility_timeouts(specs: Iterable[FunctionSpec]) -> dict[QueueName, int]:
    """Visibility timeout (s) of each queue from its one consumer: its timeout x 6 (a standard queue) or x 2 (FIFO,
    `FIFO_VISIBILITY_FACTOR`), + the batching window (`covering_visibility_s`)."""
    return {
        queue: covering_visibility_s(
            (FIFO_VISIBILITY_FACTOR if queue.fifo else VISIBILITY_TIMEOUT_FACTOR) * spec.timeout_s,
            spec.max_batching_window_s,
        )
        for queue, spec in _consumers(specs).items()
    }


def max_receive_counts(specs: Iterable[FunctionSpec], configured: int) -> dict[QueueName, int]:
    """The maxReceiveCount of each queue's redrive policy: `configured` (`plexlabor:maxReceiveCount`); a FIFO queue
    at most the receives of its visibility timeout that fit in `FIFO_HOLD_LIMIT_S` (at least 2: one retry), so a
    message that keeps failing holds its group for minutes, not `configured` x visibility."""
    visibility = visibility_timeouts(specs)
    return {
        queue: min(configured, max(2, FIFO_HOLD_LIMIT_S // seconds)) if queue.fifo else configured
        for queue, seconds in visibility.items()
    }


PLEX = ReadSecret(SecretName.PLEX_API_KEY)
DECIDES_APPROVALS = (
    TableAccess.AUDIT_APPEND,
    TableAccess.AUDIT_READ,
    TableAccess.STATE_READ_WRITE,
    ReadSecret(SecretName.APPROVAL_SIGNING_KEY),
)
"""What deciding an approval touches, from the e-mailed link (approval_callback) or the review queue
(web_app), which call the same decision: the item's audit history, the link's single-use nonce and the
workflow's task token in the state table, the key that signs and checks links."""
SCORER_IN_FORCE = BucketAccess.read(SCORER_MODELS_PREFIX, *in_force_keys(SCORER_MODEL_FILE))
"""What a function that scores findings reads of the scorer's registry (`plexlabor.validation.registry.scorer_in_force`:
punch_validator, norms_refresh's sweep, validation_backfill's shards): the pointers and the models, not the cards or
the pseudonymised training rows kept beside them."""
LAST_RUN_FILE = LAST_RUN_KEY.rpartition("/")[2]
"""The one record under a registry's `runs/` the web app reads (`plexlabor.platform.retrainruns`)."""
WEB_AUTHORIZER = "web_authorizer"


def signed_in(method: str, path: str) -> Route:
    """A web app route only a signed-in person reaches (the session cookie checked by web_authorizer)."""
    return Route(method, path, authorizer=WEB_AUTHORIZER, throttle=Throttle.PEOPLE)


def batch_job(
    name: str,
    description: str,
    *,
    schedule: str,
    memory_mb: int,
    needs: tuple[Requirement, ...],
    flavour: Flavour = REALTIME,
) -> FunctionSpec:
    """A scheduled job over the plant's Plex data: up to the 15-minute maximum, one run at a time,
    its findings or suggestions recorded in the audit table."""
    return FunctionSpec(
        name=name,
        description=description,
        flavour=flavour,
        memory_mb=memory_mb,
        timeout_s=MAX_TIMEOUT_S,
        access=(TableAccess.AUDIT_APPEND, PLEX),
        reserved_concurrency=1,
        needs=needs,
        schedule=schedule,
    )


def model_retrain(name: str, description: str, *, needs: tuple[Requirement, ...], schedule: str) -> FunctionSpec:
    """A scheduled retrain of a model from the decisions in the audit table (scikit-learn, up to the 15-minute
    maximum): the decisions in, its promotion or refusal events out; one run at a time, one registry pointer
    move per run."""
    return FunctionSpec(
        name=name,
        description=description,
        flavour=BATCH,
        memory_mb=2048,
        timeout_s=MAX_TIMEOUT_S,
        access=(TableAccess.AUDIT_READ, TableAccess.AUDIT_APPEND),
        reserved_concurrency=1,
        needs=needs,
        schedule=schedule,
    )


FORECAST_NIGHTLY = batch_job(
    "forecast_nightly",
    "Retrains the labor-hours model, forecasts hours, cost and overtime; model and forecasts "
    "to S3, variance and overtime suggestions to the audit table.",
    flavour=BATCH,  # scikit-learn
    memory_mb=4096,  # a 5,000-person plant peaks near 2.3 GB (bench_forecast); more memory is also more CPU
    needs=(
        Need.PLANT_TIMEZONE,
        Need.PILOT_SCOPE,
        Need.VALIDATION_POLICY,  # its pay_week_starts: the week overtime is projected in (forecast_refresh's too)
        BucketAccess.read_write(FORECAST_RUNS_PREFIX),  # forecast.artifacts
    ),
    schedule="cron(0 8 * * ? *)",  # 08:00 UTC: 03:00-04:00 US Eastern, after norms_refresh
)

FUNCTION_SPECS: tuple[FunctionSpec, ...] = (
    FunctionSpec(
        name="punch_webhook",
        description="Verifies a signed punch webhook and enqueues the punch.",
        timeout_s=10,
        access=(
            SendTo(QueueName.PUNCH),
            ReadSecret(SecretName.WEBHOOK_HMAC),
            TableAccess.STATE_READ_WRITE,  # each delivery's signature used once (a conditional put)
        ),
        reserved_concurrency=10,  # always 10 ready (~100 deliveries/s at its ~0.1 s), never more than 10
        routes=(Route("POST", "/punches", throttle=Throttle.STAGE), Route("GET", "/punches/openapi.json")),
    ),
    FunctionSpec(
        name="punch_poller",
        description="Polls Plex time-clock entries since the stored modifiedDate cursor; enqueues them.",
        memory_mb=512,
        timeout_s=120,
        access=(TableAccess.STATE_READ_WRITE, SendTo(QueueName.PUNCH), PLEX),
        reserved_concurrency=1,  # one poller at a time keeps the cursor consistent
        needs=(Need.PLANT_TIMEZONE,),
        schedule="rate(5 minutes)",
    ),
    FunctionSpec(
        name="punch_validator",
        description="Validates punch batches (rules, norms, scorer); records findings in the audit table, "
        "counts the punches validated in the state table.",
        memory_mb=1024,
        timeout_s=60,
        access=(
            TableAccess.AUDIT_APPEND,
            TableAccess.AUDIT_READ,  # a review finding recorded again: did it open an approval (its history)
            TableAccess.IDEMPOTENCY,
            TableAccess.STATE_READ_WRITE,  # punches validated per day (KPIs): Put marker + Update counter
            PLEX,
        ),
        consumes=QueueName.PUNCH,
        batch_size=10,
        max_batching_window_s=5,
        reserved_concurrency=5,  # and the queue's pollers at most 5 (no throttled batch counts as a receive)
        needs=(
            Need.START_APPROVALS,
            Need.PILOT_SCOPE,
            Need.PLANT_TIMEZONE,
            Need.VALIDATION_POLICY,
            BucketAccess.read(NORMS_PREFIX),
            SCORER_IN_FORCE,  # the scorer model in force (plexlabor.validation.registry)
        ),
    ),
    FunctionSpec(
        name="approval_notify",
        description="Mails each supervisor one digest of signed, expiring approval links per batch.",
        timeout_s=60,
        access=(
            TableAccess.AUDIT_APPEND,
            TableAccess.AUDIT_READ,  # the escalation hold: a person's recent escalation mails (approval.notify)
            TableAccess.STATE_READ_WRITE,  # task tokens of notified stages
            ReadSecret(SecretName.APPROVAL_SIGNING_KEY),
            PLEX,  # the supervisor directory (employees, user accounts): addresses, names, numbers
        ),
        consumes=QueueName.NOTIFY,
        batch_size=50,  # one mail per supervisor per batch: bigger batches, fewer mails
        max_batching_window_s=60,
        needs=(Need.SEND_EMAIL, Need.APPROVAL_LINKS, Need.PLANT_TIMEZONE, Need.PEOPLE_NAMES, Need.CHAT_NOTICES),
    ),
    FunctionSpec(
        name="approval_callback",
        description="Checks a supervisor's signed, expiring, single-use approval link; records the decision.",
        timeout_s=10,
        access=(*DECIDES_APPROVALS, PLEX),  # PLEX: employees, the page names people
        needs=(Need.ANSWER_APPROVALS, Need.PLANT_TIMEZONE, Need.PEOPLE_NAMES),
        reserved_concurrency=5,  # supervisors' clicks: a flood of link requests cannot take the account's
        routes=tuple(Route(method, "/approvals/{token}", throttle=Throttle.PEOPLE) for method in ("GET", "POST")),
    ),
    FunctionSpec(
        name="web_app",
        description="The web app: the review queue of every suggestion, item pages, decisions, KPIs.",
        memory_mb=512,
        timeout_s=15,
        access=(
            *DECIDES_APPROVALS,
            SendTo(QueueName.WRITEBACK),  # approved crew assignments
            SendTo(QueueName.REPLAN),  # the crew board's "re-plan the rest of the shift"
            PLEX,  # employees: the pages name people
        ),
        needs=(
            Need.ANSWER_APPROVALS,
            Need.PLANT_TIMEZONE,
            Need.SIGN_IN,
            Need.PILOT_SCOPE,
            Need.PEOPLE_NAMES,
            Need.SPOKEN_REPORTS,  # the incident form offers a recording only when incident_log transcribes it
            Need.VALIDATION_POLICY,  # an edited correction's longest entry (max_entry_hours)
            BucketAccess.read(SKILLS_REPORTS_PREFIX),  # the dashboards read skills_daily's report
            BucketAccess.read(FORECAST_RUNS_PREFIX),  # and forecast_nightly's run (plexlabor.forecast.artifacts)
            BucketAccess.read(ANALYTICS_REPORTS_PREFIX),  # and analytics_nightly's scores (/analytics)
            BucketAccess.read(ALLOCATION_REPORTS_PREFIX),  # and allocation_nightly's report (/allocation, the queue)
            BucketAccess.read(INCIDENT_REPORTS_PREFIX),  # and incident_trends' report (/incidents/trends)
            # and the weekly retrains' last runs (/kpis; plexlabor.platform.retrainruns), not their models or rows
            BucketAccess.read(SCORER_RUNS_PREFIX, LAST_RUN_FILE),
            BucketAccess.read(INCIDENT_RUNS_PREFIX, LAST_RUN_FILE),
        ),
        routes=(
            signed_in("GET", "/queue"),
            signed_in("POST", "/queue"),
            signed_in("GET", "/items/{item_id}"),
            signed_in("POST", "/items/{item_id}"),
            signed_in("GET", "/kpis"),
            signed_in("GET", "/skills"),  # dashboards (plexlabor.webapp.dashboards)
            signed_in("POST", "/skills/training"),
            signed_in("GET", "/certifications"),
            signed_in("GET", "/forecasts"),
            signed_in("GET", "/analytics"),  # operator, crew and shift scores (plexlabor.webapp.analytics)
            signed_in("GET", "/allocation"),  # labor cost allocation and job-code guidance (webapp.allocation)
            signed_in("GET", "/allocation/code"),  # unallocated time coded by hand: an indirect code or a job
            signed_in("POST", "/allocation/code"),  # recorded as the reviewer's choice and approved (write-back)
            signed_in("GET", "/crew"),  # the crew board; its decisions post to /items/{item_id}
            signed_in("POST", "/crew/replan"),
            signed_in("POST", "/crew/calloff"),  # a call-off taken by phone: the call_off message, re-planned
            signed_in("POST", "/crew/swap"),  # a swap by hand: accepted, the replaced one rejected, a re-plan asked
            signed_in("POST", "/crew/removal"),  # a removal from Plex that was refused, sent again (issue 16)
            signed_in("GET", "/copilot"),  # the copilot's tablet page; it posts to copilot_ask's POST /copilot/ask
            signed_in("GET", "/incidents"),  # the incidents a person may see, where each stands (webapp.incidentlist)
            signed_in("GET", "/incidents/new"),  # the incident form; it posts to incident_log's POST /incidents
            signed_in("GET", "/incidents/trends"),  # incident_trends' report: rates per 200,000 hours
            signed_in("GET", "/incidents/{incident_id}"),  # an incident: codes, what the text says, correction
            signed_in("POST", "/incidents/{incident_id}"),
            signed_in("GET", "/static/{name}"),  # the dashboards' scripts, cached a year
            signed_in("GET", "/{proxy+}"),  # any other GET path: the web app's "No such page" with the menu (ux141 #13)
            Route("GET", "/login"),  # to the hosted UI (or a refreshed session)
            Route("GET", "/auth/callback"),  # the hosted UI's code, exchanged for the session cookie
            Route("GET", "/logout"),  # clears the cookies, then the hosted UI's own session
        ),
    ),
    FunctionSpec(
        name=WEB_AUTHORIZER,
        description="API Gateway authorizer of the web app: verifies the Cognito ID token in the session "
        "cookie (or an Authorization: Bearer header); passes the person's claims on.",
        memory_mb=512,  # runs before every page: more memory is more CPU for its cold start
        timeout_s=10,
        needs=(Need.VERIFY_SIGN_IN,),
    ),
    FunctionSpec(
        name="plex_writeback",
        description="Writes an approved correction to Plex (dry-run by default), keeping previous values.",
        memory_mb=512,
        timeout_s=60,
        access=(TableAccess.AUDIT_APPEND, TableAccess.AUDIT_READ, PLEX),
        consumes=QueueName.WRITEBACK,
        batch_size=1,  # non-idempotent POSTs: one at a time
        reserved_concurrency=2,  # stay well inside Plex's ~200 calls/minute
        needs=(Need.REDRIVE_LIMIT,),
    ),
    replace(
        batch_job(
            "norms_refresh",
            "Recomputes per-employee and per-role punch norms, then sweeps recent days for findings.",
            flavour=BATCH,
            memory_mb=3008,
            needs=(
                *(Need.START_APPROVALS, Need.PILOT_SCOPE, Need.PLANT_TIMEZONE, Need.VALIDATION_POLICY),
                BucketAccess.read_write(NORMS_PREFIX),
                SCORER_IN_FORCE,  # the sweep scores with the model in force, as the validator
            ),
            schedule="cron(0 7 * * ? *)",  # 07:00 UTC: 02:00-03:00 in US Eastern, before day shifts
        ),
        # the sweep counts the punches no validator counted (KPIs): Query the markers, Put + Update; it re-finds the
        # validator's findings, and a review finding recorded again reads its history (did it open an approval)
        access=(TableAccess.AUDIT_APPEND, TableAccess.AUDIT_READ, TableAccess.STATE_READ_WRITE, PLEX),
    ),
    FunctionSpec(
        name="validation_backfill",
        description="Backfill: plans a past window's shards (norms first), then validates one shard per "
        "invocation of the backfill state machine's Distributed Map; findings to the audit table once each.",
        flavour=BATCH,  # the nightly job's engine and wiring (norms_refresh's settings)
        # a shard holds its slice's whole plant with 8 days either side: about 2.3 KB a record at peak, so a
        # 28-day slice of a 5,000-person plant (1.9 M records) needs about 4.5 GB (docs/validation.md "Backfill")
        memory_mb=8192,
        timeout_s=MAX_TIMEOUT_S,
        # findings in (a finding recorded again reads its history); nothing counted in the state table
        access=(TableAccess.AUDIT_APPEND, TableAccess.AUDIT_READ, PLEX),
        needs=(
            *(Need.START_APPROVALS, Need.PILOT_SCOPE, Need.PLANT_TIMEZONE, Need.VALIDATION_POLICY),
            BucketAccess.read_write(NORMS_PREFIX),
            BucketAccess.read_write(BACKFILL_PREFIX),  # each slice's extract: read from Plex once for its shards
            SCORER_IN_FORCE,  # the shards score with the model in force, as the validator
        ),
    ),  # no schedule: started by hand, through the backfill state machine (infra/constructs/backfill.py)
    FunctionSpec(
        name="review_sweep",
        description="Tells supervisors, HR and planners of the recommendations waiting in the review queue; "
        "escalates and expires them.",
        timeout_s=300,
        access=(TableAccess.AUDIT_APPEND, TableAccess.AUDIT_READ, PLEX),
        reserved_concurrency=1,  # one sweep at a time: a notice is never mailed twice by two runs
        needs=(Need.SEND_EMAIL, Need.REVIEW_NOTICES, Need.PLANT_TIMEZONE, Need.PEOPLE_NAMES),
        schedule="rate(15 minutes)",
    ),
    batch_job(
        "skills_daily",
        "Skill coverage of the next 14 days, expiring and lapsed certifications, cross-training; "
        "suggestions in the audit table.",
        memory_mb=2048,  # a 5,000-person plant peaks near 450 MB; more memory is also more CPU
        # the report for the dashboards (plexlabor.skills.artifact)
        needs=(
            Need.PLANT_TIMEZONE,
            Need.PILOT_SCOPE,
            Need.VALIDATION_POLICY,  # its certification_expiry: whether a certification is valid on its expiry date
            BucketAccess.read_write(SKILLS_REPORTS_PREFIX),
        ),
        # 09:00 UTC (04:00-05:00 US Eastern, before the first shift); through the day forecast_refresh refreshes
        # the coverage on its read (plexlabor.intraday), so the pages reflect the day's leave and call-offs
        schedule="cron(0 9 * * ? *)",
    ),
    replace(
        batch_job(
            "analytics_nightly",
            "Operator, crew and shift scores (efficiency, scrap, stops caused, nonconformances, validation "
            "findings upheld) of the last weeks, shrunk toward the plant; the report to S3 for the web app.",
            flavour=BATCH,  # NumPy, SciPy
            memory_mb=2048,
            needs=(Need.PLANT_TIMEZONE, BucketAccess.read_write(ANALYTICS_REPORTS_PREFIX)),  # analytics.artifact
            # 09:45 UTC: 04:45-05:45 US Eastern, the previous day closed; after forecast_refresh's 09:30 run (15 min at
            # most), before incident_trends' 10:00: one Plex-heavy job at a time (docs/plex-integration.md)
            schedule="cron(45 9 * * ? *)",
        ),
        access=(TableAccess.AUDIT_READ, PLEX),  # decisions on findings in; nothing goes to the audit table
    ),
    replace(
        batch_job(
            "allocation_nightly",
            "Yesterday's labor cost allocation (job operations, indirect codes, unallocated; cost with overtime) "
            "and next week's job-code misapplication guidance; the report to S3 for the web app, unallocated "
            "time to the review queue.",
            memory_mb=2048,  # a 5,000-person day is read and allocated in seconds (bench_allocation)
            needs=(
                Need.PLANT_TIMEZONE,
                Need.PILOT_SCOPE,
                Need.VALIDATION_POLICY,  # its pay_week_starts: the week overtime is priced in
                BucketAccess.read_write(ALLOCATION_REPORTS_PREFIX),
            ),
            # 09:15 UTC: 04:15-05:15 US Eastern, the previous day closed; after skills_daily's 09:00 run (15 min at
            # most), before forecast_refresh's 09:30: one Plex-heavy job at a time (docs/plex-integration.md)
            schedule="cron(15 9 * * ? *)",
        ),
        access=(TableAccess.AUDIT_APPEND, TableAccess.AUDIT_READ, PLEX),  # decisions in, suggestions out
    ),
    replace(
        batch_job(
            "crew_planner",
            "Plans tomorrow's crews (HiGHS MILP, greedy fallback); suggestions in the audit table.",
            flavour=BATCH,  # scipy's HiGHS
            memory_mb=3008,
            # the policy's pay_week_starts (operators' week hours) and certification_expiry (who is qualified)
            needs=(Need.PLANT_TIMEZONE, Need.PILOT_SCOPE, Need.VALIDATION_POLICY),
            schedule="cron(0 20 * * ? *)",  # 20:00 UTC: 15:00-16:00 US Eastern, plans the next day
        ),
        # the neighbouring days' plans and their decisions (crew.service), suggestions out
        access=(TableAccess.AUDIT_APPEND, TableAccess.AUDIT_READ, PLEX),
    ),
    FunctionSpec(
        name="crew_replan",
        description="Re-plans the shift a replan message names (call-off, workcenter down/up, job operation "
        "added/moved/completed): started and accepted work held, minimal change; new suggestions to review.",
        flavour=BATCH,  # scipy's HiGHS
        memory_mb=3008,
        timeout_s=120,
        access=(TableAccess.AUDIT_APPEND, TableAccess.AUDIT_READ, PLEX),  # the current plan and its decisions
        consumes=QueueName.REPLAN,
        batch_size=1,
        # one re-plan at a time, each from the plan the previous one left: the replan queue is FIFO with one message
        # group (QueueName.fifo), so its event source hands over one batch at a time and never one beyond this
        reserved_concurrency=1,
        # each shift and day it reads, stored for the next container (plexlabor.crew.snapshots)
        needs=(
            *(Need.PLANT_TIMEZONE, Need.PILOT_SCOPE),
            Need.VALIDATION_POLICY,  # the policy's pay week and certification expiry, as crew_planner
            BucketAccess.read_write(CREW_KEPT_PREFIX),
        ),
    ),
    FunctionSpec(
        name="crew_call_offs",
        description="Finds operators scheduled on a shift that started a grace period ago and not clocked in; "
        "sends a call_off replan message for each.",
        flavour=BATCH,
        memory_mb=2048,
        timeout_s=300,
        # each call-off held by its claim before it is sent (crew.claims: a log read, then one conditional append)
        access=(SendTo(QueueName.REPLAN), TableAccess.AUDIT_APPEND, TableAccess.AUDIT_READ, PLEX),
        reserved_concurrency=1,
        needs=(Need.PLANT_TIMEZONE,),
        schedule=f"rate({CALL_OFF_PERIOD_MINUTES} minutes)",
        # the shift starts each run checks: its last period (less the grace), the period of the schedule in force
        environment={"CREW_CALL_OFF_PERIOD_MINUTES": str(CALL_OFF_PERIOD_MINUTES)},
        period_variable="CREW_CALL_OFF_PERIOD_MINUTES",
    ),
    FORECAST_NIGHTLY,
    replace(
        FORECAST_NIGHTLY,
        name="forecast_refresh",
        description="The day's forecasts and overtime projections with the model in force (nothing trained) "
        "and the skill coverage, on one read, so the forecasts and coverage pages reflect the day's data.",
        # plexlabor.intraday: the coverage report too (skills_daily's prefix, as skills_daily writes it)
        needs=(*FORECAST_NIGHTLY.needs, BucketAccess.read_write(SKILLS_REPORTS_PREFIX)),
        # both on one held read: a 5,000-person plant's refresh peaked at 4,040 MB (docs/forecast.md), too close
        # to the nightly's 4,096 MB
        memory_mb=6144,
        schedule="cron(30 9-23 * * ? *)",  # hourly at :30 through the plant's day (04:30-18:30 US Eastern)
    ),
    FunctionSpec(
        name="incident_log",
        description="Logs an incident or near miss: OIICS codes with calibrated confidences, when, where, "
        "equipment, body parts and PPE from the text; uncertain codes to the EHS lead's review queue.",
        flavour=BATCH,  # scikit-learn: the classifier (plexlabor.incidents.classifier)
        memory_mb=1024,  # more memory is also more CPU: classify p95 < 100 ms warm
        timeout_s=29,  # API Gateway's limit: a recording's transcription is waited for up to 20 s
        # the report's record and its reporter's earlier reports of the same text (a resend closes them);
        # PLEX: the workcenters a narrative may name, once per container
        access=(TableAccess.AUDIT_APPEND, TableAccess.AUDIT_READ, PLEX),
        needs=(
            Need.PILOT_SCOPE,  # shown on a refused form's page, as on every web app page; it holds back no incident
            Need.PLANT_TIMEZONE,
            BucketAccess.read(INCIDENT_MODELS_PREFIX),  # the model in force
            Need.TRANSCRIBE,  # a recorded report: put, transcribed by Amazon Transcribe, its transcript read
            BucketAccess.read_write(TRANSCRIBE_AUDIO_PREFIX),
            BucketAccess.read_write(TRANSCRIPT_PREFIX),
        ),
        routes=(signed_in("POST", "/incidents"), Route("GET", "/incidents/openapi.json")),
    ),
    replace(
        batch_job(
            "incident_trends",
            "Incidents per week, workcenter, shift and category beside hours worked, overtime and fatigue, "
            "with rates per 200,000 hours; the report to S3 for the web app.",
            flavour=BATCH,  # plexlabor.incidents.wiring imports the classifier and its retrain: scikit-learn
            memory_mb=1024,
            needs=(
                Need.PLANT_TIMEZONE,
                BucketAccess.read_write(INCIDENT_REPORTS_PREFIX),  # incidents.trends
                Need.VALIDATION_POLICY,  # its overtime_after_hours: the weekly hours overtime counts after
            ),
            # 10:00 UTC: 05:00-06:00 US Eastern, the previous day closed; after analytics_nightly's 09:45 run (15 min
            # at most), before forecast_refresh's 10:30: one Plex-heavy job at a time (docs/plex-integration.md)
            schedule="cron(0 10 * * ? *)",
        ),
        access=(TableAccess.AUDIT_READ, PLEX),  # the incidents in, the report out; nothing to the audit table
    ),
    model_retrain(
        "incident_retrain",
        "Retrains the OIICS incident classifier on the EHS lead's corrections; promotes the candidate "
        "only when it is not worse on the newest held-out corrections, else keeps it as a shadow.",
        needs=(BucketAccess.read_write(INCIDENT_MODELS_PREFIX),),  # plexlabor.incidents.registry
        schedule="cron(30 10 ? * MON *)",  # weekly, Monday 10:30 UTC, after scorer_retrain
    ),
    model_retrain(
        "scorer_retrain",
        "Retrains the punch scorer from supervisors' decisions; promotes the candidate only when "
        "it is not worse on recent held-out decisions, else keeps it as a shadow (plexlabor.learning).",
        needs=(
            BucketAccess.read_write(SCORER_MODELS_PREFIX),
            BucketAccess.read_write(SCORER_SALT_PREFIX),  # the plants' pseudonym salts: only this function
            Need.VALIDATION_POLICY,  # the gate judges at the review_threshold punch_validator routes at
        ),
        schedule="cron(0 10 ? * MON *)",  # weekly, Monday 10:00 UTC: after the weekend's decisions
    ),
    FunctionSpec(
        name="copilot_ask",
        description="Answers an operator's question from the plant's procedures: numbered steps citing their "
        "passages, the tools a procedure names, or a refusal; logs it to the audit table and the job in Plex.",
        flavour=COPILOT,
        memory_mb=2048,  # more memory is more CPU: the question's encoding and the ranking (p95 in docs/copilot.md)
        timeout_s=29,  # API Gateway's own limit; a cold start reads the weights and the index (~5 s)
        access=(TableAccess.AUDIT_APPEND, PLEX),  # every interaction: the audit event, the job's Plex record
        needs=(
            BucketAccess.read(COPILOT_INDEX_PREFIX),  # the index copilot_index stores (once per container)
            Need.BEDROCK,  # words a steps answer from its passages when a model is configured
        ),
        routes=(signed_in("POST", "/copilot/ask"), Route("GET", "/copilot/openapi.json")),
    ),
    FunctionSpec(
        name="copilot_index",
        description="Builds the copilot's index (BM25 and the steps' sentence vectors) from the plant's procedure "
        "file in S3 when that file changed; stores it for copilot_ask.",
        flavour=COPILOT,
        memory_mb=3008,  # encoding every step is the slow part: more memory is more CPU
        timeout_s=MAX_TIMEOUT_S,
        reserved_concurrency=1,  # one build at a time: one pointer move per run
        needs=(BucketAccess.read(COPILOT_PROCEDURES_PREFIX), BucketAccess.read_write(COPILOT_INDEX_PREFIX)),
        schedule="rate(1 hour)",  # an upload is indexed within the hour; an unchanged file is not built again
    ),
)
