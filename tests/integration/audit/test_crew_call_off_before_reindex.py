"""A stack updated to the plan-day index (a0b29808) and not yet reindexed (`plexlabor crew reindex`): the night's plan
was published before the update, its items without the index's keys (review_close_s15 #1). A day's read still finds
that plan (`crew.suggestions._unindexed`), so a call-off of a seated person re-plans instead of being recorded for good
as "no seat", and the plan the re-plan left stands beside the re-plan's suggestions (which are indexed)."""

from __future__ import annotations

from typing import Any

import pytest

from plexlabor.audit import AuditStatus, InMemoryAuditStore
from plexlabor.audit.dynamodb import DynamoDbAuditStore, event_item
from plexlabor.audit.schema import AUDIT_TABLE, GSI_PLAN_DAY
from plexlabor.crew import wiring
from plexlabor.crew.replanning import run
from plexlabor.crew.suggestions import read_day
from tests.unit.crew.test_crew_replan_events import DAY, Source, message, planned_store, reads  # noqa: F401 (a fixture)
from tests.unit.crew.test_crew_suggestions import DAY as SUGGESTION_DAY
from tests.unit.crew.test_crew_suggestions import T0, _suggestion
from tests.unit.crew.test_crew_supersede_race import AT


def _container(store: DynamoDbAuditStore) -> wiring.ReplanDependencies:
    return wiring.ReplanDependencies(source=Source(), store=store, time_limit_s=10, clock=lambda: AT)  # type: ignore[arg-type]


def _published_before_the_index(client: Any, table: str, plan: InMemoryAuditStore) -> set[str]:
    """The plan's items as the adapter wrote them before the plan-day index (every attribute but its keys)."""
    index = AUDIT_TABLE.index(GSI_PLAN_DAY)
    for event in plan._events.values():
        item = {k: v for k, v in event_item(event).items() if k not in (index.partition_key, index.sort_key)}
        client.put_item(TableName=table, Item=item)
    return {e.event_id for e in read_day(plan, DAY).openings}


@pytest.mark.usefixtures("reads")
def test_a_call_off_before_the_reindex_re_plans_the_seated_person(dynamodb_client: Any, audit_table: str) -> None:
    plan = _published_before_the_index(dynamodb_client, audit_table, planned_store())
    store = DynamoDbAuditStore(audit_table, client=dynamodb_client)
    summary = run(_container(store), message("call_off", AT, employee_id="C"))
    assert summary.get("skipped") is None and summary["superseded"] == 1, summary
    # the re-plan's suggestions are in the index, the plan's others are not: the day still reads them all
    read = read_day(store, DAY)
    assert plan <= {e.event_id for e in read.openings}
    assert len(read.closed) == 1


@pytest.mark.usefixtures("reads")
def test_a_call_off_with_the_plan_in_the_index_re_plans_the_same(dynamodb_client: Any, audit_table: str) -> None:
    store = DynamoDbAuditStore(audit_table, client=dynamodb_client)
    for event in planned_store()._events.values():
        store.append(event)
    summary = run(_container(store), message("call_off", AT, employee_id="C"))
    assert summary.get("skipped") is None and summary["superseded"] == 1, summary


def test_a_plan_all_logged_before_the_index_is_read(dynamodb_client: Any, audit_table: str) -> None:
    """A plan may be all `logged` (approval "none", the pilot scope, a plan confirming the current one)."""
    index = AUDIT_TABLE.index(GSI_PLAN_DAY)
    logged = _suggestion("E1", T0).model_copy(update={"status": AuditStatus.LOGGED})
    item = {k: v for k, v in event_item(logged).items() if k not in (index.partition_key, index.sort_key)}
    dynamodb_client.put_item(TableName=audit_table, Item=item)
    store = DynamoDbAuditStore(audit_table, client=dynamodb_client)
    assert [e.event_id for e in read_day(store, SUGGESTION_DAY).openings] == [logged.event_id]
