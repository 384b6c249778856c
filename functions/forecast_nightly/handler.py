"""forecast_nightly: EventBridge nightly schedule → retrain, forecast → S3 artifacts + audit suggestions.

Parse the event, build the adapters once per environment (`plexlabor.forecast.wiring`, which
documents the configuration), run `plexlabor.forecast.nightly.run` (which documents the event's
`detail` and the summary returned: version, method, counts, hours, seconds per step, published counts).
"""

from __future__ import annotations

from plexlabor.forecast import wiring
from plexlabor.forecast.nightly import ForecastNightlyEvent, run
from plexlabor.platform.handlers import scheduled_handler

EVENT_MODEL = ForecastNightlyEvent
"""The shape of this function's event (`events/forecast_nightly.json` parses with it)."""

handler = scheduled_handler(EVENT_MODEL, wiring.dependencies, run)
