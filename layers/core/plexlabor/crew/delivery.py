"""One replan message as crew_replan takes it from its FIFO queue: re-planned, dropped, or left for a retry.

The replan queue keeps every message in one message group (`crew.wiring.REPLAN_GROUP`), so a message that fails
holds every re-plan of the plant behind it until it succeeds or moves to the DLQ (review_close_s15 #2). A message
that would fail the same way on every delivery is therefore not failed: it is dropped, logged at ERROR with why, and
counted (`CrewReplanDropped`), so the next re-plan runs. Anything else (Plex or DynamoDB unreachable, throttled,
timing out) raises, and SQS delivers the message again after its visibility timeout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit

from plexlabor.audit.publish import append_once
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.replanning import dropped_event, run
from plexlabor.platform.observability import logger, metrics
from plexlabor.plex.snapshot import collector_paused

if TYPE_CHECKING:
    from plexlabor.crew.wiring import ReplanDependencies

PERMANENT_ERRORS: tuple[type[Exception], ...] = (ValueError,)
"""Errors a message meets again on every delivery, the data being the same: a body that is no replan message
(pydantic's ValidationError), a shift the plant does not define or a record of it that does not parse (`PlexDataError`),
a plan the models refuse. The errors of a service (Plex's `PlexError`s, botocore's, `AuditError`) are no
ValueErrors."""
DROPPED_METRIC = "CrewReplanDropped"
ERROR_TEXT_LIMIT = 500
"""The characters of a dropped message's error that are logged (a validation error quotes the input)."""


def replan_delivered(deps: ReplanDependencies, body: str) -> dict[str, Any]:
    """Re-plan the message in `body` (`replanning.run`); a permanent error (`PERMANENT_ERRORS`) drops the message:
    `{"dropped": <error type>}`, logged and counted, and, for a replan message (not a body that is none), recorded in
    the audit table (`replanning.dropped_event`: the crew board says the re-plan after its event failed; until
    2026-12-06 only the alarm knew). Any other error is raised, for SQS to deliver it again; so is a drop that cannot
    be recorded (the table unreachable), which the next delivery records."""
    message: ReplanMessage | None = None
    try:
        message = ReplanMessage.model_validate_json(body)
        if (message.day, message.shift) in deps.problems:  # kept: a warm message, the collector as it comes
            return run(deps, message)
        # A shift the container does not keep yet (read from Plex or the store): the collector paused over the whole
        # re-plan (read, compile, solve, publish), not only over the read and build, as a full collection in the
        # compile or solve walked the shift just read (0.5-0.76 s of the cold message, issue 16). Reference counting
        # frees the message's garbage meanwhile (the kept shift holds no reference cycles); what it made goes to the
        # oldest generation, not frozen, so the full collections the warm messages still bring free the cycles it
        # left (about 3,000 objects; a pause over every message would leave about 1,000 each and bring none).
        with collector_paused():
            return run(deps, message)
    except PERMANENT_ERRORS as error:
        logger.exception(
            "crew re-plan dropped: the message fails the same way on every delivery",
            error=type(error).__name__,
            error_text=str(error)[:ERROR_TEXT_LIMIT],
        )
        if message is not None:
            append_once(deps.store, dropped_event(message, error, deps.clock()))
        metrics.add_metric(name=DROPPED_METRIC, unit=MetricUnit.Count, value=1)
        return {"dropped": type(error).__name__, "recorded": message is not None}
