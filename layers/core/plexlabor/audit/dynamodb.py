"""DynamoDB adapters of the audit store, the link nonce store and the validation counter: the only
audit module on boto3.

Payload and previous_values are stored as JSON strings, not DynamoDB maps: boto3 refuses Python
floats in maps (they must become Decimal, and come back as Decimal), so a map would change the
types a caller appended and the fake would drift from the adapter. A JSON string round-trips
floats, nested dicts and lists exactly, costs no more (audit payloads are read whole, never
queried by field), and exports to S3/Athena as ordinary JSON. Every attribute is therefore a string
except the nonce TTL, which DynamoDB requires to be a number. Beside the payload each event carries its
`store.SUMMARY_KEYS` as a small JSON string (`PAYLOAD_SUMMARY`), which a summary read projects instead of the
payload (ProjectionExpression): the bytes sent, parsed and validated shrink, not the read capacity (DynamoDB
charges a Query by the items' whole size).

ClientError codes become domain errors here: a failed condition becomes AuditConflictError (audit)
or LinkAlreadyUsedError (nonces); throttling, 5xx and network failures become the retryable
AuditUnavailableError; anything else becomes AuditError naming the code.
"""

from __future__ import annotations

import json
import math
import random
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from functools import partial
from typing import Any

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from plexlabor.audit.errors import (
    AuditConflictError,
    AuditError,
    AuditUnavailableError,
    LinkAlreadyUsedError,
)
from plexlabor.audit.events import STORED_JSON_BYTES, AuditEvent, canonical_json, format_audit_time
from plexlabor.audit.links import check_nonce
from plexlabor.audit.schema import (
    AUDIT_TABLE,
    EVENT_GUARD_PREFIX,
    EVENT_GUARD_SK,
    INDEX_FIELDS,
    LINK_PK_PREFIX,
    LINK_RELEASED,
    LINK_SK,
    STATE_TABLE,
    VALIDATED_KEEP_DAYS,
    VALIDATED_PK_PREFIX,
    VALIDATION_SHARDS,
    VALIDATIONS_PK,
    TableSpec,
)
from plexlabor.audit.store import AuditStore, IndexQuery, summary_of
from plexlabor.audit.validations import DayCount, ValidatedRecord, counter_names, day_count
from plexlabor.platform.aws import LazyClient
from plexlabor.platform.clock import aware_utc

__all__ = [
    "AUDIT_TABLE",
    "STATE_TABLE",
    "DynamoDbAuditStore",
    "DynamoDbLinkNonceStore",
    "DynamoDbValidationCounter",
    "create_audit_table",
    "create_state_table",
]

_RETRYABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionConflictException",
        "TransactionInProgressException",
    }
)
_RETRYABLE_CANCELLATION_CODES = frozenset(
    {"ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded", "TransactionConflict"}
)
_EVENT_FIELDS = ("event_id", "event_type", "status", "occurred_at", "actor")
_OPTIONAL_FIELDS = ("finding_id", "supervisor_id", "employee_id", "model_version")
PAYLOAD_SUMMARY = "payload_summary"
"""The attribute holding an event's payload cut to `SUMMARY_KEYS` (JSON), written with every event since it was
introduced; a summary read that meets an item without it (appended before) reads the query again whole."""
_SUMMARY_NAMES = {
    f"#p{i}": name
    for i, name in enumerate(
        (AUDIT_TABLE.partition_key, *_EVENT_FIELDS, *_OPTIONAL_FIELDS, "previous_values", PAYLOAD_SUMMARY)
    )
}
_SUMMARY_PROJECTION = ", ".join(_SUMMARY_NAMES)
"""A summary read's ProjectionExpression and its attribute names (`status` is a reserved word)."""


@contextmanager
def _translate_errors(operation: str, conflict: Callable[[], AuditError] | None = None) -> Iterator[None]:
    """Turn boto errors raised inside the block into the audit package's typed errors."""
    try:
        yield
    except ClientError as error:
        raise _domain_error(error, operation, conflict) from error
    except (BotoConnectionError, HTTPClientError) as error:
        raise AuditUnavailableError(f"DynamoDB unreachable during {operation}") from error


def _domain_error(error: ClientError, operation: str, conflict: Callable[[], AuditError] | None) -> AuditError:
    code = error.response.get("Error", {}).get("Code", "")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    if code == "ConditionalCheckFailedException" and conflict is not None:
        return conflict()
    if code == "TransactionCanceledException":
        reasons = {reason.get("Code") for reason in error.response.get("CancellationReasons", [])}
        if "ConditionalCheckFailed" in reasons and conflict is not None:
            return conflict()
        if reasons & _RETRYABLE_CANCELLATION_CODES:
            return AuditUnavailableError(f"DynamoDB busy during {operation}: {sorted(map(str, reasons))}")
    if code in _RETRYABLE_CODES or status >= 500:
        return AuditUnavailableError(f"DynamoDB unavailable during {operation}: {code}")
    return AuditError(f"DynamoDB error during {operation}: {code}")


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def event_item(event: AuditEvent) -> dict[str, Any]:
    """The audit-table item of an event, in DynamoDB's typed JSON."""
    index_sk = event.index_sk
    item: dict[str, Any] = {
        AUDIT_TABLE.partition_key: _s(event.record_key),
        AUDIT_TABLE.sort_key: _s(event.event_sk),
        "event_id": _s(event.event_id),
        "event_type": _s(event.event_type.value),
        "status": _s(event.status.value),
        "occurred_at": _s(format_audit_time(event.occurred_at)),
        "actor": _s(event.actor),
        "payload": _s(event.payload_json),
        PAYLOAD_SUMMARY: _s(canonical_json(summary_of(event).payload)),
    }
    for name in _OPTIONAL_FIELDS:
        value = getattr(event, name)
        if value is not None:
            item[name] = _s(value)
    if event.previous_values_json is not None:
        item["previous_values"] = _s(event.previous_values_json)
    for index_name, field in INDEX_FIELDS.items():
        partition = getattr(event, field)
        if partition is not None:  # sparse: no id, no index entry
            index = AUDIT_TABLE.index(index_name)
            item[index.partition_key] = _s(str(partition))
            item[index.sort_key] = _s(index_sk)
    return item


def event_from_item(item: dict[str, Any]) -> AuditEvent:
    """Read an audit-table item back into the event that was appended (a summary read's item: as `summary_of` it)."""
    payload = item["payload"] if "payload" in item else item[PAYLOAD_SUMMARY]
    data: dict[str, Any] = {
        "record_key": item[AUDIT_TABLE.partition_key]["S"],
        "payload": json.loads(payload["S"]),
    }
    stored_bytes = len(payload["S"].encode())
    for name in (*_EVENT_FIELDS, *_OPTIONAL_FIELDS):
        if name in item:
            data[name] = item[name]["S"]
    if "previous_values" in item:
        data["previous_values"] = json.loads(item["previous_values"]["S"])
        stored_bytes += len(item["previous_values"]["S"].encode())
    # the payloads as stored (`event_item`: canonical JSON): not round-tripped nor sized again (0.1 s CPU a 1,200
    # events' crew day read, issue 16)
    return AuditEvent.model_validate(data, context={STORED_JSON_BYTES: stored_bytes})


class _AppendedBeforeSummariesError(Exception):
    """A summary read met an item appended before `PAYLOAD_SUMMARY` was written: it has only the whole payload."""


class _TableAdapter:
    """One DynamoDB table: its name, and a client passed in or `platform.aws`'s, made on first use."""

    def __init__(self, table_name: str, client: Any | None = None) -> None:
        self.table_name = table_name
        self._client = client

    client = LazyClient("dynamodb")


class DynamoDbAuditStore(_TableAdapter, AuditStore):
    """The AuditStore on the audit table (`schema.AUDIT_TABLE`).

    `append` writes the event and an event-id guard item in one transaction, each on condition
    that its key is new: a second append of the same event_id fails as a whole, even when its
    time or record differ, and nothing is ever overwritten.

    `history` reads the table with strong consistency; the other queries read global secondary
    indexes, which are eventually consistent (an event may show up there a moment after append).
    `add_to_index` (`index_kind`) is the one write besides `append`: it puts an event recorded before an index existed
    again, unchanged, with that index's key (on condition that the item has none), in a transaction as `append` does
    (the deployed table denies a PutItem outside one to everyone: `infra.constructs.storage.TRANSACTIONS_ONLY`).
    """

    def append(self, event: AuditEvent) -> None:
        guard = {
            AUDIT_TABLE.partition_key: _s(EVENT_GUARD_PREFIX + event.event_id),
            AUDIT_TABLE.sort_key: _s(EVENT_GUARD_SK),
            "target_record_key": _s(event.record_key),
            "target_event_sk": _s(event.event_sk),
        }
        condition = f"attribute_not_exists({AUDIT_TABLE.partition_key})"
        with _translate_errors("append", conflict=lambda: AuditConflictError(event.event_id, event.record_key)):
            self.client.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": self.table_name, "Item": item, "ConditionExpression": condition}}
                    for item in (event_item(event), guard)
                ]
            )

    def add_to_index(self, index_name: str, events: Iterable[AuditEvent]) -> int:
        """Each event with the index's field is put again whole (`event_item`: its fields as `history` read them, with
        every index key this adapter writes) on condition that its item is there, holds that event and has no key of
        that index (items appended before the index existed): a transaction of that one Put, as `append` writes, since
        the deployed table refuses a bare PutItem to everyone. The event's fields are not changed, and an item in the
        index already fails the condition and is left as it is, so running it again adds nothing."""
        index, field = AUDIT_TABLE.index(index_name), INDEX_FIELDS[index_name]
        condition = "attribute_exists(#pk) AND attribute_not_exists(#index) AND #id = :id"
        names = {"#pk": AUDIT_TABLE.partition_key, "#index": index.partition_key, "#id": "event_id"}
        added = 0
        for event in events:
            if getattr(event, field) is None:
                continue
            try:
                with _translate_errors(f"add to {index_name}", conflict=partial(AuditConflictError, event.event_id)):
                    put = {
                        "TableName": self.table_name,
                        "Item": event_item(event),
                        "ConditionExpression": condition,
                        "ExpressionAttributeNames": names,
                        "ExpressionAttributeValues": {":id": _s(event.event_id)},
                    }
                    self.client.transact_write_items(TransactItems=[{"Put": put}])
            except AuditConflictError:  # in the index already (or no such item): nothing to add
                continue
            added += 1
        return added

    def history(self, record_key: str) -> list[AuditEvent]:
        if record_key.startswith("#"):  # reserved for guard items, never a record key
            return []
        return self._query(
            {
                "KeyConditionExpression": "#pk = :pk",
                "ExpressionAttributeNames": {"#pk": AUDIT_TABLE.partition_key},
                "ExpressionAttributeValues": {":pk": _s(record_key)},
                "ConsistentRead": True,
            },
            limit=None,
        )

    def _find(self, query: IndexQuery) -> list[AuditEvent]:
        index = AUDIT_TABLE.index(query.index_name)
        names = {"#pk": index.partition_key}
        values: dict[str, Any] = {":pk": _s(query.partition)}
        condition = "#pk = :pk"
        if query.since is not None:
            names["#sk"] = index.sort_key
            values[":since"] = _s(format_audit_time(query.since))
            condition += " AND #sk >= :since"
        params: dict[str, Any] = {
            "IndexName": index.name,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": not query.newest_first,
        }
        if query.status is not None:
            names["#status"] = "status"
            values[":status"] = _s(query.status.value)
            params["FilterExpression"] = "#status = :status"
        if not query.summary:
            return self._query(params, limit=query.limit)
        summarized = {
            **params,
            "ProjectionExpression": _SUMMARY_PROJECTION,
            "ExpressionAttributeNames": {**names, **_SUMMARY_NAMES},
        }
        try:
            return self._query(summarized, limit=query.limit)
        except _AppendedBeforeSummariesError:  # the whole items, cut as the fake cuts them
            return [summary_of(event) for event in self._query(params, limit=query.limit)]

    def _query(self, params: dict[str, Any], *, limit: int | None) -> list[AuditEvent]:
        """Run a query to the last page, or until `limit` events (after any filter) are read."""
        events: list[AuditEvent] = []
        request = {"TableName": self.table_name, **params}
        if limit is not None and "FilterExpression" not in params:
            request["Limit"] = limit  # without a filter, a page of `limit` items is enough
        with _translate_errors("query"):
            while True:
                page = self.client.query(**request)
                items = page.get("Items", [])
                if "ProjectionExpression" in request and any(PAYLOAD_SUMMARY not in item for item in items):
                    raise _AppendedBeforeSummariesError
                events += (event_from_item(item) for item in items)
                if (limit is not None and len(events) >= limit) or "LastEvaluatedKey" not in page:
                    break
                request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return events[:limit]


class DynamoDbLinkNonceStore(_TableAdapter):
    """The LinkNonceStore on the state table (`schema.STATE_TABLE`): one item per used nonce,
    written on condition that none is there or the one there was released, deleted by TTL after
    `expires_at`. A release marks the item `released` (UpdateItem, as the functions that consume
    nonces may; none of them may delete state items)."""

    @staticmethod
    def _key(nonce: str) -> dict[str, Any]:
        return {STATE_TABLE.partition_key: _s(LINK_PK_PREFIX + nonce), STATE_TABLE.sort_key: _s(LINK_SK)}

    def consume(self, nonce: str, expires_at: datetime) -> None:
        check_nonce(nonce)
        aware_utc("expires_at", expires_at)
        item = {**self._key(nonce), "expires_at": {"N": str(math.ceil(expires_at.timestamp()))}}
        with _translate_errors(
            "consume link nonce",
            conflict=lambda: LinkAlreadyUsedError("this approval link has already been used"),
        ):
            self.client.put_item(
                TableName=self.table_name,
                Item=item,
                ConditionExpression=f"attribute_not_exists({STATE_TABLE.partition_key}) OR {LINK_RELEASED} = :yes",
                ExpressionAttributeValues={":yes": {"BOOL": True}},
            )

    def release(self, nonce: str) -> None:
        check_nonce(nonce)
        with _translate_errors("release link nonce"):
            try:
                self.client.update_item(
                    TableName=self.table_name,
                    Key=self._key(nonce),
                    UpdateExpression=f"SET {LINK_RELEASED} = :yes",
                    ConditionExpression=f"attribute_exists({STATE_TABLE.partition_key})",
                    ExpressionAttributeValues={":yes": {"BOOL": True}},
                )
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise  # never consumed: nothing to release


PREFETCH_AT = 20
"""From this many records in one `count` (the sweep), the markers of their days are read first."""
MAX_PAGES = 1000
"""A Query reads at most this many pages (1 MB each): far beyond a day of a large plant's records."""


def _cancelled_because(error: ClientError) -> str:
    """`counted` (the marker was there), `busy` (conflict, throttling: try again) or `` (anything else)."""
    response: dict[str, Any] = error.response
    code = response.get("Error", {}).get("Code", "")
    reasons = {str(reason.get("Code")) for reason in response.get("CancellationReasons") or [] if reason}
    if not reasons and code == "TransactionCanceledException":  # a client that did not parse them
        message = str(response.get("Error", {}).get("Message", ""))
        reasons = {part.strip() for part in message.partition("[")[2].rstrip("]").split(",")}
    if "ConditionalCheckFailed" in reasons:
        return "counted"
    if reasons & _RETRYABLE_CANCELLATION_CODES or code in _RETRYABLE_CODES:
        return "busy"
    return ""


class DynamoDbValidationCounter(_TableAdapter):
    """The ValidationCounter on the state table (`schema`: markers and daily counters).

    Each new record is one TransactWriteItems: Put its marker on condition that none is there, and ADD
    1 to its numbers on one shard of the day's counter (PutItem and UpdateItem permissions). A failed
    condition means counted before: nothing changes, 0 is returned. Transactions on one counter shard
    conflict under load (`TransactionConflict`, as throttling): retried here `attempts` times with
    jittered backoff, then AuditUnavailableError (retryable: the caller's retry counts the record,
    the marker still decides). A transaction that committed but whose answer was lost is retried by
    the SDK and refused by the condition: still one count. With PREFETCH_AT records or more (the
    sweep), the markers of their days are read first (one Query per record day, `sk` only) and only
    records without one are written.
    """

    def __init__(
        self,
        table_name: str,
        client: Any | None = None,
        *,
        attempts: int = 6,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(table_name, client)
        self.attempts, self._sleep, self._now = max(1, attempts), sleep, now

    def count(self, records: Sequence[ValidatedRecord], on: date) -> int:
        pending = self._not_counted(records) if len(records) >= PREFETCH_AT else list(records)
        return sum(self._count_one(record, on) for record in pending)

    def days(self, first: date, last: date) -> list[DayCount]:
        numbers: dict[date, Counter[str]] = {}
        request = {
            "TableName": self.table_name,
            "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :first AND :last",
            "ExpressionAttributeNames": {"#pk": STATE_TABLE.partition_key, "#sk": STATE_TABLE.sort_key},
            "ExpressionAttributeValues": {
                ":pk": _s(VALIDATIONS_PK),
                ":first": _s(first.isoformat()),
                ":last": _s(f"{last.isoformat()}#~"),
            },
        }
        for item in self._query(request, "read validation counts"):
            day = date.fromisoformat(item[STATE_TABLE.sort_key]["S"].split("#", 1)[0])
            totals = numbers.setdefault(day, Counter())
            for name, value in item.items():
                if "N" in value:  # the numbers: `validated`, `resource#...`, `department#...`
                    totals[name] += int(value["N"])
        return [day_count(day, totals) for day, totals in sorted(numbers.items())]

    def _query(self, request: dict[str, Any], operation: str) -> Iterator[dict[str, Any]]:
        with _translate_errors(operation):
            for _ in range(MAX_PAGES):
                page = self.client.query(**request)
                yield from page.get("Items", [])
                if "LastEvaluatedKey" not in page:
                    return
                request = {**request, "ExclusiveStartKey": page["LastEvaluatedKey"]}
        raise AuditError(f"{operation}: more than {MAX_PAGES} pages")

    def _not_counted(self, records: Sequence[ValidatedRecord]) -> list[ValidatedRecord]:
        counted: set[tuple[date, str]] = set()
        for day in sorted({record.record_day for record in records}):
            request = {
                "TableName": self.table_name,
                "KeyConditionExpression": "#pk = :pk",
                "ProjectionExpression": "#sk",
                "ConsistentRead": True,
                "ExpressionAttributeNames": {"#pk": STATE_TABLE.partition_key, "#sk": STATE_TABLE.sort_key},
                "ExpressionAttributeValues": {":pk": _s(VALIDATED_PK_PREFIX + day.isoformat())},
            }
            counted |= {(day, item[STATE_TABLE.sort_key]["S"]) for item in self._query(request, "read markers")}
        return [record for record in records if (record.record_day, record.record_key) not in counted]

    def _transaction(self, record: ValidatedRecord, on: date) -> list[dict[str, Any]]:
        keep_until = math.ceil(self._now()) + VALIDATED_KEEP_DAYS * 86400
        marker = {
            STATE_TABLE.partition_key: _s(VALIDATED_PK_PREFIX + record.record_day.isoformat()),
            STATE_TABLE.sort_key: _s(record.record_key),
            "counted_on": _s(on.isoformat()),
            "expires_at": {"N": str(keep_until)},
        }
        names = counter_names(record)
        shard = zlib.crc32(record.record_key.encode()) % VALIDATION_SHARDS
        return [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": marker,
                    "ConditionExpression": "attribute_not_exists(#pk)",
                    "ExpressionAttributeNames": {"#pk": STATE_TABLE.partition_key},
                }
            },
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": {
                        STATE_TABLE.partition_key: _s(VALIDATIONS_PK),
                        STATE_TABLE.sort_key: _s(f"{on.isoformat()}#{shard}"),
                    },
                    "UpdateExpression": "ADD " + ", ".join(f"#n{i} :one" for i in range(len(names))),
                    "ExpressionAttributeNames": {f"#n{i}": name for i, name in enumerate(names)},
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
        ]

    def _count_one(self, record: ValidatedRecord, on: date) -> int:
        """1 if this call counted the record, 0 if it was counted before."""
        items = self._transaction(record, on)
        for attempt in range(self.attempts):
            try:
                self.client.transact_write_items(TransactItems=items)
                return 1
            except ClientError as error:
                because = _cancelled_because(error)
                if because == "counted":
                    return 0
                if because != "busy" or attempt == self.attempts - 1:
                    raise _domain_error(error, "count a validated record", None) from error
            except (BotoConnectionError, HTTPClientError) as error:
                raise AuditUnavailableError("DynamoDB unreachable while counting a validated record") from error
            self._sleep(min(0.5, 0.02 * 2**attempt) * (0.5 + random.random() / 2))
        raise AssertionError("unreachable")  # pragma: no cover


def _create_table(client: Any, spec: TableSpec, name: str, *, exist_ok: bool) -> None:
    try:
        client.create_table(**spec.create_table_kwargs(name))
    except ClientError as error:
        if exist_ok and error.response.get("Error", {}).get("Code") == "ResourceInUseException":
            return
        raise
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    if spec.ttl_attribute is not None:
        client.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute},
        )


def create_audit_table(client: Any, name: str, *, exist_ok: bool = False) -> None:
    """Create the audit table with `schema.AUDIT_TABLE` (on-demand), for tests and the local runtime."""
    _create_table(client, AUDIT_TABLE, name, exist_ok=exist_ok)


def create_state_table(client: Any, name: str, *, exist_ok: bool = False) -> None:
    """Create the state table with `schema.STATE_TABLE` (on-demand, TTL on `expires_at`)."""
    _create_table(client, STATE_TABLE, name, exist_ok=exist_ok)
