"""The intraday refresh of the dashboards' data (issue 10): the forecasts with the model in force and the
skill coverage, on one read of the plant's data. forecast_refresh runs it hourly through the plant's day
(skills_daily assesses the day once in the morning).

Run apart, forecast_refresh and skills_daily would each read their own snapshot of the same plant; on a
5,000-person plant the read is most of each run (`docs/forecast.md`). `run` reads once what both need
(`plex.held.hold`: the reference kinds of both, each windowed kind over the span of both windows), then runs
`forecast.nightly.refresh` and `skills.service.run` on that read, each seeing exactly the records its own
read would have returned (a window it asks beyond what was read goes to the source). It sits above the
capabilities it composes (they do not import each other).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

from plexlabor.forecast import data as forecast_data
from plexlabor.forecast import wiring as forecast_wiring
from plexlabor.forecast.nightly import ForecastNightlyEvent, refresh
from plexlabor.plex.held import Read, hold
from plexlabor.plex.snapshot import collector_paused
from plexlabor.plex.sources import LaborSource
from plexlabor.skills import data as skills_data
from plexlabor.skills import wiring as skills_wiring
from plexlabor.skills.service import SkillsDailyDetail, SkillsDailyEvent
from plexlabor.skills.service import run as assess


@dataclass
class Dependencies:
    """forecast_refresh's and skills_daily's own; the labor-data source is the forecasts'."""

    forecast: forecast_wiring.Dependencies
    skills: skills_wiring.Dependencies


def dependencies() -> Dependencies:
    """Both capabilities' dependencies from the environment (each built once per environment by its wiring:
    `forecast.wiring`, `skills.wiring`)."""
    return Dependencies(forecast_wiring.dependencies(), skills_wiring.dependencies())


def run(deps: Dependencies, request: ForecastNightlyEvent) -> dict[str, Any]:
    """Refresh the forecasts and the skill coverage as of the event's moment on one read; both summaries
    and the read's seconds."""
    source = deps.forecast.source
    now = (request.detail.as_of or request.time).astimezone(UTC)
    day = now.astimezone(ZoneInfo(source.timezone)).date()
    skills = deps.skills
    reads = [
        Read(forecast_data.REFERENCE, forecast_data.forecast_windows(now, deps.forecast.settings)),
        Read(
            skills_data.REFERENCE,
            skills_data.skills_windows(
                day, source.timezone, horizon_days=skills.horizon_days, lookback_days=skills.lookback_days
            ),
        ),
    ]
    coverage_request = SkillsDailyEvent.model_validate(
        {**request.model_dump(by_alias=True, exclude={"detail"}), "detail": SkillsDailyDetail(as_of=day)}
    )
    # The collector stays paused over the whole refresh (`collector_paused`): the held read is a plant's
    # records, without reference cycles, and each full collection that the runs' own objects set off walked
    # all of it again (3 of them on 5,000 x 8 weeks: 16 s of 79 s CPU; peak RSS the same with it paused).
    with collector_paused():
        started = time.perf_counter()
        held = LaborSource(hold(source.port, reads, source.timezone), source.timezone)
        read_seconds = time.perf_counter() - started
        forecasts = refresh(replace(deps.forecast, source=held), request)
        coverage = assess(replace(skills, source=held), coverage_request)
    return {"read_seconds": round(read_seconds, 2), "forecasts": forecasts, "coverage": coverage}
