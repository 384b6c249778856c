"""Every name the infrastructure uses, in one module: construct ids, context keys, env-var names.

Pure data (no CDK import) so the layer build script and the tests can import it cheaply.
Physical resource names are left to CloudFormation (so two stages can share an account), except
the secrets, whose names operators type: `plexlabor/<stage>/<secret>`.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

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
CTX_PLACEHOLDER_LAYERS = "plexlabor:placeholderLayers"
"""Tests and offline CI only: point the dependency layers at a tiny placeholder folder instead of
the pip-built `build/layers/deps-*`. A stack synthesized with it is NOT deployable (no
third-party packages); `infra/app.py` prints a warning and the layer description says so."""

DEFAULT_STAGE = "dev"
DEFAULT_LOG_LEVEL = "INFO"
DEFAULT_LOG_RETENTION_DAYS = 30
DEFAULT_MAX_RECEIVE_COUNT = 5
DEFAULT_PLEX_BASE_URL = "https://test.connect.plex.com"
PLEX_WRITE_MODES = ("dry_run", "custom_object", "direct")
DEFAULT_PLEX_WRITE_MODE = "dry_run"


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

# Idempotency table: the schema AWS Lambda Powertools' DynamoDBPersistenceLayer expects by default.
IDEMPOTENCY_PARTITION_KEY = "id"
IDEMPOTENCY_TTL_ATTRIBUTE = "expiration"


class QueueName(StrEnum):
    """The work queues; each gets a DLQ and a DLQ-depth alarm."""

    PUNCH = "punch"  # webhook + poller -> punch_validator
    NOTIFY = "notify"  # approval workflow -> approval_notify (task token in the message)
    WRITEBACK = "writeback"  # approval workflow -> plex_writeback


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


# ---------------------------------------------------------------------------------------------
# Environment variables the functions receive (a function only gets the ones for resources it
# is granted; see infra/constructs/permissions.py)
# ---------------------------------------------------------------------------------------------
ENV_POWERTOOLS_SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"
ENV_POWERTOOLS_METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"
ENV_LOG_LEVEL = "LOG_LEVEL"
ENV_STAGE = "PLEXLABOR_STAGE"
ENV_AUDIT_TABLE_NAME = "AUDIT_TABLE_NAME"
ENV_STATE_TABLE_NAME = "STATE_TABLE_NAME"
ENV_IDEMPOTENCY_TABLE_NAME = "IDEMPOTENCY_TABLE_NAME"
ENV_QUEUE_URL = {
    QueueName.PUNCH: "PUNCH_QUEUE_URL",
    QueueName.NOTIFY: "NOTIFY_QUEUE_URL",
    QueueName.WRITEBACK: "WRITEBACK_QUEUE_URL",
}
ENV_SECRET_ARN = {
    SecretName.PLEX_API_KEY: "PLEX_API_KEY_SECRET_ARN",
    SecretName.WEBHOOK_HMAC: "WEBHOOK_HMAC_SECRET_ARN",
    SecretName.APPROVAL_SIGNING_KEY: "APPROVAL_SIGNING_KEY_SECRET_ARN",
}
PLEX_ENV_PREFIX = "PLEXLABOR_PLEX_"  # what plexlabor.plex.settings reads (docs/plex-integration.md)
ENV_PLEX_BASE_URL = f"{PLEX_ENV_PREFIX}BASE_URL"
ENV_PLEX_WRITE_MODE = f"{PLEX_ENV_PREFIX}WRITE_MODE"
PLEX_SECRET_SETTINGS = frozenset({"API_KEY", "DATASOURCE_USERNAME", "DATASOURCE_PASSWORD"})
"""Never passed as env vars: the key comes from Secrets Manager at run time."""

COMMON_ENV_NAMES = (ENV_POWERTOOLS_SERVICE_NAME, ENV_POWERTOOLS_METRICS_NAMESPACE, ENV_LOG_LEVEL, ENV_STAGE)

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

DEFAULT_BUILD_DIR = REPO_ROOT / "build"
LAYERS_SOURCE_DIR = REPO_ROOT / "layers"
CORE_PACKAGE_DIR = LAYERS_SOURCE_DIR / "core" / "plexlabor"
DEPS_REQUIREMENTS_DIR = LAYERS_SOURCE_DIR / "deps"
FUNCTIONS_PACKAGE = "functions"
