"""Every name the infrastructure uses, in one module: construct ids, context keys, env-var names.

Pure data (no CDK import) so the layer build script and the tests can import it cheaply.
Physical resource names are left to CloudFormation (so two stages can share an account), except
the secrets, whose names operators type: `plexlabor/<stage>/<secret>`.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

import plexlabor.platform.env as env

SERVICE_NAME = "plexlabor"
METRICS_NAMESPACE = "plexlabor"
REPO_ROOT = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------------------------------------
# CDK context keys (`cdk deploy -c plexlabor:stage=prod`, or the "context" block of cdk.json)
# ---------------------------------------------------------------------------------------------
CTX_STAGE = "plexlabor:stage"
CTX_ACCOUNT = "plexlabor:account"
CTX_REGION = "plexlabor:region"
CTX_LOG_LEVEL = "plexlabor:logLevel"
CTX_LOG_RETENTION_DAYS = "plexlabor:logRetentionDays"
CTX_MAX_RECEIVE_COUNT = "plexlabor:maxReceiveCount"
CTX_ALARM_EMAIL = "plexlabor:alarmEmail"
CTX_PLEX_BASE_URL = "plexlabor:plexBaseUrl"
CTX_PLEX_WRITE_MODE = "plexlabor:plexWriteMode"
CTX_PLEX_SETTINGS = "plexlabor:plexSettings"
"""Other non-secret Plex settings, e.g. {"TENANT_ID": "...", "DATASOURCES": "{\"shifts\": 4711}"}:
each becomes PLEXLABOR_PLEX_<KEY> on the functions that talk to Plex."""
CTX_BUILD_DIR = "plexlabor:buildDir"
CTX_FUNCTIONS_ROOT = "plexlabor:functionsRoot"
CTX_RESERVED_CONCURRENCY = "plexlabor:reservedConcurrency"
"""Set false in accounts whose Lambda concurrency quota is still the new-account 10: reserving
any concurrency there fails the deployment (unreserved concurrency may not drop below 10)."""
CTX_WAF = "plexlabor:waf"
"""Set true to put an AWS WAF web ACL in front of the API (`infra.constructs.waf`); off by default."""
CTX_TIMEZONE = "plexlabor:timezone"
"""The plant's IANA time zone (`PLEXLABOR_TIMEZONE`), required by every function that reads labor data
from Plex (shift days, breaks and weekly overtime are judged in plant time)."""
CTX_DEFAULT_SUPERVISOR_ID = "plexlabor:defaultSupervisorId"
"""Optional `DEFAULT_SUPERVISOR_ID`: who approves findings whose record names no supervisor."""
CTX_APPROVAL_WAIT_SECONDS = "plexlabor:approvalWaitSeconds"
"""`APPROVAL_WAIT_SECONDS`: how long each approval stage (and its link) waits for the supervisor."""
CTX_NOTIFY_SENDER = "plexlabor:notifySender"
"""The SES-verified address approval mails come from (`NOTIFY_SENDER`, and the `ses:SendEmail` grant)."""
CTX_PILOT = "plexlabor:pilot"
"""The phased rollout's pilot scope (docs/rollout.md), an object whose keys are all optional:
{"departments": ["MOLD"], "workcenters": ["MLD-01"], "shifts": ["1", "2"], "notifyKinds": ["punch_finding"]}
(each a list of codes or one comma-separated string; absent or empty = the whole plant, every kind).
Functions get `PILOT_DEPARTMENTS`, `PILOT_WORKCENTERS`, `PILOT_SHIFTS`, `NOTIFY_KINDS`."""
CTX_ADVISORY_MODE = "plexlabor:advisoryMode"
"""true: findings and suggestions are recorded and nobody is notified (`ADVISORY_MODE`); unset = false."""
CTX_SHOW_NAMES_TO = "plexlabor:showNamesTo"
"""Who sees people's names beside their employee numbers on pages and in e-mail (`SHOW_NAMES_TO`): a list
of roles (supervisor, planner, hr, ehs, admin, operator) or one comma-separated string, or "none"; unset = all six.
The others see employee numbers only."""
CTX_REVIEW_RECIPIENTS = "plexlabor:reviewRecipients"
"""Who hears of the recommendations their role decides, besides each item's supervisor (review_sweep):
{"hr": ["hr@plant.example"], "planners": ["planning@plant.example"], "ehs": ["ehs@plant.example"]} (lists of
addresses or one comma-separated string; each optional; "ehs" gets the digest of incidents waiting to be coded or
confirmed). Functions get `REVIEW_HR_EMAILS`, `REVIEW_PLANNER_EMAILS`, `REVIEW_EHS_EMAILS`."""
CTX_INCIDENT_TRANSCRIBE_LANGUAGE = "plexlabor:incidentTranscribeLanguage"
"""Optional: the language of spoken incident reports, an Amazon Transcribe code (`en-US`):
incident_log's `INCIDENT_TRANSCRIBE_LANGUAGE`. Unset, incident_log refuses recordings (typed reports only)."""
CTX_CHAT_WEBHOOK_URL = "plexlabor:chatWebhookUrl"
"""approval_notify's `CHAT_WEBHOOK_URL`: an https incoming webhook (Teams, Slack, Google Chat) that gets a count-only
nudge per batch of approval notices. Unset, no chat. The URL is a bearer credential of that channel and lands in the
template and the function's configuration (who may read those may post to the channel)."""
CTX_COPILOT_BEDROCK_MODEL_ID = "plexlabor:copilotBedrockModelId"
"""Optional: the Amazon Bedrock foundation model that words the copilot's steps answers (Converse), e.g.
`anthropic.claude-3-haiku-20240307-v1:0`: copilot_ask's `COPILOT_BEDROCK_MODEL_ID` and bedrock:InvokeModel
on that model only. Unset, no grant and the answers are extractive (the procedure's steps as written)."""
CTX_VALIDATION_POLICY = "plexlabor:validationPolicy"
"""The plant's validation policy: a JSON object of `plexlabor.validation.policy.ValidationPolicy` fields, e.g.
{"pay_week_starts": "sunday", "grace_minutes": 5, "review_threshold": 0.8} (unset fields keep their defaults).
Validated at synth (an unknown field or a bad value is refused, naming it); the functions that validate punches
(punch_validator, norms_refresh, validation_backfill) get it as `VALIDATION_POLICY`, and so does every function that
reads one of its plant facts: scorer_retrain (its promotion gate judges at the policy's `review_threshold`), web_app
(an edited correction's `max_entry_hours`), skills_daily, crew_planner and crew_replan (`certification_expiry`,
`pay_week_starts`, `overtime_after_hours`), allocation_nightly, forecast_nightly, forecast_refresh and
incident_trends (the pay week, the overtime threshold); each spec names it (`Need.VALIDATION_POLICY`)."""
CTX_TUNING = "plexlabor:tuning"
"""Tuning variables: those functions' settings read that the stack does not set (`infra.tuning`), e.g.
{"POLL_LOOKBACK_HOURS": 48, "CREW_TIME_LIMIT_SECONDS": 120}; each goes to every function that reads it, checked at
synth by the fields that read it. Unset: the code's defaults."""
CTX_SCHEDULES = "plexlabor:schedules"
"""Per scheduled function, an EventBridge expression overriding its spec's default, or "disabled":
e.g. {"punch_poller": "rate(10 minutes)", "norms_refresh": "cron(30 6 * * ? *)"}."""
CTX_API_RATE_LIMIT = "plexlabor:apiRateLimit"
CTX_API_BURST_LIMIT = "plexlabor:apiBurstLimit"
CTX_API_GATEWAY_ACCOUNT_ROLE = "plexlabor:apiGatewayAccountRole"
"""Whether the stack sets the account's API Gateway CloudWatch Logs role (one per account and region,
needed for API logging). Set false where the account already has one (landing zones often do)."""
CTX_PLACEHOLDER_LAYERS = "plexlabor:placeholderLayers"
"""Tests and offline CI only: point the dependency layers at a tiny placeholder folder instead of
the pip-built `build/layers/deps-*`. A stack synthesized with it is NOT deployable (no
third-party packages); `infra/app.py` prints a warning and the layer description says so."""

SCHEDULE_EXPRESSION = re.compile(r"rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\([^()]+\)")
"""An EventBridge rule schedule: `rate(<n> <unit>)` or `cron(<6 fields>)`, in UTC."""

DEFAULT_STAGE = "dev"
DEFAULT_LOG_LEVEL = "INFO"
DEFAULT_LOG_RETENTION_DAYS = 30
DEFAULT_MAX_RECEIVE_COUNT = 5
DEFAULT_PLEX_BASE_URL = "https://test.connect.plex.com"
PLEX_WRITE_MODES = ("dry_run", "custom_object", "direct")
DEFAULT_PLEX_WRITE_MODE = "dry_run"
DEFAULT_APPROVAL_WAIT_SECONDS = 8 * 3600  # the handlers' own default (plexlabor.intake.settings)
MAX_APPROVAL_WAIT_SECONDS = 7 * 24 * 3600
DEFAULT_API_RATE_LIMIT = 50  # requests per second, whole stage (a webhook request carries up to 100 punches)
DEFAULT_API_BURST_LIMIT = 100
SCHEDULE_DISABLED = "disabled"


def stack_name(stage: str) -> str:
    return f"{SERVICE_NAME}-{stage}"


# ---------------------------------------------------------------------------------------------
# Construct ids (stable: renaming one replaces the resource)
# ---------------------------------------------------------------------------------------------
STACK_ID = "Plexlabor"
STORAGE_ID = "Storage"
AUDIT_TABLE_ID = "AuditTable"
STATE_TABLE_ID = "StateTable"
IDEMPOTENCY_TABLE_ID = "IdempotencyTable"
ALARMS_ID = "Alarms"
ALARM_TOPIC_ID = "AlarmTopic"
ALARM_KEY_ID = "AlarmTopicKey"
QUEUES_ID = "Queues"
SECRETS_ID = "Secrets"
LAYERS_ID = "Layers"
FUNCTIONS_ID = "Functions"
ARTIFACTS_ID = "Artifacts"
APPROVAL_ID = "Approval"
BACKFILL_ID = "Backfill"
API_ID = "Api"
SCHEDULES_ID = "Schedules"

# Idempotency table: the schema AWS Lambda Powertools' DynamoDBPersistenceLayer expects by default.
IDEMPOTENCY_PARTITION_KEY = "id"
IDEMPOTENCY_TTL_ATTRIBUTE = "expiration"


class QueueName(StrEnum):
    """The work queues; each gets a DLQ and a DLQ-depth alarm."""

    PUNCH = "punch"  # webhook + poller -> punch_validator
    NOTIFY = "notify"  # approval workflow -> approval_notify (task token in the message)
    WRITEBACK = "writeback"  # approval workflow -> plex_writeback
    REPLAN = "replan"  # crew_call_offs (and any event source) -> crew_replan

    @property
    def fifo(self) -> bool:
        """A FIFO queue (and DLQ): replan, whose senders put every message in one group (`crew.wiring.
        REPLAN_GROUP`), so crew_replan runs one re-plan at a time, in order, each from the plan the previous left."""
        return self is QueueName.REPLAN


class SecretName(StrEnum):
    """Secrets Manager secrets; values are generated at deploy time, replaced by operators."""

    PLEX_API_KEY = "plex-api-key"
    WEBHOOK_HMAC = "webhook-hmac-secret"
    APPROVAL_SIGNING_KEY = "approval-link-signing-key"


def secret_path(stage: str, secret: SecretName) -> str:
    """The Secrets Manager name, e.g. `plexlabor/dev/plex-api-key`."""
    return f"{SERVICE_NAME}/{stage}/{secret.value}"


class LayerName(StrEnum):
    CORE = "core"  # layers/core/plexlabor, pure Python
    DEPS_LIGHT = "deps-light"  # powertools, pydantic, requests, tzdata (real-time functions)
    DEPS_HEAVY = "deps-heavy"  # deps-light + numpy, scipy, scikit-learn (batch functions)
    DEPS_COPILOT = "deps-copilot"  # common + numpy, bm25s, tokenizers, the encoder's weights (the copilot)


# ---------------------------------------------------------------------------------------------
# Environment variables the functions receive (a function only gets the ones for resources it
# is granted; see infra/wiring.py). The names are plexlabor.platform.env's; here, which queue and
# secret each per-resource name belongs to.
# ---------------------------------------------------------------------------------------------
ENV_QUEUE_URL = {
    QueueName.PUNCH: env.PUNCH_QUEUE_URL,
    QueueName.NOTIFY: env.NOTIFY_QUEUE_URL,
    QueueName.WRITEBACK: env.WRITEBACK_QUEUE_URL,
    QueueName.REPLAN: env.REPLAN_QUEUE_URL,
}
ENV_SECRET_ARN = {
    SecretName.PLEX_API_KEY: env.PLEX_API_KEY_SECRET_ARN,
    SecretName.WEBHOOK_HMAC: env.WEBHOOK_HMAC_SECRET_ARN,
    SecretName.APPROVAL_SIGNING_KEY: env.APPROVAL_SIGNING_KEY_SECRET_ARN,
}
PLEX_SECRET_SETTINGS = frozenset({"API_KEY", "DATASOURCE_USERNAME", "DATASOURCE_PASSWORD"})
"""Never passed as env vars: the key comes from Secrets Manager at run time."""

# ---------------------------------------------------------------------------------------------
# Lambda platform. One architecture for functions and every binary wheel in the layers.
# ---------------------------------------------------------------------------------------------
ARCHITECTURE = "x86_64"
LAMBDA_UNZIPPED_LIMIT_BYTES = 250 * 1024 * 1024  # function code + all layers, unzipped


class PythonRuntime(StrEnum):
    PY311 = "3.11"
    PY312 = "3.12"


RUNTIME_GLIBC: dict[PythonRuntime, tuple[int, int]] = {
    PythonRuntime.PY311: (2, 26),  # python3.11 runs on Amazon Linux 2 (glibc 2.26)
    PythonRuntime.PY312: (2, 34),  # python3.12 runs on Amazon Linux 2023 (glibc 2.34)
}
"""The glibc of each Lambda runtime's OS: a layer's binary wheels must not need a newer one."""

STATEMACHINES_DIR = Path(__file__).resolve().parent / "statemachines"
APPROVAL_DEFINITION = STATEMACHINES_DIR / "approval.asl.json"
APPROVAL_SUBSTITUTIONS = {"NotifyQueueUrl": QueueName.NOTIFY, "WritebackQueueUrl": QueueName.WRITEBACK}
"""The ASL's `${...}` placeholders and the queue whose URL fills each."""
BACKFILL_DEFINITION = STATEMACHINES_DIR / "backfill.asl.json"
BACKFILL_FUNCTION = "validation_backfill"  # every step of the backfill state machine (plan, extract, shard)
BACKFILL_PREFIX = "backfill/"  # plexlabor.intake.backfill.EXTRACTS_PREFIX: <norms version>/<slice>.json.gz
NORMS_PREFIX = "norms/"  # plexlabor.intake.norms_store: norms/<version>.json and norms/latest.json
SKILLS_REPORTS_PREFIX = "reports/skills/"  # plexlabor.skills.artifact: <as_of>.json and latest.json
ANALYTICS_REPORTS_PREFIX = "reports/analytics/"  # plexlabor.analytics.artifact: <as_of>.json and latest.json
ALLOCATION_REPORTS_PREFIX = "reports/allocation/"  # plexlabor.allocation.artifact: <day>.json and latest.json
INCIDENT_REPORTS_PREFIX = "reports/incidents/"  # plexlabor.incidents.trends: <as_of>.json and latest.json
INCIDENT_MODELS_PREFIX = "models/incidents/"  # plexlabor.incidents.registry: <version>/..., latest.json
FORECAST_RUNS_PREFIX = "models/forecast/"  # plexlabor.forecast.artifacts.PREFIX: <version>/..., latest.json
SCORER_MODELS_PREFIX = "models/scorer/"  # plexlabor.validation.registry: <version>/..., latest.json
SCORER_SALT_PREFIX = "models/scorer-salt/"  # plexlabor.validation.registry.SALT_PREFIX: <plant>.key
SCORER_RUNS_PREFIX = "models/scorer/runs/"  # plexlabor.platform.retrainruns: last.json, the retrain's last run
INCIDENT_RUNS_PREFIX = "models/incidents/runs/"  # the same, of incident_retrain (the web app reads only these two)
CREW_KEPT_PREFIX = "crew/kept/"  # plexlabor.crew.snapshots.PREFIX: <day>/shift-<code>.npz, <day>/suggestions.json

DEFAULT_BUILD_DIR = REPO_ROOT / "build"
LAYERS_SOURCE_DIR = REPO_ROOT / "layers"
CORE_PACKAGE_DIR = LAYERS_SOURCE_DIR / "core" / "plexlabor"
DEPS_REQUIREMENTS_DIR = LAYERS_SOURCE_DIR / "deps"
FUNCTIONS_PACKAGE = "functions"
