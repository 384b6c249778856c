"""The people of the plant and their habits: managers, supervisors, hourly crews, certifications, accounts.

Habits are what makes a punch normal for one person and odd for another: each hourly employee gets
an arrival and leave offset with its spread, a usual clock (or the mobile app) and an efficiency.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from plexlabor_dev.simulator import catalog, operators
from plexlabor_dev.simulator.anomalies import uncertified_operator
from plexlabor_dev.simulator.context import Sim
from plexlabor_dev.simulator.normals import HABIT_DRIFT, NEW_HIRES
from plexlabor_dev.simulator.organization import Headcount
from plexlabor_dev.simulator.world import Cert, Person


class _Hiring:
    """Numbers people in the order they are hired (the employee number drives names and accounts)."""

    def __init__(self, sim: Sim) -> None:
        self.sim = sim
        self.number = 0

    def person(
        self,
        dept: catalog.Department,
        shift: catalog.ShiftDef,
        role: str,
        supervisor: str | None,
        building: str,
        home_wc: str | None = None,
    ) -> Person:
        self.number += 1
        return Person(self.sim.uuid(), self.number, dept, shift, role, supervisor, building, home_wc)


def hire(sim: Sim, headcount: Headcount, sizes: list[int], skill_ids: dict[str, str]) -> None:
    """Managers, then supervisors per department and shift, then the hourly crews; emit them all."""
    world = sim.world
    hiring = _Hiring(sim)
    depts, n_buildings = headcount.departments, len(world.buildings)
    managers = [
        hiring.person(
            depts[i % len(depts)], catalog.SHIFTS[0], "Manager", None, world.buildings[i % n_buildings]["buildingCode"]
        )
        for i in range(headcount.managers)
    ]
    buckets = [(dept, shift) for dept in depts for shift in catalog.SHIFTS]
    supervisors = [
        hiring.person(
            *buckets[i % len(buckets)],
            "Supervisor",
            managers[i % headcount.managers].id,
            world.buildings[i % n_buildings]["buildingCode"],
        )
        for i in range(headcount.supervisors)
    ]
    _hire_hourly(sim, hiring, headcount, sizes, supervisors)
    NEW_HIRES.choose(sim)
    HABIT_DRIFT.choose(sim)
    world.people = managers + supervisors + world.hourly
    for person in world.people:
        grant_certifications(sim, person, skill_ids)
        emit_employee(sim, person)


def _hire_hourly(sim: Sim, hiring: _Hiring, headcount: Headcount, sizes: list[int], supervisors: list[Person]) -> None:
    rng, world = sim.rng, sim.world
    sup_by_bucket: dict[tuple[str, str], list[Person]] = defaultdict(list)
    for sup in supervisors:
        sup_by_bucket[(sup.dept.code, sup.shift.code)].append(sup)
    shift_codes = [s.code for s in catalog.SHIFTS]
    shift_weights = [s.share for s in catalog.SHIFTS]
    for dept, size in zip(headcount.departments, sizes, strict=True):
        wcs = world.wc_by_dept.get(dept.code, [])
        for k in range(size):
            shift = catalog.SHIFTS[shift_codes.index(rng.choices(shift_codes, shift_weights)[0])]
            sups = sup_by_bucket.get((dept.code, shift.code)) or sup_by_bucket.get((dept.code, "1")) or supervisors
            home_wc = wcs[k % len(wcs)] if wcs else None
            building = (
                world.workcenters[home_wc].building
                if home_wc
                else world.buildings[k % len(world.buildings)]["buildingCode"]
            )
            person = hiring.person(dept, shift, "Hourly", sups[k % len(sups)].id, building, home_wc)
            draw_habits(sim, person)
            operators.draw_effects(sim, person)
            world.hourly.append(person)


def draw_habits(sim: Sim, person: Person) -> None:
    """Arrival and leave offsets (minutes from the shift edges) with their spread, clock, efficiency."""
    rng = sim.rng
    kind = rng.random()
    if kind < 0.6:
        person.mu_in = rng.gauss(-6, 2)
    elif kind < 0.8:
        person.mu_in = rng.uniform(-28, -14)  # early birds: outside grace every day, and that is normal
    elif kind < 0.95:
        person.mu_in = rng.uniform(-1, 3)
    else:
        person.mu_in = rng.uniform(5, 10)  # habitually a little late
    person.sd_in = rng.uniform(1.5, 4.5)
    person.mu_out = rng.choice((rng.uniform(0, 6), rng.uniform(0, 6), rng.uniform(8, 18)))
    person.sd_out = rng.uniform(1.5, 4.5)
    person.mobile = person.dept.code == "MAINT" or rng.random() < 0.08
    devices = sim.world.devices_by_building[person.building]
    person.device = "MOBILE-APP" if person.mobile else rng.choice(devices)["deviceId"]
    person.efficiency = min(1.3, max(0.7, rng.gauss(1.0, 0.1)))


def grant_certifications(sim: Sim, person: Person, skill_ids: dict[str, str]) -> None:
    """Certifications an hourly employee holds for their work, each renewed until the end of history."""
    if person.role != "Hourly":
        return
    for skill_id, level in _wanted_skills(sim, person, skill_ids).items():
        _certify(sim, person, skill_id, level)
    for cert in person.certs:
        sim.emit(
            "certifications",
            {
                "id": cert.record_id,
                "employeeId": person.id,
                "skillId": cert.skill_id,
                "level": cert.level,
                "issuedDate": cert.issued.isoformat(),
                "expiresDate": cert.expires.isoformat() if cert.expires else None,
            },
        )


def _wanted_skills(sim: Sim, person: Person, skill_ids: dict[str, str]) -> dict[str, int]:
    rng, world = sim.rng, sim.world
    wanted: dict[str, int] = {}
    if person.home_wc:
        for skill_id, level in world.workcenters[person.home_wc].requirements:
            wanted[skill_id] = max(wanted.get(skill_id, 0), min(5, level + rng.choice((0, 0, 1, 1, 2))))
        # Cross-training on another workcenter of the department.
        if rng.random() < 0.45:
            other = rng.choice(world.wc_by_dept[person.dept.code])
            for skill_id, level in world.workcenters[other].requirements:
                wanted[skill_id] = max(wanted.get(skill_id, 0), level)
    else:
        for skill_code, _ in person.dept.skills[: rng.randint(1, len(person.dept.skills))]:
            wanted[skill_ids[skill_code]] = rng.randint(1, 4)
    return wanted


def _certify(sim: Sim, person: Person, skill_id: str, level: int) -> None:
    """Issue a certification and its renewals (some renewed late: see `uncertified_operator`)."""
    rng, end = sim.rng, sim.spec.end_date
    issued = sim.start_date - timedelta(days=rng.randint(30, 900))
    years = rng.choice((1, 2, 3, None))
    while True:
        expires = None if years is None else issued + timedelta(days=365 * years)
        person.certs.append(Cert(skill_id, level, issued, expires, sim.uuid()))
        if expires is None:
            return
        renewal = expires - timedelta(days=rng.randint(1, 30))
        renewal = uncertified_operator.LATE_RENEWAL.renewal(sim, expires) or renewal
        if renewal > end:
            return  # not renewed yet: expiring (or lapsed) as of the end of history
        issued = renewal


def emit_employee(sim: Sim, person: Person) -> None:
    """The employee record and, for supervisors, managers and every fifth operator, a user account."""
    rng = sim.rng
    first = catalog.FIRST_NAMES[person.no % len(catalog.FIRST_NAMES)]
    last = catalog.LAST_NAMES[(person.no * 7) % len(catalog.LAST_NAMES)]
    person.username = f"{first[0].lower()}{last.lower()}{person.no}"
    email = f"{person.username}@plant.example"
    rate = round(rng.uniform(*person.dept.pay_range), 2)
    hired_long_ago = sim.start_date - timedelta(days=rng.randint(60, 4000))
    title = ("Operator" if person.dept.direct else "Technician") if person.role == "Hourly" else person.role
    sim.emit(
        "employees",
        {
            "id": person.id,
            "employeeNo": f"E{person.no:05d}",
            "firstName": first,
            "lastName": last,
            "status": "Active",
            "departmentCode": person.dept.code,
            "positionTitle": title,
            "supervisorId": person.supervisor_id,
            "hireDate": (person.hired or hired_long_ago).isoformat(),
            "payRate": rate if person.role == "Hourly" else round(rate * 1.6, 2),
            "homeWorkcenterId": person.home_wc,
            "buildingCode": person.building,
            "defaultShiftCode": person.shift.code,
            "email": email,
        },
    )
    if person.role != "Hourly" or person.no % 5 == 0:
        roles = {"Manager": ["Manager", "Supervisor"], "Supervisor": ["Supervisor"]}.get(person.role, ["Operator"])
        if person.role != "Hourly":
            sim.world.supervisor_user[person.id] = person.username
        sim.emit(
            "user-accounts",
            {
                "id": sim.uuid(),
                "username": person.username,
                "employeeId": person.id,
                "email": email,
                "roles": roles,
                "active": True,
            },
        )
