"""The plan-day index's marker on DynamoDB (moto) (issue 16 §1): `plexlabor crew reindex` gives the crew events written
before the index their key and then marks the index complete from `--since` (`crew.suggestions.reindex`), after which
a day planned nowhere reads its partition only; before it, a table updated to the index reads such a day's crew events
from the status indexes as before (the plan published before the update stays seen). crew_planner's run marks a new
stack's table (`crew.service`, `reindex_if_unmarked`: `tests/unit/crew/test_crew_handler.py`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from plexlabor.audit import AuditEvent, AuditStatus
from plexlabor.audit.dynamodb import DynamoDbAuditStore
from plexlabor.crew.suggestions import INDEX_RECORD, DayReader, day_since, indexed_from
from plexlabor_dev.cli import main
from tests.integration.audit.test_audit_plan_day_index import _put_before_the_index
from tests.unit.crew.test_crew_suggestions import DAY, T0, _suggestion


class CountingStore(DynamoDbAuditStore):
    """Counts the status-index reads (`reads`: where each started)."""

    reads: list[datetime | None]

    def by_status(self, status: AuditStatus, since: datetime | None = None, limit: int = 100) -> list[AuditEvent]:
        self.reads.append(since)
        return super().by_status(status, since, limit)


def _store(client: Any, table: str) -> CountingStore:
    store = CountingStore(table, client=client)
    store.reads = []
    return store


def test_crew_reindex_marks_the_index_and_day_reads_then_look_no_further(
    dynamodb_client: Any, audit_table: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    plan = _suggestion("E1", T0)  # the night's plan, published before the update: no key of the index
    _put_before_the_index(dynamodb_client, audit_table, plan)
    store = _store(dynamodb_client, audit_table)
    # Before the reindex: the day is found planned through the status indexes, and a day planned nowhere reads two
    assert [e.event_id for e in DayReader(store).read(DAY, T0 + timedelta(hours=1)).openings] == [plan.event_id]
    store.reads.clear()
    neighbour = DAY + timedelta(days=1)
    assert DayReader(store).read(neighbour, T0 + timedelta(hours=1)).openings == []
    assert store.reads == [day_since(neighbour)] * 2 and indexed_from(store) is None
    # When the migration runs from 8 days before the day
    since = day_since(DAY)
    args = ["crew", "reindex", "--audit-table", audit_table, "--since", f"{since:%Y-%m-%d}", "--actor", "it-admin"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert (
        "1 crew event(s) added" in out
        and f"marked: the plan-day index holds every crew event from {since:%Y-%m-%d}" in out
    )
    # Then it is marked in the audit table, by whom, and the days it covers read their partition only
    [marker] = store.history(INDEX_RECORD)
    assert marker.actor == "it-admin" and indexed_from(store) == since
    store.reads.clear()
    reader = DayReader(store)
    assert reader.read(neighbour, T0 + timedelta(hours=1)).openings == []
    assert [e.event_id for e in reader.read(DAY, T0 + timedelta(hours=1)).openings] == [plan.event_id]
    assert store.reads == [plan.occurred_at - timedelta(minutes=5)] * 3  # the planned day's closings only
