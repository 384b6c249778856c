"""One contract per intake port, run against the in-memory fake and the AWS adapter (moto), so the
fakes the unit tests use cannot drift from what runs on AWS."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from plexlabor.approval.request import ApprovalRequest
from plexlabor.audit.dynamodb import create_state_table
from plexlabor.intake.approvals import InMemoryApprovalStarter, StepFunctionsApprovalStarter
from plexlabor.intake.aws import DynamoDbCursorStore, S3NormsStore, SqsPunchQueue
from plexlabor.intake.cursor import InMemoryCursorStore
from plexlabor.intake.errors import EnqueueError
from plexlabor.intake.messages import PunchMessage
from plexlabor.intake.norms_store import InMemoryNormsStore
from plexlabor.intake.queue import InMemoryPunchQueue
from plexlabor.models import TimeClockEntry
from plexlabor.validation.norms import EmployeeNorms, Norm, Norms
from tests.integration.intake.conftest import PASS_MACHINE, REGION
from tests.support import make_finding, make_request

T0 = datetime(2026, 11, 20, 6, tzinfo=UTC)


def _client(request: pytest.FixtureRequest, service: str) -> Any:
    """A moto client of `service` (moto started for the rest of the test)."""
    request.getfixturevalue("aws")
    return boto3.client(service, region_name=REGION)


def _state_machine(client: Any) -> str:
    """The ARN of a pass-through approval state machine."""
    return client.create_state_machine(
        name="approval", definition=json.dumps(PASS_MACHINE), roleArn="arn:aws:iam::123456789012:role/approval"
    )["stateMachineArn"]


# ---- CursorStore -------------------------------------------------------------------------------------------
@pytest.fixture(params=["in_memory", "dynamodb"])
def cursors(request: pytest.FixtureRequest) -> Any:
    if request.param == "in_memory":
        return InMemoryCursorStore()
    client = _client(request, "dynamodb")
    create_state_table(client, "state")
    return DynamoDbCursorStore("state", client=client)


def test_cursor_starts_empty_moves_forward_only_and_keeps_microseconds(cursors) -> None:
    assert cursors.get("time-clock-entries") is None
    assert cursors.advance("time-clock-entries", T0) is True
    assert cursors.advance("time-clock-entries", T0 - timedelta(minutes=5)) is False
    assert cursors.advance("time-clock-entries", T0) is False
    later = T0 + timedelta(seconds=1, microseconds=250)
    assert cursors.advance("time-clock-entries", later) is True
    assert cursors.get("time-clock-entries") == later
    assert cursors.get("labor-entries") is None  # cursors are per stream


def test_cursor_refuses_naive_instants(cursors) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        cursors.advance("time-clock-entries", datetime(2026, 11, 20, 6))


# ---- NormsStore --------------------------------------------------------------------------------------------
@pytest.fixture(params=["in_memory", "s3"])
def norms_store(request: pytest.FixtureRequest) -> Any:
    if request.param == "in_memory":
        return InMemoryNormsStore()
    client = _client(request, "s3")
    client.create_bucket(Bucket="artifacts")
    return S3NormsStore("artifacts", client=client)


def _norms(version: str) -> Norms:
    person = EmployeeNorms(Norm(-2.0, 1.5, 20), Norm(2.0, 1.0, 20), None, {"CLK-1": 1.0})
    return Norms(version, {"E1": person}, {"ASSEMBLY": EmployeeNorms(Norm(-1.0, 2.0, 5))})


def test_norms_store_returns_none_then_the_latest_saved(norms_store) -> None:
    assert norms_store.latest() is None
    assert norms_store.save(_norms("norms-1")) == "norms/norms-1.json"
    norms_store.save(_norms("norms-2"))
    latest = norms_store.latest()
    assert latest is not None and latest.version == "norms-2"
    assert latest.to_json() == _norms("norms-2").to_json()


def test_norms_store_keeps_each_version_and_saves_a_backfill_s_without_moving_the_latest(norms_store) -> None:
    norms_store.save(_norms("norms-1"))
    assert norms_store.save(_norms("norms-0"), latest=False) == "norms/norms-0.json"
    latest, kept = norms_store.latest(), norms_store.version("norms-0")
    assert latest is not None and latest.version == "norms-1"
    assert kept is not None and kept.to_json() == _norms("norms-0").to_json()
    assert norms_store.version("norms-9") is None


# ---- PunchQueue --------------------------------------------------------------------------------------------
@pytest.fixture(params=["in_memory", "sqs"])
def queue_and_reader(request: pytest.FixtureRequest) -> tuple[Any, Callable[[], list[str]]]:
    if request.param == "in_memory":
        queue = InMemoryPunchQueue()
        return queue, queue.bodies
    client = _client(request, "sqs")
    url = client.create_queue(QueueName="punch")["QueueUrl"]

    def read() -> list[str]:
        bodies: list[str] = []
        while batch := client.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            bodies += [m["Body"] for m in batch]
        return bodies

    return SqsPunchQueue(url, client=client), read


def _messages(count: int) -> list[PunchMessage]:
    return [
        PunchMessage.of(TimeClockEntry(id=f"T{i}", employee_id="E1", clockin_time=T0 + timedelta(hours=i)), "poll", T0)
        for i in range(count)
    ]


def test_queue_takes_every_message_in_the_message_shape(queue_and_reader) -> None:
    queue, read = queue_and_reader
    messages = _messages(23)  # three SendMessageBatch calls
    queue.send(messages)
    received = sorted((PunchMessage.model_validate_json(b) for b in read()), key=lambda m: m.record_key)
    assert sorted(m.record_key for m in received) == sorted(m.record_key for m in messages)
    assert all(json.loads(m.model_dump_json())["source"] == "poll" for m in received)


def test_queue_names_the_records_it_could_not_take(queue_and_reader, request) -> None:
    queue, _ = queue_and_reader
    messages = _messages(3)
    if isinstance(queue, InMemoryPunchQueue):
        queue.fail_next(3)
    else:
        queue.client.delete_queue(QueueUrl=queue.queue_url)
    with pytest.raises(EnqueueError) as error:
        queue.send(messages)
    assert error.value.failed == [m.record_key for m in messages]


# ---- ApprovalStarter ---------------------------------------------------------------------------------------
@pytest.fixture(params=["in_memory", "stepfunctions"])
def starter(request: pytest.FixtureRequest) -> Any:
    if request.param == "in_memory":
        return InMemoryApprovalStarter()
    client = _client(request, "stepfunctions")
    # Step Functions dates are in ms
    return StepFunctionsApprovalStarter(_state_machine(client), client=client, clock_skew_s=0.05)


def _request(finding_id: str, supervisor: str = "S1") -> ApprovalRequest:
    return make_request(
        make_finding(finding_id=finding_id), supervisor_id=supervisor, escalation_supervisor_id="M1", wait_seconds=60
    )


def test_one_approval_per_finding(starter) -> None:
    assert starter.start(_request("f-aaaaaaaaaaaaaaaaaaaaaaaa")) is True
    time.sleep(0.1)  # past the starter's clock-skew allowance
    assert starter.start(_request("f-aaaaaaaaaaaaaaaaaaaaaaaa")) is False  # same finding, same input
    assert starter.start(_request("f-aaaaaaaaaaaaaaaaaaaaaaaa", supervisor="S2")) is False  # same finding, new input
    assert starter.start(_request("f-bbbbbbbbbbbbbbbbbbbbbbbb")) is True


def test_the_execution_input_is_the_approval_request(request) -> None:
    client = _client(request, "stepfunctions")
    arn = _state_machine(client)
    approval = _request("f-cccccccccccccccccccccccc")
    StepFunctionsApprovalStarter(arn, client=client).start(approval)
    (execution,) = client.list_executions(stateMachineArn=arn)["executions"]
    described = client.describe_execution(executionArn=execution["executionArn"])
    assert execution["name"] == approval.execution_name
    assert ApprovalRequest.model_validate_json(described["input"]) == approval


@pytest.mark.parametrize(
    ("adapter", "parameter"),
    [
        (SqsPunchQueue, "queue_url"),
        (DynamoDbCursorStore, "table_name"),
        (S3NormsStore, "bucket"),
        (StepFunctionsApprovalStarter, "state_machine_arn"),
    ],
)
def test_an_aws_adapter_refuses_an_empty_resource_name(adapter: Any, parameter: str) -> None:
    with pytest.raises(ValueError, match=f"^{parameter} must not be empty$"):
        adapter("")
