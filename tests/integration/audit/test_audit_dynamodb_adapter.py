"""What only the DynamoDB adapters have: the exact table schemas, the stored item layout, paging,
and the translation of AWS error codes into domain errors."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from plexlabor.audit import (
    AuditConflictError,
    AuditError,
    AuditEventType,
    AuditStatus,
    AuditUnavailableError,
    LinkAlreadyUsedError,
    http_status_for,
)
from plexlabor.audit.dynamodb import (
    PAYLOAD_SUMMARY,
    DynamoDbAuditStore,
    DynamoDbLinkNonceStore,
    create_audit_table,
    create_state_table,
    event_item,
)
from plexlabor.audit.schema import AUDIT_TABLE, STATE_TABLE
from plexlabor.audit.store import summary_of
from tests.integration.audit.conftest import T0, MakeEvent


def _keys(schema: list[dict[str, str]]) -> dict[str, str]:
    return {key["KeyType"]: key["AttributeName"] for key in schema}


def test_create_audit_table_builds_exactly_the_published_schema(dynamodb_client: Any) -> None:
    # Given no table, when the helper creates the audit table
    create_audit_table(dynamodb_client, "audit")
    table = dynamodb_client.describe_table(TableName="audit")["Table"]
    # Then it is on demand, keyed record_key/event_sk, with six ALL-projecting string-keyed GSIs
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert _keys(table["KeySchema"]) == {"HASH": "record_key", "RANGE": "event_sk"}
    indexes = {
        index["IndexName"]: (_keys(index["KeySchema"]), index["Projection"]["ProjectionType"])
        for index in table["GlobalSecondaryIndexes"]
    }
    assert indexes == {
        name: ({"HASH": f"{name}_pk", "RANGE": f"{name}_sk"}, "ALL")
        for name in ("gsi_status", "gsi_supervisor", "gsi_employee", "gsi_finding", "gsi_kind", "gsi_plan_day")
    }
    assert {d["AttributeType"] for d in table["AttributeDefinitions"]} == {"S"}
    assert len(table["AttributeDefinitions"]) == 14


def test_create_state_table_builds_the_schema_with_ttl(dynamodb_client: Any) -> None:
    # Given no table, when the helper creates the state table
    create_state_table(dynamodb_client, "state")
    table = dynamodb_client.describe_table(TableName="state")["Table"]
    ttl = dynamodb_client.describe_time_to_live(TableName="state")["TimeToLiveDescription"]
    # Then it is keyed pk/sk, on demand, with TTL on expires_at
    assert _keys(table["KeySchema"]) == {"HASH": "pk", "RANGE": "sk"}
    assert table.get("GlobalSecondaryIndexes", []) == []
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


def test_create_table_helpers_can_tolerate_an_existing_table(dynamodb_client: Any) -> None:
    create_audit_table(dynamodb_client, "audit")
    create_audit_table(dynamodb_client, "audit", exist_ok=True)
    with pytest.raises(ClientError):
        create_audit_table(dynamodb_client, "audit")


def test_schema_constants_feed_create_table(dynamodb_client: Any) -> None:
    kwargs = AUDIT_TABLE.create_table_kwargs("x")
    assert kwargs["KeySchema"][0] == {"AttributeName": "record_key", "KeyType": "HASH"}
    assert STATE_TABLE.ttl_attribute == "expires_at"


def test_an_event_is_stored_with_json_payload_sparse_index_keys_and_a_guard(
    dynamodb_client: Any, audit_table: str, make_event: MakeEvent
) -> None:
    # Given a finding that names no supervisor
    event = make_event(event_id="evt-1", payload={"confidence": 0.25, "evidence": {"minutes": [1.5]}})
    # When it is appended
    DynamoDbAuditStore(audit_table, client=dynamodb_client).append(event)
    item = dynamodb_client.get_item(
        TableName=audit_table,
        Key={"record_key": {"S": "time-clock-entries:1001"}, "event_sk": {"S": event.event_sk}},
    )["Item"]
    guard = dynamodb_client.get_item(
        TableName=audit_table, Key={"record_key": {"S": "#event#evt-1"}, "event_sk": {"S": "#guard"}}
    )["Item"]
    # Then the item holds strings only, the payload as JSON, and keys of the indexes that apply
    assert item["event_sk"] == {"S": "2026-11-02T06:00:00.000000Z#finding#evt-1"}
    assert item["payload"] == {"S": '{"confidence":0.25,"evidence":{"minutes":[1.5]}}'}
    assert item["gsi_status_pk"] == {"S": "logged"}
    assert item["gsi_status_sk"] == {"S": "2026-11-02T06:00:00.000000Z#evt-1"}
    assert item["gsi_employee_pk"] == {"S": "emp-7f3a"}
    assert item["gsi_finding_pk"] == {"S": "F-1001"}
    assert "gsi_supervisor_pk" not in item
    assert "gsi_kind_pk" not in item  # its payload names no kind
    assert "previous_values" not in item
    assert {type_ for value in item.values() for type_ in value} == {"S"}
    # And a guard item points at the event
    assert guard["target_record_key"] == {"S": "time-clock-entries:1001"}
    assert guard["target_event_sk"] == {"S": event.event_sk}


def test_queries_follow_pages_until_the_end_or_the_limit(
    dynamodb_client: Any, audit_table: str, make_event: MakeEvent
) -> None:
    # Given six ~200 KB events about one employee (more than one 1 MB query page)
    store = DynamoDbAuditStore(audit_table, client=dynamodb_client)
    events = [
        make_event(finding_id=f"F-{n}", occurred_at=T0 + timedelta(minutes=n), payload={"blob": "x" * 200_000})
        for n in range(6)
    ]
    for event in events:
        store.append(event)
    calls = CountingClient(dynamodb_client)
    counted = DynamoDbAuditStore(audit_table, client=calls)
    # When they are listed in full and with a limit
    everything = counted.by_employee("emp-7f3a")
    pages_for_all = calls.queries
    first = counted.by_employee("emp-7f3a", limit=1)
    # Then every page was read for the full list, and a single small query sufficed for the first
    assert [e.event_id for e in everything] == [e.event_id for e in events]
    assert pages_for_all >= 2
    assert first == events[:1]
    assert calls.queries == pages_for_all + 1


def test_the_default_client_comes_from_the_environment(audit_table: str, make_event: MakeEvent) -> None:
    # Given a store built with only a table name (as a Lambda would), under moto
    store = DynamoDbAuditStore(audit_table)
    # When an event is appended and read, then it round-trips
    event = make_event()
    store.append(event)
    assert store.history(event.record_key) == [event]


def test_used_nonce_item_has_the_published_key_and_an_epoch_ttl(dynamodb_client: Any, state_table: str) -> None:
    # Given a nonce consumed with a sub-second expiry
    expires = datetime(2026, 11, 3, 6, 0, 0, 400_000, tzinfo=UTC)
    DynamoDbLinkNonceStore(state_table, client=dynamodb_client).consume("n0nce-AAAAAAAAAAAAAAAA", expires)
    # When the state table is read
    item = dynamodb_client.get_item(
        TableName=state_table, Key={"pk": {"S": "link#n0nce-AAAAAAAAAAAAAAAA"}, "sk": {"S": "link"}}
    )["Item"]
    # Then expires_at is epoch seconds, rounded up so the mark never goes before the link
    assert item["expires_at"] == {"N": str(math.ceil(expires.timestamp()))}


class CountingClient:
    """Passes calls to a real (moto) client, counting queries."""

    def __init__(self, client: Any) -> None:
        self._client, self.queries = client, 0

    def query(self, **kwargs: Any) -> Any:
        self.queries += 1
        return self._client.query(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


class FailingClient:
    """A DynamoDB client whose every call raises one error."""

    def __init__(self, error: Exception) -> None:
        self._error = error

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def call(**_: Any) -> Any:
            raise self._error

        return call


def client_error(code: str, status: int = 400, reasons: list[str] | None = None) -> ClientError:
    response: dict[str, Any] = {
        "Error": {"Code": code, "Message": code},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    if reasons is not None:
        response["CancellationReasons"] = [{"Code": reason} for reason in reasons]
    return ClientError(response, "TransactWriteItems")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "expected", "status"),
    [
        (client_error("ProvisionedThroughputExceededException"), AuditUnavailableError, 503),
        (client_error("ThrottlingException"), AuditUnavailableError, 503),
        (client_error("RequestLimitExceeded"), AuditUnavailableError, 503),
        (client_error("InternalServerError", 500), AuditUnavailableError, 503),
        (
            client_error("TransactionCanceledException", reasons=["None", "ThrottlingError"]),
            AuditUnavailableError,
            503,
        ),
        (
            client_error("TransactionCanceledException", reasons=["TransactionConflict", "None"]),
            AuditUnavailableError,
            503,
        ),
        (
            client_error("TransactionCanceledException", reasons=["None", "ConditionalCheckFailed"]),
            AuditConflictError,
            409,
        ),
        (client_error("ConditionalCheckFailedException"), AuditConflictError, 409),
        (client_error("AccessDeniedException"), AuditError, 500),
        (client_error("ResourceNotFoundException"), AuditError, 500),
        (
            EndpointConnectionError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com"),
            AuditUnavailableError,
            503,
        ),
    ],
)
def test_append_turns_aws_errors_into_domain_errors(
    error: Exception, expected: type[AuditError], status: int, make_event: MakeEvent
) -> None:
    # Given a table that answers `error`, when an event is appended
    store = DynamoDbAuditStore("audit", client=FailingClient(error))
    with pytest.raises(AuditError) as raised:
        store.append(make_event())
    # Then the domain error is typed, says whether to retry, and maps to one HTTP status
    assert type(raised.value) is expected
    assert raised.value.retryable is (expected is AuditUnavailableError)
    assert http_status_for(raised.value) == status
    assert raised.value.__cause__ is error


def test_queries_turn_throttling_into_a_retryable_error() -> None:
    store = DynamoDbAuditStore("audit", client=FailingClient(client_error("ThrottlingException")))
    with pytest.raises(AuditUnavailableError):
        store.by_status(AuditStatus.PENDING_APPROVAL)
    with pytest.raises(AuditUnavailableError):
        store.latest_for_finding("F-1")


def test_nonce_store_turns_a_failed_condition_into_already_used_and_throttling_into_retryable() -> None:
    expires = datetime(2026, 11, 3, tzinfo=UTC)
    with pytest.raises(LinkAlreadyUsedError):
        DynamoDbLinkNonceStore("state", client=FailingClient(client_error("ConditionalCheckFailedException"))).consume(
            "n0nce-AAAAAAAAAAAAAAAA", expires
        )
    with pytest.raises(AuditUnavailableError):
        DynamoDbLinkNonceStore("state", client=FailingClient(client_error("ThrottlingException"))).consume(
            "n0nce-AAAAAAAAAAAAAAAA", expires
        )


def test_writeback_event_round_trips_through_dynamodb_with_every_optional_field(
    dynamodb_client: Any, audit_table: str, make_event: MakeEvent
) -> None:
    # Given a write-back naming every optional id (finding F-1001 of employee emp-7f3a)
    event = make_event(
        event_type=AuditEventType.WRITEBACK, supervisor_id="sup-17", payload={"mode": "dry_run"}, previous_values={}
    )
    store = DynamoDbAuditStore(audit_table, client=dynamodb_client)
    # When appended and read back through every index
    store.append(event)
    # Then each query returns the same event
    assert store.history(event.record_key) == [event]
    assert store.by_status(AuditStatus.WRITTEN) == [event]
    assert store.by_supervisor("sup-17") == [event]
    assert store.by_employee("emp-7f3a") == [event]
    assert store.latest_for_finding("F-1001") == event
    assert store.history("#event#" + event.event_id) == []


class RecordingClient(CountingClient):
    """Counts queries and keeps the items they answered."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self.items: list[dict[str, Any]] = []

    def query(self, **kwargs: Any) -> Any:
        page = super().query(**kwargs)
        self.items += page.get("Items", [])
        return page


def test_a_summary_read_projects_the_summary_instead_of_the_payload(
    dynamodb_client: Any, audit_table: str, make_event: MakeEvent
) -> None:
    # Given six ~200 KB pending approvals (more than one 1 MB query page in full)
    store = DynamoDbAuditStore(audit_table, client=dynamodb_client)
    events = [
        make_event(
            finding_id=f"F-{n}",
            occurred_at=T0 + timedelta(minutes=n),
            status=AuditStatus.PENDING_APPROVAL,
            payload={"anomaly_type": "MISSED_PUNCH", "blob": "x" * 200_000},
        )
        for n in range(6)
    ]
    for event in events:
        store.append(event)
    calls = RecordingClient(dynamodb_client)
    # When they are read as summaries
    found = DynamoDbAuditStore(audit_table, client=calls).summaries_by_status(AuditStatus.PENDING_APPROVAL)
    # Then the items came back with the summary and not the payload (DynamoDB pages by the items' whole size, as
    # moto does: the pages and read capacity stay, the bytes go)
    assert [e.payload for e in found] == [{"anomaly_type": "MISSED_PUNCH"}] * 6
    assert len(calls.items) == 6 and len(str(calls.items)) < 6_000
    assert all("payload" not in item and PAYLOAD_SUMMARY in item for item in calls.items)


def test_a_summary_read_meeting_an_event_appended_before_summaries_reads_the_events_whole(
    dynamodb_client: Any, audit_table: str, make_event: MakeEvent
) -> None:
    # Given one event appended with its summary and one stored before summaries were written
    store = DynamoDbAuditStore(audit_table, client=dynamodb_client)
    payload = {"kind": "crew_assignment", "swapped_for": "E0163", "evidence": [1.5] * 20}
    new = make_event(finding_id="F-2", status=AuditStatus.PENDING_APPROVAL, payload=payload)
    old = make_event(finding_id="F-1", occurred_at=T0 - timedelta(days=1), status=AuditStatus.PENDING_APPROVAL)
    store.append(new)
    dynamodb_client.put_item(
        TableName=audit_table, Item={k: v for k, v in event_item(old).items() if k != PAYLOAD_SUMMARY}
    )
    # When the status is read as summaries
    found = store.summaries_by_status(AuditStatus.PENDING_APPROVAL)
    # Then both come back as summaries, the older cut from its whole payload
    assert found == [summary_of(old), summary_of(new)]
    assert found[0].payload == {"anomaly_type": "MISSED_PUNCH"}
    assert found[1].payload == {"kind": "crew_assignment", "swapped_for": "E0163"}
