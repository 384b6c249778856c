"""The crew_planner handler: an EventBridge schedule in, a plan published to DynamoDB (moto) out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from functions.crew_planner import handler as crew_planner
from plexlabor.audit import AuditStatus, InMemoryAuditStore
from plexlabor.audit.dynamodb import DynamoDbAuditStore
from plexlabor.crew import wiring
from plexlabor.crew.suggestions import day_since, indexed_from
from plexlabor.plant import PlantFolder
from plexlabor.platform.pilot import PilotScope
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.sources import LaborSource
from tests.support import FakeLambdaContext, audit_table_on_moto, load_event

TABLE = "plexlabor-test-audit"
EVENT = load_event("crew_planner")


def _event(**detail: Any) -> dict[str, Any]:
    return {**EVENT, "detail": detail}


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch, labelled_plant: PlantFolder) -> Iterator[Any]:
    plant = str(labelled_plant.path)
    environment = {"PLEXLABOR_PLANT_DIR": plant, "CREW_TIME_LIMIT_SECONDS": "20", "CREW_APPROVAL": None}
    with audit_table_on_moto(monkeypatch, TABLE, environment, wiring.dependencies.cache_clear) as client:
        yield client


def test_the_canonical_event_plans_tomorrow_and_publishes_to_dynamodb(table: Any) -> None:
    # Given the scheduled event of Sunday 2026-11-22 15:00 in Detroit, for the 1st shift only
    summary = crew_planner.handler(_event(shift="1"), FakeLambdaContext())
    # Then Monday's 1st shift is planned to proven optimality and every suggestion is in the table
    assert summary["day"] == "2026-11-23" and summary["shifts"] == ["1"]
    assert summary["status"] == "optimal" and summary["proven_gap"] == 0
    assert summary["published"] > 0 and summary["invalid"] == 0
    assert summary["vs_greedy"] >= 0 and summary["vs_supervisor"] >= 0
    store = DynamoDbAuditStore(TABLE, client=table)
    pending = store.by_status(AuditStatus.PENDING_APPROVAL, limit=1000)
    logged = store.by_status(AuditStatus.LOGGED, limit=1000)
    assert len(pending) + len(logged) == summary["published"]
    event = (pending + logged)[0]
    assert event.record_key.startswith("job-operations:") and event.actor == "crew_planner"
    assert store.history(event.record_key)[0].event_id == event.event_id
    # A new stack's table: the first plan marks the plan-day index complete from 8 days before the day before
    # yesterday (UTC), so the day reads of today's shifts and later read no status index for older crew events
    assert summary["plan_day_index"] == "0 added, marked"
    assert indexed_from(store) == day_since(date(2026, 11, 20))
    # A retried run records nothing twice
    again = crew_planner.handler(_event(shift="1"), FakeLambdaContext())
    assert again["published"] == 0 and again["already_published"] == summary["published"]
    assert again["plan_day_index"] == "marked already"


def test_injected_dependencies_and_no_publishing(labelled_plant: PlantFolder) -> None:
    deps = wiring.Dependencies(
        source=LaborSource(PlantFolderSource(labelled_plant.path), "America/Detroit"),
        store=InMemoryAuditStore(),
        time_limit_s=20,
        clock=lambda: datetime(2026, 11, 22, 20, tzinfo=UTC),
    )
    summary = crew_planner.handler(
        _event(date="2026-11-24", shift="3", publish=False), FakeLambdaContext(), dependencies=deps
    )
    assert summary["day"] == "2026-11-24" and summary["shifts"] == ["3"]
    assert "published" not in summary and summary["jobs"] > 0


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_a_bad_detail_is_refused() -> None:
    from aws_lambda_powertools.utilities.parser import ValidationError

    with pytest.raises(ValidationError):
        crew_planner.handler(_event(days_ahead=99), FakeLambdaContext(), dependencies=None)


def test_the_pilot_scope_from_the_environment_holds_back_other_departments(labelled_plant: PlantFolder) -> None:
    # Given crew_planner configured with a pilot on one department, sending everything for approval
    source = PlantFolderSource(labelled_plant.path)
    settings = wiring.CrewPlannerSettings.from_env(
        {
            "AUDIT_TABLE_NAME": TABLE,
            "PLEXLABOR_PLANT_DIR": str(labelled_plant.path),
            "CREW_APPROVAL": "all",
            "PILOT_DEPARTMENTS": "MACH",
        }
    )
    assert settings.pilot_scope == PilotScope(departments=("MACH",))
    store = InMemoryAuditStore()
    deps = wiring.Dependencies(
        source=LaborSource(source, "America/Detroit"),
        store=store,
        time_limit_s=20,
        approval=settings.approval,
        scope=settings.pilot_scope,
        clock=lambda: datetime(2026, 11, 22, 20, tzinfo=UTC),
    )
    # When it plans and publishes a shift
    crew_planner.handler(_event(date="2026-11-23", shift="1"), FakeLambdaContext(), dependencies=deps)
    # Then only the pilot department's suggestions wait for approval; the others are logged, held
    department = {w.workcenter_id: w.department_code for w in source.workcenters()}
    pending = store.by_status(AuditStatus.PENDING_APPROVAL, limit=1000)
    held = store.by_status(AuditStatus.LOGGED, limit=1000)
    assert pending and held
    assert {department[e.payload["workcenter_id"]] for e in pending} == {"MACH"}
    assert {e.payload["held"] for e in held} == {"outside_pilot"}
    assert "MACH" not in {department[e.payload["workcenter_id"]] for e in held}
