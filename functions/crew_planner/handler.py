"""crew_planner: EventBridge schedule → crew plan for a day → suggestions in the audit table.

Parse the event, build the adapters once per environment (`plexlabor.crew.wiring`, which documents
the configuration), run `plexlabor.crew.service.run` (which documents the event's `detail` and the
summary returned: ids and counts only); the time the invocation has left (`platform.deadline`, which every
handler's decorators set) bounds the plan-day index's migration after publishing (`service._mark_index`).
"""

from __future__ import annotations

from plexlabor.crew import wiring
from plexlabor.crew.service import CrewPlannerEvent, run
from plexlabor.platform.handlers import scheduled_handler

EVENT_MODEL = CrewPlannerEvent
"""The shape of this function's event (`events/crew_planner.json` parses with it)."""

handler = scheduled_handler(EVENT_MODEL, wiring.dependencies, run)
