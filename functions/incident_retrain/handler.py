"""incident_retrain: EventBridge weekly schedule → the OIICS classifier retrained on the EHS lead's
corrections → a versioned model under `models/incidents/`, promoted only when it is not worse on the
newest corrections it did not train on (else kept as a shadow).

Parse the event, build the adapters once per environment (`plexlabor.incidents.wiring.retrain_dependencies`),
run `plexlabor.incidents.retrain.run` (which documents the event's `detail`, the gate and the summary).
"""

from __future__ import annotations

from plexlabor.incidents import wiring
from plexlabor.incidents.retrain import IncidentRetrainEvent, run
from plexlabor.platform.handlers import scheduled_handler

EVENT_MODEL = IncidentRetrainEvent
"""The shape of this function's event (`events/incident_retrain.json` parses with it)."""

handler = scheduled_handler(EVENT_MODEL, wiring.retrain_dependencies, run)
