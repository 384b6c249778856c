"""Tuning: the variables functions' settings read that the stack does not set, given at deploy time.

`plexlabor:tuning` is `{"<VARIABLE>": value}`, e.g. `{"POLL_LOOKBACK_HOURS": 48, "CREW_TIME_LIMIT_SECONDS": 120,
"FORECAST_SETTINGS": {"alert_margin": 0.2}}`. Each variable goes to every function whose settings models
(`SETTINGS_MODELS`) read it and the stack does not set it (`tunable`), so functions that read the same variable
(crew_planner and crew_replan, skills_daily and forecast_refresh, ...) never disagree. What the stack manages is not
tuning: tables, queues, secrets, Plex (`plexlabor:plexSettings`), the plant settings of their own context keys
(`infra.wiring`) and a spec's own variables (crew_call_offs' period). A value is a JSON string, number or flag, a list
(comma-separated codes) or an object (JSON, as FORECAST_SETTINGS); it is checked at synth by each model field that
reads it, as the function will read it, so a bad one fails synth naming the variable and the problem. A variable not
given keeps the code's default.

Pure data and pydantic: no CDK import. The functions' settings models are imported only when something is tuned.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

import plexlabor.platform.env as env
from infra.constants import ENV_QUEUE_URL, ENV_SECRET_ARN
from infra.function_specs import FUNCTION_SPECS, FunctionSpec
from infra.wiring import COMMON_SOURCES, ENV_TABLE_NAME, NEED_SOURCES

SETTINGS_MODELS: dict[str, tuple[str, ...]] = {
    "punch_webhook": ("plexlabor.intake.settings:WebhookSettings",),
    "punch_poller": ("plexlabor.intake.settings:PollerSettings",),
    "punch_validator": ("plexlabor.intake.settings:ValidatorSettings",),
    "norms_refresh": ("plexlabor.intake.settings:NormsRefreshSettings",),
    "validation_backfill": ("plexlabor.intake.settings:NormsRefreshSettings",),  # norms_refresh's wiring
    "skills_daily": ("plexlabor.skills.wiring:SkillsDailySettings",),
    "analytics_nightly": ("plexlabor.analytics.wiring:AnalyticsNightlySettings",),
    "allocation_nightly": ("plexlabor.allocation.wiring:AllocationNightlySettings",),
    "crew_planner": ("plexlabor.crew.wiring:CrewPlannerSettings",),
    "crew_replan": ("plexlabor.crew.wiring:CrewReplanSettings",),
    "crew_call_offs": ("plexlabor.crew.wiring:CrewCallOffSettings",),
    "forecast_nightly": ("plexlabor.forecast.wiring:NightlySettings",),
    # plexlabor.intraday: the forecasts and the skill coverage, with forecast_nightly's and skills_daily's wiring
    "forecast_refresh": ("plexlabor.forecast.wiring:NightlySettings", "plexlabor.skills.wiring:SkillsDailySettings"),
    "approval_notify": ("plexlabor.approval.settings:NotifySettings",),
    "approval_callback": ("plexlabor.approval.settings:CallbackSettings",),
    # the sign-in routes build their own settings (they need no table); the incident form reads whether recordings
    # are transcribed
    "web_app": (
        "plexlabor.webapp.app:WebAppSettings",
        "plexlabor.webapp.auth:SignInSettings",
        "plexlabor.incidents.spoken:SpokenReportSettings",
    ),
    "web_authorizer": ("plexlabor.webapp.auth:AuthorizerSettings",),
    "plex_writeback": ("plexlabor.approval.settings:WritebackSettings",),
    "review_sweep": ("plexlabor.review.wiring:ReviewSweepSettings",),
    "scorer_retrain": ("plexlabor.learning.wiring:RetrainSettings",),
    "incident_log": ("plexlabor.incidents.wiring:IncidentSettings",),
    "copilot_ask": ("plexlabor.copilot.wiring:CopilotSettings",),
    "copilot_index": ("plexlabor.platform.artifacts:RequiredArtifactSettings",),
    "incident_trends": ("plexlabor.incidents.wiring:TrendsSettings",),
    "incident_retrain": ("plexlabor.incidents.wiring:RetrainEnvSettings",),
}
"""The pydantic settings models each function's dependencies are built from (its capability's wiring), first the
one its handler builds."""

SPECS = {spec.name: spec for spec in FUNCTION_SPECS}

MANAGED: frozenset[str] = frozenset(
    {
        *COMMON_SOURCES,
        *(name for sources in NEED_SOURCES.values() for name in sources),
        *ENV_TABLE_NAME.values(),
        *ENV_QUEUE_URL.values(),
        *ENV_SECRET_ARN.values(),
        env.ARTIFACTS_BUCKET_NAME,
        env.MAX_RECEIVE_COUNT,
        env.PLANT_DIR,  # local runs only
        env.ARTIFACTS_DIR,
        *env.AWS_CLIENT,
    }
)
"""Variables the stack (or only the local runtime) sets: never tuned. So are `PLEXLABOR_PLEX_*` (their context keys)
and each spec's own variables."""


def settings_models(function: str) -> tuple[type[BaseModel], ...]:
    """The settings models of `function` (`SETTINGS_MODELS`), imported."""
    models = []
    for path in SETTINGS_MODELS[function]:
        module, attribute = path.split(":")
        models.append(getattr(importlib.import_module(module), attribute))
    return tuple(models)


def tunable(spec: FunctionSpec) -> dict[str, tuple[type[BaseModel], str]]:
    """The variables `spec`'s function may be tuned with, each with the model and field that read it."""
    found: dict[str, tuple[type[BaseModel], str]] = {}
    for model in settings_models(spec.name):
        for field_name, info in model.model_fields.items():
            name = info.alias
            if not name or name.startswith("__") or name.startswith(env.PLEX_PREFIX):
                continue
            if name not in MANAGED and name not in spec.environment:
                found.setdefault(name, (model, field_name))
    return dict(sorted(found.items()))


def variable_text(value: Any) -> str:
    """A context value as the variable's text: a flag true/false, a list comma-separated, an object JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    return str(value)


def field_problems(model: type[BaseModel], field_name: str, text: str) -> list[str]:
    """What the field reading a variable says of `text` (none: it reads it). Only that field's validators and
    constraints run: the rest of the model (its other variables, its checks across them) is the stack's."""
    # pydantic validates one field of a model, with the model's own field validators (FORECAST_SETTINGS' JSON,
    # ALLOCATION_INDIRECT_CODES' codes), only on assignment; a TypeAdapter of the field's type would skip them.
    # The model's checks across fields run too, on defaults: their errors (no field in `loc`) are not the variable's.
    try:
        model.__pydantic_validator__.validate_assignment(model.model_construct(), field_name, text)
    except ValidationError as error:
        return [
            ": ".join([*(str(part) for part in problem["loc"][1:]), str(problem["msg"]).removeprefix("Value error, ")])
            for problem in error.errors()
            if problem["loc"][:1] == (field_name,)
        ]
    return []


def tuning_variables() -> dict[str, list[str]]:
    """Every tuning variable, with the functions it goes to."""
    found: dict[str, list[str]] = {}
    for name, spec in SPECS.items():
        for variable in tunable(spec):
            found.setdefault(variable, []).append(name)
    return dict(sorted(found.items()))


def read_tuning(value: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """`plexlabor:tuning` read and checked: per function, the texts of the variables it reads. A ValueError names a
    variable no function may be tuned with, or one a function reads otherwise than given."""
    if not value:
        return {}
    allowed = {name: tunable(spec) for name, spec in SPECS.items()}
    known = sorted({variable for variables in allowed.values() for variable in variables})
    read: dict[str, dict[str, str]] = {}
    for variable, given in value.items():
        if variable not in known:
            raise ValueError(
                f"{variable} is not a tuning variable (the stack sets it, or no function reads it); "
                f"tuning variables: {', '.join(known)}"
            )
        text = variable_text(given)
        for function, variables in allowed.items():
            if variable not in variables:
                continue
            problems = field_problems(*variables[variable], text)
            if problems:
                raise ValueError(f"{variable}={text}: {'; '.join(problems)}")
            read.setdefault(function, {})[variable] = text
    return read
