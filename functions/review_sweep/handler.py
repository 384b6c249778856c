"""review_sweep: EventBridge schedule → notify, escalate and expire the recommendations in the review queue, and
mail the EHS lead a digest of the incidents waiting for them.

Parse the event, build the sweep once per environment (`plexlabor.review.wiring`, which documents
the configuration, with the incidents' waitlist: `plexlabor.incidents.waiting`, a package review does not import),
run it (`plexlabor.review.sweep` says what one run does); the summary is counts only.
"""

from __future__ import annotations

from functools import partial

from plexlabor.incidents.waiting import IncidentWaitlist
from plexlabor.platform.handlers import scheduled_handler
from plexlabor.platform.settings import PerEnvironment
from plexlabor.review import wiring
from plexlabor.review.wiring import ReviewSweepEvent, ReviewSweepSettings, run

EVENT_MODEL = ReviewSweepEvent
"""The shape of this function's event (`events/review_sweep.json` parses with it)."""

dependencies = PerEnvironment(ReviewSweepSettings, partial(wiring.build, incidents=IncidentWaitlist))
"""The sweep from the environment, with the EHS lead's incident digest: built on first use, rebuilt when a variable
it reads changes."""

handler = scheduled_handler(EVENT_MODEL, dependencies, run)
