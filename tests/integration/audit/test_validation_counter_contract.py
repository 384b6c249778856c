"""The validation counter (punches validated per day, the KPI page's denominator): the in-memory fake
and the DynamoDB adapter on moto keep the same contract — a record counts once, whoever validates it
again, and a conflicting transaction is retried, not lost or doubled."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from botocore.exceptions import ClientError

from plexlabor.audit.dynamodb import PREFETCH_AT, DynamoDbValidationCounter
from plexlabor.audit.errors import AuditUnavailableError
from plexlabor.audit.schema import VALIDATION_SHARDS, VALIDATIONS_PK
from plexlabor.audit.validations import (
    InMemoryValidationCounter,
    ValidatedRecord,
    ValidationCounter,
    ValidationCounts,
)

MON, TUE, WED = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)


def punch(number: int, day: date = MON, department: str | None = "Molding") -> ValidatedRecord:
    return ValidatedRecord(f"time-clock-entries:{number}", day, department)


def labor(number: int, day: date = MON) -> ValidatedRecord:
    return ValidatedRecord(f"labor-entries:{number}", day, "Assembly")


@pytest.fixture(params=["in_memory", "dynamodb"])
def counter(request: pytest.FixtureRequest) -> ValidationCounter:
    if request.param == "in_memory":
        return InMemoryValidationCounter()
    state_table = request.getfixturevalue("state_table")
    return DynamoDbValidationCounter(state_table, client=request.getfixturevalue("dynamodb_client"))


def test_both_implementations_are_the_port(counter: ValidationCounter) -> None:
    assert isinstance(counter, ValidationCounter) and isinstance(counter, ValidationCounts)


def test_a_record_counts_once_on_the_day_it_was_first_validated(counter: ValidationCounter) -> None:
    # Given two punches and a labor entry validated on Monday
    assert counter.count([punch(1)], MON) == 1
    assert counter.count([punch(2)], MON) == 1
    assert counter.count([labor(7)], MON) == 1
    # When the first is validated again (a redelivery), on Tuesday (its clock-out version), and the
    # sweep goes over all of them and one it never saw
    assert counter.count([punch(1)], MON) == 0
    assert counter.count([punch(1)], TUE) == 0
    assert counter.count([punch(1), punch(2), labor(7), punch(3, department=None)], WED) == 1
    # Then each record counted once, on the day it was first validated
    [monday, wednesday] = counter.days(MON, WED)
    assert (monday.day, monday.validated) == (MON, 3)
    assert monday.by_resource == {"labor-entries": 1, "time-clock-entries": 2}
    assert monday.by_department == {"Assembly": 1, "Molding": 2}
    assert (wednesday.day, wednesday.validated, wednesday.by_department) == (WED, 1, {})
    assert counter.days(TUE, TUE) == [] and counter.days(WED, WED) == [wednesday]


def test_the_sweep_counts_only_what_no_validator_counted(counter: ValidationCounter) -> None:
    # Given the real-time validator counted half of a day's punches
    day_of_punches = [punch(n) for n in range(2 * PREFETCH_AT)]
    for record in day_of_punches[::2]:
        counter.count([record], MON)
    # When the sweep counts the whole day, twice (a re-run)
    first = counter.count(day_of_punches, TUE)
    second = counter.count(day_of_punches, TUE)
    # Then it counted the other half, once
    assert (first, second) == (PREFETCH_AT, 0)
    assert [(d.day, d.validated) for d in counter.days(MON, TUE)] == [(MON, PREFETCH_AT), (TUE, PREFETCH_AT)]


def test_a_day_is_summed_over_its_shards_and_a_period_is_one_query(dynamodb_client: Any, state_table: str) -> None:
    counter = DynamoDbValidationCounter(state_table, client=dynamodb_client)
    counter.count([punch(n) for n in range(5 * VALIDATION_SHARDS)], MON)
    items = dynamodb_client.query(
        TableName=state_table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": VALIDATIONS_PK}},
    )["Items"]
    assert len(items) > 1  # spread over shards: transactions on one item would conflict
    assert sum(int(item["validated"]["N"]) for item in items) == 5 * VALIDATION_SHARDS
    [monday] = counter.days(MON, MON)
    assert monday.validated == 5 * VALIDATION_SHARDS


def test_the_marker_expires_and_says_when_it_was_counted(dynamodb_client: Any, state_table: str) -> None:
    counter = DynamoDbValidationCounter(state_table, client=dynamodb_client, now=lambda: 1_000_000.0)
    counter.count([punch(1)], TUE)
    item = dynamodb_client.get_item(
        TableName=state_table, Key={"pk": {"S": "validated#2026-11-23"}, "sk": {"S": "time-clock-entries:1"}}
    )["Item"]
    assert item["counted_on"] == {"S": "2026-11-24"}
    assert int(item["expires_at"]["N"]) == 1_000_000 + 400 * 86400


class Conflicting:
    """A DynamoDB client whose first transactions are cancelled by a conflicting one."""

    def __init__(self, client: Any, conflicts: int) -> None:
        self.client, self.conflicts, self.calls = client, conflicts, 0

    def transact_write_items(self, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls <= self.conflicts:
            raise ClientError(
                {
                    "Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"},
                    "CancellationReasons": [{"Code": "None"}, {"Code": "TransactionConflict"}],
                },
                "TransactWriteItems",
            )
        return self.client.transact_write_items(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


def test_a_conflicting_transaction_is_retried_then_counted_once(dynamodb_client: Any, state_table: str) -> None:
    naps: list[float] = []
    client = Conflicting(dynamodb_client, conflicts=2)
    counter = DynamoDbValidationCounter(state_table, client=client, sleep=naps.append)

    assert counter.count([punch(1)], MON) == 1
    assert client.calls == 3 and len(naps) == 2 and all(0 < nap <= 0.5 for nap in naps)
    assert counter.days(MON, MON)[0].validated == 1


def test_conflicts_beyond_the_attempts_are_retryable_and_count_nothing(dynamodb_client: Any, state_table: str) -> None:
    client = Conflicting(dynamodb_client, conflicts=10)
    counter = DynamoDbValidationCounter(state_table, client=client, attempts=3, sleep=lambda _: None)

    with pytest.raises(AuditUnavailableError):
        counter.count([punch(1)], MON)
    assert client.calls == 3 and counter.days(MON, MON) == []
    # the caller's retry (SQS redelivery) counts it
    assert DynamoDbValidationCounter(state_table, client=dynamodb_client).count([punch(1)], MON) == 1
