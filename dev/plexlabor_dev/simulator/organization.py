"""The plant's fixed frame: buildings and their clocks and doors, shifts, skills, head count, workcenters."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from plexlabor_dev.simulator import catalog
from plexlabor_dev.simulator.context import Sim
from plexlabor_dev.simulator.world import WorkcenterInfo


@dataclass(frozen=True)
class Headcount:
    """How many managers, supervisors and hourly employees, and which departments they fill."""

    managers: int
    supervisors: int
    hourly: int
    departments: tuple[catalog.Department, ...]

    @classmethod
    def for_plant(cls, employees: int) -> Headcount:
        managers = max(1, round(employees / 250))
        supervisors = max(1, round(employees / 20))
        hourly = employees - managers - supervisors
        n_depts = max(2, min(len(catalog.DEPARTMENTS), hourly // 6))
        return cls(managers, supervisors, hourly, catalog.DEPARTMENTS[:n_depts])


def build_sites(sim: Sim) -> None:
    """One building per 150 employees (at most 8, four to a site), with wall and biometric clocks and doors."""
    n_buildings = max(1, min(8, math.ceil(sim.spec.employees / 150)))
    for b in range(n_buildings):
        building = _building(sim, b)
        sim.world.buildings.append(building)
        sim.emit("buildings", building)
    per_building = math.ceil(sim.spec.employees / n_buildings)
    for building in sim.world.buildings:
        _build_devices(sim, building, per_building)
    sim.emit("clock-devices", {"deviceId": "MOBILE-APP", "deviceType": "Mobile"})


def _building(sim: Sim, b: int) -> dict[str, Any]:
    lat = catalog.BASE_LATITUDE + (b // 4) * 0.25 + (b % 4) * 0.004
    lon = catalog.BASE_LONGITUDE + (b // 4) * 0.3 + (b % 4) * 0.005
    return {
        "buildingCode": f"B{b + 1}",
        "name": f"Building {b + 1}",
        "siteCode": f"S{b // 4 + 1}",
        "timezone": sim.spec.timezone,
        "latitude": round(lat, 6),
        "longitude": round(lon, 6),
        "geofenceRadiusM": 250.0,
    }


def _build_devices(sim: Sim, building: dict[str, Any], per_building: int) -> None:
    code = building["buildingCode"]

    def device(device_id: str, kind: str) -> dict[str, Any]:
        return {
            "deviceId": device_id,
            "buildingCode": code,
            "deviceType": kind,
            "latitude": building["latitude"],
            "longitude": building["longitude"],
        }

    for i in range(max(2, per_building // 120)):
        clock = device(f"CLK-{code}-{i + 1:02d}", "BiometricClock" if i % 2 == 1 else "WallClock")
        sim.world.devices_by_building[code].append(clock)
        sim.emit("clock-devices", clock)
    for i in range(max(2, per_building // 150)):
        door = f"DOOR-{code}-{i + 1:02d}"
        sim.world.doors_by_building[code].append(door)
        sim.emit("clock-devices", device(door, "DoorReader"))


def emit_shifts(sim: Sim) -> None:
    for shift in catalog.SHIFTS:
        sim.emit(
            "shifts",
            {
                "shiftId": f"SH{shift.code}",
                "shiftCode": shift.code,
                "name": shift.name,
                "startLocal": shift.start,
                "endLocal": shift.end,
                "breakMinutes": catalog.BREAK_MINUTES,
            },
        )


def emit_skills(sim: Sim, departments: tuple[catalog.Department, ...]) -> dict[str, str]:
    """Every skill of the plant's departments; return skill code -> skill id."""
    skill_ids: dict[str, str] = {}
    for dept in departments:
        for skill_code, skill_name in dept.skills:
            skill_ids[skill_code] = f"SK-{skill_code}"
            sim.emit(
                "skills",
                {
                    "skillId": skill_ids[skill_code],
                    "skillCode": skill_code,
                    "name": skill_name,
                    "skillGroup": dept.code,
                },
            )
    return skill_ids


def department_sizes(sim: Sim, headcount: Headcount) -> list[int]:
    """Hourly head count per department, by weight, at least 2 each."""
    weights = [catalog.DEPARTMENT_WEIGHTS[d.code] for d in headcount.departments]
    sizes = [max(2, int(headcount.hourly * w / sum(weights))) for w in weights]
    while sum(sizes) > headcount.hourly:
        sizes[sizes.index(max(sizes))] -= 1
    while sum(sizes) < headcount.hourly:
        sizes[sim.rng.randrange(len(sizes))] += 1
    return sizes


def build_workcenters(
    sim: Sim, departments: tuple[catalog.Department, ...], sizes: list[int], skill_ids: dict[str, str]
) -> None:
    """Workcenters of the direct departments, about one per 2.2 crews, and what each requires."""
    for dept, size in zip(departments, sizes, strict=True):
        if dept.direct:
            for i in range(max(1, round(size / 2.2 / dept.crew_size))):
                _build_workcenter(sim, dept, i, skill_ids)


def _build_workcenter(sim: Sim, dept: catalog.Department, i: int, skill_ids: dict[str, str]) -> None:
    rng, world = sim.rng, sim.world
    wc_id = sim.uuid()
    building: str = world.buildings[i % len(world.buildings)]["buildingCode"]
    main_skill = dept.skills[i % len(dept.skills)][0]
    requirements = [(skill_ids[main_skill], rng.choice((1, 2, 2, 3)))]
    if len(dept.skills) > 1 and rng.random() < 0.3:
        other = dept.skills[(i + 1) % len(dept.skills)][0]
        requirements.append((skill_ids[other], 1))
    info = WorkcenterInfo(wc_id, f"{dept.workcenter_prefix}-{i + 1:02d}", dept, building, requirements)
    world.workcenters[wc_id] = info
    world.wc_by_dept[dept.code].append(wc_id)
    dept_index = catalog.DEPARTMENTS.index(dept)
    sim.emit(
        "workcenters",
        {
            "workcenterId": wc_id,
            "workcenterCode": info.code,
            "name": f"{dept.name} {i + 1}",
            "departmentCode": dept.code,
            "buildingCode": building,
            "workcenterType": dept.name,
            "floorXM": float(dept_index * 60 + (i % 6) * 9),
            "floorYM": float((i // 6) * 12),
            "active": True,
        },
    )
    for skill_id, level in requirements:
        sim.emit(
            "workcenter-requirements",
            {"workcenterId": wc_id, "skillId": skill_id, "minLevel": level, "certificationRequired": dept.certified},
        )
