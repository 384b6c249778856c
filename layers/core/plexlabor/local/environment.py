"""Environment variables: the process-wide AWS settings of the runtime and each function's own.

`function_environment` is the local twin of `infra/constructs/functions.py` + `permissions.py`:
the common variables, then one variable per granted resource (`spec.access`), the Plex settings
for functions that read Plex, and the spec's own. Names come from `infra.constants`; only the
values differ (moto's queue URLs, table names, secret ARNs, the simulator's URL).

`EnvPatch` sets and unsets variables and puts every one of them back as it was.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from infra.constants import (
    ENV_AUDIT_TABLE_NAME,
    ENV_IDEMPOTENCY_TABLE_NAME,
    ENV_LOG_LEVEL,
    ENV_PLEX_BASE_URL,
    ENV_PLEX_WRITE_MODE,
    ENV_POWERTOOLS_METRICS_NAMESPACE,
    ENV_POWERTOOLS_SERVICE_NAME,
    ENV_QUEUE_URL,
    ENV_SECRET_ARN,
    ENV_STAGE,
    ENV_STATE_TABLE_NAME,
    METRICS_NAMESPACE,
    PLEX_ENV_PREFIX,
    PLEX_SECRET_SETTINGS,
    SERVICE_NAME,
    QueueName,
    SecretName,
)
from infra.function_specs import FunctionSpec, ReadSecret, SendTo, TableAccess

AWS_ACCOUNT_ID = "123456789012"
"""moto's default account: the one any access key that is not an account id maps to."""
FAKE_CREDENTIAL = "testing"

_AUDIT_ACCESS = (TableAccess.AUDIT_APPEND, TableAccess.AUDIT_READ)
_STATE_ACCESS = (TableAccess.STATE_READ, TableAccess.STATE_READ_WRITE)

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
    """The names, URLs and ARNs of what the runtime created in moto."""

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


@dataclass(frozen=True)
class PlexEnvironment:
    """What functions that read Plex receive (CDK: `plexlabor:plexBaseUrl`, `plexWriteMode`,
    `plexSettings`). Locally the base URL is the simulator's and may be plain http."""

    base_url: str
    write_mode: str = "dry_run"
    settings: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key in self.settings:
            if key in PLEX_SECRET_SETTINGS:
                raise ValueError(f"{PLEX_ENV_PREFIX}{key} is a secret: it comes from Secrets Manager")
            if key in ("BASE_URL", "WRITE_MODE"):
                raise ValueError(f"set {key} with its own field, not in settings")


def common_environment(stage: str, log_level: str) -> dict[str, str]:
    """What every function gets (infra/constructs/functions.py)."""
    return {
        ENV_POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        ENV_POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        ENV_LOG_LEVEL: log_level,
        ENV_STAGE: stage,
    }


def access_environment(spec: FunctionSpec, resources: LocalResources, plex: PlexEnvironment) -> dict[str, str]:
    """One variable per resource the spec is granted, as `infra/constructs/permissions.grant`."""
    environment: dict[str, str] = {}
    for access in spec.access:
        if isinstance(access, SendTo):
            environment[ENV_QUEUE_URL[access.queue]] = resources.queue_urls[access.queue]
        elif isinstance(access, ReadSecret):
            environment[ENV_SECRET_ARN[access.secret]] = resources.secret_arns[access.secret]
        elif access in _AUDIT_ACCESS:
            environment[ENV_AUDIT_TABLE_NAME] = resources.audit_table
        elif access in _STATE_ACCESS:
            environment[ENV_STATE_TABLE_NAME] = resources.state_table
        elif access is TableAccess.IDEMPOTENCY:
            environment[ENV_IDEMPOTENCY_TABLE_NAME] = resources.idempotency_table
        else:  # a new kind of access in infra/function_specs.py: map it here too
            raise ValueError(f"{spec.name}: the local runtime does not know access {access!r}")
    if spec.reads_plex:
        environment[ENV_PLEX_BASE_URL] = plex.base_url
        environment[ENV_PLEX_WRITE_MODE] = plex.write_mode
        for key, value in sorted(plex.settings.items()):
            environment[f"{PLEX_ENV_PREFIX}{key}"] = value
    return environment


def function_environment(
    spec: FunctionSpec,
    resources: LocalResources,
    plex: PlexEnvironment,
    *,
    stage: str,
    log_level: str,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """A function's environment: common + granted resources + `spec.environment` + `extra`.

    `extra` is what the local runtime adds on top of the infra mapping (e.g. short approval waits);
    like CDK, the spec's own variables may not override a managed one.
    """
    environment = common_environment(stage, log_level)
    environment.update(access_environment(spec, resources, plex))
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
    names += [name for name in environ if name.startswith(("AWS_ENDPOINT_URL_", PLEX_ENV_PREFIX))]
    return names


class EnvPatch:
    """Set and unset environment variables; `restore()` puts each one back exactly as it was."""

    def __init__(self, set_values: Mapping[str, str], unset: Iterable[str] = ()) -> None:
        self._set = dict(set_values)
        self._unset = [name for name in unset if name not in self._set]
        self._saved: dict[str, str | None] | None = None

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
