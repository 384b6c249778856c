"""One settings mechanism for every function: a pydantic model of its environment variables.

A handler's settings are read once per cold start (`PerEnvironment`, never at import time); the
domain code receives the model, never `os.environ`. Field aliases are the variable names
(`plexlabor.platform.env`), so a missing or malformed variable is reported by its name. Empty values
count as unset. Fragments several functions share (`PlexConnectionSettings`, `PlexSourceSettings`,
`PlantTimeSettings`, `PilotSettings`, `ApprovalStartSettings`, `PeopleSettings`) are defined here once.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Generic, Self, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from plexlabor.platform import env
from plexlabor.platform.errors import ConfigurationError
from plexlabor.platform.pilot import PilotScope, parse_codes, parse_kinds


class EnvSettings(BaseModel):
    """Base of every function's settings."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    @classmethod
    def variable_names(cls, environ: Mapping[str, str]) -> list[str]:
        """The variables this model reads (and where its AWS clients go)."""
        names = {f.alias for f in cls.model_fields.values() if f.alias and not f.alias.startswith("__")}
        return sorted(names | set(env.AWS_CLIENT))

    @classmethod
    def fingerprint(cls, environ: Mapping[str, str] | None = None) -> tuple[tuple[str, str | None], ...]:
        environ = os.environ if environ is None else environ
        return tuple((name, environ.get(name)) for name in cls.variable_names(environ))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        """Read the model from `environ` (default: the process environment); errors name the variable."""
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


class PlexConnectionSettings(EnvSettings):
    """Where Plex is: the `PLEXLABOR_PLEX_*` variables (`plexlabor.plex.settings`), and the API key
    from the Secrets Manager secret `PLEX_API_KEY_SECRET_ARN` (on AWS; a local run may set
    `PLEXLABOR_PLEX_API_KEY` instead). `plexlabor.plex.sources.plex_settings_from` reads them."""

    plex_api_key_secret_arn: str | None = Field(default=None, alias=env.PLEX_API_KEY_SECRET_ARN)
    plex_env: dict[str, str] = Field(default_factory=dict, alias="__plex_env__")
    """The `PLEXLABOR_PLEX_*` variables, captured with the rest (read by plexlabor.plex.settings)."""

    @model_validator(mode="before")
    @classmethod
    def _capture_plex_env(cls, values: Any) -> Any:
        if isinstance(values, Mapping) and "__plex_env__" not in values:
            plex = {k: str(v) for k, v in values.items() if isinstance(k, str) and k.startswith(env.PLEX_PREFIX)}
            values = {**values, "__plex_env__": plex}
        return values

    @classmethod
    def variable_names(cls, environ: Mapping[str, str]) -> list[str]:
        """Also every `PLEXLABOR_PLEX_*` variable: changing one rebuilds the Plex client."""
        plex = {name for name in environ if name.startswith(env.PLEX_PREFIX)}
        return sorted(set(super().variable_names(environ)) | plex)


def known_zone(value: str | None) -> str | None:
    """`value` when it is an IANA time zone (or None); a ValueError saying so otherwise."""
    if value is not None:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}' (an IANA name, e.g. America/Detroit)") from None
    return value


PlantZone = Annotated[str | None, AfterValidator(known_zone), Field(alias=env.TIMEZONE)]
"""The plant's IANA time zone, `PLEXLABOR_TIMEZONE` (checked by `known_zone`)."""


DEFAULT_JOB_LEAD_DAYS = 10.0
"""`PLEXLABOR_JOB_LEAD_DAYS` unset: the simulator's jobs are due 10 days after they are released."""


class PlexSourceSettings(PlexConnectionSettings):
    """Where labor data is read: a plant folder (`PLEXLABOR_PLANT_DIR`, local runs and tests) or Plex
    (`PlexConnectionSettings`)."""

    plant_dir: str | None = Field(default=None, alias=env.PLANT_DIR)
    timezone: PlantZone = None
    job_lead_days: float = Field(default=DEFAULT_JOB_LEAD_DAYS, gt=0, le=366, alias=env.JOB_LEAD_DAYS)
    """At most this long before its due date is a job's first operation scheduled (the tenant's planning): a
    crew read asks only for the operations of jobs that can run near the shift (`plex.snapshot.JobsNear`)."""

    @model_validator(mode="after")
    def _zone_for_plex(self) -> Self:
        if self.plant_dir is None and self.timezone is None:
            raise ValueError(f"{env.TIMEZONE} is required when reading Plex (no {env.PLANT_DIR} is set)")
        return self


class PilotSettings(EnvSettings):
    """The phased rollout (`plexlabor.platform.pilot`, `docs/rollout.md`): where and what may go for
    review. `PILOT_DEPARTMENTS`, `PILOT_WORKCENTERS`, `PILOT_SHIFTS` (comma-separated codes; unset =
    the whole plant), `NOTIFY_KINDS` (comma-separated review kinds; unset = every kind),
    `ADVISORY_MODE` (true: record everything, notify nobody; default false)."""

    pilot_departments: tuple[str, ...] = Field(default=(), alias=env.PILOT_DEPARTMENTS)
    pilot_workcenters: tuple[str, ...] = Field(default=(), alias=env.PILOT_WORKCENTERS)
    pilot_shifts: tuple[str, ...] = Field(default=(), alias=env.PILOT_SHIFTS)
    notify_kinds: tuple[str, ...] = Field(default=(), alias=env.NOTIFY_KINDS)
    advisory_mode: bool = Field(default=False, alias=env.ADVISORY_MODE)

    @field_validator("pilot_departments", "pilot_workcenters", "pilot_shifts", mode="before")
    @classmethod
    def _codes(cls, value: Any) -> tuple[str, ...]:
        return parse_codes(value)

    @field_validator("notify_kinds", mode="before")
    @classmethod
    def _kinds(cls, value: Any) -> tuple[str, ...]:
        return parse_kinds(value)

    @property
    def pilot_scope(self) -> PilotScope:
        return PilotScope(
            departments=self.pilot_departments,
            workcenters=self.pilot_workcenters,
            shifts=self.pilot_shifts,
            notify_kinds=self.notify_kinds,
            advisory=self.advisory_mode,
        )


class ApprovalStartSettings(PilotSettings):
    """What a function that opens supervisor approvals needs; it opens them only inside the pilot scope
    (`PilotSettings`). `DEFAULT_SUPERVISOR_ID` (who approves a finding about an employee with no
    `supervisorId`, or one Plex does not know) is required while approvals are on: without it such a
    finding has nobody to go to. Only advisory mode, where nobody is asked, runs without it."""

    approval_state_machine_arn: str = Field(alias=env.APPROVAL_STATE_MACHINE_ARN)
    default_supervisor_id: str | None = Field(default=None, alias=env.DEFAULT_SUPERVISOR_ID)
    approval_wait_s: int = Field(default=8 * 3600, ge=1, le=7 * 24 * 3600, alias=env.APPROVAL_WAIT_SECONDS)

    @model_validator(mode="after")
    def _someone_approves(self) -> Self:
        if not self.advisory_mode and not (self.default_supervisor_id or "").strip():
            raise ValueError(
                f"{env.DEFAULT_SUPERVISOR_ID} is required while approvals are on ({env.ADVISORY_MODE} is not true): "
                "the employee id of who approves findings about employees with no supervisor"
            )
        return self


class PlantTimeSettings(EnvSettings):
    """The plant's time zone, for every time a person reads (`PLEXLABOR_TIMEZONE`; unset: UTC)."""

    timezone: PlantZone = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone or "UTC")


def json_object(value: Any) -> dict[str, Any]:
    """A setting given as a JSON object, as text (an environment variable, `cdk deploy -c key='{...}'`) or already
    parsed (cdk.json): the object; a ValueError saying where the text is not JSON, or what it is instead."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise ValueError(f"not a JSON object: {error.msg} (line {error.lineno}, column {error.colno})") from None
    if not isinstance(value, Mapping):
        raise ValueError(f"must be a JSON object, got {type(value).__name__}")
    return dict(value)


NAME_ROLES: tuple[str, ...] = ("supervisor", "planner", "hr", "ehs", "admin", "operator")
"""The web app's roles (its Cognito groups, `plexlabor.review.queue.Role`), in this order."""
NOBODY = "none"
"""`SHOW_NAMES_TO=none`: nobody sees names, everyone sees employee numbers."""


def parse_name_roles(value: Any) -> tuple[str, ...]:
    """Who may see people's names: roles as a list or one comma-separated string (any case), or
    `none`. None or nothing given: every role. An unknown role is a ValueError naming it."""
    items = [] if value is None else value.split(",") if isinstance(value, str) else list(value)
    given = {str(item).strip().lower() for item in items if str(item).strip()}
    if not given:
        return NAME_ROLES
    if given == {NOBODY}:
        return ()
    unknown = sorted(given - set(NAME_ROLES))
    if unknown:
        raise ValueError(f"unknown role '{unknown[0]}' (roles: {', '.join(NAME_ROLES)}; or {NOBODY})")
    return tuple(role for role in NAME_ROLES if role in given)


class PeopleSettings(EnvSettings):
    """Who sees people's names (`SHOW_NAMES_TO`, default every role); the others see employee numbers."""

    show_names_to: tuple[str, ...] = Field(default=NAME_ROLES, alias=env.SHOW_NAMES_TO)

    @field_validator("show_names_to", mode="before")
    @classmethod
    def _roles(cls, value: Any) -> tuple[str, ...]:
        return parse_name_roles(value)
