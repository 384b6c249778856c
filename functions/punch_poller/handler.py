"""punch_poller: EventBridge schedule → read new and changed punches from Plex → punch queue.

Parse the event, build the adapters once per environment (`plexlabor.intake.wiring`; configuration:
`plexlabor.intake.settings.PollerSettings`), run `plexlabor.intake.poller.run` (which documents the
event's `detail`, the summary returned, and the failure when the queue refuses a record).
"""

from __future__ import annotations

from plexlabor.intake import wiring
from plexlabor.intake.poller import PollerEvent, run
from plexlabor.platform.handlers import scheduled_handler

EVENT_MODEL = PollerEvent
"""The shape of this function's event (`events/punch_poller.json` parses with it)."""

handler = scheduled_handler(EVENT_MODEL, wiring.poller_dependencies, run)
