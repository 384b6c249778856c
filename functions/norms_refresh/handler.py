"""norms_refresh: EventBridge nightly schedule → norms from history → S3; then the batch-only sweep.

Parse the event, build the adapters once per environment (`plexlabor.intake.wiring`; configuration:
`plexlabor.intake.settings.NormsRefreshSettings`), run `plexlabor.intake.nightly.run` (which
documents the event's `detail` and the summary returned).
"""

from __future__ import annotations

from plexlabor.intake import wiring
from plexlabor.intake.nightly import NormsRefreshEvent, run
from plexlabor.platform.handlers import scheduled_handler

EVENT_MODEL = NormsRefreshEvent
"""The shape of this function's event (`events/norms_refresh.json` parses with it)."""

handler = scheduled_handler(EVENT_MODEL, wiring.norms_refresh_dependencies, run)
