"""The replan queue is FIFO with one message group: a message crew_replan fails holds every re-plan of the plant
behind it (review_close_s15 #2). A message that fails the same way on every delivery (bad data, a fault in the code)
is dropped (logged, counted, recorded) so the next one runs; one that fails for a service raises, and stays at the
head of the queue for SQS to retry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from moto import mock_aws

from functions.crew_replan import handler as crew_replan
from plexlabor.audit import AuditEventType, InMemoryAuditStore
from plexlabor.audit.errors import AuditUnavailableError
from plexlabor.audit.events import stable_event_id
from plexlabor.crew import delivery, wiring
from plexlabor.crew.delivery import replan_delivered
from plexlabor.crew.messages import DROPPED, ReplanMessage
from plexlabor.crew.replanning import applied_event, dropped_event, recorded
from plexlabor.crew.suggestions import DayReader
from plexlabor.plant import PlantFolder
from plexlabor.platform.sqs import SqsJsonSender
from plexlabor.plex.errors import PlexConnectionError, PlexRateLimitedError, PlexServerError, PlexTimeoutError
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.sources import LaborSource
from tests.support import FakeLambdaContext, load_event

DAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 11, 15, tzinfo=UTC)
CALL_OFF = ReplanMessage(reason="call_off", day=DAY, shift="1", employee_id="E1", detected_at=NOW)
REFRESH = ReplanMessage(reason="refresh", day=DAY, shift="2", detected_at=NOW)

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")


class UnavailableStore(InMemoryAuditStore):
    """DynamoDB throttling every read: a transient error."""

    def by_status(self, *args: Any, **kwargs: Any) -> Any:
        raise AuditUnavailableError("throttled")

    def by_record_key(self, *args: Any, **kwargs: Any) -> Any:
        raise AuditUnavailableError("throttled")


@pytest.fixture
def queue() -> Iterator[tuple[Any, str]]:
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        attributes = {"FifoQueue": "true", "VisibilityTimeout": "60"}
        yield sqs, sqs.create_queue(QueueName="replan.fifo", Attributes=attributes)["QueueUrl"]


def _deliver(sqs: Any, url: str, deps: wiring.ReplanDependencies) -> str | None:
    """What the event source does with the head of the queue: one message to crew_replan, deleted when the
    invocation succeeds without reporting it failed. The body delivered, None when the group is held."""
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, AttributeNames=["All"]).get("Messages", [])
    if not received:
        return None
    [message] = received
    record = load_event("crew_replan")["Records"][0] | {"messageId": message["MessageId"], "body": message["Body"]}
    record["attributes"] = record["attributes"] | {"MessageGroupId": wiring.REPLAN_GROUP}
    response = crew_replan.handler({"Records": [record]}, FakeLambdaContext(), dependencies=deps)
    if response["batchItemFailures"] == []:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return str(message["Body"])


def _body(message: ReplanMessage) -> str:
    return message.model_dump_json(by_alias=True)


def _send(sqs: Any, url: str, *messages: ReplanMessage) -> None:
    sender = SqsJsonSender(url, sqs, by_alias=True, group=wiring.REPLAN_GROUP)  # as crew.wiring.replan_sender
    for message in messages:
        sender.send(message)


def _deps(labelled_plant: PlantFolder, store: InMemoryAuditStore | None = None) -> wiring.ReplanDependencies:
    source = LaborSource(PlantFolderSource(labelled_plant.path), "America/Detroit")
    return wiring.ReplanDependencies(source=source, store=store or InMemoryAuditStore(), clock=lambda: NOW)


def test_a_shift_that_cannot_be_planned_does_not_hold_the_next_replan(
    labelled_plant: PlantFolder, queue: tuple[Any, str]
) -> None:
    sqs, url = queue
    deps = _deps(labelled_plant)
    unplannable = CALL_OFF.model_copy(update={"shift": "9"})  # a shift the plant does not define
    _send(sqs, url, unplannable, REFRESH)

    assert replan_delivered(deps, _body(unplannable)) == {"dropped": "ValueError", "recorded": True}  # shift '9'
    assert _deliver(sqs, url, deps) == _body(unplannable)
    assert _deliver(sqs, url, deps) == _body(REFRESH)  # not held for the first one's visibility timeout x receives
    assert _deliver(sqs, url, deps) is None


def test_a_message_that_is_no_replan_message_does_not_hold_the_next_one(
    labelled_plant: PlantFolder, queue: tuple[Any, str]
) -> None:
    sqs, url = queue
    bad = '{"reason": "call_off", "date": "2026-11-23", "shift": "1"}'  # no detected_at, no employee
    sqs.send_message(QueueUrl=url, MessageBody=bad, MessageGroupId=wiring.REPLAN_GROUP, MessageDeduplicationId="bad")
    _send(sqs, url, REFRESH)
    deps = _deps(labelled_plant)

    assert replan_delivered(deps, bad) == {"dropped": "ValidationError", "recorded": False}  # nothing to link it to
    assert _deliver(sqs, url, deps) == bad
    assert _deliver(sqs, url, deps) == _body(REFRESH)


def test_a_transient_error_fails_the_invocation_and_keeps_the_message_at_the_head(
    labelled_plant: PlantFolder, queue: tuple[Any, str]
) -> None:
    sqs, url = queue
    _send(sqs, url, CALL_OFF, REFRESH)
    deps = _deps(labelled_plant, UnavailableStore())

    with pytest.raises(AuditUnavailableError):
        replan_delivered(deps, _body(CALL_OFF))
    with pytest.raises(BatchProcessingError):
        _deliver(sqs, url, deps)
    assert _deliver(sqs, url, deps) is None  # retried after its visibility timeout, in order: REFRESH waits


def test_a_dropped_replan_is_recorded_once_for_its_shift_and_never_applied_again(
    labelled_plant: PlantFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a call-off whose re-plan fails the same way on every delivery (a record of the shift that does not parse)
    store = InMemoryAuditStore()
    deps = _deps(labelled_plant, store)

    def unparsable(deps: Any, message: ReplanMessage) -> Any:
        raise ValueError("job operation 4711 names no workcenter")

    monkeypatch.setattr(delivery, "run", unparsable)

    # When it is delivered twice (a redelivery)
    first = replan_delivered(deps, _body(CALL_OFF))
    again = replan_delivered(deps, _body(CALL_OFF))

    # Then it is dropped, recorded once on the shift's record with the call-off it was after and why it failed
    # (until 2026-12-06 only logged and counted), and a later re-plan of the shift does not apply it again
    assert first == again == {"dropped": "ValueError", "recorded": True}
    [event] = store.history("crew-shifts:2026-11-23/1")
    assert event.event_type is AuditEventType.REPLAN and event.employee_id == "E1"
    assert event.payload["replan_reason"] == "call_off" and event.payload["replan_employee_id"] == "E1"
    assert event.payload[DROPPED] == {"error": "ValueError", "reason": "job operation 4711 names no workcenter"}
    day = DayReader(store, applied=True).read(DAY, NOW)  # crew_replan's reader
    assert [e.event_id for e in day.applied] == [event.event_id]
    assert recorded(day, DAY, "1") == []


def test_a_dropped_event_is_the_shifts_replan_event_with_its_own_id() -> None:
    # review_s16 #7: one construction for both (`replanning._replan_event`); the ids stay those already in the table
    applied, dropped = applied_event(CALL_OFF, NOW), dropped_event(CALL_OFF, ValueError("no workcenter"), NOW)
    assert applied.event_id == stable_event_id(CALL_OFF.identity(), "replan")
    assert dropped.event_id == stable_event_id(CALL_OFF.identity(), "replan", "dropped")
    assert (dropped.record_key, dropped.event_type, dropped.status, dropped.actor, dropped.employee_id) == (
        applied.record_key,
        applied.event_type,
        applied.status,
        applied.actor,
        applied.employee_id,
    )
    assert dropped.payload == applied.payload | {DROPPED: {"error": "ValueError", "reason": "no workcenter"}}


def test_a_fault_in_the_code_is_dropped_and_recorded_and_does_not_hold_the_next_replan(
    labelled_plant: PlantFolder, queue: tuple[Any, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a re-plan that meets a fault in the code on every delivery (until 2026-12-06 only ValueErrors were
    # dropped: a KeyError was retried until the DLQ, every re-plan of the plant waiting behind it)
    sqs, url = queue
    store = InMemoryAuditStore()
    deps = _deps(labelled_plant, store)

    def faulty(deps: Any, message: ReplanMessage) -> Any:
        if message.reason == "call_off":
            raise KeyError("E1")
        return {"refreshed": True}

    monkeypatch.setattr(delivery, "run", faulty)
    _send(sqs, url, CALL_OFF, REFRESH)

    # Then it is dropped at once, recorded for the board in words that say it is a fault, and the next one runs
    assert replan_delivered(deps, _body(CALL_OFF)) == {"dropped": "KeyError", "recorded": True}
    [event] = store.history("crew-shifts:2026-11-23/1")
    assert event.payload[DROPPED] == {"error": "KeyError", "reason": "a fault in crew_replan (KeyError: 'E1')"}
    assert _deliver(sqs, url, deps) == _body(CALL_OFF)
    assert _deliver(sqs, url, deps) == _body(REFRESH)
    assert _deliver(sqs, url, deps) is None


@pytest.mark.parametrize(
    "error",
    [
        PlexRateLimitedError("throttled", status=429),
        PlexServerError("bad gateway", status=502),
        PlexTimeoutError("no answer"),
        PlexConnectionError("reset"),
        AuditUnavailableError("throttled"),
        TimeoutError("read timed out"),
        ConnectionError("reset by peer"),
    ],
    ids=type,
)
def test_a_service_error_is_retried_and_nothing_is_recorded(
    labelled_plant: PlantFolder, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    store = InMemoryAuditStore()
    deps = _deps(labelled_plant, store)

    def failing(deps: Any, message: ReplanMessage) -> Any:
        raise error

    monkeypatch.setattr(delivery, "run", failing)
    with pytest.raises(type(error)):
        replan_delivered(deps, _body(CALL_OFF))
    assert store.history("crew-shifts:2026-11-23/1") == []
