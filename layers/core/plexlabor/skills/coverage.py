"""Coverage against demand: qualified operators planned at each workcenter shift vs what its operations need.

Definitions (also in docs/skills.md):
- A moment belongs to the shift that most recently started and is still running (plant local wall
  time); the shift's work date is the day it started. A scheduled job operation's standard hours are
  spread over the shifts its scheduled span [start, end) runs in, in proportion to the shift time it
  spends in each (time no shift runs is not worked); without a scheduled end its crew works it straight
  from its start (hours / crew). Shifts whose work date falls outside [as_of, as_of + horizon) are not counted.
- A workcenter runs one operation at a time with its crew, so a shift there needs the largest crew
  among its operations: `ceil(crewSize)` from the approved workcenter of (part, operation, workcenter),
  else the largest approved crew of (part, operation), else 1.
- Supply: employees with a `Scheduled` (not `Leave`) assignment on that date and shift whose planned
  workcenter is this one, and who are qualified there on that date (`Qualification`).
- No workcenter shift is charged more than its seats can work (crew needed x the shift's length): when
  its operations' hours exceed that (work scheduled at the same time), they are scaled down to it and the
  rest is `hours_beyond_seats`.
- Hours at risk with k qualified operators: the hours of the operations whose crew exceeds k.
  A shortfall is crew needed minus qualified, when positive; such a shift is a gap.
- Cover: spare operators on the same date, shift and building (scheduled and not needed where they are
  planned: no demand there, a surplus of qualified operators, not qualified there, or no workcenter)
  are handed greedily to the gaps with the most hours at risk, when they are qualified and the
  handover secures hours. A lower bound on what reassignment recovers; the crew optimizer does better.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from plexlabor.skills.certs import Qualification, Signature
from plexlabor.skills.data import PlannedShift, ScheduledOperation, ShiftInfo, SkillsInput

InstanceKey = tuple[str, date, str]  # (workcenter, work date, shift id)
ShiftKey = tuple[date, str]  # (work date, shift id)
HOUR = timedelta(hours=1)


class ShiftClock:
    """Maps a moment to the (work date, shift) it belongs to, in the plant's local time."""

    def __init__(self, shifts: dict[str, ShiftInfo], data: SkillsInput) -> None:
        if not shifts:
            raise ValueError("no shifts are defined: operations cannot be placed in shifts")
        self.shifts = [(s.id, s.start, s.length) for s in sorted(shifts.values(), key=lambda s: s.id)]
        self.tz = data.tz
        self._placed: dict[datetime, ShiftKey] = {}
        self._day = self._day_pieces()

    def place(self, moment: datetime) -> ShiftKey:
        found = self._placed.get(moment)
        if found is None:
            found = self._placed[moment] = self._place(moment)
        return found

    def _place(self, moment: datetime) -> ShiftKey:
        local = moment.astimezone(self.tz).replace(tzinfo=None)
        running: list[tuple[datetime, str, date]] = []
        started: list[tuple[datetime, str, date]] = []
        for shift_id, start, length in self.shifts:
            for day in (local.date() - timedelta(days=1), local.date()):
                begin = datetime.combine(day, start)
                if begin <= local:
                    started.append((begin, shift_id, day))
                    if local < begin + length:
                        running.append((begin, shift_id, day))
        _, shift_id, day = max(running or started)
        return day, shift_id

    def spans(self, start: datetime, end: datetime) -> dict[ShiftKey, float]:
        """The hours of [start, end) (local wall time) spent in each shift; time no shift runs is left out."""
        local_start = start.astimezone(self.tz).replace(tzinfo=None)
        local_end = end.astimezone(self.tz).replace(tzinfo=None)
        found: dict[ShiftKey, float] = defaultdict(float)
        day = local_start.date()
        while day <= local_end.date():
            midnight = datetime.combine(day, time())
            for begin, finish, shift_id, started_days_before in self._day:
                overlap = min(local_end, midnight + finish) - max(local_start, midnight + begin)
                if overlap > timedelta(0):
                    found[(day - timedelta(days=started_days_before), shift_id)] += overlap / HOUR
            day += timedelta(days=1)
        return dict(found)

    def _day_pieces(self) -> list[tuple[timedelta, timedelta, str, int]]:
        """One day's times (from, to after midnight) and the shift each belongs to (its id and how many days
        before it started: a 3rd shift's morning hours are the evening before's); the same rule as `place`."""
        day = timedelta(days=1)
        shifts = [
            (shift_id, timedelta(hours=start.hour, minutes=start.minute), length)
            for shift_id, start, length in self.shifts
        ]
        cuts = sorted(
            {timedelta(0), day}
            | {offset for _, offset, _ in shifts}
            | {(offset + length) % day for _, offset, length in shifts}
        )
        pieces = []
        for begin, finish in itertools.pairwise(cuts):
            middle = (begin + finish) / 2
            running = [
                (offset - before * day, shift_id, before)
                for shift_id, offset, length in shifts
                for before in (1, 0)
                if offset - before * day <= middle < offset - before * day + length
            ]
            if running:
                _, shift_id, before = max(running)
                pieces.append((begin, finish, shift_id, before))
        return pieces


@dataclass
class Instance:
    """One workcenter shift with scheduled operations (call `finalize` once they are all added)."""

    workcenter_id: str
    work_date: date
    shift_id: str
    seat_hours: float
    """How long one seat works in the shift (the shift's length)."""
    operations: list[tuple[ScheduledOperation, int, float]] = field(default_factory=list)  # (op, crew, hours here)
    planned: list[str] = field(default_factory=list)
    leave: list[str] = field(default_factory=list)
    qualified: list[str] = field(default_factory=list)
    unqualified: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    cover: list[str] = field(default_factory=list)
    needed: int = 0
    hours: float = 0.0
    hours_beyond_seats: float = 0.0
    """Hours scheduled here beyond what its seats can work in the shift (not charged to it)."""
    _risk: list[float] = field(default_factory=list)  # _risk[k]: hours at risk with k operators

    def finalize(self) -> None:
        self.operations.sort(key=lambda item: (item[0].start, item[0].id))
        self.needed = max(crew for _, crew, _ in self.operations)
        scheduled = sum(hours for _, _, hours in self.operations)
        capacity = self.needed * self.seat_hours
        scale = capacity / scheduled if scheduled > capacity else 1.0
        self.hours = scheduled * scale
        self.hours_beyond_seats = scheduled - self.hours
        self._risk = [
            scale * sum(hours for _, crew, hours in self.operations if crew > k) for k in range(self.needed + 1)
        ]

    @property
    def key(self) -> InstanceKey:
        return (self.workcenter_id, self.work_date, self.shift_id)

    def report_fields(self, data: SkillsInput) -> dict[str, Any]:
        """The `report.WorkcenterShift` fields of a report row about this workcenter shift."""
        return {
            "workcenter_id": self.workcenter_id,
            "workcenter_code": data.workcenter_code(self.workcenter_id),
            "work_date": self.work_date,
            "shift_id": self.shift_id,
            "shift_code": data.shifts[self.shift_id].code,
            "operation_ids": [op.id for op, _, _ in self.operations],
            "standard_hours": round(self.hours, 2),
        }

    def at_risk(self, operators: int) -> float:
        """Standard hours of the operations whose crew `operators` qualified people cannot fill."""
        return self._risk[operators] if operators < self.needed else 0.0

    @property
    def shortfall(self) -> int:
        return max(0, self.needed - len(self.qualified))

    @property
    def hours_at_risk(self) -> float:
        return self.at_risk(len(self.qualified))

    @property
    def hours_after_cover(self) -> float:
        return self.at_risk(len(self.qualified) + len(self.cover))

    def marginal(self) -> float:
        """Hours one more qualified operator would secure (after cover)."""
        k = len(self.qualified) + len(self.cover)
        return self.at_risk(k) - self.at_risk(k + 1)

    def removal_loss(self) -> float:
        """Hours that would become at risk if one qualified (or cover) operator left."""
        k = len(self.qualified) + len(self.cover)
        return self.at_risk(k - 1) - self.at_risk(k) if k else 0.0


@dataclass
class Coverage:
    instances: dict[InstanceKey, Instance]
    scheduled: dict[ShiftKey, list[PlannedShift]]
    """Every `Scheduled` assignment per (date, shift), one per employee, ordered by employee id."""
    covering: dict[tuple[str, date, str], InstanceKey]
    """(employee, date, shift) -> the gap a spare operator was handed to."""
    employee_building: dict[str, str | None]
    _by_place: dict[tuple[date, str, str | None], list[PlannedShift]] = field(default_factory=dict)
    _loss: dict[tuple[str, date, str], float] = field(default_factory=dict)

    def gaps(self) -> list[Instance]:
        return [i for i in self.instances.values() if i.shortfall > 0]

    def scheduled_near(self, work_date: date, shift_id: str, place: str | None) -> list[PlannedShift]:
        """Scheduled assignments of a shift whose employee works in `place` (or anywhere when unknown)."""
        if place is None:
            return self.scheduled.get((work_date, shift_id), [])
        if not self._by_place:
            for (day, shift), people in self.scheduled.items():
                for person in people:
                    where = self.employee_building.get(person.employee_id)
                    self._by_place.setdefault((day, shift, where), []).append(person)
        return self._by_place.get((work_date, shift_id, place), []) + self._by_place.get(
            (work_date, shift_id, None), []
        )

    def planned_instance(self, shift: PlannedShift) -> Instance | None:
        if shift.workcenter_id is None:
            return None
        return self.instances.get((shift.workcenter_id, shift.work_date, shift.shift_id))

    def removal_loss(self, shift: PlannedShift) -> float:
        """Hours at risk created if this scheduled operator were taken off their planned work."""
        key = (shift.employee_id, shift.work_date, shift.shift_id)
        loss = self._loss.get(key)
        if loss is None:
            covering = self.covering.get(key)
            instance = self.instances[covering] if covering is not None else self.planned_instance(shift)
            if instance is None or (covering is None and shift.employee_id not in instance.qualified):
                loss = 0.0
            else:
                loss = instance.removal_loss()
            self._loss[key] = loss
        return loss


def crew_for(data: SkillsInput, op: ScheduledOperation, fallback: dict[tuple[str, str], float]) -> int:
    size = data.crew_sizes.get((op.part_id, op.operation_code, op.workcenter_id))
    if size is None:
        size = fallback.get((op.part_id, op.operation_code), 1.0)
    return max(1, math.ceil(size - 1e-9))


def compute_coverage(data: SkillsInput, qualification: Qualification) -> Coverage:
    instances = _demand(data)
    scheduled = _staff(data, qualification, instances)
    coverage = Coverage(instances, scheduled, {}, _employee_buildings(data))
    _assign_cover(data, qualification, coverage)
    return coverage


def _demand(data: SkillsInput) -> dict[InstanceKey, Instance]:
    """The scheduled operations' hours in the horizon, grouped per workcenter, work date and shift."""
    clock = ShiftClock(data.shifts, data)
    fallback: dict[tuple[str, str], float] = {}
    for (part, code, _wc), size in data.crew_sizes.items():
        fallback[(part, code)] = max(fallback.get((part, code), 0.0), size)
    instances: dict[InstanceKey, Instance] = {}
    for op in data.operations:
        crew = crew_for(data, op, fallback)
        for (work_date, shift_id), hours in _spread(clock, op, crew).items():
            if not data.as_of <= work_date < data.horizon_end:
                continue
            key = (op.workcenter_id, work_date, shift_id)
            instance = instances.get(key)
            if instance is None:
                seat_hours = data.shifts[shift_id].length / HOUR
                instance = instances[key] = Instance(op.workcenter_id, work_date, shift_id, seat_hours)
            instance.operations.append((op, crew, hours))
    for instance in instances.values():
        instance.finalize()
    return instances


def _spread(clock: ShiftClock, op: ScheduledOperation, crew: int) -> dict[ShiftKey, float]:
    """The operation's standard hours per shift, in proportion to the shift time its scheduled span spends in
    each (a job of several days is worked in every shift it runs). Without a scheduled end the crew works it
    straight from its start (hours / crew); an empty span (or one no shift runs in) is its start's shift's."""
    end = op.end if op.end is not None else op.start + op.standard_hours / crew * HOUR
    spans = clock.spans(op.start, end) if end > op.start else {}
    total = sum(spans.values())
    if not total:
        return {clock.place(op.start): op.standard_hours}
    return {key: op.standard_hours * hours / total for key, hours in spans.items()}


def _staff(
    data: SkillsInput, qualification: Qualification, instances: dict[InstanceKey, Instance]
) -> dict[ShiftKey, list[PlannedShift]]:
    """Who is planned (or on leave) where, qualified or not; returns who works each shift."""
    scheduled: dict[ShiftKey, list[PlannedShift]] = defaultdict(list)
    seen: set[tuple[str, date, str]] = set()
    for shift in sorted(data.planned, key=lambda p: (p.on_leave, p.employee_id, p.id)):
        person = (shift.employee_id, shift.work_date, shift.shift_id)
        if person in seen:
            continue  # one assignment per person and shift; a Scheduled one wins over Leave
        seen.add(person)
        employee = data.employees.get(shift.employee_id)
        if employee is not None and not employee.active:
            continue
        if not shift.on_leave:
            scheduled[(shift.work_date, shift.shift_id)].append(shift)
        if shift.workcenter_id is None:
            continue
        instance = instances.get((shift.workcenter_id, shift.work_date, shift.shift_id))
        if instance is None:
            continue
        if shift.on_leave:
            instance.leave.append(shift.employee_id)
            continue
        instance.planned.append(shift.employee_id)
        missing = qualification.missing(shift.employee_id, shift.workcenter_id, shift.work_date)
        if missing:
            instance.unqualified.append((shift.employee_id, missing))
        else:
            instance.qualified.append(shift.employee_id)
    for instance in instances.values():
        for people in (instance.planned, instance.leave, instance.qualified):
            people.sort()
        instance.unqualified.sort()
    for shifts in scheduled.values():
        shifts.sort(key=lambda p: p.employee_id)
    return dict(scheduled)


def _employee_buildings(data: SkillsInput) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for employee in data.employees.values():
        home = data.workcenters.get(employee.home_workcenter or "")
        found[employee.id] = employee.building or (home.building if home else None)
    return found


def _assign_cover(data: SkillsInput, qualification: Qualification, coverage: Coverage) -> None:
    gaps_by_shift: dict[ShiftKey, list[Instance]] = defaultdict(list)
    for gap in coverage.gaps():
        gaps_by_shift[(gap.work_date, gap.shift_id)].append(gap)
    for shift_key, gaps in sorted(gaps_by_shift.items()):
        spares = _spares(coverage, shift_key)
        if not spares:
            continue
        used: set[str] = set()
        pools: dict[tuple[str | None, Signature], list[str]] = {}
        by_place: dict[str | None, list[str]] = defaultdict(list)
        for shift in spares:
            by_place[coverage.employee_building.get(shift.employee_id)].append(shift.employee_id)
        gaps.sort(key=lambda g: (-g.hours_at_risk, data.workcenter_code(g.workcenter_id), g.key))
        for gap in gaps:
            place = data.workcenter_building(gap.workcenter_id)
            pool_key = (place, qualification.signature(gap.workcenter_id))
            pool = pools.get(pool_key)
            if pool is None:
                nearby = (
                    [shift.employee_id for shift in spares]
                    if place is None
                    else sorted(by_place.get(place, []) + by_place.get(None, []))
                )
                sig = pool_key[1]
                qualified_there = qualification.qualified_set(sig, gap.work_date) if sig else None
                pool = pools[pool_key] = [
                    employee for employee in nearby if qualified_there is None or employee in qualified_there
                ]
            picked: list[str] = []
            for employee in pool:
                if len(picked) == gap.shortfall:
                    break
                if employee not in used:
                    picked.append(employee)
            qualified = len(gap.qualified)
            if picked and gap.at_risk(qualified + len(picked)) < gap.at_risk(qualified):
                gap.cover = picked
                used.update(picked)
                for employee in picked:
                    coverage.covering[(employee, gap.work_date, gap.shift_id)] = gap.key


def _spares(coverage: Coverage, shift_key: ShiftKey) -> list[PlannedShift]:
    """Scheduled operators the plan can do without on this shift, by employee id."""
    spares = []
    for shift in coverage.scheduled.get(shift_key, ()):
        instance = coverage.planned_instance(shift)
        if instance is None or shift.employee_id not in instance.qualified:
            spares.append(shift)
        elif instance.qualified.index(shift.employee_id) >= instance.needed:
            spares.append(shift)  # a surplus: the first `needed` by id stay
    return spares
