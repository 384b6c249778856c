"""crew_planner plans no farther ahead than the crew board and re-plans look (`crew.suggestions.PLAN_HORIZON_DAYS`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from plexlabor.crew.service import CrewPlannerEvent
from plexlabor.crew.suggestions import PLAN_HORIZON_DAYS

EVENT = json.loads((Path(__file__).parents[3] / "events" / "crew_planner.json").read_text())  # time 2026-11-22T20:00Z


def _event(**detail: Any) -> CrewPlannerEvent:
    return CrewPlannerEvent.model_validate(EVENT | {"detail": detail})


def test_a_day_within_the_horizon_is_planned() -> None:
    assert PLAN_HORIZON_DAYS == 7
    assert str(_event(date="2026-11-29").detail.day) == "2026-11-29"
    assert _event(days_ahead=7).detail.days_ahead == 7


def test_a_day_beyond_the_horizon_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError, match=r"date 2026-11-30 is more than 7 days after the run \(2026-11-22\)"):
        _event(date="2026-11-30")
    with pytest.raises(ValidationError, match="days_ahead"):
        _event(days_ahead=8)
