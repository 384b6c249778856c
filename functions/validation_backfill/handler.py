"""validation_backfill: the backfill state machine's two steps, plan and shard (`plexlabor.intake.backfill`).

Parse the event (`{"plan": ...}` or `{"shard": ...}`), build the adapters once per environment (the
nightly job's: `plexlabor.intake.wiring.norms_refresh_dependencies`, same settings and grants), run
`plexlabor.intake.backfill.run` (which documents both answers).
"""

from __future__ import annotations

from plexlabor.intake import wiring
from plexlabor.intake.backfill import BackfillEvent, run
from plexlabor.platform.handlers import scheduled_handler

EVENT_MODEL = BackfillEvent
"""The shape of this function's event (`events/validation_backfill.json` parses with it)."""

handler = scheduled_handler(EVENT_MODEL, wiring.norms_refresh_dependencies, run)
