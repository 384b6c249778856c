"""forecast_refresh: EventBridge hourly schedule → the day's forecast again with the model in force.

Parse the event, build the adapters once per environment (`plexlabor.forecast.wiring`, shared with
forecast_nightly), run `plexlabor.forecast.nightly.refresh` (which documents the event and the summary).
"""

from __future__ import annotations

from plexlabor.forecast import wiring
from plexlabor.forecast.nightly import ForecastNightlyEvent, refresh
from plexlabor.platform.handlers import scheduled_handler

EVENT_MODEL = ForecastNightlyEvent
"""The shape of this function's event (`events/forecast_refresh.json` parses with it)."""

handler = scheduled_handler(EVENT_MODEL, wiring.dependencies, refresh)
