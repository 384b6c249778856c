"""analytics_nightly: EventBridge nightly schedule → operator, crew and shift scores → S3 report for the web app.

Parse the event, build the adapters once per environment (`plexlabor.analytics.wiring`, which documents
the configuration), run `plexlabor.analytics.nightly.run` (which documents the event's `detail` and the
summary returned: counts only, no personal data).
"""

from __future__ import annotations

from plexlabor.analytics import wiring
from plexlabor.analytics.nightly import AnalyticsNightlyEvent, run
from plexlabor.platform.handlers import scheduled_handler

EVENT_MODEL = AnalyticsNightlyEvent
"""The shape of this function's event (`events/analytics_nightly.json` parses with it)."""

handler = scheduled_handler(EVENT_MODEL, wiring.dependencies, run)
