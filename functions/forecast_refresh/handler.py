"""forecast_refresh: EventBridge hourly schedule → the day's forecasts and skill coverage again, on one read.

Parse the event, build the adapters once per environment (`plexlabor.forecast.wiring` and
`plexlabor.skills.wiring`, shared with forecast_nightly and skills_daily), run `plexlabor.intraday.run`:
one read of the plant's data, then `plexlabor.forecast.nightly.refresh` (the forecasts with the model in
force; it documents the event) and `plexlabor.skills.service.run` (the coverage report for the dashboards
and its suggestions) on it. The summary holds both summaries and the read's seconds.
"""

from __future__ import annotations

from plexlabor import intraday
from plexlabor.forecast.nightly import ForecastNightlyEvent
from plexlabor.platform.handlers import scheduled_handler

EVENT_MODEL = ForecastNightlyEvent
"""The shape of this function's event (`events/forecast_refresh.json` parses with it)."""

handler = scheduled_handler(EVENT_MODEL, intraday.dependencies, intraday.run)
