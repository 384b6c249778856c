"""Environment variables: the process-wide AWS settings of the runtime and each function's own.

`function_environment` resolves `infra.wiring.environment_sources(spec)`, the one list of every
function's variables and where each value comes from, with `LocalValues`, where CDK resolves them
with the stack's values (`infra/constructs/permissions.py`): the names are the deployed ones by
construction; only the values differ (moto's queue URLs, table names, secret ARNs, the simulator's
URL, local settings).

`EnvPatch` sets and unsets variables and puts every one of them back as it was. `ConsistentEnviron`
is the `os.environ` a running runtime installs, so that threads reading the whole environment while a
handler's variables come and go see it whole.
"""

from __future__ import annotations

import os
from collections.abc import Callable, ItemsView, Iterable, Mapping, ValuesView
from dataclasses import dataclass, field

import plexlabor.platform.env as env
from infra.constants import (
    DEFAULT_APPROVAL_WAIT_SECONDS,
    DEFAULT_MAX_RECEIVE_COUNT,
    PLEX_SECRET_SETTINGS,
    QueueName,
    SecretName,
)
from infra.function_specs import FunctionSpec
from infra.wiring import ROLLOUT_SETTINGS, Attribute, Setting, Table, resolve_environment

AWS_ACCOUNT_ID = "123456789012"
"""moto's default account: the one any access key that is not an account id maps to."""
FAKE_CREDENTIAL = "testing"

_CLEARED_AWS_NAMES = (
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",  # would make boto3 ignore AWS_ENDPOINT_URL
)
"""Anything that could send an in-process boto3 call to a real account instead of moto."""


@dataclass(frozen=True)
class LocalResources:
    """The names, URLs and ARNs of what the runtime created in moto, and the deployment settings it
    runs with (what CDK context is on AWS)."""

    region: str
    audit_table: str
    state_table: str
    idempotency_table: str
    queue_urls: Mapping[QueueName, str]
    queue_arns: Mapping[QueueName, str]
    dlq_urls: Mapping[QueueName, str]
    dlq_arns: Mapping[QueueName, str]
    secret_arns: Mapping[SecretName, str]
    artifacts_bucket: str
    notify_sender: str
    state_machine_arn: str | None = None
    max_receive_count: int = DEFAULT_MAX_RECEIVE_COUNT
    api_url: str | None = None
    timezone: str | None = None
    default_supervisor_id: str | None = None
    approval_wait_s: int = DEFAULT_APPROVAL_WAIT_SECONDS
    user_pool_id: str | None = None
    user_pool_client_id: str | None = None
    hosted_ui_url: str | None = None
    """Where the app would send people to sign in (Cognito's hosted UI on AWS; locally the dev login)."""
    show_names_to: str | None = None
    """Roles who see people's names (`SHOW_NAMES_TO`, as `plexlabor:showNamesTo`); None: every role."""
    review_hr_emails: tuple[str, ...] = ()
    review_planner_emails: tuple[str, ...] = ()
    review_ehs_emails: tuple[str, ...] = ()
    """Who besides each item's supervisor hears of a recommendation, and who gets the incident digest
    (`plexlabor:reviewRecipients`)."""
    incident_transcribe_language: str | None = None
    """`INCIDENT_TRANSCRIBE_LANGUAGE` (`plexlabor:incidentTranscribeLanguage`); None by default: moto's
    Transcribe writes no transcript to the bucket, so locally incident_log refuses recordings."""
    copilot_bedrock_model_id: str | None = None
    """`COPILOT_BEDROCK_MODEL_ID` (`plexlabor:copilotBedrockModelId`); None by default: the local runtime
    reaches no Bedrock, so the copilot's answers are extractive."""
    chat_webhook_url: str | None = None
    """`CHAT_WEBHOOK_URL` (`plexlabor:chatWebhookUrl`); None by default: no chat nudge."""
    validation_policy: str | None = None
    """`VALIDATION_POLICY` (`plexlabor:validationPolicy`, the JSON `infra.config` gives); None: the code's policy."""
    rollout: Mapping[str, object] = field(default_factory=dict)
    """The phased-rollout settings (`infra.wiring.ROLLOUT_SETTINGS`, by `Setting` value, e.g.
    `{"pilot_departments": ("MACH",), "advisory_mode": True}`); unset ones are left out, as on AWS."""


@dataclass(frozen=True)
class PlexEnvironment:
    """What functions that read Plex receive (CDK: `plexlabor:plexBaseUrl`, `plexWriteMode`,
    `plexSettings`). Locally the base URL is the simulator's and may be plain http; the Data Source API
    (shifts, ...) is the simulator's too unless `settings` name another `DATASOURCE_BASE_URL` (on AWS it
    is Plex's own, cloud.plex.com, which a local run must never call)."""

    base_url: str
    write_mode: str = "dry_run"
    settings: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key in self.settings:
            if key in PLEX_SECRET_SETTINGS:
                raise ValueError(f"{env.PLEX_PREFIX}{key} is a secret: it comes from Secrets Manager")
            if key in ("BASE_URL", "WRITE_MODE"):
                raise ValueError(f"set {key} with its own field, not in settings")
        object.__setattr__(self, "settings", {DATASOURCE_BASE_URL: self.base_url, **self.settings})


DATASOURCE_BASE_URL = "DATASOURCE_BASE_URL"
"""The Plex setting of the Data Source API's host (`PLEXLABOR_PLEX_DATASOURCE_BASE_URL`)."""


@dataclass(frozen=True)
class LocalValues:
    """`infra.wiring.SourceValues` of the local runtime: what it made in moto, and its settings."""

    resources: LocalResources
    plex: PlexEnvironment
    stage: str
    log_level: str

    def setting(self, setting: Setting) -> object:
        resources = self.resources
        return {
            Setting.LOG_LEVEL: self.log_level,
            Setting.STAGE: self.stage,
            Setting.PLEX_BASE_URL: self.plex.base_url,
            Setting.PLEX_WRITE_MODE: self.plex.write_mode,
            Setting.TIMEZONE: resources.timezone,
            Setting.DEFAULT_SUPERVISOR_ID: resources.default_supervisor_id,
            Setting.APPROVAL_WAIT_SECONDS: resources.approval_wait_s,
            Setting.NOTIFY_SENDER: resources.notify_sender,
            Setting.SHOW_NAMES_TO: resources.show_names_to,
            Setting.REVIEW_HR_EMAILS: resources.review_hr_emails,
            Setting.REVIEW_PLANNER_EMAILS: resources.review_planner_emails,
            Setting.REVIEW_EHS_EMAILS: resources.review_ehs_emails,
            Setting.INCIDENT_TRANSCRIBE_LANGUAGE: resources.incident_transcribe_language,
            Setting.COPILOT_BEDROCK_MODEL_ID: resources.copilot_bedrock_model_id,
            Setting.CHAT_WEBHOOK_URL: resources.chat_webhook_url,
            Setting.VALIDATION_POLICY: resources.validation_policy,
            **{rollout: resources.rollout.get(rollout.value) for rollout in ROLLOUT_SETTINGS},
        }[setting]

    def plex_setting(self, key: str) -> str | None:
        return self.plex.settings.get(key)

    def table_name(self, table: Table) -> str:
        name: str = getattr(self.resources, f"{table.value}_table")  # audit_table, state_table, ...
        return name

    def queue_url(self, queue: QueueName) -> str:
        return self.resources.queue_urls[queue]

    def redrive_limit(self, queue: QueueName) -> int:
        return self.resources.max_receive_count  # every local queue has the same

    def secret_arn(self, secret: SecretName) -> str:
        return self.resources.secret_arns[secret]

    def attribute(self, attribute: Attribute) -> str | None:
        resources = self.resources
        return {  # by value: the sign-in attributes are newer than some checkouts' infra.wiring
            "artifacts-bucket-name": resources.artifacts_bucket,
            "approval-state-machine-arn": resources.state_machine_arn,
            "api-url": resources.api_url,
            "user-pool-id": resources.user_pool_id,
            "user-pool-client-id": resources.user_pool_client_id,
            "hosted-ui-url": resources.hosted_ui_url,
            "region": resources.region,
        }[attribute.value]


def function_environment(
    spec: FunctionSpec,
    resources: LocalResources,
    plex: PlexEnvironment,
    *,
    stage: str,
    log_level: str,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """A function's environment: `infra.wiring.environment_sources(spec)` (the names CDK gives it)
    resolved to this runtime's values, then `spec.environment`, then `extra`.

    `extra` is what the local runtime adds on top (`plexlabor_dev.local.contract`, test overrides);
    like CDK, the spec's own variables may not override a managed one.
    """
    environment = resolve_environment(spec, LocalValues(resources, plex, stage, log_level), plex.settings.keys())
    clashes = sorted(set(spec.environment) & set(environment))
    if clashes:
        raise ValueError(f"{spec.name}: spec environment overrides managed variables {clashes}")
    environment.update(spec.environment)
    environment.update(extra or {})
    return environment


def aws_environment(endpoint_url: str, region: str, moto_port: int) -> dict[str, str]:
    """Process-wide settings that point every in-process boto3 client at the moto server."""
    return {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": FAKE_CREDENTIAL,
        "AWS_SECRET_ACCESS_KEY": FAKE_CREDENTIAL,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_CONFIG_FILE": os.devnull,  # no profile of the developer's may add endpoints or roles
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "MOTO_PORT": str(moto_port),  # moto's Step Functions calls SQS/DynamoDB back on this port
        "POWERTOOLS_TRACE_DISABLED": "true",  # no X-Ray daemon here
    }


def cleared_aws_names(environ: Mapping[str, str]) -> list[str]:
    """The variables to remove while the runtime runs: credentials, profiles, per-service endpoints,
    and any `PLEXLABOR_PLEX_*` of the developer's shell (functions get theirs from the runtime)."""
    names = [name for name in _CLEARED_AWS_NAMES if name in environ]
    names += [name for name in environ if name.startswith(("AWS_ENDPOINT_URL_", env.PLEX_PREFIX))]
    return names


class EnvPatch:
    """Set and unset environment variables; `restore()` puts each one back exactly as it was."""

    def __init__(self, set_values: Mapping[str, str], unset: Iterable[str] = ()) -> None:
        self._set = dict(set_values)
        self._unset = [name for name in unset if name not in self._set]
        self._saved: dict[str, str | None] | None = None

    @classmethod
    def of(cls, changes: Mapping[str, str | None]) -> EnvPatch:
        """A patch from one map: a value sets the variable, None unsets it."""
        return cls(
            {name: value for name, value in changes.items() if value is not None},
            [name for name, value in changes.items() if value is None],
        )

    def apply(self) -> EnvPatch:
        if self._saved is not None:
            raise RuntimeError("environment patch applied twice")
        self._saved = {name: os.environ.get(name) for name in (*self._set, *self._unset)}
        for name in self._unset:
            os.environ.pop(name, None)
        os.environ.update(self._set)
        return self

    def restore(self) -> None:
        if self._saved is None:
            return
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved = None

    def __enter__(self) -> EnvPatch:
        return self.apply()

    def __exit__(self, *exc: object) -> None:
        self.restore()


class ConsistentEnviron(os._Environ):
    """`os.environ` whose whole-environment reads (`items()`, `values()`, `copy()`, `|`) see one moment.

    The local runtime gives each handler its variables by changing the process environment around the
    call (`EnvPatch`, one handler at a time), while other threads of the process read it: moto's Step
    Functions executions make a boto3 client per task, and botocore, like requests on every request,
    reads the proxy variables with `urllib.request.getproxies`, which iterates `os.environ.items()`.
    `os._Environ` lists its keys and then reads each one, so a variable removed in between (a handler's,
    as its call ends) raised KeyError in the reader: an approval execution failed with States.Runtime
    `'POWERTOOLS_SERVICE_NAME'` and its finding was never mailed. Here those reads copy the variables
    first (one dict copy, atomic in CPython). It shares the data of the `os.environ` it stands in for,
    so both are the same environment (`install`).
    """

    def _snapshot(self) -> dict[str, str]:
        data = dict(self._data)  # type: ignore[attr-defined]
        return {self.decodekey(key): self.decodevalue(value) for key, value in data.items()}

    def items(self) -> ItemsView[str, str]:  # type: ignore[override]
        return self._snapshot().items()

    def values(self) -> ValuesView[str]:  # type: ignore[override]
        return self._snapshot().values()

    def copy(self) -> dict[str, str]:
        return self._snapshot()

    def __or__(self, other: object) -> dict[str, str]:  # type: ignore[override]
        if not isinstance(other, Mapping):
            return NotImplemented
        return {**self._snapshot(), **other}

    @classmethod
    def install(cls) -> Callable[[], None]:
        """Make `os.environ` one of these, over the same data (nothing is copied or cleared); returns what
        puts the previous object back."""
        previous = os.environ
        data = previous._data  # type: ignore[attr-defined]
        # the same data under a new object: the environment is neither cleared nor copied (hence the noqa)
        os.environ = cls(data, previous.encodekey, previous.decodekey, previous.encodevalue, previous.decodevalue)  # noqa: B003
        return lambda: setattr(os, "environ", previous)
