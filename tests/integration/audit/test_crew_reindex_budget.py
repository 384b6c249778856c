"""crew_planner's bounded migration of the plan-day index on DynamoDB (moto; review_s16 lead 2): crew events written
before the index, given their key one transaction each (`DynamoDbAuditStore.add_to_index`), by runs of
`reindex_if_unmarked` with a small time budget: each stops near its deadline, marks nothing and keeps its place; the
next goes on from there; the one that reads to the end marks, and every event is in its day's partition."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest

from plexlabor.audit.dynamodb import DynamoDbAuditStore
from plexlabor.crew import suggestions
from plexlabor.crew.suggestions import day_since, indexed_from, reindex_if_unmarked
from tests.integration.audit.test_audit_plan_day_index import _put_before_the_index
from tests.unit.crew.test_crew_suggestions import DAY, T0, _suggestion

EVENTS = 120
BUDGET_S = 0.3


def test_a_bounded_reindex_goes_on_run_after_run_until_it_marks(
    dynamodb_client: Any, audit_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(suggestions, "REINDEX_CHUNK", 10)
    events = [_suggestion(f"E{n}", T0 - timedelta(days=2) + timedelta(seconds=n)) for n in range(EVENTS)]
    for event in events:
        _put_before_the_index(dynamodb_client, audit_table, event)
    store = DynamoDbAuditStore(audit_table, client=dynamodb_client)
    assert store.by_plan_day(DAY.isoformat()) == []
    runs: list[tuple[int, float]] = []
    done = None
    while done is None or not done.complete:
        assert indexed_from(store) is None and len(runs) < EVENTS
        started = time.monotonic()
        done = reindex_if_unmarked(store, DAY, T0, "crew_planner", deadline=started + BUDGET_S)
        assert done is not None
        runs.append((done.added, time.monotonic() - started))
    print(f"\n{EVENTS} events, budget {BUDGET_S} s, chunks of 10: runs (added, seconds) {runs}")
    assert len(runs) > 1 and sum(added for added, _ in runs) == EVENTS  # none twice
    assert indexed_from(store) == day_since(DAY)
    assert {e.event_id for e in store.by_plan_day(DAY.isoformat())} == {e.event_id for e in events}
