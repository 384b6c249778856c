"""A tiny fluent builder of Plex-shaped rows for a one- or two-employee plant, for engine tests.

Every weekday of the history gets a normal worked shift per employee, following that employee's
habit: badge-in a few minutes before the clock-in, a clock-in/clock-out pair split by a 30-minute
break, a workcenter login after each clock-in and a logout before each clock-out, a machine run inside
each login session, one labor entry per session at the standard rate, and a badge-out. A test changes
one day with `work_day(...)` (called before `build()`; the normal day is then not generated) and adds
single records with `punch`, `swipe`, `login`, `run`, `labor`, `downtime`, `schedule`.

Times are wall-clock times in America/Detroit (DST ended 2026-11-01), written as Plex UTC strings.
Anything after the extract (`as_of`) is cut the way a real extract cuts it: rows starting later are
dropped, ends later than the extract are left open.

    plant = PlantBuilder(weeks=16).employee("E1")               # 16 weeks of normal days
    day = plant.work_day("E1", date(2026, 11, 17), clock_in=15)  # that Tuesday 15 min late
    data = plant.build()                                          # PlantData, as of 2026-11-21 00:00
    day.first_key                                                 # "time-clock-entries:E1-tce-3"
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Self
from zoneinfo import ZoneInfo

from plexlabor.models import LaborEntry, TimeClockEntry, record_key
from plexlabor.validation.data import PlantData
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.findings import Finding
from plexlabor.validation.norms import compute_norms

TIMEZONE = "America/Detroit"
TZ = ZoneInfo(TIMEZONE)
END = date(2026, 11, 20)  # a Friday; the extract is taken at midnight after it
TUESDAY = date(2026, 11, 17)  # the Tuesday of END's week: the day most tests change

# (start, end, break out, break in), local wall-clock times
SHIFTS: dict[str, tuple[str, str, str, str]] = {
    "1st": ("06:00", "14:30", "10:15", "10:45"),
    "2nd": ("14:30", "23:00", "18:30", "19:00"),
    "3rd": ("22:30", "07:00", "02:30", "03:00"),
    "10h": ("06:00", "16:30", "11:00", "11:30"),  # a long day (planned overtime)
    "5h": ("06:00", "11:00", "08:30", "08:45"),  # a short Saturday, usually worked without a break
    "split-am": ("06:00", "10:15", "08:00", "08:10"),  # a 1st shift split in two halves (worked without a break)
    "split-pm": ("12:14", "16:29", "14:00", "14:10"),  # ... the second 1 h 59 min after the first ends
}

BUILDING: dict[str, Any] = {"code": "B1", "lat": 42.3314, "lon": -83.0458, "radius": 150.0}
OTHER_BUILDING: dict[str, Any] = {"code": "B2", "lat": 42.5000, "lon": -83.3000, "radius": 150.0}
PART, OPERATION, JOB, JOB_OPERATION = "PART-1", "10", "J1", "JO1"
OTHER_PART, OTHER_OPERATION, OTHER_JOB, OTHER_JOB_OPERATION = "PART-2", "20", "J2", "JO2"
BIOMETRIC_CLOCKS = {"CLK-2"}
RATE = 60.0  # pieces per hour at WC1 and WC2 for PART-1 op 10, crew 1
SKILL, OTHER_SKILL = "SK-1", "SK-3"


def validate(plant: PlantBuilder, engine: ValidationEngine) -> list[Finding]:
    """The batch's findings on the built plant, with the norms computed from it."""
    data = plant.build()
    return engine.batch(data, compute_norms(data))


def local(day: date, hhmm: str, seconds: int = 0) -> datetime:
    """A wall-clock time in the plant's zone."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, seconds, tzinfo=TZ)


def plex_time(moment: datetime | None) -> str | None:
    """Plex's UTC format with seven fraction digits."""
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def minutes(value: float) -> timedelta:
    return timedelta(minutes=value)


@dataclass(frozen=True)
class Habit:
    """Minutes from shift start / end (negative = early), and output vs. standard, cycled day by day."""

    start: tuple[float, ...] = (-4, -2, -3, -1, -2)  # median 2 min early, spread ~1.5 min
    end: tuple[float, ...] = (1, 2, 3, 2, 4)  # median 2 min late
    output: tuple[float, ...] = (0.97, 1.0, 1.03, 0.99, 1.01)


STEADY = Habit()
EARLY_BIRD = Habit(start=(-22, -19, -20, -21, -18))  # always ~20 min early: normal for this person
STAYS_LATE = Habit(end=(14, 16, 15, 13, 17))  # always leaves ~15 min after the shift


@dataclass
class Person:
    id: str
    shift: str
    habit: Habit
    department: str | None
    workcenter: str | None
    device: str


@dataclass
class DayRecords:
    """Ids of what one worked day produced (only the rows inside the extract)."""

    employee: str
    day: date
    entries: list[str] = field(default_factory=list)  # time-clock entry ids, by clock-in
    labor: list[str] = field(default_factory=list)
    swipes: list[str] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)  # RunStart event ids
    clock_in: datetime | None = None
    clock_out: datetime | None = None

    @property
    def entry_keys(self) -> list[str]:
        return [record_key("time-clock-entries", i) for i in self.entries]

    @property
    def first_key(self) -> str:
        return self.entry_keys[0]

    @property
    def last_key(self) -> str:
        return self.entry_keys[-1]

    @property
    def labor_keys(self) -> list[str]:
        return [record_key("labor-entries", i) for i in self.labor]


class PlantBuilder:
    """Plex-shaped rows for a small plant, then `PlantData.build(rows, "America/Detroit", as_of)`."""

    def __init__(self, weeks: int = 8, end: date = END, as_of: datetime | None = None) -> None:
        self.end = end
        self.first_day = end - timedelta(days=7 * weeks - 1)
        self.as_of = as_of or local(end + timedelta(days=1), "00:00")
        self.people: dict[str, Person] = {}
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.done: set[tuple[str, date]] = set()  # (employee, day) already worked or on leave
        self._ids = itertools.count(1)
        self._reference()

    # ---- reference data -------------------------------------------------------------------------
    def _reference(self) -> None:
        for b in (BUILDING, OTHER_BUILDING):
            self.rows["buildings"].append(
                {
                    "buildingCode": b["code"],
                    "name": f"Building {b['code']}",
                    "siteCode": "S1",
                    "timezone": TIMEZONE,
                    "latitude": b["lat"],
                    "longitude": b["lon"],
                    "geofenceRadiusM": b["radius"],
                }
            )
        self.rows["clock-devices"] += [
            {"deviceId": "CLK-1", "buildingCode": "B1", "deviceType": "WallClock"},
            {"deviceId": "CLK-2", "buildingCode": "B1", "deviceType": "BiometricClock"},
            {"deviceId": "CLK-9", "buildingCode": "B2", "deviceType": "WallClock"},
            {"deviceId": "MOB-1", "buildingCode": None, "deviceType": "Mobile"},
            {"deviceId": "DR-1", "buildingCode": "B1", "deviceType": "DoorReader"},
            {"deviceId": "DR-9", "buildingCode": "B2", "deviceType": "DoorReader"},
        ]
        for wc in ("WC1", "WC2", "WC3"):
            self.rows["workcenters"].append(
                {"workcenterId": wc, "workcenterCode": wc, "departmentCode": "MOLD", "buildingCode": "B1"}
            )
        self.rows["skills"] += [
            {"skillId": SKILL, "skillCode": "PRESS", "name": "Press operation"},
            {"skillId": OTHER_SKILL, "skillCode": "WELD", "name": "Welding"},
        ]
        self.rows["workcenter-requirements"] += [
            {"workcenterId": "WC1", "skillId": SKILL, "minLevel": 2, "certificationRequired": True},
            {"workcenterId": "WC2", "skillId": SKILL, "minLevel": 2, "certificationRequired": True},
            {"workcenterId": "WC3", "skillId": OTHER_SKILL, "minLevel": 1, "certificationRequired": True},
        ]
        for wc in ("WC1", "WC2"):  # WC2 is an alternate approved workcenter for PART-1 op 10
            self.rows["approved-workcenters"].append(
                {
                    "partId": PART,
                    "operationCode": OPERATION,
                    "workcenterId": wc,
                    "crewSize": 1,
                    "standardProductionRate": RATE,
                }
            )
        self.rows["approved-workcenters"].append(
            {
                "partId": OTHER_PART,
                "operationCode": OTHER_OPERATION,
                "workcenterId": "WC3",
                "crewSize": 1,
                "standardProductionRate": RATE,
            }
        )
        self._job(JOB, PART, OPERATION, JOB_OPERATION, "WC1", 100000)
        self._job(OTHER_JOB, OTHER_PART, OTHER_OPERATION, OTHER_JOB_OPERATION, "WC3", 100000)

    def _job(self, job: str, part: str, op: str, job_op: str, wc: str, quantity: float, **run: Any) -> None:
        """A job of one operation; `run`: what Plex recorded of it (status, actualStart, actualEnd)."""
        self.rows["jobs"].append({"id": job, "jobNo": job, "partId": part, "quantity": quantity})
        self.rows["job-operations"].append(
            {
                "id": job_op,
                "jobId": job,
                "partId": part,
                "operationNo": int(op),
                "operationCode": op,
                "workcenterId": wc,
                "quantity": quantity,
                "standardHours": quantity / RATE,
                **run,
            }
        )

    # ---- people ---------------------------------------------------------------------------------
    def employee(
        self,
        employee: str = "E1",
        shift: str = "1st",
        habit: Habit = STEADY,
        department: str | None = "MOLD",
        workcenter: str | None = "WC1",
        device: str = "CLK-1",
        certified_until: date | None = date(2027, 12, 31),
        history: bool = True,
    ) -> Self:
        """An hourly employee at B1; `workcenter=None` makes them indirect (no logins, no labor).

        `certified_until=None` grants no certification; `history=False` works no normal days.
        """
        self.people[employee] = Person(employee, shift, habit, department, workcenter, device)
        self.rows["employees"].append(
            {
                "id": employee,
                "employeeNo": employee,
                "firstName": "Test",
                "lastName": employee,
                "departmentCode": department,
                "homeWorkcenterId": workcenter,
                "buildingCode": "B1",
                "defaultShiftCode": shift,
            }
        )
        if certified_until is not None:
            self.certification(employee, SKILL, 2, date(2024, 1, 1), certified_until)
        if not history:
            self.done.update((employee, d) for d in self._days())
        return self

    def certification(self, employee: str, skill: str, level: int, issued: date, expires: date | None) -> Self:
        self.rows["certifications"].append(
            {
                "id": f"cert-{next(self._ids)}",
                "employeeId": employee,
                "skillId": skill,
                "level": level,
                "issuedDate": issued.isoformat(),
                "expiresDate": expires.isoformat() if expires else None,
            }
        )
        return self

    def leave(self, employee: str, day: date) -> Self:
        """Scheduled leave: no shift, no records that day."""
        self.done.add((employee, day))
        return self

    # ---- single records -------------------------------------------------------------------------
    def schedule(self, employee: str, day: date, shift: str | None = None, status: str = "Scheduled") -> str:
        start_hhmm, end_hhmm, _, _ = SHIFTS[shift or self.people[employee].shift]
        start, end = local(day, start_hhmm), local(day + timedelta(days=end_hhmm < start_hhmm), end_hhmm)
        other = f"-{shift}" if shift not in (None, self.people[employee].shift) else ""  # a second one that day
        row_id = f"{employee}-{day.isoformat()}{other}-sa"
        self.rows["shift-assignments"].append(
            {
                "id": row_id,
                "employeeId": employee,
                "shiftId": shift or self.people[employee].shift,
                "workDate": day.isoformat(),
                "scheduledStart": plex_time(start),
                "scheduledEnd": plex_time(end),
                "workcenterId": self.people[employee].workcenter,
                "status": status,
            }
        )
        return row_id

    def punch(
        self,
        employee: str,
        clock_in: datetime,
        clock_out: datetime | None,
        *,
        id: str | None = None,
        created: datetime | None = None,
        source: str = "Device",
        device: str | None = "",
        latitude: float | None = None,
        longitude: float | None = None,
        biometric: float | None = None,
    ) -> str | None:
        """One time-clock entry; returns its id (None if it starts after the extract)."""
        if clock_in > self.as_of:
            return None
        if clock_out is not None and clock_out > self.as_of:
            clock_out = None
        if device == "":
            device = None if source == "Manual" else self.people[employee].device
        row_id = id or f"{employee}-tce-{next(self._ids)}"
        self.rows["time-clock-entries"].append(
            {
                "id": row_id,
                "employeeId": employee,
                "clockinTime": plex_time(clock_in),
                "clockoutTime": plex_time(clock_out),
                "clockinDeviceId": device,
                "clockoutDeviceId": device if clock_out else None,
                "clockinLatitude": latitude,
                "clockinLongitude": longitude,
                "biometricScore": biometric,
                "source": source,
                "createdDate": plex_time(created or clock_in),
                "modifiedDate": plex_time(created or clock_out or clock_in),
                "modifiedBy": "supervisor" if source == "Manual" else None,
            }
        )
        return row_id

    def _happened(self, table: str, id_prefix: str, when: datetime, row: dict[str, Any]) -> str | None:
        """A row of `table` for something that happened at `when`: none if that is after the extract, else
        appended with the id `<id_prefix>-<n>`, which is returned."""
        if when > self.as_of:
            return None
        row_id = f"{id_prefix}-{next(self._ids)}"
        self.rows[table].append({"id": row_id, **row})
        return row_id

    def swipe(self, employee: str, when: datetime, direction: str, building: str = "B1") -> str | None:
        device = "DR-1" if building == "B1" else "DR-9"
        row = {"employeeId": employee, "deviceId": device, "buildingCode": building, "direction": direction}
        return self._happened("badge-swipes", f"{employee}-sw", when, {**row, "swipeTime": plex_time(when)})

    def event(self, workcenter: str, kind: str, when: datetime, employee: str | None = None) -> str | None:
        row = {"workcenterId": workcenter, "eventType": kind, "eventTime": plex_time(when), "employeeId": employee}
        return self._happened("workcenter-events", f"{workcenter}-ev", when, row)

    def login(self, employee: str, workcenter: str, start: datetime, end: datetime | None) -> Self:
        """A login session; `end=None` means the operator never logged out."""
        self.event(workcenter, "OperatorLogin", start, employee)
        if end is not None:
            self.event(workcenter, "OperatorLogout", end, employee)
        return self

    def run(self, workcenter: str, start: datetime, stop: datetime | None) -> str | None:
        """A machine run; returns the RunStart event id."""
        run_id = self.event(workcenter, "RunStart", start)
        if stop is not None:
            self.event(workcenter, "RunStop", stop)
        return run_id

    def labor(
        self,
        employee: str,
        start: datetime,
        end: datetime | None,
        quantity: float,
        *,
        workcenter: str = "WC1",
        job_operation: str = JOB_OPERATION,
    ) -> str | None:
        if start > self.as_of:
            return None
        if end is not None and end > self.as_of:
            end = None
        row_id = f"{employee}-lab-{next(self._ids)}"
        self.rows["labor-entries"].append(
            {
                "id": row_id,
                "employeeId": employee,
                "workcenterId": workcenter,
                "jobId": JOB if job_operation == JOB_OPERATION else OTHER_JOB,
                "jobOperationId": job_operation,
                "startTime": plex_time(start),
                "endTime": plex_time(end),
                "quantity": quantity if end is not None else 0,
            }
        )
        return row_id

    def operation(self, job_operation: str, actual_start: datetime | None, actual_end: datetime | None) -> Self:
        """Another job (named as the operation) of PART-1 operation 10 at WC1, with its actual times in Plex."""
        status = "Complete" if actual_end else "InProcess"
        run = {"status": status, "actualStart": plex_time(actual_start), "actualEnd": plex_time(actual_end)}
        self._job(f"J-{job_operation}", PART, OPERATION, job_operation, "WC1", 1000, **run)
        return self

    def downtime(self, workcenter: str, start: datetime, end: datetime, employee: str | None = None) -> Self:
        self.rows["downtime-entries"].append(
            {
                "id": f"dt-{next(self._ids)}",
                "workcenterId": workcenter,
                "startTime": plex_time(start),
                "endTime": plex_time(end),
                "reasonCode": "MAINT",
                "employeeId": employee,
            }
        )
        return self

    # ---- a worked day ---------------------------------------------------------------------------
    def work_day(
        self,
        employee: str,
        day: date,
        *,
        clock_in: float | str | None = None,
        clock_out: float | str | None = None,
        breaks: bool = True,
        break_at: tuple[str, str] | None = None,
        badge_in: bool = True,
        badge_out: bool = True,
        punched: bool = True,
        missed_clock_out: bool = False,
        login_gap: float | None = 4,
        logout_gap: float = 3,
        workcenter: str | None = None,
        job_operation: str = JOB_OPERATION,
        output: float | tuple[float, ...] | None = None,
        device: str | None = "",
        biometric: float | None = None,
        location: tuple[float, float] | None = None,
        schedule: bool = True,
        shift: str | None = None,
    ) -> DayRecords:
        """One worked shift. Clock-in/out: minutes from shift start/end (negative = early), or "HH:MM".

        `breaks=False`: worked straight through; `break_at=("HH:MM", "HH:MM")` moves the break.
        `punched=False`: badge and workcenter activity but no time-clock entry at all;
        `missed_clock_out`: the last entry stays open (the badge-out still shows when they left).
        `login_gap`: minutes from the clock-in to the workcenter login (None: no login that day);
        `logout_gap`: minutes from the last workcenter logout to the clock-out (negative: after it).
        `output`: pieces vs. the standard rate, for the whole day or per login session (a tuple).
        `device`, `biometric`, `location`: how the punches were taken (default: the person's own clock;
        a mobile worker's punches carry a position inside the geofence).
        """
        person = self.people[employee]
        shift_code = shift or person.shift
        start_hhmm, end_hhmm, break_out_hhmm, break_in_hhmm = SHIFTS[shift_code]
        if break_at is not None:
            break_out_hhmm, break_in_hhmm = break_at
        overnight = end_hhmm < start_hhmm
        start, end = local(day, start_hhmm), local(day + timedelta(days=overnight), end_hhmm)
        index = (day - self.first_day).days
        habit = person.habit
        t_in = _moment(clock_in, day, start, habit.start[index % len(habit.start)])
        t_out = _moment(clock_out, day + timedelta(days=overnight), end, habit.end[index % len(habit.end)])
        after_midnight = overnight and break_out_hhmm < start_hhmm
        break_day = day + timedelta(days=after_midnight)
        pairs = (
            [(t_in, local(break_day, break_out_hhmm)), (local(break_day, break_in_hhmm), t_out)]
            if breaks
            else [(t_in, t_out)]
        )
        if schedule:
            self.schedule(employee, day, shift_code)
        self.done.add((employee, day))
        records = DayRecords(employee, day, clock_in=t_in, clock_out=t_out)
        if badge_in and (swipe := self.swipe(employee, t_in - minutes(6), "In")):
            records.swipes.append(swipe)
        used = person.device if device == "" else device
        if location is None and used and used.startswith("MOB"):
            location = (BUILDING["lat"] + 0.0005, BUILDING["lon"])  # ~55 m from the centre
        latitude, longitude = location or (None, None)
        if biometric is None and used in BIOMETRIC_CLOCKS:
            biometric = 0.95
        for number, (entry_in, entry_out) in enumerate(pairs if punched else []):
            missed = missed_clock_out and number == len(pairs) - 1
            entry_id = self.punch(
                employee,
                entry_in,
                None if missed else entry_out,
                device=used,
                biometric=biometric,
                latitude=latitude,
                longitude=longitude,
                source="Mobile" if used and used.startswith("MOB") else "Device",
            )
            if entry_id:
                records.entries.append(entry_id)
        wc = workcenter or person.workcenter
        if wc and login_gap is not None:
            usual = habit.output[index % len(habit.output)]
            factors = output if isinstance(output, tuple) else (usual if output is None else output,) * len(pairs)
            for number, (entry_in, entry_out) in enumerate(pairs):
                factor = factors[number]
                login = entry_in + minutes(login_gap if number == 0 else 2)
                logout = entry_out - minutes(logout_gap if number == len(pairs) - 1 else 2)
                if login > self.as_of:
                    continue
                self.login(employee, wc, login, logout if logout <= self.as_of else None)
                run_stop = logout - minutes(5)
                if run_id := self.run(wc, login + minutes(5), run_stop if run_stop <= self.as_of else None):
                    records.runs.append(run_id)
                quantity = round((logout - login).total_seconds() / 3600 * RATE * factor)
                labor_id = self.labor(employee, login, logout, quantity, workcenter=wc, job_operation=job_operation)
                if labor_id:
                    records.labor.append(labor_id)
        if badge_out and (swipe := self.swipe(employee, t_out + minutes(2), "Out")):
            records.swipes.append(swipe)
        return records

    # ---- output ---------------------------------------------------------------------------------
    def _days(self) -> list[date]:
        count = (self.end - self.first_day).days + 1
        return [d for d in (self.first_day + timedelta(days=i) for i in range(count)) if d.weekday() < 5]

    def _fill(self) -> None:
        for employee in self.people:
            for day in self._days():
                if (employee, day) not in self.done:
                    self.work_day(employee, day)

    def plex_rows(self) -> dict[str, list[dict[str, Any]]]:
        """Every row per resource name, with the normal days not yet worked filled in."""
        self._fill()
        return {resource: list(rows) for resource, rows in self.rows.items()}

    def build(self) -> PlantData:
        return PlantData.build(self.plex_rows(), TIMEZONE, self.as_of.timestamp())

    def edit(self, resource: str, row_id: str, **fields: Any) -> Self:
        """Change fields (camelCase) of a row already made, e.g. a clock-out keyed wrong by hand."""
        row = next(r for r in self.rows[resource] if r["id"] == row_id)
        row.update(fields)
        return self

    def forget_logout(self, employee: str, when: datetime) -> Self:
        """Drop the employee's OperatorLogout event at `when`: a login that was never logged out."""
        moment = plex_time(when)
        self.rows["workcenter-events"] = [
            row
            for row in self.rows["workcenter-events"]
            if (row["eventType"], row["employeeId"], row["eventTime"]) != ("OperatorLogout", employee, moment)
        ]
        return self

    def time_clock_entry(self, entry_id: str) -> TimeClockEntry:
        row = next(r for r in self.rows["time-clock-entries"] if r["id"] == entry_id)
        return TimeClockEntry.from_plex(row)

    def labor_entry(self, entry_id: str) -> LaborEntry:
        row = next(r for r in self.rows["labor-entries"] if r["id"] == entry_id)
        return LaborEntry.from_plex(row)


def _moment(value: float | str | None, day: date, anchor: datetime, habit_offset: float) -> datetime:
    if isinstance(value, str):
        return local(day, value)
    return anchor + minutes(habit_offset if value is None else value)
