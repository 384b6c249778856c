"""Buddy punches judged on places (issue 11): one decisive signal is enough, a badge read is compared with the
punch by the distance and the time between them, and people who work in several buildings are judged
against all of them (learned from where they badge in)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from plant_builder import BUILDING, OTHER_BUILDING, TUESDAY, PlantBuilder, local

from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.findings import Finding
from plexlabor.validation.norms import compute_norms

A = AnomalyType
FIVE_KM_NORTH = (BUILDING["lat"] + 0.045, BUILDING["lon"])  # 33 geofence radii from B1, 18 km from B2
HALF_KM_NORTH = (BUILDING["lat"] + 0.0045, BUILDING["lon"])  # 3.3 radii from B1: GPS drift, a walk outside
AT_B2 = (OTHER_BUILDING["lat"], OTHER_BUILDING["lon"])


def buddy(plant: PlantBuilder, engine: ValidationEngine) -> list[Finding]:
    """The buddy-punch findings routed to review."""
    data = plant.build()
    return [
        f for f in engine.batch(data, compute_norms(data)) if f.anomaly_type == A.BUDDY_PUNCH and f.route == "review"
    ]


def also_works_at_b2(plant: PlantBuilder, employee: str = "E1") -> PlantBuilder:
    """Every Wednesday of the history (a fifth of the days) the employee also badges in at B2 mid-shift."""
    day = plant.first_day + timedelta(days=(2 - plant.first_day.weekday()) % 7)
    while day < TUESDAY:
        plant.swipe(employee, local(day, "09:00"), "In", building="B2")
        day += timedelta(days=7)
    return plant


@pytest.mark.parametrize(("location", "decisive"), [(FIVE_KM_NORTH, True), (HALF_KM_NORTH, False)])
def test_a_mobile_punch_far_from_every_building_is_a_suspect_on_its_own(
    engine: ValidationEngine, location: tuple[float, float], decisive: bool
) -> None:
    # Given a normal day at work (badge-in, workcenter login, usual phone) punched 5 km away (or 500 m)
    plant = PlantBuilder(weeks=8).employee("E1", device="MOB-1")
    day = plant.work_day("E1", TUESDAY, location=location)
    # When the engine validates the plant
    findings = buddy(plant, engine)
    # Then 33 radii away is enough on its own (weights, not votes); 3 radii is not
    assert {f.record_key for f in findings} == (set(day.entry_keys) if decisive else set())
    if decisive:
        assert findings[0].evidence["decisive"] == "far_from_every_building"
        assert findings[0].confidence >= 0.9 and "33.4× the geofence radius away" in findings[0].note


@pytest.mark.parametrize(("works_at_b2", "suspect"), [(True, False), (False, True)])
def test_a_punch_at_another_building_the_person_works_in_is_not_far_away(
    engine: ValidationEngine, works_at_b2: bool, suspect: bool
) -> None:
    # Given a phone punch at B2 (18 km from B1, E1's home building) by someone who badges in at B2 one day
    # in five, or never has
    plant = PlantBuilder(weeks=8).employee("E1", device="MOB-1")
    if works_at_b2:
        also_works_at_b2(plant)
    day = plant.work_day("E1", TUESDAY, location=AT_B2, badge_in=False)
    # When the engine validates the plant
    flagged = {f.record_key for f in buddy(plant, engine)}
    # Then it is judged against every building they work in
    assert flagged == (set(day.entry_keys) if suspect else set())


@pytest.mark.parametrize(("badge_at", "suspect"), [("06:05", True), ("06:50", False)])
def test_a_badge_read_elsewhere_is_a_suspect_only_when_nobody_could_have_got_there_in_time(
    engine: ValidationEngine, badge_at: str, suspect: bool
) -> None:
    # Given E1, who also works at B2, clocks in at B1's clock at 06:00 and is badged in at B2 (27.8 km away,
    # at least 23.5 min by car) 5 min later, or 50 min later
    plant = also_works_at_b2(PlantBuilder(weeks=8).employee("E1"))
    day = plant.work_day("E1", TUESDAY, clock_in=0)
    plant.swipe("E1", local(TUESDAY, badge_at), "In", building="B2")
    # When the engine validates the plant
    findings = buddy(plant, engine)
    # Then the read 5 min after the punch is impossible travel, a suspect on its own; the later one is work
    # at a building E1 works in, not even a weak signal
    assert {f.record_key for f in findings} == (set(day.entry_keys) if suspect else set())
    if suspect:
        travel = findings[0].evidence["travel"]
        assert travel["badge_building"] == "B2" and travel["punch_place"] == "B1"
        assert travel["minutes_apart"] == 5.0 and travel["distance_m"] > 27000 and travel["needed_min"] > 23
        assert findings[0].evidence["decisive"] == "impossible_travel"
        assert "badge read at B2 5 min from the punch at B1, 27.8 km away" in findings[0].note
    else:
        data = plant.build()
        assert not [c for c in engine.candidates(data, compute_norms(data)) if c.anomaly == A.BUDDY_PUNCH]


@pytest.mark.parametrize(("role", "suspect"), [("Maintenance", False), ("Operator", True)])
def test_a_new_hire_is_judged_against_the_buildings_their_role_works_in(
    engine: ValidationEngine, role: str, suspect: bool
) -> None:
    # Given three maintenance technicians who each badge in at B2 one day in five, three operators who keep
    # to B1, and a new hire (no history) whose first day's phone punch is at B2
    plant = PlantBuilder(weeks=4)
    for number in range(2, 8):
        employee = f"E{number}"
        plant.employee(employee)
        plant.edit("employees", employee, positionTitle="Maintenance" if number < 5 else "Operator")
        if number < 5:
            also_works_at_b2(plant, employee)
    plant.employee("E9", device="MOB-1", history=False).edit("employees", "E9", positionTitle=role)
    day = plant.work_day("E9", TUESDAY, location=AT_B2, badge_in=False)
    # When the engine validates the plant
    flagged = {f.record_key for f in buddy(plant, engine) if f.employee_id == "E9"}
    # Then B2 is one of a maintenance technician's buildings, not an operator's
    assert flagged == (set(day.entry_keys) if suspect else set())
