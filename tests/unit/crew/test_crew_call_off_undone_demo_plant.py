"""ux_s15 #2 on the plant of the walkthrough (the local runtime's 20-person demo plant as of 2026-12-06, the day
2026-12-08 planned whole, as crew_planner did there): for every person seated on shift 2, a call-off and its undo
leave nobody the call-off took off the shift seatless. On this plant one call-off takes a partner off with the person
(a crew whose setup only they may do); before the fix the partner stayed without a seat after the undo."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from functions.crew_planner import handler as crew_planner
from plexlabor.audit import InMemoryAuditStore
from plexlabor.crew import wiring
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.replanning import current_plan, run
from plexlabor.crew.suggestions import read_day
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.sources import LaborSource
from plexlabor_dev.demo import demo_spec
from tests.support import FakeLambdaContext, generated_plant, load_event

DAY, SHIFT = date(2026, 12, 8), "2"
PLANNED_AT = datetime(2026, 12, 6, 5, 25, tzinfo=UTC)
CALLED_OFF_AT = datetime(2026, 12, 6, 5, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_plant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_plant(tmp_path_factory, "demo", demo_spec(employees=20, weeks=4, seed=7, today=date(2026, 12, 6)))


def _planned(source: LaborSource) -> InMemoryAuditStore:
    store = InMemoryAuditStore()
    nightly = wiring.Dependencies(source=source, store=store, time_limit_s=20, clock=lambda: PLANNED_AT)
    event = {**load_event("crew_planner"), "time": "2026-12-06T05:25:00Z", "detail": {"date": DAY.isoformat()}}
    crew_planner.handler(event, FakeLambdaContext(), dependencies=nightly)
    return store


def _container(source: LaborSource, store: InMemoryAuditStore, clock: list[datetime]) -> wiring.ReplanDependencies:
    return wiring.ReplanDependencies(source=source, store=store, time_limit_s=10, clock=lambda: clock[0])


def _seated(store: InMemoryAuditStore) -> set[tuple[str, str]]:
    return set(current_plan(read_day(store, DAY), SHIFT)[0].assignments)


def _message(reason: str, at: datetime, employee_id: str) -> ReplanMessage:
    by = {"reported_by": "E00002"}
    return ReplanMessage(reason=reason, day=DAY, shift=SHIFT, detected_at=at, employee_id=employee_id, **by)  # type: ignore[arg-type]


def test_an_undo_leaves_nobody_its_call_off_took_off_seatless(demo_plant: Path) -> None:
    source = LaborSource(PlantFolderSource(demo_plant), "America/Detroit")
    people = sorted({person for _, person in _seated(_planned(source))})
    taken_off_with_someone = 0
    for person in people:
        store, clock = _planned(source), [CALLED_OFF_AT]
        deps = _container(source, store, clock)
        before = _seated(store)
        run(deps, _message("call_off", clock[0], person))
        off = _seated(store)
        taken_off = {p for _, p in before - off} - {p for _, p in off} - {person}
        clock[0] += timedelta(minutes=2)
        run(deps, _message("call_off_undone", clock[0], person))

        back = {p for _, p in _seated(store)}
        assert person in back and taken_off <= back, (person, taken_off - back)
        taken_off_with_someone += bool(taken_off)
    assert taken_off_with_someone >= 1  # the case the walkthrough met is on this plant
