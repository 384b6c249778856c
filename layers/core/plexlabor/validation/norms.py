"""Robust per-employee norms (median and MAD) from history, precomputed so real time is a lookup."""

from __future__ import annotations

import json
import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plexlabor.validation.data import PlantData
from plexlabor.validation.shifts import employee_days

MIN_HISTORY = 8  # below this many observations an employee's norm leans on the department's
MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True, slots=True)
class Norm:
    median: float
    sigma: float
    count: int

    @classmethod
    def of(cls, values: list[float], floor: float) -> Norm | None:
        if not values:
            return None
        median = statistics.median(values)
        mad = statistics.median(abs(v - median) for v in values)
        return cls(median, max(MAD_TO_SIGMA * mad, floor), len(values))

    def blend(self, prior: Norm | None) -> Norm:
        """Shrink a thin personal norm towards the department's (weights by observation count).

        The count stays the person's own: it says how much of the habit is theirs.
        """
        if prior is None or self.count >= MIN_HISTORY:
            return self
        weight = self.count / MIN_HISTORY
        return Norm(
            weight * self.median + (1 - weight) * prior.median,
            weight * self.sigma + (1 - weight) * prior.sigma,
            self.count,
        )


@dataclass
class EmployeeNorms:
    start: Norm | None = None  # clock-in minus scheduled start, minutes
    end: Norm | None = None  # clock-out minus scheduled end, minutes
    productivity: Norm | None = None  # log(quantity / standard quantity for the time worked)
    devices: dict[str, float] = field(default_factory=dict)  # share of punches per clock


@dataclass
class Norms:
    """Norms for every employee, with department defaults for people without enough history."""

    version: str
    employees: dict[str, EmployeeNorms]
    departments: dict[str, EmployeeNorms]

    def for_employee(self, employee: str, department: str | None) -> EmployeeNorms:
        own = self.employees.get(employee, EmployeeNorms())
        prior = self.departments.get(department or "", EmployeeNorms())
        return EmployeeNorms(
            start=_personal(own.start, prior.start),
            end=_personal(own.end, prior.end),
            productivity=_personal(own.productivity, prior.productivity),
            devices=own.devices,
        )

    # ---- persistence (the nightly job writes this; the real-time path reads it) -------------------
    def to_json(self) -> dict[str, Any]:
        def pack(n: EmployeeNorms) -> dict[str, Any]:
            return {
                "start": _pack(n.start),
                "end": _pack(n.end),
                "productivity": _pack(n.productivity),
                "devices": n.devices,
            }

        return {
            "version": self.version,
            "employees": {k: pack(v) for k, v in self.employees.items()},
            "departments": {k: pack(v) for k, v in self.departments.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Norms:
        def unpack(raw: dict[str, Any]) -> EmployeeNorms:
            return EmployeeNorms(
                _unpack(raw.get("start")),
                _unpack(raw.get("end")),
                _unpack(raw.get("productivity")),
                dict(raw.get("devices", {})),
            )

        return cls(
            data["version"],
            {k: unpack(v) for k, v in data["employees"].items()},
            {k: unpack(v) for k, v in data["departments"].items()},
        )

    def save(self, path: Path | str) -> None:
        Path(path).write_text(json.dumps(self.to_json(), separators=(",", ":")), encoding="utf-8")

    @classmethod
    def load(cls, path: Path | str) -> Norms:
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


def _personal(own: Norm | None, prior: Norm | None) -> Norm | None:
    """The person's norm blended with the department's; the department's alone (count 0) for a new hire."""
    if own is not None:
        return own.blend(prior)
    return None if prior is None else Norm(prior.median, prior.sigma, 0)


def _pack(norm: Norm | None) -> list[float] | None:
    return None if norm is None else [norm.median, norm.sigma, norm.count]


def _unpack(raw: list[float] | None) -> Norm | None:
    return None if raw is None else Norm(float(raw[0]), float(raw[1]), int(raw[2]))


def compute_norms(data: PlantData, until: float | None = None) -> Norms:
    """Norms from all history before `until` (default: the whole extract)."""
    until = data.as_of if until is None else until
    people: dict[str, EmployeeNorms] = {}
    by_department: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for employee in set(data.punches) | set(data.labor):
        department = data.employees.get(employee)
        dept = department.department if department else None
        starts: list[float] = []
        ends: list[float] = []
        devices: Counter[str] = Counter()
        for day in employee_days(data, employee):
            if day.first is None or day.first.t_in >= until:
                continue
            for punch in day.punches:
                if punch.device:
                    devices[punch.device] += 1
            if day.shift is None:
                continue
            if day.start_known:
                starts.append((day.first.t_in - day.shift.start) / 60)
            if day.end_known and day.last is not None and day.last.t_out is not None:
                ends.append((day.last.t_out - day.shift.end) / 60)
        ratios = [
            r
            for r in (productivity_ratio(data, e) for e in data.labor.get(employee, ()) if e.start < until)
            if r is not None
        ]
        total = sum(devices.values())
        people[employee] = EmployeeNorms(
            Norm.of(starts, 1.0),
            Norm.of(ends, 1.0),
            Norm.of(ratios, 0.04),
            {device: round(n / total, 4) for device, n in devices.items()} if total else {},
        )
        for name, values in (("start", starts), ("end", ends), ("productivity", ratios)):
            if values:
                by_department[dept or ""][name].append(statistics.median(values))
    departments = {
        dept: EmployeeNorms(
            _department_norm(values.get("start"), 1.0),
            _department_norm(values.get("end"), 1.0),
            _department_norm(values.get("productivity"), 0.04),
        )
        for dept, values in by_department.items()
    }
    return Norms(f"norms-{int(until)}", people, departments)


def _department_norm(medians: list[float] | None, floor: float) -> Norm | None:
    """The department's typical habit: median of personal medians, spread across people."""
    return Norm.of(medians or [], floor)


def productivity_ratio(data: PlantData, entry: Any) -> float | None:
    """log(quantity / what the standard rate gives for the productive time); None when not measurable."""
    operation = data.operations.get(entry.job_operation)
    if operation is None or entry.end is None or entry.quantity <= 0:
        return None
    standard = data.rates.get((operation[0], operation[1], entry.workcenter))
    if standard is None:
        return None
    rate, crew = standard
    hours = (entry.end - entry.start) / 3600 - downtime_hours(data, entry)
    expected = hours * rate / crew
    if expected < 1:
        return None
    return math.log(entry.quantity / expected)


def downtime_hours(data: PlantData, entry: Any) -> float:
    """Downtime during a labor entry: the operator's own, or the workcenter's when nobody is named."""
    return (
        sum(
            max(0.0, min(entry.end, d_end) - max(entry.start, d_start))
            for d_start, d_end, who in data.downtime_during(entry.workcenter, entry.start, entry.end)
            if who in (None, entry.employee)
        )
        / 3600
    )
