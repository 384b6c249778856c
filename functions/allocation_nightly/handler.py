"""allocation_nightly: EventBridge nightly schedule → yesterday's labor cost allocation and next week's
job-code guidance → S3 report for the web app, unallocated time to the review queue.

Parse the event, build the adapters once per environment (`plexlabor.allocation.wiring`, which
documents the configuration), run `plexlabor.allocation.nightly.run` (which documents the event's
`detail` and the summary returned: counts and totals only, no personal data).
"""

from __future__ import annotations

from plexlabor.allocation import wiring
from plexlabor.allocation.nightly import AllocationNightlyEvent, run
from plexlabor.platform.handlers import scheduled_handler

EVENT_MODEL = AllocationNightlyEvent
"""The shape of this function's event (`events/allocation_nightly.json` parses with it)."""

handler = scheduled_handler(EVENT_MODEL, wiring.dependencies, run)
