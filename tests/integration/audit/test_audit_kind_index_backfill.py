"""`AuditStore.index_kind`: an event appended before the kind index existed (its item without `gsi_kind_pk`) is given
its key, unchanged; one in the index already, or without a kind, is left as it is. On moto, with items written as the
adapter wrote them before the index (72dc3e3), and on the fake, whose indexes follow each event (nothing to add)."""

from __future__ import annotations

from typing import Any

from plexlabor.audit import AuditEvent, AuditStore
from plexlabor.audit.dynamodb import DynamoDbAuditStore, event_item
from plexlabor.audit.schema import AUDIT_TABLE, GSI_KIND
from tests.integration.audit.conftest import MakeEvent

KIND = "incident_coding"


def put_before_the_kind_index(client: Any, table: str, event: AuditEvent) -> None:
    """Write `event`'s item as the adapter did before the kind index existed: every attribute but that index's keys."""
    index = AUDIT_TABLE.index(GSI_KIND)
    item = {k: v for k, v in event_item(event).items() if k not in (index.partition_key, index.sort_key)}
    client.put_item(TableName=table, Item=item)


def _events(make_event: MakeEvent) -> list[AuditEvent]:
    return [
        make_event(record_key="incident:inc-1", finding_id="inc-1", event_id=f"e-{n}", payload={"kind": KIND, "n": n})
        for n in range(3)
    ]


def test_an_event_recorded_before_the_kind_index_is_given_its_key_unchanged(
    dynamodb_client: Any, audit_table: str, make_event: MakeEvent
) -> None:
    store = DynamoDbAuditStore(audit_table, client=dynamodb_client)
    old, indexed, unrecorded = _events(make_event)
    put_before_the_kind_index(dynamodb_client, audit_table, old)
    store.append(indexed)
    store.append(make_event(event_id="e-none", payload={"anomaly_type": "MISSED_PUNCH"}))
    before = store.history("incident:inc-1")
    assert [e.event_id for e in store.by_kind(KIND)] == ["e-1"]
    # When the record's events are given their key
    assert store.index_kind([*before, unrecorded, *store.history("time-clock-entries:1001")]) == 1
    # Then the old one is in the index, the record reads back the same, and a second run adds nothing
    assert [e.event_id for e in store.by_kind(KIND)] == ["e-0", "e-1"]
    assert store.history("incident:inc-1") == before
    assert store.index_kind(store.history("incident:inc-1")) == 0
    # and an event never recorded is not written by it (the item must be there)
    assert [e.event_id for e in store.history("incident:inc-1")] == ["e-0", "e-1"]


def test_the_fake_holds_every_event_in_its_kind_index_already(audit_store: AuditStore, make_event: MakeEvent) -> None:
    for event in _events(make_event):
        audit_store.append(event)
    assert audit_store.index_kind(audit_store.history("incident:inc-1")) == 0
    assert [e.event_id for e in audit_store.by_kind(KIND)] == ["e-0", "e-1", "e-2"]
