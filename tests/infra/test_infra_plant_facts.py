"""The plant facts of `plexlabor:validationPolicy` (`pay_week_starts`, `overtime_after_hours`, `certification_expiry`)
reach every function that counts weekly overtime or certification validity, by the same variable the validating
functions read: one place for each fact, so allocation, the forecast, skills, the crew plan and incident trends agree
with validation's findings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra.config import DeployConfig
from infra.constants import CTX_VALIDATION_POLICY
from infra.function_specs import FUNCTION_SPECS, Need
from infra.testing import CONFIGURED, ConfigValues, synthesize
from infra.wiring import resolve_environment
from plexlabor.allocation.wiring import AllocationNightlySettings
from plexlabor.crew.wiring import CrewPlannerSettings, CrewReplanSettings
from plexlabor.forecast.wiring import NightlySettings
from plexlabor.incidents.wiring import TrendsSettings
from plexlabor.platform import env
from plexlabor.skills.wiring import SkillsDailySettings
from plexlabor.validation.policy import PolicySettings

SPECS = {spec.name: spec for spec in FUNCTION_SPECS}
FACTS = {"pay_week_starts": "sunday", "certification_expiry": "first_invalid_day", "overtime_after_hours": 38}
READERS: dict[str, type[PolicySettings]] = {
    "allocation_nightly": AllocationNightlySettings,  # pay week: overtime cost
    "crew_planner": CrewPlannerSettings,  # pay week: week hours; expiry: who is qualified
    "crew_replan": CrewReplanSettings,
    "forecast_nightly": NightlySettings,  # pay week: the overtime projection
    "forecast_refresh": NightlySettings,  # and the skill coverage (SkillsDailySettings) on its read
    "incident_trends": TrendsSettings,  # overtime threshold: the overtime beside incidents
    "skills_daily": SkillsDailySettings,  # expiry: matrix, coverage, compliance
}
"""Each function that counts a plant fact, and the settings its handler reads the policy with."""


class _Node:
    def __init__(self, context: dict[str, Any]) -> None:
        self.context = context

    def try_get_context(self, key: str) -> Any:
        return self.context.get(key)


@pytest.mark.parametrize("name", sorted(READERS))
def test_a_function_that_counts_a_plant_fact_gets_the_policy_and_its_settings_read_the_fact(name: str) -> None:
    assert Need.VALIDATION_POLICY in SPECS[name].needs
    config = DeployConfig.from_node(_Node({**CONFIGURED, CTX_VALIDATION_POLICY: FACTS}))  # type: ignore[arg-type]
    given = resolve_environment(SPECS[name], ConfigValues(config))
    assert json.loads(given[env.VALIDATION_POLICY]) == FACTS
    read = READERS[name].from_env(given).validation_policy  # the handler's settings, on the stack's environment
    assert (read.pay_week_starts, read.certification_expiry) == ("sunday", "first_invalid_day")
    assert read.overtime_after_hours == 38


def test_the_synthesized_stack_gives_them_the_policy(tmp_path: Path) -> None:
    synthesized = synthesize(tmp_path, sorted(READERS), **{**CONFIGURED, CTX_VALIDATION_POLICY: FACTS})
    for name in READERS:
        variables = synthesized.function(name)["Properties"]["Environment"]["Variables"]
        assert json.loads(variables[env.VALIDATION_POLICY]) == FACTS, name
