"""The plant's validation policy (docs audit s17 H1): `plexlabor:validationPolicy` is validated at synth with the
model the functions read it with, and reaches the functions that validate punches as `VALIDATION_POLICY`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra.config import ConfigError, DeployConfig
from infra.constants import CTX_VALIDATION_POLICY
from infra.function_specs import FUNCTION_SPECS, Need
from infra.testing import CONFIGURED, ConfigValues, Synthesized, synthesize
from infra.wiring import resolve_environment
from plexlabor.intake.settings import PolicySettings
from plexlabor.platform import env
from plexlabor.validation.engine import EngineSettings
from plexlabor.validation.policy import ValidationPolicy

SPECS = {spec.name: spec for spec in FUNCTION_SPECS}
VALIDATING = ["norms_refresh", "punch_validator", "validation_backfill"]
PLANT_FACT_READERS = [
    "allocation_nightly",
    "crew_planner",
    "crew_replan",
    "forecast_nightly",
    "forecast_refresh",
    "incident_trends",
    "skills_daily",
]
POLICY = {"pay_week_starts": "sunday", "grace_minutes": 5, "setup_in_labor": True, "review_threshold": 0.8}


class _Node:
    def __init__(self, context: dict[str, Any]) -> None:
        self.context = context

    def try_get_context(self, key: str) -> Any:
        return self.context.get(key)


def _config(policy: Any) -> DeployConfig:
    return DeployConfig.from_node(_Node({CTX_VALIDATION_POLICY: policy}))  # type: ignore[arg-type]


def _variables(synthesized: Synthesized, name: str) -> dict[str, Any]:
    return dict(synthesized.function(name)["Properties"]["Environment"]["Variables"])


@pytest.fixture(scope="module")
def with_policy(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    names = [*VALIDATING, "punch_poller", "analytics_nightly"]
    return synthesize(tmp_path_factory.mktemp("policy"), names, **{**CONFIGURED, CTX_VALIDATION_POLICY: POLICY})


def test_the_functions_that_validate_punches_are_those_that_get_the_policy() -> None:
    readers = sorted(spec.name for spec in FUNCTION_SPECS if Need.VALIDATION_POLICY in spec.needs)
    # and scorer_retrain (its promotion gate: the policy's review_threshold), web_app (an edit's max_entry_hours)
    # and those that count its plant facts, pay week and certification expiry (test_infra_plant_facts)
    assert readers == sorted([*VALIDATING, "scorer_retrain", "web_app", *PLANT_FACT_READERS])


def test_a_policy_in_context_reaches_the_functions_that_validate_punches_as_they_read_it(
    with_policy: Synthesized,
) -> None:
    for name in VALIDATING:
        given = _variables(with_policy, name)[env.VALIDATION_POLICY]
        # the fields set, nothing else: a default the code changes later still applies to the others
        assert json.loads(given) == {**POLICY, "grace_minutes": 5.0}
        engine = EngineSettings.of(PolicySettings.from_env({env.VALIDATION_POLICY: given}).validation_policy)
        assert (engine.review_threshold, engine.trend_threshold) == (0.8, 0.3)
        assert engine.policy.pay_week_starts == "sunday" and engine.policy.setup_in_labor, name
        assert engine.policy.grace_minutes == 5 and engine.policy.weekly_hours_limit == 55, name
    for name in ("punch_poller", "analytics_nightly"):
        assert env.VALIDATION_POLICY not in _variables(with_policy, name), name


@pytest.mark.parametrize("name", VALIDATING)
def test_without_a_policy_no_variable_is_set_and_the_functions_keep_the_codes_defaults(name: str) -> None:
    given = resolve_environment(SPECS[name], ConfigValues(_config(None)))
    assert env.VALIDATION_POLICY not in given
    assert PolicySettings.from_env(given).validation_policy == ValidationPolicy()


@pytest.mark.parametrize(
    ("policy", "named"),
    [
        ({"pay_week_starts": "sun"}, "pay_week_starts: Input should be 'monday'"),
        ({"grace": 5}, "grace: unknown field"),
        ({"weekly_hours_limit": -1}, "weekly_hours_limit: Input should be greater than 0"),
        ({"review_threshold": 0.2}, "trend_threshold 0.3 is above review_threshold 0.2"),
        ('{"hours_date": "payroll"}', "hours_date: Input should be 'clock_in' or 'shift_work_date'"),
        ("sunday", "not a JSON object"),
        (["pay_week_starts"], "must be a JSON object"),
    ],
)
def test_a_bad_policy_is_refused_at_synth_naming_the_key_and_the_field(policy: Any, named: str) -> None:
    with pytest.raises(ConfigError, match=CTX_VALIDATION_POLICY) as refused:
        _config(policy)
    assert named in str(refused.value)


def test_a_bad_policy_fails_the_synth_itself(tmp_path: Path) -> None:
    bad = {**CONFIGURED, CTX_VALIDATION_POLICY: '{"certification_expiry": 1}'}
    with pytest.raises(ConfigError, match=rf"{CTX_VALIDATION_POLICY}: certification_expiry"):
        synthesize(tmp_path, ["punch_validator"], **bad)


def test_a_policy_given_on_the_command_line_reads_as_the_same_object() -> None:
    # -c plexlabor:validationPolicy='{...}' arrives as a string; cdk.json as an object
    assert _config(json.dumps(POLICY)).validation_policy == _config(POLICY).validation_policy
    assert _config({}).validation_policy is None and _config(None).validation_policy is None
