"""The plan-day index (`schema.GSI_PLAN_DAY`, issue 16): a day's crew events in one partition, on moto as on the fake;
and its migration (`crew.suggestions.index_plan_days`, `plexlabor crew reindex`): crew events written before the
index existed (their items without its keys) are invisible to a day's read until given their key, unchanged."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from plexlabor.approval.messages import ApprovalAction
from plexlabor.audit import AuditEvent
from plexlabor.audit.dynamodb import DynamoDbAuditStore, event_item
from plexlabor.audit.schema import AUDIT_TABLE, GSI_PLAN_DAY
from plexlabor.crew.suggestions import index_plan_days, read_day
from tests.unit.crew.test_crew_suggestions import _decided, _suggestion

DAY = date(2026, 11, 23)
T0 = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)


def _put_before_the_index(client: Any, table: str, event: AuditEvent) -> None:
    """`event`'s item as the adapter wrote it before the plan-day index: every attribute but that index's keys."""
    index = AUDIT_TABLE.index(GSI_PLAN_DAY)
    item = {k: v for k, v in event_item(event).items() if k not in (index.partition_key, index.sort_key)}
    client.put_item(TableName=table, Item=item)


def test_a_day_partition_holds_that_days_crew_events_only(dynamodb_client: Any, audit_table: str) -> None:
    store = DynamoDbAuditStore(audit_table, client=dynamodb_client)
    today, tomorrow = _suggestion("E1", T0), _suggestion("E2", T0, day=DAY + timedelta(days=1))
    for event in (today, tomorrow, _decided(today, ApprovalAction.REJECT, T0 + timedelta(minutes=5))):
        store.append(event)
    assert [e.event_id for e in store.by_plan_day(DAY.isoformat())] == [today.event_id]  # the decision names no day
    assert store.by_plan_day(DAY.isoformat(), since=T0 + timedelta(seconds=1)) == []
    assert read_day(store, DAY).closed[today.event_id].event_type.value == "decision"


def test_crew_events_written_before_the_index_are_read_once_given_their_key(
    dynamodb_client: Any, audit_table: str
) -> None:
    store = DynamoDbAuditStore(audit_table, client=dynamodb_client)
    old, new = _suggestion("E1", T0), _suggestion("E2", T0 + timedelta(minutes=1))
    _put_before_the_index(dynamodb_client, audit_table, old)
    store.append(new)
    store.append(_decided(old, ApprovalAction.APPROVE, T0 + timedelta(minutes=5)))
    history = store.history(old.record_key)
    assert [e.event_id for e in read_day(store, DAY).openings] == [new.event_id]  # the old one is not in the index
    # When the crew events since the plan horizon are given their key
    assert index_plan_days(store, T0 - timedelta(days=8)).added == 1
    # Then the day reads both with the old one's decision, the record reads back the same, and again adds nothing
    read = read_day(store, DAY)
    assert [e.event_id for e in read.openings] == [old.event_id, new.event_id]
    assert read.closed[old.event_id].status.value == "approved"
    assert store.history(old.record_key) == history
    assert index_plan_days(store, T0 - timedelta(days=8)).added == 0
