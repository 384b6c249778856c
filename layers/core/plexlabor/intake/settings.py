"""Each intake function's configuration: one pydantic model of its environment variables.

Read once per cold start by the handler (`Model.from_env()` inside a cached function, never at
import time); the domain code receives the model, never `os.environ`. Field aliases are the
variable names, so a missing or malformed variable is reported by its name. Empty values count as
unset. The names of shared resources match `infra/constants.py` (a test keeps them equal).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from typing import Any, Generic, Self, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from plexlabor.intake.errors import ConfigurationError

PLEX_ENV_PREFIX = "PLEXLABOR_PLEX_"

# Shared resource names (the same strings as infra/constants.py).
ENV_PUNCH_QUEUE_URL = "PUNCH_QUEUE_URL"
ENV_STATE_TABLE_NAME = "STATE_TABLE_NAME"
ENV_AUDIT_TABLE_NAME = "AUDIT_TABLE_NAME"
ENV_IDEMPOTENCY_TABLE_NAME = "IDEMPOTENCY_TABLE_NAME"
ENV_WEBHOOK_HMAC_SECRET_ARN = "WEBHOOK_HMAC_SECRET_ARN"
ENV_PLEX_API_KEY_SECRET_ARN = "PLEX_API_KEY_SECRET_ARN"
# Added by intake (not yet in infra/constants.py).
ENV_ARTIFACTS_BUCKET_NAME = "ARTIFACTS_BUCKET_NAME"
ENV_APPROVAL_STATE_MACHINE_ARN = "APPROVAL_STATE_MACHINE_ARN"
ENV_DEFAULT_SUPERVISOR_ID = "DEFAULT_SUPERVISOR_ID"
ENV_PLANT_DIR = "PLEXLABOR_PLANT_DIR"
ENV_TIMEZONE = "PLEXLABOR_TIMEZONE"


_CLIENT_ENV = ("AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION")
"""Not settings, but where the AWS clients built from them go (the local runtime sets them)."""


class EnvSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    @classmethod
    def variable_names(cls, environ: Mapping[str, str]) -> list[str]:
        """The variables this model reads."""
        names = {f.alias for f in cls.model_fields.values() if f.alias and not f.alias.startswith("__")}
        if issubclass(cls, PlexSourceSettings):
            names |= {name for name in environ if name.startswith(PLEX_ENV_PREFIX)}
        return sorted(names | set(_CLIENT_ENV))

    @classmethod
    def fingerprint(cls, environ: Mapping[str, str] | None = None) -> tuple[tuple[str, str | None], ...]:
        environ = os.environ if environ is None else environ
        return tuple((name, environ.get(name)) for name in cls.variable_names(environ))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        """Read the model from `environ` (default: the process environment)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {key: value for key, value in environ.items() if value != ""}
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(environment)'}: {e['msg']}" for e in error.errors()
            )
            raise ConfigurationError(f"{cls.__name__}: {problems}") from None


SettingsT = TypeVar("SettingsT", bound=EnvSettings)
T = TypeVar("T")


class PerEnvironment(Generic[SettingsT, T]):
    """`build(settings)` once, again only when a variable the settings read changes.

    On Lambda that is once per container. The local runtime runs several functions (and, in tests,
    several runtimes) in one process, each call under its own environment: a function whose
    variables changed gets fresh settings and clients instead of another run's. Volatile variables
    Lambda sets per invocation (`_X_AMZN_TRACE_ID`) are not read, so they never force a rebuild.
    """

    def __init__(self, model: type[SettingsT], build: Callable[[SettingsT], T]) -> None:
        self.model, self.build = model, build
        self._key: object = None
        self._value: T | None = None
        self._lock = threading.Lock()

    def __call__(self) -> T:
        key = self.model.fingerprint()
        with self._lock:
            if self._value is None or key != self._key:
                self._value = self.build(self.model.from_env())
                self._key = key
            return self._value

    def cache_clear(self) -> None:
        with self._lock:
            self._key, self._value = None, None


class WebhookSettings(EnvSettings):
    punch_queue_url: str = Field(alias=ENV_PUNCH_QUEUE_URL)
    hmac_secret_arn: str = Field(alias=ENV_WEBHOOK_HMAC_SECRET_ARN)
    replay_window_s: int = Field(default=300, ge=1, le=3600, alias="WEBHOOK_REPLAY_WINDOW_SECONDS")
    secret_max_age_s: int = Field(default=300, ge=0, alias="WEBHOOK_SECRET_MAX_AGE_SECONDS")


class PlexSourceSettings(EnvSettings):
    """Where labor data is read: a plant folder (`PLEXLABOR_PLANT_DIR`, local runs and tests) or Plex
    (`PLEXLABOR_PLEX_*`, the API key from Secrets Manager `PLEX_API_KEY_SECRET_ARN`)."""

    plant_dir: str | None = Field(default=None, alias=ENV_PLANT_DIR)
    timezone: str | None = Field(default=None, alias=ENV_TIMEZONE)
    plex_api_key_secret_arn: str | None = Field(default=None, alias=ENV_PLEX_API_KEY_SECRET_ARN)
    plex_env: dict[str, str] = Field(default_factory=dict, alias="__plex_env__")
    """The `PLEXLABOR_PLEX_*` variables, captured with the rest (read by plexlabor.plex.settings)."""

    @model_validator(mode="before")
    @classmethod
    def _capture_plex_env(cls, values: Any) -> Any:
        if isinstance(values, Mapping) and "__plex_env__" not in values:
            plex = {k: str(v) for k, v in values.items() if isinstance(k, str) and k.startswith(PLEX_ENV_PREFIX)}
            values = {**values, "__plex_env__": plex}
        return values

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone '{value}' (an IANA name, e.g. America/Detroit)") from None
        return value

    @model_validator(mode="after")
    def _zone_for_plex(self) -> Self:
        if self.plant_dir is None and self.timezone is None:
            raise ValueError(f"{ENV_TIMEZONE} is required when reading Plex (no {ENV_PLANT_DIR} is set)")
        return self


class ApprovalSettings(EnvSettings):
    approval_state_machine_arn: str = Field(alias=ENV_APPROVAL_STATE_MACHINE_ARN)
    default_supervisor_id: str | None = Field(default=None, alias=ENV_DEFAULT_SUPERVISOR_ID)
    approval_wait_s: int = Field(default=8 * 3600, ge=1, le=7 * 24 * 3600, alias="APPROVAL_WAIT_SECONDS")


class PollerSettings(PlexSourceSettings):
    state_table_name: str = Field(alias=ENV_STATE_TABLE_NAME)
    punch_queue_url: str = Field(alias=ENV_PUNCH_QUEUE_URL)
    lookback_hours: float = Field(default=24.0, gt=0, le=24 * 31, alias="POLL_LOOKBACK_HOURS")
    """First run (no cursor yet): how far back the first poll reaches."""
    overlap_s: int = Field(default=300, ge=0, le=24 * 3600, alias="POLL_OVERLAP_SECONDS")
    """Each poll re-reads this much before the cursor, for records that become visible late."""
    labor_window_hours: float = Field(default=24.0, gt=0, le=24 * 14, alias="POLL_LABOR_WINDOW_HOURS")
    """Labor entries have no modified filter: entries started this long before the cursor are re-read
    and those changed since it (modifiedDate, else end, else start) are enqueued."""


class ValidatorSettings(PlexSourceSettings, ApprovalSettings):
    audit_table_name: str = Field(alias=ENV_AUDIT_TABLE_NAME)
    idempotency_table_name: str = Field(alias=ENV_IDEMPOTENCY_TABLE_NAME)
    artifacts_bucket_name: str | None = Field(default=None, alias=ENV_ARTIFACTS_BUCKET_NAME)
    """Where the nightly job stores norms; unset = norms computed from each batch's context."""
    idempotency_expires_s: int = Field(default=14 * 24 * 3600, ge=60, alias="IDEMPOTENCY_EXPIRES_SECONDS")
    norms_max_age_s: int = Field(default=600, ge=0, alias="NORMS_MAX_AGE_SECONDS")
    reference_max_age_s: int = Field(default=900, ge=0, alias="REFERENCE_MAX_AGE_SECONDS")
    """How long a warm validator keeps reference data (employees, routings, certifications...)."""


class NormsRefreshSettings(PlexSourceSettings, ApprovalSettings):
    artifacts_bucket_name: str = Field(alias=ENV_ARTIFACTS_BUCKET_NAME)
    audit_table_name: str = Field(alias=ENV_AUDIT_TABLE_NAME)
    history_weeks: int = Field(default=26, ge=1, le=104, alias="NORMS_HISTORY_WEEKS")
    sweep_days: float = Field(default=2.0, gt=0, le=14, alias="SWEEP_DAYS")
