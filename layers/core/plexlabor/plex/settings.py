"""Configuration of the Plex clients: one pydantic model, read lazily from `PLEXLABOR_PLEX_*` variables.

Nothing here reads the environment at import time. `load_plex_settings()` builds the settings once per
process (once per Lambda cold start) and caches them; tests call `plex_settings_from_env({...})` or
build `PlexSettings(...)` directly.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr, field_validator

from plexlabor.plex.defaults import (
    DEFAULT_BASE_URL,
    DEFAULT_DATASOURCE_BASE_URL,
    DEFAULT_DATASOURCE_DATE_INPUTS,
    DEFAULT_DATASOURCE_FIELDS,
    DEFAULT_DATASOURCE_IDS,
    DEFAULT_RESOURCE_PATHS,
)

ENV_PREFIX = "PLEXLABOR_PLEX_"

WriteMode = Literal["dry_run", "custom_object", "direct"]


INTERACTIVE_LIMITS = {"timeout_s": 4.0, "connect_timeout_s": 2.0, "max_retries": 0, "rate_limited_patience_s": 0.0}
"""The limits of a read of Plex a person waits on (a page's names, a form's workcenters and shifts, the check of
a job typed in the copilot or an incident report; `PlexSettings.interactive`): one attempt, 2 s to connect and
4 s to answer, no 429 waited out, so a slow, busy or down Plex costs one short wait well inside the function's
timeout (API Gateway's 29 s), then the caller goes on without it. The defaults below are the batch reads' (4 retries
of 30 s)."""


class PlexSettings(BaseModel):
    """Everything the Connect REST and Data Source clients need. Secrets are `SecretStr`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Connect REST
    base_url: str = DEFAULT_BASE_URL
    api_key: SecretStr = Field(description="X-Plex-Connect-Api-Key (the consumer key of the app)")
    tenant_id: str | None = Field(default=None, description="sent as X-Plex-Connect-Tenant-Id")
    customer_id: str | None = Field(default=None, description="the PCN, sent as X-Plex-Connect-Customer-Id")
    rate_limit_per_minute: int = Field(default=180, ge=0, description="client-side limit; 0 = none")
    rate_limit_burst: int = Field(default=10, ge=1, description="calls allowed back to back")
    timeout_s: float = Field(default=30.0, gt=0, description="read timeout per attempt")
    connect_timeout_s: float = Field(default=5.0, gt=0)
    max_retries: int = Field(default=4, ge=0, description="retries of GETs (and of idempotent POSTs)")
    backoff_factor: float = Field(default=0.5, ge=0, description="exponential backoff base, seconds")
    backoff_jitter_s: float = Field(default=0.5, ge=0, description="random extra wait per retry")
    backoff_max_s: float = Field(default=30.0, ge=0)
    retry_after_max_s: int = Field(default=60, ge=0, description="cap on a server's Retry-After")
    rate_limited_patience_s: float = Field(
        default=600.0,
        ge=0,
        description="how long one read may wait out 429s in all (no retry of max_retries spent); never past the "
        "invocation's remaining time less plex.transport.DEADLINE_MARGIN_S",
    )
    date_chunk_days: int = Field(default=7, ge=1, description="date windows are read in pieces this long")
    resource_paths: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_RESOURCE_PATHS))
    verify_tls: bool = True

    # Data Source API
    datasource_base_url: str = DEFAULT_DATASOURCE_BASE_URL
    datasource_username: SecretStr | None = None
    datasource_password: SecretStr | None = None
    datasource_format: int | None = Field(
        default=None, description="sent as ?format=N when set (public clients use 2 for `rows` objects)"
    )
    datasources: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_DATASOURCE_IDS))
    datasource_fields: dict[str, dict[str, str]] = Field(
        default_factory=lambda: {name: dict(cols) for name, cols in DEFAULT_DATASOURCE_FIELDS.items()}
    )
    datasource_date_inputs: tuple[str, str] = DEFAULT_DATASOURCE_DATE_INPUTS
    datasource_row_limit: Literal["raise", "warn"] = "raise"
    job_keys_per_call: int = Field(
        default=200, ge=1, le=2000, description="jobs per call of the `job-operations` data source, where configured"
    )

    # Write-back
    write_mode: WriteMode = "dry_run"
    custom_object_name: str = "plexlabor_suggestions"
    crew_custom_object_name: str = "plexlabor_crew_assignments"
    """Where approved crew assignments go (`plexlabor.approval.recommendations`)."""
    incident_custom_object_name: str = "plexlabor_incidents"
    """Where incidents go once the EHS lead confirmed them (`plexlabor.approval.recommendations`)."""
    incident_write_target: Literal["custom_object", "nonconformance"] = "custom_object"
    """A confirmed incident becomes a record of `incident_custom_object_name`, or a nonconformance record
    (the `nonconformance-create` resource, through the write mode like any other write)."""
    copilot_custom_object_name: str = "plexlabor_copilot_interactions"
    """Where each copilot question and answer is recorded against its job (`plexlabor.copilot.interactions`)."""
    _from_plex_secret: bool = PrivateAttr(default=False)

    @property
    def from_plex_secret(self) -> bool:
        """The credentials come from the Plex secret (`plex_settings_from_env(..., secret=...)`, as on AWS, where
        the stack passes no credential variable): an error about a missing one names the secret's JSON form."""
        return self._from_plex_secret

    @field_validator("resource_paths", "datasources", mode="before")
    @classmethod
    def _merge_flat_defaults(cls, value: Any, info: Any) -> Any:
        """A partial map overrides the defaults entry by entry instead of dropping the rest."""
        defaults = DEFAULT_RESOURCE_PATHS if info.field_name == "resource_paths" else DEFAULT_DATASOURCE_IDS
        if isinstance(value, Mapping):
            return {**defaults, **value}
        return value

    @field_validator("datasource_fields", mode="before")
    @classmethod
    def _merge_field_maps(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            merged = {name: dict(cols) for name, cols in DEFAULT_DATASOURCE_FIELDS.items()}
            for name, cols in value.items():
                merged[name] = {**merged.get(name, {}), **dict(cols)}
            return merged
        return value

    @field_validator("base_url", "datasource_base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    def interactive(self) -> PlexSettings:
        """These settings with `INTERACTIVE_LIMITS`, for a read a person waits on."""
        return self.model_copy(update=INTERACTIVE_LIMITS)

    @property
    def timeouts(self) -> tuple[float, float]:
        """(connect, read) seconds, as `requests` takes a timeout."""
        return (self.connect_timeout_s, self.timeout_s)

    def path_for(self, resource: str) -> str:
        """The path template of a logical resource; a clear error names the setting to fix."""
        try:
            return self.resource_paths[resource]
        except KeyError:
            raise KeyError(f"no path configured for Plex resource '{resource}' ({ENV_PREFIX}RESOURCE_PATHS)") from None

    def datasource_id(self, name: str) -> int:
        try:
            return self.datasources[name]
        except KeyError:
            raise KeyError(f"no data source id configured for '{name}' ({ENV_PREFIX}DATASOURCES)") from None


_JSON_FIELDS = {"resource_paths", "datasources", "datasource_fields", "datasource_date_inputs"}


_SECRET_FIELDS = {
    "api_key": "api_key",
    "apiKey": "api_key",
    "datasource_username": "datasource_username",
    "datasourceUsername": "datasource_username",
    "datasource_password": "datasource_password",
    "datasourcePassword": "datasource_password",
}


def parse_plex_secret(value: str) -> dict[str, str]:
    """The PlexSettings fields a secret value provides (never logged, never echoed in errors).

    The Plex secret (`PLEX_API_KEY_SECRET_ARN`) holds the Connect API key as plain text, or a JSON
    object that may add the Data Source API credentials:
    `{"api_key": "...", "datasource_username": "...", "datasource_password": "..."}`.
    """
    text = value.strip()
    if text.startswith("{"):
        try:
            raw = json.loads(text)
        except json.JSONDecodeError:
            raise ValueError("the Plex secret looks like JSON but does not parse") from None
        fields = {_SECRET_FIELDS[k]: str(v) for k, v in raw.items() if k in _SECRET_FIELDS and v}
        if "api_key" not in fields:
            raise ValueError("the Plex secret (JSON) has no api_key")
        return fields
    if not text:
        raise ValueError("the Plex secret is empty")
    return {"api_key": text}


def plex_settings_from_env(environ: Mapping[str, str], *, secret: str | None = None, **overrides: Any) -> PlexSettings:
    """Build settings from `PLEXLABOR_PLEX_<FIELD>` variables (maps as JSON); the fields of the Plex secret's
    value `secret` (`parse_plex_secret`) win over them, and `overrides` over both.

    Example: `PLEXLABOR_PLEX_API_KEY`, `PLEXLABOR_PLEX_DATASOURCES='{"shifts": 4711}'`.
    """
    values: dict[str, Any] = {}
    for name in PlexSettings.model_fields:
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw is None or raw == "":
            continue
        if name in _JSON_FIELDS:
            try:
                values[name] = json.loads(raw)
            except json.JSONDecodeError as error:
                raise ValueError(f"{ENV_PREFIX}{name.upper()} is not valid JSON: {error.msg}") from None
        else:
            values[name] = raw
    values.update(parse_plex_secret(secret) if secret is not None else {})
    values.update(overrides)
    settings = PlexSettings.model_validate(values)
    settings._from_plex_secret = secret is not None
    return settings


@lru_cache(maxsize=1)
def load_plex_settings() -> PlexSettings:
    """The process-wide settings, read from the environment on first use and cached.

    `load_plex_settings.cache_clear()` forgets them (tests, or after rotating a secret).
    """
    return plex_settings_from_env(os.environ)


_SHOWN_FIRST = frozenset(
    {
        "base_url",
        "api_key",
        "tenant_id",
        "customer_id",
        "datasource_base_url",
        "datasource_username",
        "datasource_password",
        "timeout_s",
        "connect_timeout_s",
        "max_retries",
        "rate_limit_per_minute",
    }
)
_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def _shown(value: Any, default: Any) -> str:
    """A setting as the banner shows it: a map's changed entries, JSON for a pair, never a secret."""
    if isinstance(value, SecretStr):
        return "set"
    if isinstance(value, dict):
        return json.dumps({k: v for k, v in value.items() if default.get(k) != v})
    return json.dumps(value) if isinstance(value, tuple) else str(value)


def describe_plex_settings(settings: PlexSettings) -> list[str]:
    """The settings in force, a few lines for a banner: both base URLs, who signs in (never a secret's
    value), the limits, every other setting that differs from its default, and a warning when Connect
    is local but the Data Source API still goes to the cloud default."""

    def which(value: SecretStr | None) -> str:
        return "set" if value is not None and value.get_secret_value() else "NOT SET"

    def default_of(name: str) -> Any:
        field = PlexSettings.model_fields[name]
        return field.default_factory() if field.default_factory is not None else field.default  # type: ignore[call-arg]

    data_source_default = " (the default)" if settings.datasource_base_url == DEFAULT_DATASOURCE_BASE_URL else ""
    user = settings.datasource_username.get_secret_value() if settings.datasource_username else "NOT SET"
    lines = [
        f"Connect REST  {settings.base_url}  key {which(settings.api_key)}, tenant {settings.tenant_id or '-'}, "
        f"customer {settings.customer_id or '-'}",
        f"Data Source   {settings.datasource_base_url}{data_source_default}  user {user}, "
        f"password {which(settings.datasource_password)}",
        f"limits        timeout {settings.timeout_s:g} s (connect {settings.connect_timeout_s:g} s), "
        f"{settings.max_retries} retries, {settings.rate_limit_per_minute or 'no'} calls/min",
    ]
    changed = []
    for name in PlexSettings.model_fields:
        value = getattr(settings, name)
        if name in _SHOWN_FIRST or value == default_of(name):
            continue
        changed.append(f"{ENV_PREFIX}{name.upper()}={_shown(value, default_of(name))}")
    if changed:
        lines.append("also          " + ", ".join(changed))
    if data_source_default and any(host in settings.base_url for host in _LOOPBACK):
        lines.append(
            f"warning       Connect is local but the Data Source API goes to {settings.datasource_base_url}; "
            f"set {ENV_PREFIX}DATASOURCE_BASE_URL={settings.base_url} for the simulator"
        )
    return lines
