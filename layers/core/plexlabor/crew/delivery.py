"""One replan message as crew_replan takes it from its FIFO queue: re-planned, dropped, or left for a retry.

The replan queue keeps every message in one message group (`crew.wiring.REPLAN_GROUP`), so a message that fails
holds every re-plan of the plant behind it until it succeeds or moves to the DLQ (review_close_s15 #2). Only an error
of a service or of the container (`TRANSIENT_ERRORS`: Plex or DynamoDB unreachable, throttled, timing out, a 5xx)
raises, and SQS delivers the message again after its visibility timeout. Any other error would fail the same way on
every delivery, the message and the data being the same: a message that is none, data that does not parse, and a
fault in the code (a KeyError, a TypeError). It is not failed: it is dropped, logged at ERROR with its traceback,
counted (`CrewReplanDropped`) and recorded for the crew board to say (`replanning.dropped_event`), so the next re-plan
runs. Until 2026-12-06 only ValueErrors were dropped: a fault in the code was retried until the DLQ, holding every
re-plan behind it meanwhile.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import BotoCoreError, ClientError

from plexlabor.audit.errors import AuditError
from plexlabor.audit.publish import append_once
from plexlabor.crew.claims import ClaimBusyError
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.replanning import dropped_event, run
from plexlabor.platform.artifacts import ArtifactError
from plexlabor.platform.observability import logger, metrics
from plexlabor.plex.errors import PlexError
from plexlabor.plex.snapshot import collector_paused

if TYPE_CHECKING:
    from plexlabor.crew.wiring import ReplanDependencies

TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    PlexError,
    AuditError,
    ArtifactError,
    ClaimBusyError,
    BotoCoreError,
    ClientError,
    OSError,
    MemoryError,
)
"""Errors a later delivery may not meet, which are retried: of a service (Plex's `PlexError`s: throttled, a 5xx, a
timeout, and its other answers, which Plex's side may change; DynamoDB's `AuditError`, S3's `ArtifactError`, botocore's
own should one pass an adapter unconverted), of the network (`OSError`: ConnectionError, TimeoutError), other writers
holding a claim log (`ClaimBusyError`) and a container out of memory. Every other error is permanent: a body that is no
replan message (pydantic's ValidationError), a shift the plant does not define or a record of it that does not parse
(`PlexDataError`), a plan the models refuse, and a fault in the code."""
DROPPED_METRIC = "CrewReplanDropped"
ERROR_TEXT_LIMIT = 500
"""The characters of a dropped message's error that are logged (a validation error quotes the input)."""


def replan_delivered(deps: ReplanDependencies, body: str) -> dict[str, Any]:
    """Re-plan the message in `body` (`replanning.run`); an error that is not transient (`TRANSIENT_ERRORS`) drops the
    message: `{"dropped": <error type>}`, logged and counted, and, for a replan message (not a body that is none),
    recorded in the audit table (`replanning.dropped_event`: the crew board says the re-plan after its event failed;
    until 2026-12-06 only the alarm knew). A transient error is raised, for SQS to deliver it again; so is a drop that
    cannot be recorded (the table unreachable), which the next delivery records."""
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
    except TRANSIENT_ERRORS:
        raise
    except Exception as error:  # every error not transient is permanent (above)
        logger.exception(
            "crew re-plan dropped: the message fails the same way on every delivery",
            error=type(error).__name__,
            error_text=str(error)[:ERROR_TEXT_LIMIT],
        )
        if message is not None:
            append_once(deps.store, dropped_event(message, error, deps.clock()))
        metrics.add_metric(name=DROPPED_METRIC, unit=MetricUnit.Count, value=1)
        return {"dropped": type(error).__name__, "recorded": message is not None}
