"""The generator's parts one at a time: writer, records, organization, population, schedules, production."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from plexlabor.models.anomalies import AnomalyType
from plexlabor.plant import PlantFolder
from plexlabor.platform.clock import merge_spans
from plexlabor_dev.simulator import catalog, organization, production, records, schedules
from plexlabor_dev.simulator.context import HOUR, PlantSpec, Sim
from plexlabor_dev.simulator.world import Person
from plexlabor_dev.simulator.writer import PlantWriter


def test_writer_counts_rows_and_keeps_labels_until_the_end(tmp_path: Path) -> None:
    # Given rows and a label written through the writer
    with PlantWriter(PlantFolder(tmp_path)) as out:
        out.emit("skills", {"skillId": "SK-A"})
        out.emit("skills", {"skillId": "SK-B"})
        out.label("badge-swipes", "s1", AnomalyType.MISSED_PUNCH, "e1", "why")
    # Then the rows are in their file, one JSON object a line, and every resource has a file
    folder = PlantFolder(tmp_path)
    assert [row["skillId"] for row in folder.iter_raw("skills")] == ["SK-A", "SK-B"]
    assert out.counts["skills"] == 2 and out.label_counts == {"MISSED_PUNCH": 1}
    assert folder.file_for("time-clock-entries").exists()
    assert out.labels[0].record_key == "badge-swipes:s1"


@pytest.mark.parametrize(("employees", "buildings"), [(20, 1), (150, 1), (151, 2), (700, 5), (5000, 8)])
def test_one_building_per_150_employees_at_most_eight(tmp_path: Path, employees: int, buildings: int) -> None:
    with PlantWriter(PlantFolder(tmp_path)) as out:
        sim = Sim(PlantSpec(employees=employees), out)
        organization.build_sites(sim)
    assert len(sim.world.buildings) == buildings
    assert all(len(sim.world.doors_by_building[b["buildingCode"]]) >= 2 for b in sim.world.buildings)
    assert {b["siteCode"] for b in sim.world.buildings} == {f"S{i + 1}" for i in range(math.ceil(buildings / 4))}


def test_headcount_adds_up_and_departments_grow_with_the_plant() -> None:
    for employees in (5, 20, 60, 700):
        headcount = organization.Headcount.for_plant(employees)
        assert headcount.managers + headcount.supervisors + headcount.hourly == employees
        assert 2 <= len(headcount.departments) <= len(catalog.DEPARTMENTS)
    assert len(organization.Headcount.for_plant(700).departments) == len(catalog.DEPARTMENTS)


def test_population_is_hired_with_habits_certifications_and_supervisors(sim: Sim) -> None:
    world = sim.world
    assert len(world.people) == sim.spec.employees
    ids = {p.id for p in world.people}
    assert all(p.supervisor_id in ids for p in world.hourly)
    for person in world.hourly:
        assert -28 <= person.mu_in <= 10 and 1.5 <= person.sd_in <= 4.5
        assert 0.7 <= person.efficiency <= 1.3
        assert person.device == "MOBILE-APP" if person.mobile else person.device.startswith("CLK-")
        if person.home_wc:
            assert person.certs, "an operator with a workcenter holds certifications for it"
    assert sim.out.counts["employees"] == sim.spec.employees


def test_every_workcenter_runs_an_approved_part_operation(sim: Sim) -> None:
    world = sim.world
    assert all(wc.approved for wc in world.workcenters.values())
    for (part_id, op_code), approved in world.approved_at.items():
        assert op_code in {code for code, _ in world.routing[part_id]}
        assert all((part_id, op_code) in world.workcenters[wc_id].approved for wc_id in approved)


def test_leave_comes_in_blocks_of_two_to_five_days(sim: Sim) -> None:
    leave = schedules.draw_leave(sim, 7 * sim.spec.weeks + sim.spec.future_days)
    assert leave.keys() == {p.id for p in sim.world.hourly}
    assert all(len(days) <= 2 * 5 for days in leave.values())


def test_machine_runs_merge_overlapping_sessions() -> None:
    merged = merge_spans([(5.0, 9.0), (1.0, 3.0), (2.0, 4.0), (9.0, 10.0)])
    assert merged == [(1.0, 4.0), (5.0, 10.0)]


def test_labor_entry_ends_when_the_operation_is_done(sim: Sim, machinist: Person) -> None:
    # Given an operation with 3 pieces left and a long stretch of work
    assert machinist.home_wc is not None
    op = production.current_op(sim, machinist.home_wc, sim.as_of - 48 * HOUR)
    op.remaining = 3.0
    start = sim.as_of - 40 * HOUR
    # When the operator works it
    ends = production.labor_entry(sim, machinist, machinist.home_wc, op, start, start + 8 * HOUR)
    # Then the entry closes early, with the operation finished
    assert start < ends < start + 8 * HOUR
    assert op.remaining == 0
    assert sim.out.counts["labor-entries"] == 1


def test_records_helpers(sim: Sim, machinist: Person) -> None:
    assert records.is_biometric("CLK-B1-02") and not records.is_biometric("CLK-B1-01")
    lat, lon = records.geo_offset(42.0, -83.0, 1000.0, 0.0)
    assert lon == -83.0 and abs((lat - 42.0) * 111_320 - 1000) < 1
    # An event after the extract keeps its id but is not written
    records.workcenter_event(sim, "wc", "RunStart", sim.as_of + HOUR)
    assert sim.out.counts["workcenter-events"] == 0
    # A manual edit clears the device evidence and names the supervisor
    entry = records.clock_entry(sim, machinist, sim.as_of - 10 * HOUR, sim.as_of - 2 * HOUR)
    records.manual_edit(sim, machinist, entry, sim.as_of - 2 * HOUR)
    assert entry["source"] == "Manual" and entry["clockinDeviceId"] is None and entry["modifiedBy"]
