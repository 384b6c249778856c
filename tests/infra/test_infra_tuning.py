"""Tuning variables (docs audit s17 M3): `plexlabor:tuning` gives each variable to every function whose settings read it
and the stack does not set it, checked at synth by the fields that read it; the docs list exactly those variables."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from infra.config import ConfigError, DeployConfig
from infra.constants import CTX_TUNING, REPO_ROOT
from infra.function_specs import FUNCTION_SPECS
from infra.testing import CONFIGURED, Synthesized, synthesize
from infra.tuning import MANAGED, SPECS, field_problems, settings_models, tunable, tuning_variables
from plexlabor.allocation.wiring import AllocationNightlySettings
from plexlabor.crew.wiring import CrewPlannerSettings, CrewReplanSettings
from plexlabor.forecast.wiring import NightlySettings
from plexlabor.intake.settings import PollerSettings
from plexlabor.platform import env

TUNING = {
    "POLL_LOOKBACK_HOURS": 48,
    "CREW_MAX_CONSECUTIVE_DAYS": 5,
    "FORECAST_SETTINGS": {"alert_margin": 0.2},
    "ALLOCATION_INDIRECT_CODES": ["IND-1", "IND-2"],
}


class _Node:
    def __init__(self, context: dict[str, Any]) -> None:
        self.context = context

    def try_get_context(self, key: str) -> Any:
        return self.context.get(key)


def _config(tuning: Any) -> DeployConfig:
    return DeployConfig.from_node(_Node({CTX_TUNING: tuning}))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def tuned(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    names = ["punch_poller", "crew_planner", "crew_replan", "forecast_nightly", "allocation_nightly", "punch_validator"]
    return synthesize(tmp_path_factory.mktemp("tuned"), names, **{**CONFIGURED, CTX_TUNING: TUNING})


def _read(synthesized: Synthesized, name: str) -> dict[str, str]:
    """The function's variables, a resource's reference read as the text "x"."""
    variables = synthesized.function(name)["Properties"]["Environment"]["Variables"]
    return {key: value if isinstance(value, str) else "x" for key, value in variables.items()}


def test_a_tuning_variable_reaches_every_function_that_reads_it_and_no_other(tuned: Synthesized) -> None:
    # Then each function's own settings read the values given, as the handler will
    assert PollerSettings.from_env(_read(tuned, "punch_poller")).lookback_hours == 48
    assert CrewPlannerSettings.from_env(_read(tuned, "crew_planner")).max_consecutive_days == 5
    assert CrewReplanSettings.from_env(_read(tuned, "crew_replan")).max_consecutive_days == 5
    forecast = NightlySettings.from_env({**_read(tuned, "forecast_nightly"), env.ARTIFACTS_DIR: "/tmp"})
    assert forecast.forecast.alert_margin == 0.2
    allocation = AllocationNightlySettings.from_env(_read(tuned, "allocation_nightly"))
    assert allocation.indirect_codes == ("IND-1", "IND-2")
    # and no function gets a variable its settings do not read
    for name in ("punch_poller", "crew_planner", "crew_replan", "forecast_nightly", "allocation_nightly"):
        assert set(_read(tuned, name)) & set(TUNING) <= set(tunable(SPECS[name])), name
    assert not set(_read(tuned, "punch_validator")) & set(TUNING)


@pytest.mark.parametrize(
    ("tuning", "named"),
    [
        ({"POLL_LOOKBACK_HOURS": 0}, "POLL_LOOKBACK_HOURS=0: Input should be greater than 0"),
        ({"CREW_APPROVAL": "some"}, "CREW_APPROVAL=some: Input should be 'changes', 'all' or 'none'"),
        ({"FORECAST_SETTINGS": {"alert_margins": 0.2}}, 'FORECAST_SETTINGS={"alert_margins":0.2}: alert_margins:'),
        ({"FORECAST_SETTINGS": "{"}, "FORECAST_SETTINGS={: not valid JSON"),
        ({"ALLOCATION_INDIRECT_CODES": []}, "ALLOCATION_INDIRECT_CODES=: Tuple should have at least 1 item"),
        ({"AUDIT_TABLE_NAME": "mine"}, "AUDIT_TABLE_NAME is not a tuning variable (the stack sets it"),
        ({"CREW_CALL_OFF_PERIOD_MINUTES": 3}, "CREW_CALL_OFF_PERIOD_MINUTES is not a tuning variable"),
        ({"PILOT_DEPARTMENTS": "MOLD"}, "PILOT_DEPARTMENTS is not a tuning variable"),
        ({"VALIDATION_POLICY": "{}"}, "VALIDATION_POLICY is not a tuning variable"),
        ({"POLL_LOOKBACK": 48}, "POLL_LOOKBACK is not a tuning variable"),
        (["POLL_LOOKBACK_HOURS"], "must be a JSON object"),
    ],
)
def test_a_bad_tuning_is_refused_at_synth_naming_the_key_the_variable_and_the_problem(tuning: Any, named: str) -> None:
    with pytest.raises(ConfigError, match=CTX_TUNING) as refused:
        _config(tuning)
    assert named in str(refused.value)


def test_a_bad_tuning_fails_the_synth_itself(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=rf"{CTX_TUNING}: SWEEP_DAYS=30: Input should be less than or equal to 14"):
        synthesize(tmp_path, ["norms_refresh"], **{**CONFIGURED, CTX_TUNING: '{"SWEEP_DAYS": 30}'})


def test_every_variable_a_function_reads_is_the_stacks_or_one_of_its_tuning_variables() -> None:
    """What makes `plexlabor.platform.env` (the stack's names) and `infra.tuning` together every name read."""
    for spec in FUNCTION_SPECS:
        tuning = tunable(spec)
        assert not set(tuning) & MANAGED
        for model in settings_models(spec.name):
            for info in model.model_fields.values():
                name = info.alias
                if not name or name.startswith("__") or name.startswith(env.PLEX_PREFIX):
                    continue
                assert name in MANAGED or name in spec.environment or name in tuning, (spec.name, name)


def test_the_codes_defaults_pass_the_check() -> None:
    for spec in FUNCTION_SPECS:
        for name, (model, field_name) in tunable(spec).items():
            default = model.model_fields[field_name].get_default(call_default_factory=True)
            text = default.model_dump_json() if hasattr(default, "model_dump_json") else str(default)
            if isinstance(default, tuple):
                text = ",".join(default)
            assert field_problems(model, field_name, text) == [], (spec.name, name)


def test_deployment_md_lists_every_tuning_variable_with_the_functions_it_goes_to() -> None:
    text = (REPO_ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([A-Z_]+)` \| ([a-z_, ]+) \|", text, flags=re.MULTILINE))
    assert {name: functions.split(", ") for name, functions in rows.items()} == tuning_variables()
