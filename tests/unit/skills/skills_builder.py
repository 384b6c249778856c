"""A small fluent builder of `SkillsInput` snapshots for hand-built skills cases.

Three shifts (1st 06:00-14:30, 2nd 14:30-23:00, 3rd 22:30-07:00, America/Detroit); every operation
starts at its shift's start unless told otherwise. Days are given as offsets from `AS_OF` (a Monday)
so a case reads like a calendar: `plant.op("W", day=2)` is Wednesday's first shift.

    plant = SkillsBuilder().skill("SK-A", "G1").workcenter("W", {"SK-A": 2})
    plant.employee("E1").cert("E1", "SK-A", 2, issued=-100, expires=1)
    plant.plan("E1", day=2, workcenter="W").op("W", day=2, hours=8)
    report = assess_skills(plant.build())
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Self
from zoneinfo import ZoneInfo

from plexlabor.models.skills import CertificationExpiry
from plexlabor.skills.data import (
    CertRecord,
    EmployeeInfo,
    PlannedShift,
    Requirement,
    ScheduledOperation,
    ScrapRecord,
    ShiftInfo,
    SkillInfo,
    SkillsInput,
    WorkcenterInfo,
    WorkRecord,
)

TIMEZONE = "America/Detroit"
TZ = ZoneInfo(TIMEZONE)
AS_OF = date(2026, 11, 23)  # a Monday
SHIFTS = {
    "S1": ShiftInfo("S1", "1", time(6, 0), time(14, 30)),
    "S2": ShiftInfo("S2", "2", time(14, 30), time(23, 0)),
    "S3": ShiftInfo("S3", "3", time(22, 30), time(7, 0)),
}


def day_of(offset: int) -> date:
    return AS_OF + timedelta(days=offset)


def local(offset: int, at: time) -> datetime:
    return datetime.combine(day_of(offset), at, TZ).astimezone(UTC)


class SkillsBuilder:
    def __init__(
        self, horizon_days: int = 14, lookback_days: int = 30, expiry: CertificationExpiry = "last_valid_day"
    ) -> None:
        self.data = SkillsInput(TIMEZONE, AS_OF, horizon_days, lookback_days)
        self.expiry = expiry  # what every certification's expiry date is (the plant's `certification_expiry`)
        self.data.shifts = dict(SHIFTS)
        self._ids = itertools.count(1)

    def _id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):04d}"

    def skill(self, skill_id: str, group: str | None = None) -> Self:
        self.data.skills[skill_id] = SkillInfo(skill_id, skill_id.removeprefix("SK-"), skill_id, group)
        return self

    def workcenter(
        self,
        wc: str,
        requires: dict[str, int] | None = None,
        *,
        code: str | None = None,
        building: str | None = "B1",
        department: str | None = None,
        certification_required: bool = True,
    ) -> Self:
        self.data.workcenters[wc] = WorkcenterInfo(wc, code or wc, department, building)
        for skill, level in (requires or {}).items():
            self.data.requirements.append(Requirement(wc, skill, level, certification_required))
        return self

    def employee(
        self, employee: str, *, supervisor: str | None = "SUP1", home: str | None = None, building: str | None = "B1"
    ) -> Self:
        self.data.employees[employee] = EmployeeInfo(employee, supervisor, None, home, building, True)
        return self

    def cert(self, employee: str, skill: str, level: int, *, issued: int = -400, expires: int | None = None) -> str:
        cert_id = self._id("C")
        self.data.certifications.append(
            CertRecord(
                cert_id,
                employee,
                skill,
                level,
                day_of(issued),
                None if expires is None else day_of(expires),
                self.expiry,
            )
        )
        return cert_id

    def plan(
        self, employee: str, *, day: int, shift: str = "S1", workcenter: str | None = None, leave: bool = False
    ) -> Self:
        self.data.planned.append(PlannedShift(self._id("SA"), employee, shift, day_of(day), workcenter, leave))
        return self

    def op(
        self,
        wc: str,
        *,
        day: int,
        shift: str = "S1",
        hours: float = 8.0,
        crew: float = 1.0,
        part: str | None = None,
        at: time | None = None,
        runs: timedelta | None = None,
    ) -> str:
        """A scheduled operation; `runs` is its scheduled span (none: no scheduled end)."""
        op_id = self._id("OP")
        part = part or f"P-{wc}-{crew}"
        self.data.crew_sizes[(part, "10", wc)] = crew
        start = local(day, at or SHIFTS[shift].start)
        end = start + runs if runs is not None else None
        self.data.operations.append(ScheduledOperation(op_id, self._id("J"), part, "10", wc, hours, start, end))
        return op_id

    def labor(
        self, employee: str, wc: str, *, day: int, hours: float = 8.0, quantity: float = 100.0, at: time = time(6)
    ) -> str:
        entry_id = self._id("LE")
        start = local(day, at)
        self.data.work.append(
            WorkRecord(entry_id, "labor", employee, wc, start.timestamp(), start.timestamp() + hours * 3600, quantity)
        )
        return entry_id

    def login(self, employee: str, wc: str, *, day: int, at: time = time(6, 5)) -> str:
        event_id = self._id("WE")
        self.data.work.append(WorkRecord(event_id, "login", employee, wc, local(day, at).timestamp(), None, 0))
        return event_id

    def scrap(self, employee: str, wc: str, quantity: float) -> Self:
        self.data.scrap.append(ScrapRecord(self._id("SC"), employee, wc, quantity))
        return self

    def build(self, shuffle_seed: int | None = None) -> SkillsInput:
        """The snapshot; `shuffle_seed` shuffles every list and dict first (order must not matter)."""
        if shuffle_seed is not None:
            rng = random.Random(shuffle_seed)
            for items in (
                self.data.certifications,
                self.data.requirements,
                self.data.planned,
                self.data.operations,
                self.data.work,
                self.data.scrap,
            ):
                rng.shuffle(items)  # type: ignore[arg-type]
            for name in ("employees", "skills", "workcenters"):
                pairs = list(getattr(self.data, name).items())
                rng.shuffle(pairs)
                setattr(self.data, name, dict(pairs))
        return self.data
