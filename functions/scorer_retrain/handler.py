"""scorer_retrain: EventBridge weekly schedule → supervisors' decisions → candidate scorer → promoted or shadow.

Parse the event, build the adapters once per environment (`plexlabor.learning.wiring`, which documents
the configuration), run `plexlabor.learning.service.run` (which documents the event's `detail` and the
summary returned: versions, counts and metrics only).
"""

from __future__ import annotations

from plexlabor.learning import wiring
from plexlabor.learning.service import RetrainEvent, run
from plexlabor.platform.handlers import scheduled_handler

EVENT_MODEL = RetrainEvent
"""The shape of this function's event (`events/scorer_retrain.json` parses with it)."""

handler = scheduled_handler(EVENT_MODEL, wiring.dependencies, run)
