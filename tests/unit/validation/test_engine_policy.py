"""Plant policy as configuration (issue 11): what a certification's expiry date means, tested at the boundary."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from plant_builder import SKILL, PlantBuilder

from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.engine import EngineSettings, ValidationEngine
from plexlabor.validation.norms import compute_norms
from plexlabor.validation.policy import PunchPolicy

A = AnomalyType
TUESDAY = date(2026, 11, 17)


@pytest.mark.parametrize(
    ("meaning", "worked", "uncertified"),
    [
        ("last_valid_day", TUESDAY, False),
        ("first_invalid_day", TUESDAY, True),
        ("first_invalid_day", TUESDAY - timedelta(days=1), False),
        ("last_valid_day", TUESDAY + timedelta(days=1), True),
    ],
    ids=["last-valid-on-the-day", "first-invalid-on-the-day", "first-invalid-the-day-before", "last-valid-day-after"],
)
def test_the_expiry_dates_meaning_decides_whether_work_on_that_day_is_certified(
    meaning: str, worked: date, uncertified: bool
) -> None:
    # Given E1's certification for WC1 expires on Tuesday and is renewed a week later
    plant = PlantBuilder(weeks=8).employee("E1", certified_until=TUESDAY)
    plant.certification("E1", SKILL, 2, TUESDAY + timedelta(days=7), date(2028, 12, 31))
    day = plant.work_day("E1", worked)
    data = plant.build()
    policy = PunchPolicy(certification_expiry=meaning)  # type: ignore[arg-type]
    engine = ValidationEngine(settings=EngineSettings(policy=policy))
    # When the engine validates the plant
    findings = engine.batch(data, compute_norms(data))
    flagged = {f.record_key for f in findings if f.anomaly_type == A.UNCERTIFIED_OPERATOR}
    # Then that day's labor is uncertified exactly when the policy says the certification had lapsed
    assert flagged & set(day.labor_keys) == (set(day.labor_keys) if uncertified else set())


def test_an_unknown_expiry_meaning_is_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match="certification_expiry"):
        PunchPolicy(certification_expiry="end_of_month")  # type: ignore[arg-type]
