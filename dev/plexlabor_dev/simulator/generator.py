"""Deterministic synthetic plant with ground-truth anomaly labels.

A plant is simulated day by day: every hourly employee works their scheduled shift with personal
habits (arrival/leave offsets, break timing), badges in, clocks in, logs in at a workcenter, runs job
operations and clocks out. Anomalies are injected at known rates on top of that normal behaviour and
written to `labels.jsonl`. Where a type has a crisp definition (uncertified operator, job code not
routed to the workcenter, excessive weekly hours) the label is computed from the definition on the
true, uncorrupted activity, so labels and data cannot drift apart. Format: `docs/data-format.md`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import time
from bisect import bisect_left
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from plexlabor.models import PLANT_MODELS, record_key
from plexlabor.models.anomalies import AnomalyLabel, AnomalyType
from plexlabor.plant import PlantFolder, PlantMeta
from plexlabor.validation.policy import PunchPolicy
from plexlabor_dev.simulator import catalog

A = AnomalyType
DEFAULT_END = date(2026, 11, 20)
HOUR = 3600.0
MINUTE = 60.0

# Probability per eligible unit at anomaly rate 1.0; `--anomaly-rate` scales them linearly.
# Day-level types are drawn at most one per worked shift-day (so their probabilities add up to 1).
DAY_TYPE_WEIGHTS: dict[str, float] = {
    "OUT_BEFORE_IN": 0.05,
    "DUPLICATE_PUNCH": 0.07,
    "OVERLAPPING_ENTRIES": 0.05,
    "MISSED_PUNCH_OPEN": 0.07,
    "MISSED_PUNCH_NO_CLOCKIN": 0.05,
    "EARLY_CLOCK_IN": 0.08,
    "LATE_CLOCK_IN": 0.11,
    "EARLY_CLOCK_OUT": 0.08,
    "LATE_CLOCK_OUT": 0.08,
    "MISSED_BREAK": 0.06,
    "MACHINE_LOGIN_MISMATCH": 0.09,
    "EARLY_CLOCK_OUT_ACTIVE_JOB": 0.06,
    "BUDDY_PUNCH": 0.06,
    "UNCERTIFIED_COVER": 0.04,
}
DIRECT_ONLY = {"MACHINE_LOGIN_MISMATCH", "EARLY_CLOCK_OUT_ACTIVE_JOB", "UNCERTIFIED_COVER"}
LABOR_ENTRY_RATES = {"IMPROBABLE_DURATION": 0.12, "JOB_CODE_MISMATCH": 0.10}  # per labor entry, at rate 1.0
EXCESSIVE_WEEK_RATE = 0.2  # per employee-week, at rate 1.0
UNATTENDED_RATE = 1.5  # per workcenter-week, at rate 1.0
CERT_LAPSE_RATE = 2.0  # per certification renewal inside the window, at rate 1.0


@dataclass(frozen=True)
class PlantSpec:
    """What to generate. The same spec always yields byte-identical files."""

    employees: int = 20
    weeks: int = 8
    seed: int = 1
    anomaly_rate: float = 0.05
    end_date: date = DEFAULT_END
    timezone: str = "America/Detroit"
    future_days: int = 14
    policy: PunchPolicy = field(default_factory=PunchPolicy)

    def __post_init__(self) -> None:
        if self.employees < 5:
            raise ValueError("employees: at least 5 are needed for a plant")
        if not 1 <= self.weeks <= 104:
            raise ValueError("weeks: must be between 1 and 104")
        if not 0 <= self.anomaly_rate <= 0.5:
            raise ValueError("anomaly_rate: must be between 0 and 0.5")


@dataclass
class Cert:
    skill_id: str
    level: int
    issued: date
    expires: date | None
    record_id: str


@dataclass
class Person:
    id: str
    no: int
    dept: catalog.Department
    shift: catalog.ShiftDef
    role: str  # Hourly | Supervisor | Manager
    supervisor_id: str | None
    building: str
    home_wc: str | None
    certs: list[Cert] = field(default_factory=list)
    mu_in: float = 0.0
    sd_in: float = 2.0
    mu_out: float = 0.0
    sd_out: float = 2.0
    device: str = ""
    mobile: bool = False
    efficiency: float = 1.0
    username: str = ""


@dataclass
class WorkcenterInfo:
    id: str
    code: str
    dept: catalog.Department
    building: str
    requirements: list[tuple[str, int]]  # (skill id, min level)
    approved: list[tuple[str, str]] = field(default_factory=list)  # (part id, operation code)


@dataclass
class OpState:
    id: str
    job_id: str
    part_id: str
    operation_code: str
    workcenter_id: str
    remaining: float
    rate: float


def generate_plant(spec: PlantSpec, out_dir: Path | str) -> PlantMeta:
    """Generate a plant folder; return its metadata (also written to `plant.json`)."""
    return _PlantGenerator(spec, PlantFolder(out_dir)).run()


def generate_command(args: argparse.Namespace) -> int:
    """`plexlabor plant generate`."""
    spec = PlantSpec(
        employees=args.employees,
        weeks=args.weeks,
        seed=args.seed,
        anomaly_rate=args.anomaly_rate,
        end_date=date.fromisoformat(args.end) if args.end else DEFAULT_END,
    )
    started = time.perf_counter()
    meta = generate_plant(spec, args.out)
    seconds = time.perf_counter() - started
    size = sum(path.stat().st_size for path in Path(args.out).iterdir())
    records = sum(meta.counts.values())
    labels = sum(meta.anomaly_counts.values())
    print(
        f"plant '{meta.name}' in {args.out}: {records:,} records, {labels:,} labels, "
        f"{size / 1e6:.1f} MB, {seconds:.1f} s"
    )
    return 0


class _PlantGenerator:
    def __init__(self, spec: PlantSpec, folder: PlantFolder) -> None:
        self.spec = spec
        self.folder = folder
        self.rng = random.Random(spec.seed)
        self.tz = ZoneInfo(spec.timezone)
        self.policy = spec.policy
        self.start_date = spec.end_date - timedelta(days=7 * spec.weeks - 1)
        self.as_of = self._local(spec.end_date + timedelta(days=1), "00:00")
        self.counts: dict[str, int] = defaultdict(int)
        self.label_counts: dict[str, int] = defaultdict(int)
        self.labels: list[AnomalyLabel] = []
        self.files: dict[str, IO[str]] = {}
        self.people: list[Person] = []
        self.hourly: list[Person] = []
        self.workcenters: dict[str, WorkcenterInfo] = {}
        self.wc_by_dept: dict[str, list[str]] = defaultdict(list)
        self.buildings: list[dict[str, Any]] = []
        self.devices_by_building: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.doors_by_building: dict[str, list[str]] = defaultdict(list)
        self.routing: dict[str, list[tuple[str, str]]] = {}  # part id -> [(operation code, dept code)]
        self.approved_at: dict[tuple[str, str], list[str]] = {}  # (part, op) -> workcenter ids
        self.part_family: dict[str, str] = {}
        self.part_rate: dict[tuple[str, str], float] = {}
        self.queues: dict[str, deque[OpState]] = defaultdict(deque)
        self.recent_ops: deque[OpState] = deque(maxlen=500)  # candidates for a mis-keyed job
        self.run_intervals: dict[str, list[tuple[float, float]]] = defaultdict(list)
        self.sessions: dict[str, list[tuple[float, float]]] = defaultdict(list)
        self.week_hours: dict[tuple[str, tuple[int, int]], float] = defaultdict(float)
        self.week_first_tce: dict[tuple[str, tuple[int, int]], tuple[float, str]] = {}
        self.supervisor_user: dict[str, str] = {}
        self.scale = spec.anomaly_rate
        self._shift_times: dict[tuple[date, str], tuple[float, float]] = {}

    # ---- infrastructure -------------------------------------------------------------------
    def _uuid(self) -> str:
        bits = self.rng.getrandbits(128)
        text = f"{bits:032x}"
        return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-{text[16:20]}-{text[20:]}"

    def _local(self, day: date, hhmm: str) -> float:
        hour, minute = (int(part) for part in hhmm.split(":"))
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz).timestamp()

    def _local_date(self, epoch: float) -> date:
        return datetime.fromtimestamp(epoch, self.tz).date()

    @staticmethod
    def _iso(epoch: float) -> str:
        return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"

    def _emit(self, resource: str, row: dict[str, Any]) -> None:
        self.files[resource].write(_dumps(row))
        self.counts[resource] += 1

    def _label(self, resource: str, record_id: str, anomaly: AnomalyType, employee_id: str | None, detail: str) -> None:
        self.labels.append(
            AnomalyLabel(
                record_key=record_key(resource, record_id),
                anomaly_type=anomaly,
                employee_id=employee_id,
                detail=detail,
            )
        )
        self.label_counts[anomaly.value] += 1

    def _chance(self, rate_at_one: float) -> bool:
        return self.rng.random() < rate_at_one * self.scale

    # ---- run ----------------------------------------------------------------------------------
    def run(self) -> PlantMeta:
        self.folder.path.mkdir(parents=True, exist_ok=True)
        with ExitStack() as stack:
            for resource in PLANT_MODELS:
                self.files[resource] = stack.enter_context(self.folder.file_for(resource).open("w", encoding="utf-8"))
            self._build_organization()
            self._simulate_days()
            self._emit_runs_and_unattended()
            self._label_excessive_weeks()
        self.folder.write_labels(self.labels)
        meta = PlantMeta(
            name=f"plant-{self.spec.employees}e-{self.spec.weeks}w-s{self.spec.seed}",
            seed=self.spec.seed,
            timezone=self.spec.timezone,
            start=datetime.fromtimestamp(self._local(self.start_date, "00:00"), UTC),
            end=datetime.fromtimestamp(self.as_of, UTC),
            generated_at=datetime.fromtimestamp(self.as_of, UTC),
            counts=dict(sorted(self.counts.items())),
            anomaly_rate=self.spec.anomaly_rate,
            anomaly_counts=dict(sorted(self.label_counts.items())),
        )
        self.folder.write_meta(meta)
        return meta

    # ---- organization -------------------------------------------------------------------------
    def _build_organization(self) -> None:
        rng, spec = self.rng, self.spec
        n_buildings = max(1, min(8, math.ceil(spec.employees / 150)))
        for b in range(n_buildings):
            code = f"B{b + 1}"
            site = f"S{b // 4 + 1}"
            lat = catalog.BASE_LATITUDE + (b // 4) * 0.25 + (b % 4) * 0.004
            lon = catalog.BASE_LONGITUDE + (b // 4) * 0.3 + (b % 4) * 0.005
            building: dict[str, Any] = {
                "buildingCode": code,
                "name": f"Building {b + 1}",
                "siteCode": site,
                "timezone": spec.timezone,
                "latitude": round(lat, 6),
                "longitude": round(lon, 6),
                "geofenceRadiusM": 250.0,
            }
            self.buildings.append(building)
            self._emit("buildings", building)
        per_building = math.ceil(spec.employees / n_buildings)
        for building in self.buildings:
            code = building["buildingCode"]
            n_clocks = max(2, per_building // 120)
            for i in range(n_clocks):
                kind = "BiometricClock" if i % 2 == 1 else "WallClock"
                device = {
                    "deviceId": f"CLK-{code}-{i + 1:02d}",
                    "buildingCode": code,
                    "deviceType": kind,
                    "latitude": building["latitude"],
                    "longitude": building["longitude"],
                }
                self.devices_by_building[code].append(device)
                self._emit("clock-devices", device)
            for i in range(max(2, per_building // 150)):
                door = f"DOOR-{code}-{i + 1:02d}"
                self.doors_by_building[code].append(door)
                self._emit(
                    "clock-devices",
                    {
                        "deviceId": door,
                        "buildingCode": code,
                        "deviceType": "DoorReader",
                        "latitude": building["latitude"],
                        "longitude": building["longitude"],
                    },
                )
        self._emit("clock-devices", {"deviceId": "MOBILE-APP", "deviceType": "Mobile"})

        for code, name, start, end in ((s.code, s.name, s.start, s.end) for s in catalog.SHIFTS):
            self._emit(
                "shifts",
                {
                    "shiftId": f"SH{code}",
                    "shiftCode": code,
                    "name": name,
                    "startLocal": start,
                    "endLocal": end,
                    "breakMinutes": catalog.BREAK_MINUTES,
                },
            )

        n_managers = max(1, round(spec.employees / 250))
        n_supervisors = max(1, round(spec.employees / 20))
        n_hourly = spec.employees - n_managers - n_supervisors
        n_depts = max(2, min(len(catalog.DEPARTMENTS), n_hourly // 6))
        depts = catalog.DEPARTMENTS[:n_depts]
        skill_ids: dict[str, str] = {}
        for dept in depts:
            for skill_code, skill_name in dept.skills:
                skill_ids[skill_code] = f"SK-{skill_code}"
                self._emit(
                    "skills",
                    {
                        "skillId": skill_ids[skill_code],
                        "skillCode": skill_code,
                        "name": skill_name,
                        "skillGroup": dept.code,
                    },
                )

        # Hourly head count per department, by weight, at least 2 each.
        weights = [catalog.DEPARTMENT_WEIGHTS[d.code] for d in depts]
        dept_sizes = [max(2, int(n_hourly * w / sum(weights))) for w in weights]
        while sum(dept_sizes) > n_hourly:
            dept_sizes[dept_sizes.index(max(dept_sizes))] -= 1
        while sum(dept_sizes) < n_hourly:
            dept_sizes[rng.randrange(len(dept_sizes))] += 1

        # Workcenters and what they require.
        for dept, size in zip(depts, dept_sizes, strict=True):
            if not dept.direct:
                continue
            n_wc = max(1, round(size / 2.2 / dept.crew_size))
            for i in range(n_wc):
                wc_id = self._uuid()
                wc_building: str = self.buildings[i % n_buildings]["buildingCode"]
                main_skill = dept.skills[i % len(dept.skills)][0]
                requirements = [(skill_ids[main_skill], rng.choice((1, 2, 2, 3)))]
                if len(dept.skills) > 1 and rng.random() < 0.3:
                    other = dept.skills[(i + 1) % len(dept.skills)][0]
                    requirements.append((skill_ids[other], 1))
                info = WorkcenterInfo(wc_id, f"{dept.workcenter_prefix}-{i + 1:02d}", dept, wc_building, requirements)
                self.workcenters[wc_id] = info
                self.wc_by_dept[dept.code].append(wc_id)
                dept_index = catalog.DEPARTMENTS.index(dept)
                self._emit(
                    "workcenters",
                    {
                        "workcenterId": wc_id,
                        "workcenterCode": info.code,
                        "name": f"{dept.name} {i + 1}",
                        "departmentCode": dept.code,
                        "buildingCode": wc_building,
                        "workcenterType": dept.name,
                        "floorXM": float(dept_index * 60 + (i % 6) * 9),
                        "floorYM": float((i // 6) * 12),
                        "active": True,
                    },
                )
                for skill_id, level in requirements:
                    self._emit(
                        "workcenter-requirements",
                        {
                            "workcenterId": wc_id,
                            "skillId": skill_id,
                            "minLevel": level,
                            "certificationRequired": dept.certified,
                        },
                    )
        self._build_parts()

        # People: managers, supervisors, hourly.
        number = 0

        def new_person(
            dept: catalog.Department,
            shift: catalog.ShiftDef,
            role: str,
            supervisor: str | None,
            building: str,
            home_wc: str | None,
        ) -> Person:
            nonlocal number
            number += 1
            return Person(self._uuid(), number, dept, shift, role, supervisor, building, home_wc)

        managers = [
            new_person(
                depts[i % len(depts)],
                catalog.SHIFTS[0],
                "Manager",
                None,
                self.buildings[i % n_buildings]["buildingCode"],
                None,
            )
            for i in range(n_managers)
        ]
        buckets = [(dept, shift) for dept in depts for shift in catalog.SHIFTS]
        supervisors = [
            new_person(
                buckets[i % len(buckets)][0],
                buckets[i % len(buckets)][1],
                "Supervisor",
                managers[i % n_managers].id,
                self.buildings[i % n_buildings]["buildingCode"],
                None,
            )
            for i in range(n_supervisors)
        ]
        sup_by_bucket: dict[tuple[str, str], list[Person]] = defaultdict(list)
        for sup in supervisors:
            sup_by_bucket[(sup.dept.code, sup.shift.code)].append(sup)
        shift_codes = [s.code for s in catalog.SHIFTS]
        shift_weights = [s.share for s in catalog.SHIFTS]
        for dept, size in zip(depts, dept_sizes, strict=True):
            wcs = self.wc_by_dept.get(dept.code, [])
            for k in range(size):
                shift = catalog.SHIFTS[shift_codes.index(rng.choices(shift_codes, shift_weights)[0])]
                sups = sup_by_bucket.get((dept.code, shift.code)) or sup_by_bucket.get((dept.code, "1")) or supervisors
                home_wc = wcs[k % len(wcs)] if wcs else None
                building_code = (
                    self.workcenters[home_wc].building if home_wc else self.buildings[k % n_buildings]["buildingCode"]
                )
                person = new_person(dept, shift, "Hourly", sups[k % len(sups)].id, building_code, home_wc)
                self._habits(person)
                self.hourly.append(person)
        self.people = managers + supervisors + self.hourly
        for person in self.people:
            self._grant_certifications(person, skill_ids)
            self._emit_employee(person)

    def _build_parts(self) -> None:
        rng = self.rng
        direct_depts = [d for d in catalog.ROUTING_ORDER if self.wc_by_dept.get(d)]
        n_parts = max(4, 2 * len(self.workcenters))
        for p in range(n_parts):
            part_id = self._uuid()
            self.part_family[part_id] = catalog.PART_FAMILIES[p % len(catalog.PART_FAMILIES)]
            steps = sorted(
                rng.sample(direct_depts, k=min(len(direct_depts), rng.randint(1, 3))), key=direct_depts.index
            )
            self.routing[part_id] = []
            for s, dept_code in enumerate(steps):
                op_code = str((s + 1) * 10)
                dept = next(d for d in catalog.DEPARTMENTS if d.code == dept_code)
                candidates = self.wc_by_dept[dept_code]
                approved = rng.sample(candidates, k=min(len(candidates), rng.randint(1, 3)))
                rate = round(rng.uniform(*dept.rate_range), 1)
                self.routing[part_id].append((op_code, dept_code))
                self.approved_at[(part_id, op_code)] = approved
                self.part_rate[(part_id, op_code)] = rate
                for wc_id in approved:
                    self.workcenters[wc_id].approved.append((part_id, op_code))
                    self._emit(
                        "approved-workcenters",
                        {
                            "partId": part_id,
                            "operationCode": op_code,
                            "workcenterId": wc_id,
                            "crewSize": float(dept.crew_size),
                            "standardProductionRate": rate,
                            "setupHours": round(rng.uniform(0.25, 1.5), 2),
                        },
                    )
        for wc in self.workcenters.values():
            if not wc.approved:  # every workcenter runs at least one part operation
                part_id = rng.choice(list(self.routing))
                op_code = self.routing[part_id][0][0]
                wc.approved.append((part_id, op_code))
                self.approved_at[(part_id, op_code)].append(wc.id)
                self._emit(
                    "approved-workcenters",
                    {
                        "partId": part_id,
                        "operationCode": op_code,
                        "workcenterId": wc.id,
                        "crewSize": float(wc.dept.crew_size),
                        "standardProductionRate": self.part_rate[(part_id, op_code)],
                        "setupHours": 0.5,
                    },
                )

    def _habits(self, person: Person) -> None:
        rng = self.rng
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
        devices = self.devices_by_building[person.building]
        person.device = "MOBILE-APP" if person.mobile else rng.choice(devices)["deviceId"]
        person.efficiency = min(1.3, max(0.7, rng.gauss(1.0, 0.1)))

    def _grant_certifications(self, person: Person, skill_ids: dict[str, str]) -> None:
        rng = self.rng
        if person.role != "Hourly":
            return
        wanted: dict[str, int] = {}
        if person.home_wc:
            for skill_id, level in self.workcenters[person.home_wc].requirements:
                wanted[skill_id] = max(wanted.get(skill_id, 0), min(5, level + rng.choice((0, 0, 1, 1, 2))))
            # Cross-training on another workcenter of the department.
            if rng.random() < 0.45:
                other = rng.choice(self.wc_by_dept[person.dept.code])
                for skill_id, level in self.workcenters[other].requirements:
                    wanted[skill_id] = max(wanted.get(skill_id, 0), level)
        else:
            for skill_code, _ in person.dept.skills[: rng.randint(1, len(person.dept.skills))]:
                wanted[skill_ids[skill_code]] = rng.randint(1, 4)
        for skill_id, level in wanted.items():
            issued = self.start_date - timedelta(days=rng.randint(30, 900))
            years = rng.choice((1, 2, 3, None))
            while True:
                expires = None if years is None else issued + timedelta(days=365 * years)
                cert = Cert(skill_id, level, issued, expires, self._uuid())
                person.certs.append(cert)
                if expires is None:
                    break
                renewal = expires - timedelta(days=rng.randint(1, 30))
                if self.start_date <= expires <= self.spec.end_date and self._chance(CERT_LAPSE_RATE):
                    renewal = expires + timedelta(days=rng.randint(3, 15))  # lapsed, renewed late
                if renewal > self.spec.end_date:
                    break  # not renewed yet: expiring (or lapsed) as of the end of history
                issued = renewal
        for cert in person.certs:
            self._emit(
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

    def _emit_employee(self, person: Person) -> None:
        first = catalog.FIRST_NAMES[person.no % len(catalog.FIRST_NAMES)]
        last = catalog.LAST_NAMES[(person.no * 7) % len(catalog.LAST_NAMES)]
        person.username = f"{first[0].lower()}{last.lower()}{person.no}"
        email = f"{person.username}@plant.example"
        rate = round(self.rng.uniform(*person.dept.pay_range), 2)
        self._emit(
            "employees",
            {
                "id": person.id,
                "employeeNo": f"E{person.no:05d}",
                "firstName": first,
                "lastName": last,
                "status": "Active",
                "departmentCode": person.dept.code,
                "positionTitle": {"Hourly": "Operator" if person.dept.direct else "Technician"}.get(
                    person.role, person.role
                ),
                "supervisorId": person.supervisor_id,
                "hireDate": (self.start_date - timedelta(days=self.rng.randint(60, 4000))).isoformat(),
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
                self.supervisor_user[person.id] = person.username
            self._emit(
                "user-accounts",
                {
                    "id": self._uuid(),
                    "username": person.username,
                    "employeeId": person.id,
                    "email": email,
                    "roles": roles,
                    "active": True,
                },
            )

    # ---- qualification ------------------------------------------------------------------------
    def _qualified(self, person: Person, wc_id: str, day: date, certified_only: bool = False) -> bool:
        """Holds every skill the workcenter requires (or only its certified ones) at level on `day`."""
        workcenter = self.workcenters[wc_id]
        if certified_only and not workcenter.dept.certified:
            return True
        for skill_id, level in workcenter.requirements:
            if not any(
                c.skill_id == skill_id
                and c.level >= level
                and c.issued <= day
                and (c.expires is None or day <= c.expires)
                for c in person.certs
            ):
                return False
        return True

    # ---- days ---------------------------------------------------------------------------------
    def _shift_window(self, day: date, shift: catalog.ShiftDef) -> tuple[float, float]:
        key = (day, shift.code)
        if key not in self._shift_times:
            start = self._local(day, shift.start)
            end_day = day + timedelta(days=1) if shift.end < shift.start else day
            self._shift_times[key] = (start, self._local(end_day, shift.end))
        return self._shift_times[key]

    def _simulate_days(self) -> None:
        rng, spec = self.rng, self.spec
        total_days = 7 * spec.weeks + spec.future_days
        leave_days: dict[str, set[date]] = {}
        for person in self.hourly:
            days: set[date] = set()
            for _ in range(rng.choice((0, 1, 1, 2)) * max(1, spec.weeks // 13)):
                first = self.start_date + timedelta(days=rng.randrange(total_days))
                days.update(first + timedelta(days=i) for i in range(rng.randint(2, 5)))
            leave_days[person.id] = days
        week_plan: dict[tuple[str, date], str] = {}
        for offset in range(total_days):
            day = self.start_date + timedelta(days=offset)
            future = day > spec.end_date
            if day.weekday() == 0 or offset == 0:
                monday = day - timedelta(days=day.weekday())
                for person in self.hourly:
                    draw = rng.random()
                    plan = "normal"
                    if not future and draw < EXCESSIVE_WEEK_RATE * self.scale:
                        plan = "excessive"
                    elif draw < 0.12:
                        plan = "saturday"
                    week_plan[(person.id, monday)] = plan
            monday = day - timedelta(days=day.weekday())
            for person in self.hourly:
                plan = week_plan[(person.id, monday)]
                weekday = day.weekday()
                scheduled = (
                    weekday < 5
                    or (weekday == 5 and plan in ("saturday", "excessive"))
                    or (weekday == 6 and plan == "excessive")
                )
                if not scheduled:
                    continue
                start, end = self._shift_window(day, person.shift)
                if plan == "excessive" and weekday in (1, 2, 3):
                    end += 2.5 * HOUR
                on_leave = day in leave_days[person.id] or (not future and rng.random() < 0.015)
                wc_today = person.home_wc
                if person.home_wc and not on_leave and rng.random() < 0.04:
                    cover = [w for w in self.wc_by_dept[person.dept.code] if self._qualified(person, w, day)]
                    wc_today = rng.choice(cover) if cover else person.home_wc
                assignment_id = self._uuid()
                self._emit(
                    "shift-assignments",
                    {
                        "id": assignment_id,
                        "employeeId": person.id,
                        "shiftId": f"SH{person.shift.code}",
                        "workDate": day.isoformat(),
                        "scheduledStart": self._iso(start),
                        "scheduledEnd": self._iso(end),
                        "workcenterId": wc_today,
                        "status": "Leave" if on_leave else "Scheduled",
                        "leaveType": ("Vacation" if day in leave_days[person.id] else "Sick") if on_leave else None,
                    },
                )
                if future:
                    if not on_leave:  # weekly hours are projected over the rest of the week's schedule
                        week = self._local_date(start).isocalendar()[:2]
                        paid = (end - start) / HOUR - catalog.BREAK_MINUTES / 60
                        self.week_hours[(person.id, week)] += paid
                    continue
                if on_leave or start >= self.as_of or rng.random() < 0.005:  # leave, not yet started, no-show
                    continue
                self._work_day(person, day, start, end, wc_today)
        self._schedule_future_jobs()

    def _pick_injection(self, person: Person, end: float) -> str | None:
        if end > self.as_of - 6 * HOUR:
            return None  # too close to the extract: the day is not over yet
        draw = self.rng.random()
        acc = 0.0
        for kind, weight in DAY_TYPE_WEIGHTS.items():
            acc += weight * self.scale
            if draw < acc:
                if kind in DIRECT_ONLY and not person.home_wc:
                    return None
                return kind
        return None

    def _work_day(self, person: Person, day: date, start: float, end: float, wc_today: str | None) -> None:
        rng, policy = self.rng, self.policy
        inject = self._pick_injection(person, end)
        if inject == "UNCERTIFIED_COVER":
            unqualified = [w for w in self.wc_by_dept[person.dept.code] if not self._qualified(person, w, day)]
            if unqualified:
                wc_today = rng.choice(unqualified)
            inject = None
        grace = policy.grace_minutes

        def normal(mu: float, sd: float) -> float:
            return mu + max(-2.5, min(2.5, rng.gauss(0, 1))) * sd

        off_in = normal(person.mu_in, person.sd_in)
        off_out = normal(person.mu_out, person.sd_out)
        if inject == "EARLY_CLOCK_IN":
            off_in = min(person.mu_in - max(3.5 * person.sd_in, 7) - rng.uniform(2, 50), -grace - rng.uniform(2, 25))
        elif inject == "LATE_CLOCK_IN":
            off_in = max(person.mu_in + max(3.5 * person.sd_in, 7) + rng.uniform(2, 60), grace + rng.uniform(2, 25))
        elif inject == "EARLY_CLOCK_OUT":
            off_out = min(person.mu_out - max(3.5 * person.sd_out, 7) - rng.uniform(2, 90), -grace - rng.uniform(2, 25))
        elif inject == "LATE_CLOCK_OUT":
            off_out = max(person.mu_out + max(3.5 * person.sd_out, 7) + rng.uniform(2, 90), grace + rng.uniform(2, 25))
        clock_in = start + off_in * MINUTE + rng.uniform(0, 59)
        clock_out = end + off_out * MINUTE + rng.uniform(0, 59)
        shift_mid = (start + end) / 2
        break_length = (catalog.BREAK_MINUTES + abs(rng.gauss(0, 2.5))) * MINUTE
        longest = (policy.break_required_after_hours - 0.2) * HOUR  # natural stretches keep to the rule
        break_out = shift_mid + rng.uniform(-60, 45) * MINUTE + rng.uniform(0, 59)
        break_out = max(min(break_out, clock_in + longest), clock_out - longest - break_length)
        break_in = break_out + break_length
        work_until = clock_out  # when work really stops at the workcenter
        if inject == "EARLY_CLOCK_OUT_ACTIVE_JOB":
            clock_out = end + rng.uniform(-80, -20) * MINUTE
            work_until = max(end + off_out * MINUTE, clock_out + 20 * MINUTE)
        pairs = [(clock_in, break_out), (break_in, clock_out)]
        if inject == "MISSED_BREAK":
            pairs = [(clock_in, clock_out)]

        absent = inject == "BUDDY_PUNCH"
        badge_in = clock_in - rng.uniform(2, 12) * MINUTE
        badge_out = max(work_until, clock_out) + rng.uniform(1, 8) * MINUTE
        if not absent:
            doors = self.doors_by_building[person.building]
            first_swipe_id = None
            if inject == "MISSED_PUNCH_NO_CLOCKIN" or rng.random() > 0.04:  # 4% tailgate through an open door
                first_swipe_id = self._swipe(person, doors[person.no % len(doors)], person.building, badge_in, "In")
            if badge_out < self.as_of and rng.random() > 0.08:
                self._swipe(person, doors[person.no % len(doors)], person.building, badge_out, "Out")
            if inject == "MISSED_PUNCH_NO_CLOCKIN" and first_swipe_id:
                self._label(
                    "badge-swipes",
                    first_swipe_id,
                    A.MISSED_PUNCH,
                    person.id,
                    "badge and workcenter activity with no clock-in",
                )

        # Hours as punched (before duplicates, overlaps and typos corrupt the records), for weekly hours.
        week = self._local_date(clock_in).isocalendar()[:2]
        for pin, pout in pairs:
            if inject != "MISSED_PUNCH_NO_CLOCKIN":  # hours nobody punched cannot count
                self.week_hours[(person.id, week)] += (pout - pin) / HOUR

        # Workcenter activity.
        needs_login = inject in ("MACHINE_LOGIN_MISMATCH", "EARLY_CLOCK_OUT_ACTIVE_JOB")
        if person.home_wc and wc_today and not absent and (needs_login or rng.random() > 0.03):  # 3%: training
            segments = [(pin, pout) for pin, pout in pairs]
            segments[-1] = (segments[-1][0], work_until)
            for index, (seg_start, seg_end) in enumerate(segments):
                login_gap = rng.uniform(1, 9) if index == 0 else rng.uniform(1, 5)
                if index == 0 and rng.random() < 0.04:
                    login_gap = rng.uniform(10, 13.5)  # slow walk to the machine: still inside the window
                if index == 0 and inject == "MACHINE_LOGIN_MISMATCH":
                    login_gap = rng.uniform(policy.machine_login_window_minutes + 5, 75)
                login = seg_start + login_gap * MINUTE
                logout = seg_end - rng.uniform(1, 6) * MINUTE
                if logout - login > 20 * MINUTE:
                    self._work_segment(person, wc_today, login, logout)

        # Time clock entries, with record-level corruption.
        records = []
        for index, (pin, pout) in enumerate(pairs):
            records.append(self._tce(person, pin, pout, final=index == len(pairs) - 1))
        labelled: list[tuple[dict[str, Any], AnomalyType, str]] = []
        last = records[-1]
        if inject == "MISSED_PUNCH_NO_CLOCKIN":
            records = []
        elif inject == "MISSED_PUNCH_OPEN":
            last["clockoutTime"] = None
            last["clockoutDeviceId"] = None
            last["modifiedDate"] = last["createdDate"]
            labelled.append((last, A.MISSED_PUNCH, "no clock-out after the shift ended"))
        elif inject == "OUT_BEFORE_IN":
            out = pairs[-1][1] - 12 * HOUR
            if out >= pairs[-1][0]:
                out -= 12 * HOUR
            self._manual_edit(person, last, pairs[-1][1])
            last["clockoutTime"] = self._iso(out)
            labelled.append((last, A.OUT_BEFORE_IN, "clock-out keyed before the clock-in"))
        elif inject in ("EARLY_CLOCK_IN", "LATE_CLOCK_IN", "MACHINE_LOGIN_MISMATCH"):
            labelled.append((records[0], A(inject), "injected"))
        elif inject in ("EARLY_CLOCK_OUT", "LATE_CLOCK_OUT", "EARLY_CLOCK_OUT_ACTIVE_JOB"):
            labelled.append((last, A(inject), "injected"))
        elif inject == "BUDDY_PUNCH":
            self._buddy_signals(person, records, clock_in)
            labelled.extend((record, A.BUDDY_PUNCH, "punched for an absent colleague") for record in records)
        elif inject == "DUPLICATE_PUNCH":
            original = rng.choice(records)
            copy = dict(original)
            copy["id"] = self._uuid()
            created = pairs[records.index(original)][0] + rng.uniform(60, 900)
            copy["createdDate"] = self._iso(created)
            copy["modifiedDate"] = copy["createdDate"] if original["clockoutTime"] is None else original["modifiedDate"]
            records.append(copy)
            labelled.append((copy, A.DUPLICATE_PUNCH, "same punch recorded twice"))
        elif inject == "OVERLAPPING_ENTRIES":
            extra_in = pairs[0][0] + rng.uniform(60, 180) * MINUTE
            extra_out = extra_in + rng.uniform(2, 5) * HOUR
            extra = self._tce(person, extra_in, extra_out, final=True)
            self._manual_edit(person, extra, extra_out, added=True)
            records.append(extra)
            labelled.append((extra, A.OVERLAPPING_ENTRIES, "manual entry overlaps recorded time"))
        elif rng.random() < 0.02:
            self._manual_edit(person, last, pairs[-1][1])  # ordinary supervisor correction
            if last["clockoutTime"] is not None:
                corrected = pairs[-1][1] + rng.uniform(-10, 10) * MINUTE
                last["clockoutTime"] = self._iso(corrected)
        elif rng.random() < 0.01 and last["clockoutTime"] is not None:
            self._manual_edit(person, last, pairs[-1][1], added=True)  # forgotten punch keyed the next day
        for record in records:
            if record["clockinTime"] <= self._iso(self.as_of):
                self._emit("time-clock-entries", record)
                first = self.week_first_tce.get((person.id, week))
                candidate = (record["clockinTime"], record["id"])
                if first is None or candidate < first:
                    self.week_first_tce[(person.id, week)] = candidate
        limit = self.policy.break_required_after_hours * HOUR
        unmeasurable = {
            id(record) for record, anomaly, _ in labelled if anomaly in (A.DUPLICATE_PUNCH, A.OUT_BEFORE_IN)
        }
        for index, (pin, pout) in enumerate(pairs):
            entry = records[index] if index < len(records) else None
            if entry and id(entry) not in unmeasurable and entry["clockoutTime"] and pout - pin > limit:
                labelled.append((entry, A.MISSED_BREAK, "worked longer than the rule allows without a break"))
        for record, anomaly, detail in labelled:
            self._label("time-clock-entries", record["id"], anomaly, person.id, detail)

    def _tce(self, person: Person, pin: float, pout: float, final: bool) -> dict[str, Any]:
        rng = self.rng
        open_now = pout > self.as_of
        device = person.device
        if not person.mobile and rng.random() < 0.05:  # the usual clock had a queue
            device = rng.choice(self.devices_by_building[person.building])["deviceId"]
        row: dict[str, Any] = {
            "id": self._uuid(),
            "employeeId": person.id,
            "clockinTime": self._iso(pin),
            "clockoutTime": None if open_now else self._iso(pout),
            "clockinDeviceId": device,
            "clockoutDeviceId": None if open_now else device,
            "clockinLatitude": None,
            "clockinLongitude": None,
            "biometricScore": None,
            "source": "Mobile" if person.mobile else "Device",
            "createdDate": self._iso(pin),
            "modifiedDate": self._iso(pin if open_now else pout + rng.uniform(0, 2)),
            "modifiedBy": None,
        }
        if person.mobile:
            building = next(b for b in self.buildings if b["buildingCode"] == person.building)
            reach = building["geofenceRadiusM"] * (
                rng.uniform(1.0, 1.3) if rng.random() < 0.01 else rng.uniform(0, 0.6)
            )
            row["clockinLatitude"], row["clockinLongitude"] = _offset(
                building["latitude"], building["longitude"], reach, rng.uniform(0, 2 * math.pi)
            )
        elif device.startswith("CLK") and self._is_biometric(device):
            row["biometricScore"] = round(rng.uniform(0.6, 0.85) if rng.random() < 0.02 else rng.uniform(0.86, 0.99), 3)
        return row

    def _is_biometric(self, device_id: str) -> bool:
        return int(device_id.rsplit("-", 1)[1]) % 2 == 0  # matches the device catalog: every second clock

    def _manual_edit(self, person: Person, row: dict[str, Any], when: float, added: bool = False) -> None:
        """A supervisor's edit; `added` entries were keyed by hand, so they are created at edit time."""
        row["source"] = "Manual"
        row["modifiedBy"] = self.supervisor_user.get(person.supervisor_id or "", "hr-admin")
        row["modifiedDate"] = self._iso(min(when + self.rng.uniform(10, 36) * HOUR, self.as_of))
        row["clockinDeviceId"] = row["clockoutDeviceId"] = None
        row["biometricScore"] = row["clockinLatitude"] = row["clockinLongitude"] = None
        if added:
            row["createdDate"] = row["modifiedDate"]

    def _buddy_signals(self, person: Person, records: list[dict[str, Any]], clock_in: float) -> None:
        """A colleague punched: the evidence differs from this employee's usual pattern."""
        rng = self.rng
        signals = 0
        others = [d["deviceId"] for d in self.devices_by_building[person.building] if d["deviceId"] != person.device]
        for record in records:
            if person.mobile:
                if rng.random() < 0.75:
                    building = next(b for b in self.buildings if b["buildingCode"] == person.building)
                    record["clockinLatitude"], record["clockinLongitude"] = _offset(
                        building["latitude"],
                        building["longitude"],
                        rng.uniform(2000, 30000),
                        rng.uniform(0, 2 * math.pi),
                    )
                    signals += 1
            else:
                if others and rng.random() < 0.6:
                    record["clockinDeviceId"] = record["clockoutDeviceId"] = rng.choice(others)
                    signals += 1
                if self._is_biometric(record["clockinDeviceId"]):
                    record["biometricScore"] = round(rng.uniform(0.1, 0.55), 3)
                    signals += 1
                else:
                    record["biometricScore"] = None
        if len(self.buildings) > 1 and (signals == 0 or rng.random() < 0.4):
            elsewhere = rng.choice([b for b in self.buildings if b["buildingCode"] != person.building])
            doors = self.doors_by_building[elsewhere["buildingCode"]]
            self._swipe(
                person,
                rng.choice(doors),
                elsewhere["buildingCode"],
                clock_in + rng.uniform(-15, 15) * MINUTE,
                "In",
            )

    def _swipe(self, person: Person, door: str, building_code: str, when: float, direction: str) -> str:
        building = next(b for b in self.buildings if b["buildingCode"] == building_code)
        swipe_id = self._uuid()
        self._emit(
            "badge-swipes",
            {
                "id": swipe_id,
                "employeeId": person.id,
                "deviceId": door,
                "buildingCode": building_code,
                "swipeTime": self._iso(when),
                "direction": direction,
                "latitude": building["latitude"],
                "longitude": building["longitude"],
            },
        )
        return swipe_id

    # ---- production ---------------------------------------------------------------------------
    def _new_job(self, wc_id: str, when: float, scheduled: bool = False) -> OpState:
        """Create a job for a part operation approved at `wc_id`; queue its other operations."""
        rng = self.rng
        part_id, op_code = rng.choice(self.workcenters[wc_id].approved)
        rate = self.part_rate[(part_id, op_code)]
        run_hours = rng.uniform(6, 40) if not scheduled else rng.uniform(4, 9)
        quantity = float(max(1, round(rate * run_hours)))
        job_id = self._uuid()
        self._emit(
            "jobs",
            {
                "id": job_id,
                "jobNo": f"J{self.counts['jobs'] + 100001}",
                "partId": part_id,
                "partFamily": self.part_family[part_id],
                "quantity": quantity,
                "status": "Scheduled" if scheduled else "InProcess",
                "dueDate": self._iso(when + 10 * 24 * HOUR),
            },
        )
        chosen: OpState | None = None
        for step, (code, _) in enumerate(self.routing[part_id]):
            op_rate = self.part_rate[(part_id, code)]
            target = wc_id if code == op_code else self.approved_at[(part_id, code)][0]
            op_crew = self.workcenters[target].dept.crew_size
            op_id = self._uuid()
            std = round(quantity / op_rate * op_crew + 0.5, 2)
            self._emit(
                "job-operations",
                {
                    "id": op_id,
                    "jobId": job_id,
                    "partId": part_id,
                    "operationNo": (step + 1) * 10,
                    "operationCode": code,
                    "workcenterId": target,
                    "quantity": quantity,
                    "standardHours": std,
                    "scheduledStart": self._iso(when + step * 24 * HOUR),
                    "scheduledEnd": self._iso(when + step * 24 * HOUR + std / op_crew * HOUR),
                    "status": "Scheduled",
                },
            )
            state = OpState(op_id, job_id, part_id, code, target, quantity, op_rate)
            self.recent_ops.append(state)
            if code == op_code:
                chosen = state
            elif not scheduled:
                self.queues[target].append(state)
        assert chosen is not None
        return chosen

    def _current_op(self, wc_id: str, when: float) -> OpState:
        queue = self.queues[wc_id]
        while queue and queue[0].remaining <= 0:
            queue.popleft()
        if queue:
            return queue[0]
        # Alternate routing: pick up work queued at a sibling workcenter approved for the same operation.
        if self.rng.random() < 0.3:
            for part_id, op_code in self.workcenters[wc_id].approved:
                for sibling in self.approved_at[(part_id, op_code)]:
                    waiting = [
                        op
                        for op in self.queues[sibling]
                        if op.remaining > 0 and (op.part_id, op.operation_code) == (part_id, op_code)
                    ]
                    if sibling != wc_id and waiting:
                        self.queues[sibling].remove(waiting[0])
                        queue.append(waiting[0])
                        return waiting[0]
        state = self._new_job(wc_id, when)
        queue.append(state)
        return state

    def _work_segment(self, person: Person, wc_id: str, login: float, logout: float) -> None:
        rng = self.rng
        self._wc_event(wc_id, "OperatorLogin", login, person.id, None)
        self._wc_event(wc_id, "OperatorLogout", logout, person.id, None)
        self.sessions[wc_id].append((login, logout))
        run_start = login + rng.uniform(1, 4) * MINUTE
        run_stop = logout - rng.uniform(0, 2) * MINUTE
        if run_stop > run_start:
            self.run_intervals[wc_id].append((run_start, min(run_stop, self.as_of)))
        cuts = [login, logout]
        if logout - login > 2 * HOUR and rng.random() < 0.35:
            cuts.insert(1, login + (logout - login) * rng.uniform(0.3, 0.7))
        for a, b in itertools.pairwise(cuts):
            t = a
            for _ in range(50):  # an operator finishes an operation and starts the next in the same stretch
                if t >= min(b, self.as_of) - MINUTE:
                    break
                t = self._labor_entry(person, wc_id, self._current_op(wc_id, t), t, b)

    def _labor_entry(self, person: Person, wc_id: str, op: OpState, start: float, stretch_end: float) -> float:
        """Work `op` from `start` until it is done or the stretch ends; return when the entry ends."""
        rng = self.rng
        crew = self.workcenters[wc_id].dept.crew_size
        pace = op.rate / crew * person.efficiency * rng.gauss(1, 0.06)  # pieces per hour
        until = min(stretch_end, self.as_of)
        available = (until - start) / HOUR
        down = min(available * 0.8, rng.uniform(15, 90) / 60) if rng.random() < 0.05 else 0.0
        productive = available - down
        if 0 < op.remaining <= pace * productive:  # the last piece is made before the stretch ends
            needed = op.remaining / pace
            down *= needed / productive
            end: float | None = start + (needed + down) * HOUR
            produced = float(round(op.remaining))
        else:
            end = stretch_end if stretch_end <= self.as_of else None  # still running at the extract
            produced = float(max(0, round(pace * productive)))
        closes = end if end is not None else self.as_of
        if down:
            down_start = start + rng.uniform(0, max(0.0, (closes - start) / HOUR - down)) * HOUR
            self._emit(
                "downtime-entries",
                {
                    "id": self._uuid(),
                    "workcenterId": wc_id,
                    "startTime": self._iso(down_start),
                    "endTime": self._iso(down_start + down * HOUR),
                    "reasonCode": rng.choice(catalog.DOWNTIME_REASONS),
                    "employeeId": person.id,
                },
            )
        op.remaining -= produced
        reported = produced
        anomaly: AnomalyType | None = None
        charged = op
        if end is not None and self._chance(LABOR_ENTRY_RATES["IMPROBABLE_DURATION"]):
            factor = rng.uniform(0.15, 0.6) if rng.random() < 0.5 else rng.uniform(1.8, 5)
            reported = max(1.0, round(produced * factor))
            anomaly = A.IMPROBABLE_DURATION
        elif end is not None and self._chance(LABOR_ENTRY_RATES["JOB_CODE_MISMATCH"]):
            foreign = [
                s
                for s in self.recent_ops
                if s.workcenter_id != wc_id and wc_id not in self.approved_at[(s.part_id, s.operation_code)]
            ]
            if foreign:
                charged = rng.choice(foreign)
                anomaly = A.JOB_CODE_MISMATCH
        entry_id = self._uuid()
        self._emit(
            "labor-entries",
            {
                "id": entry_id,
                "employeeId": person.id,
                "workcenterId": wc_id,
                "jobId": charged.job_id,
                "jobOperationId": charged.id,
                "startTime": self._iso(start),
                "endTime": None if end is None else self._iso(end),
                "quantity": reported,
                "modifiedDate": self._iso(start if end is None else end),
            },
        )
        if anomaly:
            self._label("labor-entries", entry_id, anomaly, person.id, "injected")
        if not self._qualified(person, wc_id, self._local_date(start), certified_only=True):
            self._label(
                "labor-entries",
                entry_id,
                A.UNCERTIFIED_OPERATOR,
                person.id,
                "required certification missing or expired that day",
            )
        if reported > 0 and rng.random() < 0.2:
            scrap = max(1.0, round(reported * rng.uniform(0.005, 0.05) * (2 - person.efficiency)))
            self._emit(
                "scrap-entries",
                {
                    "id": self._uuid(),
                    "workcenterId": wc_id,
                    "jobOperationId": charged.id,
                    "employeeId": person.id,
                    "scrapTime": self._iso(start + (closes - start) * rng.random()),
                    "quantity": scrap,
                    "reasonCode": rng.choice(catalog.SCRAP_REASONS),
                },
            )
        return closes

    def _wc_event(self, wc_id: str, kind: str, when: float, employee_id: str | None, op_id: str | None) -> str:
        event_id = self._uuid()
        if when <= self.as_of:
            self._emit(
                "workcenter-events",
                {
                    "id": event_id,
                    "workcenterId": wc_id,
                    "eventType": kind,
                    "eventTime": self._iso(when),
                    "employeeId": employee_id,
                    "jobOperationId": op_id,
                },
            )
        return event_id

    def _schedule_future_jobs(self) -> None:
        """Scheduled job operations for the days after the history, for planning and forecasts."""
        staffed: dict[str, set[str]] = defaultdict(set)
        for person in self.hourly:
            if person.home_wc:
                staffed[person.home_wc].add(person.shift.code)
        for offset in range(1, self.spec.future_days + 1):
            day = self.spec.end_date + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            for wc_id, shifts in staffed.items():
                for shift in catalog.SHIFTS:
                    if shift.code in shifts:
                        self._new_job(wc_id, self._shift_window(day, shift)[0], scheduled=True)

    # ---- post passes --------------------------------------------------------------------------
    def _emit_runs_and_unattended(self) -> None:
        rng = self.rng
        first_monday = self.start_date - timedelta(days=self.start_date.weekday())
        for wc_id in self.workcenters:
            merged: list[list[float]] = []
            for start, stop in sorted(self.run_intervals[wc_id]):
                if merged and start <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], stop)
                else:
                    merged.append([start, stop])
            sessions = sorted(self.sessions[wc_id])
            session_starts = [s for s, _ in sessions]
            week = first_monday
            while week <= self.spec.end_date:
                if self._chance(UNATTENDED_RATE):
                    week_start = self._local(week, "00:00")
                    for _ in range(20):
                        length = rng.uniform(self.policy.unattended_minutes + 15, 180) * MINUTE
                        start = week_start + rng.uniform(0, 7 * 24 * HOUR - length)
                        margin = 30 * MINUTE
                        if start < self._local(self.start_date, "00:00") or start + length > self.as_of - HOUR:
                            continue
                        i = bisect_left(session_starts, start + length + margin)
                        busy = any(
                            s < start + length + margin and e > start - margin for s, e in sessions[max(0, i - 50) : i]
                        )
                        if not busy:
                            run_id = self._wc_event(wc_id, "RunStart", start, None, None)
                            self._wc_event(wc_id, "RunStop", start + length, None, None)
                            self._label(
                                "workcenter-events",
                                run_id,
                                A.UNATTENDED_MACHINE,
                                None,
                                "machine ran with nobody logged in",
                            )
                            break
                week += timedelta(days=7)
            for start, stop in merged:
                self._wc_event(wc_id, "RunStart", start, None, None)
                if stop < self.as_of:
                    self._wc_event(wc_id, "RunStop", stop, None, None)

    def _label_excessive_weeks(self) -> None:
        limit = self.policy.weekly_hours_limit
        for (employee_id, week), hours in sorted(self.week_hours.items()):
            first = self.week_first_tce.get((employee_id, week))
            if hours > limit and first:
                self._label(
                    "time-clock-entries",
                    first[1],
                    A.EXCESSIVE_OVERTIME,
                    employee_id,
                    f"{hours:.1f} h worked in ISO week {week[0]}-W{week[1]:02d}",
                )


def _offset(lat: float, lon: float, meters: float, bearing: float) -> tuple[float, float]:
    """A point `meters` away from (lat, lon) on `bearing` (flat-earth approximation, fine below 50 km)."""
    d_lat = meters * math.cos(bearing) / 111_320
    d_lon = meters * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return round(lat + d_lat, 6), round(lon + d_lon, 6)


def _dumps(row: dict[str, Any]) -> str:
    return json.dumps(row, separators=(",", ":")) + "\n"


def iter_label_keys(folder: PlantFolder) -> Iterator[str]:
    """Every record key of the label-bearing resources, for consistency checks."""
    for resource in ("time-clock-entries", "labor-entries", "workcenter-events", "badge-swipes"):
        for row in folder.iter_raw(resource):
            yield record_key(resource, row["id"])
