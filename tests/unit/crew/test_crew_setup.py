"""Changeovers: an operation that follows another part's at the same workcenter gets a setup segment
(one person, the approved setup hours in quarter hours) before its run, and the plan says who does it."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest

from plexlabor.audit import InMemoryAuditStore
from plexlabor.crew.build import SETUP_STEP_HOURS, build_problem
from plexlabor.crew.models import CrewPolicy, CrewProblem
from plexlabor.crew.optimizer import solve
from plexlabor.crew.publish import publish_plan
from plexlabor.plant import PlantFolder
from plexlabor.plex.folder import PlantFolderSource

DAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def problem(labelled_plant: PlantFolder) -> CrewProblem:
    return build_problem(labelled_plant.path, DAY, policy=CrewPolicy(plan_setups=True))


def test_setups_follow_another_part_and_take_the_approved_setup_hours(
    labelled_plant: PlantFolder, problem: CrewProblem
) -> None:
    port = PlantFolderSource(labelled_plant.path)
    operations = {op.id: op for op in port.job_operations()}
    approved = {(a.part_id, a.operation_code, a.workcenter_id): a for a in port.approved_workcenters()}
    setups = [job for job in problem.jobs if job.setup]
    assert setups and all(job.crew_size == 1 and job.key.split("/")[1] == "setup" for job in setups)
    hours: dict[str, float] = defaultdict(float)
    for job in setups:
        hours[job.job_operation_id] += job.hours
    for op_id, setup_hours in hours.items():
        op = operations[op_id]
        assert op.status == "Scheduled" and op.scheduled_start is not None
        standard = approved[(op.part_id, op.operation_code, op.workcenter_id)]
        planned = math.ceil(standard.setup_hours / SETUP_STEP_HOURS - 1e-9) * SETUP_STEP_HOURS  # quarter hours
        assert setup_hours == pytest.approx(planned, abs=1e-3)
        # another part ran at the same workcenter just before
        earlier = [
            other
            for other in operations.values()
            if other.workcenter_id == op.workcenter_id
            and other.scheduled_start is not None
            and other.scheduled_start < op.scheduled_start
        ]
        assert (
            earlier
            and max(earlier, key=lambda o: (o.scheduled_start or op.scheduled_start, o.id)).part_id != op.part_id
        )
        # the run starts when the setup ends
        runs = [job for job in problem.jobs if job.job_operation_id == op_id and not job.setup]
        if runs:
            assert min(job.start for job in runs) == op.scheduled_start + timedelta(hours=planned)
    runs_only = [job for job in problem.jobs if not job.setup]
    assert len(runs_only) > len(setups)


def test_the_plan_names_who_does_a_setup(problem: CrewProblem) -> None:
    plan = solve(problem, 20)
    staffed = [a for a in plan.assignments if a.setup]
    assert staffed and all(a.job_key.split("/")[1] == "setup" for a in staffed)
    store = InMemoryAuditStore()
    publish_plan(plan, store, datetime(2026, 11, 22, 20, tzinfo=UTC))
    notes = [
        e.payload["note"]
        for e in store.by_status("pending_approval", limit=10_000) + store.by_status("logged", limit=10_000)
    ]
    assert any(" for the setup of job " in note for note in notes)


def test_setups_are_planned_only_when_the_policy_asks(labelled_plant: PlantFolder, problem: CrewProblem) -> None:
    plain = build_problem(labelled_plant.path, DAY)
    assert not any(job.setup for job in plain.jobs)
    assert {job.job_operation_id for job in plain.jobs} == {job.job_operation_id for job in problem.jobs}
