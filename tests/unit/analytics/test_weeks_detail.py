"""`platform.artifacts.WeeksDetail`: analytics_nightly's and incident_trends' request for a report over the weeks
ending on a plant-local day, one model, each function's longest window its own."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from plexlabor.analytics.nightly import AnalyticsNightlyDetail
from plexlabor.incidents.nightly import IncidentTrendsDetail
from plexlabor.platform.artifacts import WeeksDetail

DETAILS = [(AnalyticsNightlyDetail, 26), (IncidentTrendsDetail, 53)]


@pytest.mark.parametrize(("model", "longest"), DETAILS)
def test_a_detail_takes_a_day_and_up_to_its_functions_weeks(model: type[WeeksDetail], longest: int) -> None:
    assert model.model_validate({}).model_dump() == {"as_of": None, "weeks": None}
    parsed = model.model_validate({"as_of": "2026-11-10", "weeks": longest})
    assert (parsed.as_of, parsed.weeks) == (date(2026, 11, 10), longest)


@pytest.mark.parametrize(("model", "longest"), DETAILS)
def test_a_detail_refuses_weeks_outside_its_window(model: type[WeeksDetail], longest: int) -> None:
    for asked in (0, longest + 1):
        with pytest.raises(ValidationError, match="weeks"):
            model.model_validate({"weeks": asked})


@pytest.mark.parametrize("model", [model for model, _ in DETAILS])
def test_a_detail_refuses_a_field_it_does_not_know(model: type[WeeksDetail]) -> None:
    with pytest.raises(ValidationError, match="horizon_days"):
        model.model_validate({"horizon_days": 3})


def test_what_is_not_asked_is_the_day_before_the_event_in_the_plant_and_the_functions_weeks() -> None:
    sent = datetime(2026, 11, 11, 3, 30, tzinfo=UTC)  # 22:30 on the 10th in Detroit: the 9th ended last
    detroit = ZoneInfo("America/Detroit")
    assert IncidentTrendsDetail().asked(sent, detroit, 12) == (date(2026, 11, 9), 12)
    assert AnalyticsNightlyDetail(as_of=date(2026, 11, 1), weeks=2).asked(sent, detroit, 4) == (date(2026, 11, 1), 2)
