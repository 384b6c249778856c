"""incident_trends: EventBridge nightly schedule → incidents per week, workcenter, shift and category with
hours worked, overtime, fatigue and rates per 200,000 hours → S3 report for the web app's `/incidents/trends`.

Parse the event, build the adapters once per environment (`plexlabor.incidents.wiring.trends_dependencies`,
whose module documents the configuration), run `plexlabor.incidents.nightly.run` (which documents the
event's `detail` and the summary returned).
"""

from __future__ import annotations

from plexlabor.incidents import wiring
from plexlabor.incidents.nightly import IncidentTrendsEvent, run
from plexlabor.platform.handlers import scheduled_handler

EVENT_MODEL = IncidentTrendsEvent
"""The shape of this function's event (`events/incident_trends.json` parses with it)."""

handler = scheduled_handler(EVENT_MODEL, wiring.trends_dependencies, run)
