"""Incidents recorded before the kind index existed (2026-12-05: their items carry no key of it) were left out of the
trends, the training rows and the list, which read that index. `kindindex.reindex` gives them their key: idempotent,
bounded (pages of a status partition a run) and resumable (its cursor). On the fake (events hidden from its kind
index as such items are) and on moto (items written without the index's keys)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
from moto import mock_aws

from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus, AuditStore, InMemoryAuditStore
from plexlabor.audit.dynamodb import DynamoDbAuditStore, create_audit_table
from plexlabor.audit.events import recommendation_event
from plexlabor.audit.schema import AUDIT_TABLE, GSI_KIND
from plexlabor.audit.store import IndexQuery
from plexlabor.incidents.kindindex import reindex
from plexlabor.incidents.nightly import recorded_incidents
from plexlabor.incidents.service import (
    IncidentDeps,
    IncidentReport,
    correct_codes,
    log_incident,
    opening,
    training_reports,
)
from plexlabor.incidents.withdrawal import withdraw
from tests.support import REGION, use_fake_aws
from tests.unit.approval.approval_fakes import Clock
from tests.unit.incidents.conftest import CONFIRMED_CODES
from tests.unit.webapp.test_web_app_incident_list import SureModel

START = datetime(2026, 3, 2, 8, tzinfo=UTC)
ZONE = ZoneInfo("UTC")
TEXT = "A box fell from the top shelf of rack 3 and struck an operator on the shoulder."


class BeforeKindIndex(InMemoryAuditStore):
    """The fake holding events recorded before the kind index existed (`forget_kind_index`): the kind index leaves
    them out until `index_kind` gives them their key, as the DynamoDB adapter's items written before it."""

    def __init__(self) -> None:
        super().__init__()
        self.unindexed: set[str] = set()

    def forget_kind_index(self) -> None:
        self.unindexed = {event.event_id for event in self._select(lambda e: True, key=lambda e: e.event_sk)}

    def _find(self, query: IndexQuery) -> list[AuditEvent]:
        if query.index_name != GSI_KIND:
            return super()._find(query)
        found = super()._find(dataclasses.replace(query, limit=None))
        return [event for event in found if event.event_id not in self.unindexed][: query.limit]

    def index_kind(self, events: Iterable[AuditEvent]) -> int:
        given = {event.event_id for event in events if event.kind is not None} & self.unindexed
        self.unindexed -= given
        return len(given)


def _findings(audit: AuditStore, clock: Clock, count: int, batch: str = "a") -> None:
    """Other kinds' events in the `logged` partition the openings share (the reindex reads past them)."""
    for n in range(count):
        audit.append(
            recommendation_event(
                f"trend:{batch}{n}",
                f"trend-{batch}{n}",
                status=AuditStatus.LOGGED,
                occurred_at=clock(),
                actor="t",
                model_version="t",
                payload={},
            )
        )


def _old_plant(audit: AuditStore, clock: Clock) -> dict[str, str]:
    """Four incidents as a plant recorded them before the kind index: one confirmed by the EHS lead, one auto-coded
    then replaced by its reporter's corrected resend (auto-coded too), one withdrawn; other kinds' events between
    them."""
    unsure, sure = IncidentDeps(audit, None, clock=clock), IncidentDeps(audit, SureModel(True), clock=clock)  # type: ignore[arg-type]

    def send(text: str, auto: bool = False, **fields: Any) -> str:
        report = IncidentReport(narrative=text, occurred_at=START, **fields)
        return log_incident(sure if auto else unsure, report, "E0001").incident_id

    confirmed = send(TEXT)
    found = opening(audit, confirmed)
    assert found is not None
    correct_codes(audit, found, CONFIRMED_CODES, "EHS1", clock())
    _findings(audit, clock, 5)
    replaced = send(TEXT + " Again.", auto=True, workcenter_code="PRESS4")  # auto-coded: opened `logged`
    correction = send(TEXT + " Again.", auto=True, workcenter_code="PRESS5")
    withdrawn = send(TEXT + " A test.")
    found = opening(audit, withdrawn)
    assert found is not None
    withdraw(audit, found, by="E0001", role="reporter", reason="a test", at=clock())
    _findings(audit, clock, 5, "b")
    return {"confirmed": confirmed, "replaced": replaced, "correction": correction, "withdrawn": withdrawn}


def _counted(audit: AuditStore) -> int:
    return len(recorded_incidents(audit, START - timedelta(days=1), ZONE))


def _trained_on(audit: AuditStore) -> list[str]:
    return [report.narrative for report in training_reports(audit)]


def _run_to_the_end(audit: AuditStore, page_size: int) -> list[Any]:
    runs, cursor = [], None
    while True:
        runs.append(reindex(audit, after=cursor, pages=1, page_size=page_size))
        cursor = runs[-1].cursor
        if cursor is None:
            return runs
        assert len(runs) < 50


def test_incidents_recorded_before_the_kind_index_count_again_once_reindexed_a_page_at_a_time() -> None:
    # Given a plant's incidents recorded before the kind index existed, and one recorded after it
    audit, clock = BeforeKindIndex(), Clock(START)
    _old_plant(audit, clock)
    audit.forget_kind_index()
    log_incident(IncidentDeps(audit, None, clock=clock), IncidentReport(narrative=TEXT + " Later."), "E0002")
    # Then only the newer one is counted in the trends, and the confirmed one is no training row
    assert _counted(audit) == 1 and _trained_on(audit) == []
    # When the backfill runs a page of 3 status events at a time, each run resuming at the last one's cursor
    runs = _run_to_the_end(audit, page_size=3)
    # Then it took several bounded runs, and every event of the old incidents is in the kind index
    assert len(runs) > 3 and all(run.read <= 3 for run in runs)
    assert sum(run.indexed for run in runs) == 7 and audit.unindexed == {
        e.event_id for e in audit.by_status(AuditStatus.LOGGED, limit=100) if e.record_key.startswith("trend:")
    }
    # and the trends count the confirmed report, the correction and the newer one (not the replaced or withdrawn
    # report: their closings were indexed too), and the confirmed one is a training row again
    assert _counted(audit) == 3 and _trained_on(audit) == [TEXT]
    # and a run from the start again gives nothing more (idempotent)
    again = reindex(audit, page_size=100)
    assert again.cursor is None and again.indexed == 0 and again.incidents == 5


def test_a_cursor_that_names_no_partition_or_time_and_a_page_of_one_are_refused() -> None:
    for cursor in ("expired@2026-03-02T08:00:00Z", "logged@yesterday", "logged@2026-03-02T08:00:00"):
        with pytest.raises(ValueError, match="cursor"):
            reindex(InMemoryAuditStore(), after=cursor)
    with pytest.raises(ValueError, match="page size: at least 2"):  # a page of one re-reads its own instant only
        reindex(InMemoryAuditStore(), page_size=1)


def test_an_instant_holding_a_whole_page_is_stepped_over_and_said() -> None:
    audit, at = BeforeKindIndex(), START
    _findings(audit, lambda: at, 4)  # type: ignore[arg-type]
    done = reindex(audit, pages=5, page_size=2)
    assert done.skipped == ["logged@2026-03-02T08:00:00.000000Z"] and done.cursor is None and done.read == 4


def forget_kind_index(client: Any, table: str) -> None:
    """Write every item of the table again without the kind index's keys: as the adapter wrote them before it."""
    index = AUDIT_TABLE.index(GSI_KIND)
    for item in client.scan(TableName=table)["Items"]:
        if index.partition_key in item:
            kept = {k: v for k, v in item.items() if k not in (index.partition_key, index.sort_key)}
            client.put_item(TableName=table, Item=kept)


def test_on_dynamodb_the_old_incidents_are_given_their_key_and_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fake_aws(monkeypatch)
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        create_audit_table(client, "incidents-audit")
        audit, clock = DynamoDbAuditStore("incidents-audit", client=client), Clock(START)
        old = _old_plant(audit, clock)
        forget_kind_index(client, "incidents-audit")
        before = {item: audit.history(f"incident:{item}") for item in old.values()}
        assert _counted(audit) == 0 and _trained_on(audit) == []
        runs = _run_to_the_end(audit, page_size=4)
        assert len(runs) > 1 and sum(run.indexed for run in runs) == 7
        assert _counted(audit) == 2 and _trained_on(audit) == [TEXT]
        assert {item: audit.history(f"incident:{item}") for item in old.values()} == before  # unchanged
        assert reindex(audit).indexed == 0
        kinds = {e.event_type for e in audit.by_kind("incident_coding")}
        assert kinds == {AuditEventType.RECOMMENDATION, AuditEventType.DECISION, AuditEventType.EXPIRED}
