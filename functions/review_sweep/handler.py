"""review_sweep: EventBridge schedule → notify, escalate and expire the recommendations in the review queue.

Parse the event, build the sweep once per environment (`plexlabor.review.wiring`, which documents
the configuration), run it (`plexlabor.review.sweep` says what one run does); the summary is counts only.
"""

from __future__ import annotations

from plexlabor.platform.handlers import scheduled_handler
from plexlabor.review import wiring
from plexlabor.review.wiring import ReviewSweepEvent, run

EVENT_MODEL = ReviewSweepEvent
"""The shape of this function's event (`events/review_sweep.json` parses with it)."""

handler = scheduled_handler(EVENT_MODEL, wiring.dependencies, run)
