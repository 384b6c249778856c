"""crew_call_offs: EventBridge schedule → `call_off` messages on the replan queue.

Parse the event, build the adapters once per environment (`plexlabor.crew.wiring.call_off_dependencies`,
which documents the configuration), run `plexlabor.crew.replanning.detect` (operators scheduled on a
shift that started a grace period before the event's time, or its detail's `as_of`, and not clocked in;
returns counts only).
"""

from __future__ import annotations

from plexlabor.crew import wiring
from plexlabor.crew.replanning import CallOffEvent, detect
from plexlabor.platform.handlers import scheduled_handler

EVENT_MODEL = CallOffEvent
"""The shape of this function's event (`events/crew_call_offs.json` parses with it)."""

handler = scheduled_handler(EVENT_MODEL, wiring.call_off_dependencies, detect)
