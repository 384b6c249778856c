"""A plant's validation policy reaches the engine through the environment (`VALIDATION_POLICY`, set by the stack
from `plexlabor:validationPolicy`): the functions that validate punches build their engine from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from plant_builder import PlantBuilder
from test_engine_policy import sunday_to_saturday_week

from plexlabor.intake import validator, wiring
from plexlabor.intake.settings import NormsRefreshSettings, ValidatorSettings
from plexlabor.models.anomalies import AnomalyType
from plexlabor.platform import env
from plexlabor.platform.errors import ConfigurationError
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.norms import compute_norms


def environment(tmp_path: Path, policy: str | None) -> dict[str, str]:
    """What the stack gives norms_refresh and punch_validator (a plant folder for Plex), with `policy` if any."""
    given = {
        env.PLANT_DIR: str(tmp_path),
        env.TIMEZONE: "America/Detroit",
        env.ARTIFACTS_BUCKET_NAME: "artifacts",
        env.AUDIT_TABLE_NAME: "audit",
        env.IDEMPOTENCY_TABLE_NAME: "idempotency",
        env.APPROVAL_STATE_MACHINE_ARN: "arn:aws:states:us-east-1:123456789012:stateMachine:approval",
        env.ADVISORY_MODE: "true",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",  # clients are made, never called
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    return given if policy is None else {**given, env.VALIDATION_POLICY: policy}


def overtime_weeks(engine: ValidationEngine) -> list[str]:
    plant = PlantBuilder(weeks=8).employee("E1")
    sunday_to_saturday_week(plant)  # 55.1 h from Sunday 8 to Friday 13 November 2026
    data = plant.build()
    findings = engine.batch(data, compute_norms(data))
    return [f.evidence["week"] for f in findings if f.anomaly_type == AnomalyType.EXCESSIVE_OVERTIME]


@pytest.mark.parametrize(
    ("policy", "weeks"),
    [('{"pay_week_starts": "sunday"}', ["2026-11-08"]), (None, [])],
    ids=["sunday-pay-weeks", "unset-iso-weeks"],
)
def test_the_nightly_sweep_counts_weekly_hours_in_the_pay_week_its_environment_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, policy: str | None, weeks: list[str]
) -> None:
    # Given norms_refresh's environment with Sunday-to-Saturday pay weeks (or no policy: ISO weeks)
    given = environment(tmp_path, policy)
    for name, value in given.items():
        monkeypatch.setenv(name, value)
    # When norms_refresh builds its engine from that environment and validates a 55.1 h Sunday-Saturday week
    deps = wiring.build_norms_refresh(NormsRefreshSettings.from_env(given))
    # Then the week is over the 55 h limit only when it is counted from Sunday
    assert overtime_weeks(deps.engine) == weeks


def test_the_validator_builds_its_engine_from_the_environments_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    given = environment(tmp_path, '{"pay_week_starts": "sunday", "review_threshold": 0.8, "setup_in_labor": true}')
    for name, value in given.items():
        monkeypatch.setenv(name, value)
    engine = validator.build_dependencies.build(ValidatorSettings.from_env(given)).engine
    assert engine.settings.review_threshold == 0.8 and engine.settings.trend_threshold == 0.3
    assert engine.settings.policy.pay_week_starts == "sunday" and engine.settings.policy.setup_in_labor
    assert overtime_weeks(engine) == ["2026-11-08"]


@pytest.mark.parametrize(
    ("policy", "named"),
    [
        ('{"pay_week_starts": "sun"}', "pay_week_starts"),
        ('{"grace": 5}', "grace: unknown field"),
        ('{"trend_threshold": 0.8}', "trend_threshold 0.8 is above review_threshold 0.7"),
        ("pay_week_starts=sunday", "not a JSON object"),
    ],
)
def test_a_bad_policy_in_the_environment_is_refused_naming_the_variable_and_the_field(
    tmp_path: Path, policy: str, named: str
) -> None:
    with pytest.raises(ConfigurationError, match=env.VALIDATION_POLICY) as refused:
        NormsRefreshSettings.from_env(environment(tmp_path, policy))
    assert named in str(refused.value)
