"""Each function's environment as data: every variable name and where its value comes from.

One mapping for both runtimes. `environment_sources(spec)` lists, for one `FunctionSpec`, each
variable the function receives and its `Source`: a fixed value, a deployment setting, or an
attribute of a stack resource. `resolve_environment` turns them into values through one
runtime's `SourceValues`: CloudFormation values for CDK (`infra/constructs/permissions.py`), moto's
names and URLs for the local runtime (`plexlabor_dev.local.environment`), so the two cannot give a
function different variables. A source whose value is not configured (e.g. no default supervisor)
is left out.

Pure data: no CDK import (the local runtime and the tests import it cheaply). Grants (IAM) are not
here: they only exist on AWS.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import plexlabor.platform.env as env
from infra.constants import (
    ENV_QUEUE_URL,
    ENV_SECRET_ARN,
    METRICS_NAMESPACE,
    SERVICE_NAME,
    QueueName,
    SecretName,
)
from infra.function_specs import FunctionSpec, Need, ReadSecret, SendTo, TableAccess


@dataclass(frozen=True)
class Fixed:
    """The same value everywhere."""

    value: str


class Setting(StrEnum):
    """A value from the deployment configuration (CDK context; the local runtime's arguments).

    Each value is the name of its `infra.config.DeployConfig` field."""

    LOG_LEVEL = "log_level"
    STAGE = "stage"
    PLEX_BASE_URL = "plex_base_url"
    PLEX_WRITE_MODE = "plex_write_mode"
    TIMEZONE = "timezone"
    DEFAULT_SUPERVISOR_ID = "default_supervisor_id"  # required unless advisory mode is on
    APPROVAL_WAIT_SECONDS = "approval_wait_seconds"
    NOTIFY_SENDER = "notify_sender"
    PILOT_DEPARTMENTS = "pilot_departments"  # optional, as every rollout setting: unset = the whole plant
    PILOT_WORKCENTERS = "pilot_workcenters"
    PILOT_SHIFTS = "pilot_shifts"
    NOTIFY_KINDS = "notify_kinds"  # unset = every kind
    ADVISORY_MODE = "advisory_mode"  # unset = the functions' default, false
    SHOW_NAMES_TO = "show_names_to"  # optional: unset = every role sees names
    REVIEW_HR_EMAILS = "review_hr_emails"  # optional: unset = only each item's supervisor hears of it
    REVIEW_PLANNER_EMAILS = "review_planner_emails"
    REVIEW_EHS_EMAILS = "review_ehs_emails"  # optional: unset = no incident digest is mailed
    INCIDENT_TRANSCRIBE_LANGUAGE = "incident_transcribe_language"  # optional: unset = recordings refused
    COPILOT_BEDROCK_MODEL_ID = "copilot_bedrock_model_id"  # optional: unset = extractive answers, no grant
    CHAT_WEBHOOK_URL = "chat_webhook_url"  # optional: unset = no chat nudge
    VALIDATION_POLICY = "validation_policy"  # optional: unset = the code's policy and thresholds


@dataclass(frozen=True)
class PlexSetting:
    """One of the other non-secret Plex settings (`plexlabor:plexSettings`): `PLEXLABOR_PLEX_<key>`."""

    key: str


class Table(StrEnum):
    AUDIT = "audit"
    STATE = "state"
    IDEMPOTENCY = "idempotency"


@dataclass(frozen=True)
class TableName:
    table: Table


@dataclass(frozen=True)
class QueueUrl:
    queue: QueueName


@dataclass(frozen=True)
class RedriveLimit:
    """The maxReceiveCount of a queue's redrive policy."""

    queue: QueueName


@dataclass(frozen=True)
class SecretArn:
    secret: SecretName


class Attribute(StrEnum):
    """Attributes of the stack's single resources."""

    ARTIFACTS_BUCKET_NAME = "artifacts-bucket-name"
    APPROVAL_STATE_MACHINE_ARN = "approval-state-machine-arn"
    API_URL = "api-url"  # the stage's base URL, e.g. https://<id>.execute-api.<region>.amazonaws.com/<stage>/
    USER_POOL_ID = "user-pool-id"
    USER_POOL_CLIENT_ID = "user-pool-client-id"  # the web app's app client
    HOSTED_UI_URL = "hosted-ui-url"  # https://<domain prefix>.auth.<region>.amazoncognito.com
    REGION = "region"  # the stack's (the user pool's) region


Source = Fixed | Setting | PlexSetting | TableName | QueueUrl | RedriveLimit | SecretArn | Attribute

TABLE_OF: dict[TableAccess, Table] = {
    TableAccess.AUDIT_APPEND: Table.AUDIT,
    TableAccess.AUDIT_READ: Table.AUDIT,
    TableAccess.STATE_READ: Table.STATE,
    TableAccess.STATE_READ_WRITE: Table.STATE,
    TableAccess.IDEMPOTENCY: Table.IDEMPOTENCY,
}
ENV_TABLE_NAME = {
    Table.AUDIT: env.AUDIT_TABLE_NAME,
    Table.STATE: env.STATE_TABLE_NAME,
    Table.IDEMPOTENCY: env.IDEMPOTENCY_TABLE_NAME,
}

COMMON_SOURCES: dict[str, Source] = {
    env.POWERTOOLS_SERVICE_NAME: Fixed(SERVICE_NAME),
    env.POWERTOOLS_METRICS_NAMESPACE: Fixed(METRICS_NAMESPACE),
    env.LOG_LEVEL: Setting.LOG_LEVEL,
    env.STAGE: Setting.STAGE,
}
"""Every function."""

NEED_SOURCES: dict[Need, dict[str, Source]] = {
    Need.START_APPROVALS: {
        env.APPROVAL_STATE_MACHINE_ARN: Attribute.APPROVAL_STATE_MACHINE_ARN,
        env.APPROVAL_WAIT_SECONDS: Setting.APPROVAL_WAIT_SECONDS,
        env.DEFAULT_SUPERVISOR_ID: Setting.DEFAULT_SUPERVISOR_ID,
    },
    Need.ANSWER_APPROVALS: {},  # the task token names the execution
    Need.SEND_EMAIL: {env.NOTIFY_SENDER: Setting.NOTIFY_SENDER},
    Need.APPROVAL_LINKS: {env.APPROVAL_BASE_URL: Attribute.API_URL},
    Need.PLANT_TIMEZONE: {env.TIMEZONE: Setting.TIMEZONE},
    Need.PEOPLE_NAMES: {env.SHOW_NAMES_TO: Setting.SHOW_NAMES_TO},
    Need.REDRIVE_LIMIT: {},  # depends on the consumed queue: see environment_sources
    Need.PILOT_SCOPE: {
        env.PILOT_DEPARTMENTS: Setting.PILOT_DEPARTMENTS,
        env.PILOT_WORKCENTERS: Setting.PILOT_WORKCENTERS,
        env.PILOT_SHIFTS: Setting.PILOT_SHIFTS,
        env.NOTIFY_KINDS: Setting.NOTIFY_KINDS,
        env.ADVISORY_MODE: Setting.ADVISORY_MODE,
    },
    Need.SIGN_IN: {
        env.COGNITO_CLIENT_ID: Attribute.USER_POOL_CLIENT_ID,
        env.COGNITO_HOSTED_UI_URL: Attribute.HOSTED_UI_URL,
        env.WEB_APP_URL: Attribute.API_URL,
    },
    Need.REVIEW_NOTICES: {
        env.WEB_APP_URL: Attribute.API_URL,
        env.APPROVAL_WAIT_SECONDS: Setting.APPROVAL_WAIT_SECONDS,
        env.REVIEW_HR_EMAILS: Setting.REVIEW_HR_EMAILS,
        env.REVIEW_PLANNER_EMAILS: Setting.REVIEW_PLANNER_EMAILS,
        env.REVIEW_EHS_EMAILS: Setting.REVIEW_EHS_EMAILS,
    },
    Need.VERIFY_SIGN_IN: {
        env.COGNITO_USER_POOL_ID: Attribute.USER_POOL_ID,
        env.COGNITO_CLIENT_ID: Attribute.USER_POOL_CLIENT_ID,
        env.COGNITO_REGION: Attribute.REGION,
    },
    Need.TRANSCRIBE: {env.INCIDENT_TRANSCRIBE_LANGUAGE: Setting.INCIDENT_TRANSCRIBE_LANGUAGE},
    Need.SPOKEN_REPORTS: {env.INCIDENT_TRANSCRIBE_LANGUAGE: Setting.INCIDENT_TRANSCRIBE_LANGUAGE},
    Need.BEDROCK: {env.COPILOT_BEDROCK_MODEL_ID: Setting.COPILOT_BEDROCK_MODEL_ID},
    Need.CHAT_NOTICES: {env.CHAT_WEBHOOK_URL: Setting.CHAT_WEBHOOK_URL},
    Need.VALIDATION_POLICY: {env.VALIDATION_POLICY: Setting.VALIDATION_POLICY},
}


def _settings_of(need: Need) -> frozenset[Setting]:
    """The deploy-time settings a need's variables come from (its `NEED_SOURCES`)."""
    return frozenset(source for source in NEED_SOURCES[need].values() if isinstance(source, Setting))


ROLLOUT_SETTINGS = _settings_of(Need.PILOT_SCOPE)
"""The phased rollout's settings (`plexlabor:pilot`, `plexlabor:advisoryMode`; docs/rollout.md). Unset,
a function runs plant-wide, every kind notifying, not advisory. A runtime that does not know them yet
(its `setting` raises KeyError: the local runtime today) gives none of them, so it runs plant-wide."""

REVIEW_RECIPIENT_SETTINGS = frozenset(
    {Setting.REVIEW_HR_EMAILS, Setting.REVIEW_PLANNER_EMAILS, Setting.REVIEW_EHS_EMAILS}
)
"""Who besides each item's supervisor hears of a recommendation, and who gets the EHS lead's incident digest
(`plexlabor:reviewRecipients`)."""

PEOPLE_SETTINGS = _settings_of(Need.PEOPLE_NAMES)
"""Who sees people's names (`plexlabor:showNamesTo`); unset, every role does."""

TRANSCRIBE_SETTINGS = _settings_of(Need.TRANSCRIBE)
"""The language of spoken incident reports (`plexlabor:incidentTranscribeLanguage`); unset, incident_log
takes typed reports only and refuses recordings with a reason."""

BEDROCK_SETTINGS = _settings_of(Need.BEDROCK)
"""The model that words the copilot's answers (`plexlabor:copilotBedrockModelId`); unset, they are extractive."""

CHAT_SETTINGS = _settings_of(Need.CHAT_NOTICES)
"""The chat channel approval_notify nudges (`plexlabor:chatWebhookUrl`); unset, none."""

POLICY_SETTINGS = _settings_of(Need.VALIDATION_POLICY)
"""The plant's validation policy (`plexlabor:validationPolicy`); unset, the code's defaults."""

OPTIONAL_SETTINGS = (
    ROLLOUT_SETTINGS
    | REVIEW_RECIPIENT_SETTINGS
    | PEOPLE_SETTINGS
    | TRANSCRIBE_SETTINGS
    | BEDROCK_SETTINGS
    | CHAT_SETTINGS
    | POLICY_SETTINGS
)
"""Settings a function runs without (every other unset setting is a deployment mistake)."""

OPTIONAL_IN_ADVISORY_MODE = frozenset({Setting.DEFAULT_SUPERVISOR_ID})
"""Settings a function runs without only while advisory mode is on: nobody is asked for a decision, so
no finding needs the default supervisor (`ApprovalStartSettings` requires it otherwise)."""


def optional_setting(source: Source, values: SourceValues) -> bool:
    """Whether `source` may be left unset in a runtime with these values."""
    if source in OPTIONAL_SETTINGS:
        return True
    return source in OPTIONAL_IN_ADVISORY_MODE and values.setting(Setting.ADVISORY_MODE) is True


def environment_sources(spec: FunctionSpec, plex_setting_keys: Iterable[str] = ()) -> dict[str, Source]:
    """Every variable `spec`'s function receives, with where its value comes from.

    Order: the common variables, one per granted table/queue/secret, the Plex settings when it
    reads Plex, then its needs. The spec's own `environment` is added by the caller (it may not
    override any of these).
    """
    sources: dict[str, Source] = dict(COMMON_SOURCES)
    for access in spec.access:
        if isinstance(access, SendTo):
            sources[ENV_QUEUE_URL[access.queue]] = QueueUrl(access.queue)
        elif isinstance(access, ReadSecret):
            sources[ENV_SECRET_ARN[access.secret]] = SecretArn(access.secret)
        else:
            table = TABLE_OF[access]
            sources[ENV_TABLE_NAME[table]] = TableName(table)
    if spec.reads_plex:
        sources[env.PLEX_BASE_URL] = Setting.PLEX_BASE_URL
        sources[env.PLEX_WRITE_MODE] = Setting.PLEX_WRITE_MODE
        for key in sorted(plex_setting_keys):
            sources[f"{env.PLEX_PREFIX}{key}"] = PlexSetting(key)
    for need in spec.needs:
        if isinstance(need, Need):
            sources.update(NEED_SOURCES[need])
            if need is Need.REDRIVE_LIMIT and spec.consumes is not None:
                sources[env.MAX_RECEIVE_COUNT] = RedriveLimit(spec.consumes)
        else:
            sources[env.ARTIFACTS_BUCKET_NAME] = Attribute.ARTIFACTS_BUCKET_NAME
    return sources


class SourceValues(Protocol):
    """What one runtime knows: the value behind each kind of source (None: not configured)."""

    def setting(self, setting: Setting) -> object: ...

    def plex_setting(self, key: str) -> str | None: ...

    def table_name(self, table: Table) -> str: ...

    def queue_url(self, queue: QueueName) -> str: ...

    def redrive_limit(self, queue: QueueName) -> int: ...

    def secret_arn(self, secret: SecretName) -> str: ...

    def attribute(self, attribute: Attribute) -> str | None: ...


def _text(value: object) -> str | None:
    """A variable's text: a flag as true/false, codes comma-separated (none: not configured)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return ",".join(str(item) for item in value) or None
    return None if value is None else str(value)


def resolve(source: Source, values: SourceValues) -> str | None:
    """The value of one source in one runtime, as a string (None: not configured)."""
    value: object
    if isinstance(source, Fixed):
        value = source.value
    elif isinstance(source, Setting):
        value = values.setting(source)
    elif isinstance(source, PlexSetting):
        value = values.plex_setting(source.key)
    elif isinstance(source, TableName):
        value = values.table_name(source.table)
    elif isinstance(source, QueueUrl):
        value = values.queue_url(source.queue)
    elif isinstance(source, RedriveLimit):
        value = values.redrive_limit(source.queue)
    elif isinstance(source, SecretArn):
        value = values.secret_arn(source.secret)
    else:
        value = values.attribute(source)
    return _text(value)


def resolve_environment(
    spec: FunctionSpec, values: SourceValues, plex_setting_keys: Iterable[str] = ()
) -> dict[str, str]:
    """`environment_sources(spec)` resolved by one runtime; a source not configured is left out."""
    resolved = {name: resolve(source, values) for name, source in environment_sources(spec, plex_setting_keys).items()}
    return {name: value for name, value in resolved.items() if value is not None}
