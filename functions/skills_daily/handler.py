"""skills_daily: EventBridge daily schedule → skills & certification compliance → suggestions in the audit table.

Parse the event, build the adapters once per environment (`plexlabor.skills.wiring`, which documents
the configuration), run `plexlabor.skills.service.run` (which documents the event's `detail` and the
summary returned: ids and counts only, no personal data).
"""

from __future__ import annotations

from plexlabor.platform.handlers import scheduled_handler
from plexlabor.skills import wiring
from plexlabor.skills.service import SkillsDailyEvent, run

EVENT_MODEL = SkillsDailyEvent
"""The shape of this function's event (`events/skills_daily.json` parses with it)."""

handler = scheduled_handler(EVENT_MODEL, wiring.dependencies, run)
