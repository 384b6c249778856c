"""Overtime projection per department and pay week: punches so far + the rest of the schedule.

The pay week starts on the plant's `pay_week_starts` (`ForecastData.week_start`; Monday, the ISO week, unless
`plexlabor:validationPolicy` says otherwise), the week validation and allocation count weekly hours in.
For each person and week (plant time; a shift or punch belongs to the week it starts in):

    projected = hours punched so far this week
              + for each shift still scheduled: attendance x (paid hours + the person's usual excess)

The usual excess (early clock-ins, late clock-outs) and the attendance rate come from the person's
own last `habit_weeks` of punches against their schedule. Leave recorded on the day (sick) is not
known before the day, so it does not lower a projection made earlier; a past sick day therefore counts
as an absence in the attendance rate. A person's overtime is the expected hours above
the plant's `overtime_after_hours` (40 unless `plexlabor:validationPolicy` sets it; `PunchPolicy`, as allocation
and the crew plan count overtime) over every way the shifts still to come may be worked or missed (not
the hours above 40 of the expected week, which puts a 41.5 h week with a 2% chance of each absence at
0.7 h instead of 1.4 h), summed over the department.

Causes split each person's overtime into weekend shifts, extended shifts and punching beyond the
schedule; absences and the forecast workload of the department's scheduled job operations are named
when they matter. The suggestion follows the main cause: move weekend work to colleagues with spare
hours, hold punches to the shift window, or bring in temporary labor.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache

import numpy as np

from plexlabor.forecast.data import DAY, HOUR, PLANNED_LEAVE, UNPLANNED_LEAVE, WEEK, ForecastData
from plexlabor.forecast.records import OperationForecast, OvertimeProjection
from plexlabor.forecast.settings import ForecastSettings
from plexlabor.platform.clock import merge_spans
from plexlabor.validation.policy import PunchPolicy, pay_week_label

OPEN_PUNCH_MAX_HOURS = 16.0
"""An open punch younger than this at the extract is a shift in progress; older, a missed punch (not counted)."""
HABIT_WINDOW_HOURS = 3.0  # punches this close to a scheduled shift belong to it
MIN_HABIT_SHIFTS = 3
DEFAULT_ATTENDANCE = 0.98
MAX_ENUMERATED_SHIFTS = 10
"""A person's expected overtime sums over every combination of their shifts still to come worked or
missed (2^n); past this many in one week (bad data), the overtime of the expected hours stands in."""


_NO_SPANS: tuple[list[float], list[float]] = ([], [])


@dataclass
class Intervals:
    """Each person's punched time as disjoint intervals in time order (`platform.clock.merge_spans`), kept
    as two sorted lists of floats, starts and ends: the lookups below bisect them, several times faster
    than NumPy on arrays this small (a person's few hundred punches), with the same answers."""

    spans: dict[int, tuple[list[float], list[float]]]

    @classmethod
    def of(cls, data: ForecastData) -> Intervals:
        p = data.punches
        t_in, t_out, emp = p["t_in"], p["t_out"], p["emp"]
        recent_open = np.isnan(t_out) & (t_in >= data.data_end - OPEN_PUNCH_MAX_HOURS * HOUR)
        t_out = np.where(recent_open, data.data_end, t_out)
        keep = ~np.isnan(t_out) & (t_out > t_in)
        t_in, t_out, emp = t_in[keep], t_out[keep], emp[keep]
        order = np.argsort(emp, kind="stable")
        t_in, t_out, emp = t_in[order], t_out[order], emp[order]
        spans: dict[int, tuple[list[float], list[float]]] = {}
        bounds = np.flatnonzero(np.diff(emp)) + 1
        for chunk in np.split(np.arange(len(emp)), bounds):
            if not len(chunk):
                continue
            merged = merge_spans(zip(t_in[chunk].tolist(), t_out[chunk].tolist(), strict=True))
            spans[int(emp[chunk[0]])] = ([start for start, _ in merged], [end for _, end in merged])
        return cls(spans)

    def overlap(self, emp: int, begin: float, end: float) -> float:
        """Punched hours of `emp` inside [begin, end)."""
        starts, ends = self.spans.get(emp, _NO_SPANS)
        lo = bisect_right(ends, begin)
        hi = bisect_left(starts, end)
        total = 0.0
        for s, e in zip(starts[lo:hi], ends[lo:hi], strict=True):
            total += max(0.0, min(e, end) - max(s, begin))
        return total / HOUR

    def started_in(self, emp: int, begin: float, end: float) -> float:
        """Hours of the intervals that start in [begin, end) (whole intervals: a shift belongs to its start week)."""
        starts, ends = self.spans.get(emp, _NO_SPANS)
        lo = bisect_left(starts, begin)
        hi = bisect_left(starts, end)
        return sum(e - s for s, e in zip(starts[lo:hi], ends[lo:hi], strict=True)) / HOUR

    def clocked_in_at(self, emp: int, t: float) -> bool:
        starts, ends = self.spans.get(emp, _NO_SPANS)
        i = bisect_right(starts, t) - 1
        return i >= 0 and ends[i] >= t - 60


@dataclass
class Habit:
    excess: float  # usual punched minus paid hours per shift
    attendance: float


def habits(data: ForecastData, intervals: Intervals, settings: ForecastSettings) -> dict[int, Habit]:
    """Each person's usual excess hours per shift and attendance, from shifts that ended before the extract
    and started after the punches were read from (a shift with no punches read says nothing of attendance).

    Attendance is over the shifts not known in advance to be leave: a past sick day is an absence, since
    a sick day still to come is not known when a projection counts that shift (`truncate`)."""
    s = data.schedules
    since = max(data.data_end - settings.habit_weeks * WEEK, data.punches_since)
    past = (s["kind"] != PLANNED_LEAVE) & (s["end"] <= data.data_end) & (s["start"] >= since)
    breaks = _break_hours(data)
    samples: dict[int, list[float]] = defaultdict(list)
    shows: dict[int, list[bool]] = defaultdict(list)
    window = HABIT_WINDOW_HOURS * HOUR
    columns = (s["emp"][past], s["shift"][past], s["kind"][past], s["start"][past], s["end"][past])
    for emp, shift, kind, start, end in zip(*(column.tolist() for column in columns), strict=True):
        if kind == UNPLANNED_LEAVE or emp not in intervals.spans:
            shows[emp].append(False)
            continue
        punched = intervals.overlap(emp, start - window, end + window)
        shows[emp].append(punched >= 1.0)
        if punched >= 1.0:
            samples[emp].append(punched - ((end - start) / HOUR - breaks.get(shift, 0.0)))
    excess_all = [float(np.median(v)) for v in samples.values() if len(v) >= MIN_HABIT_SHIFTS]
    attend_all = [float(np.mean(v)) for v in shows.values() if len(v) >= MIN_HABIT_SHIFTS]
    default = Habit(
        float(np.median(excess_all)) if excess_all else 0.0,
        float(np.median(attend_all)) if attend_all else DEFAULT_ATTENDANCE,
    )
    out: dict[int, Habit] = defaultdict(lambda: default)
    for emp in set(samples) | set(shows):
        excess = samples.get(emp, [])
        show = shows.get(emp, [])
        out[emp] = Habit(
            float(np.median(excess)) if len(excess) >= MIN_HABIT_SHIFTS else default.excess,
            float(np.mean(show)) if len(show) >= MIN_HABIT_SHIFTS else default.attendance,
        )
    return out


def _break_hours(data: ForecastData) -> dict[int, float]:
    by_code = {w.code: w for w in data.shifts.values()}
    return {i: by_code[code].break_minutes / 60 for i, code in enumerate(data.shift_codes) if code in by_code}


def _standard_paid(data: ForecastData) -> dict[int, float]:
    by_code = {w.code: w for w in data.shifts.values()}
    return {i: by_code[code].paid_hours for i, code in enumerate(data.shift_codes) if code in by_code}


@dataclass
class PersonWeek:
    worked: float = 0.0
    remaining: float = 0.0
    weekend: float = 0.0
    extended: float = 0.0
    weekend_ahead: float = 0.0
    """The weekend hours of shifts still to come (not started at the data's end): what can still be moved."""
    extended_ahead: float = 0.0
    leave: float = 0.0
    habit_excess: float = 0.0
    """The early and late punches expected in the shifts still to come."""
    scheduled_direct: float = 0.0
    attendance: float = 1.0
    upcoming: list[float] = field(default_factory=list)  # hours of each shift still to come, if worked

    @property
    def projected(self) -> float:
        """Expected hours of the week."""
        return self.worked + self.remaining

    def overtime(self, threshold: float) -> float:
        """Expected hours above `threshold`: each shift still to come is worked, with the person's
        attendance, or not at all (not the hours above it of the expected week, which a week one
        absence would bring under the threshold pulls down)."""
        if not self.upcoming or self.attendance >= 1.0 or len(self.upcoming) > MAX_ENUMERATED_SHIFTS:
            return max(0.0, self.projected - threshold)
        upcoming = np.asarray(self.upcoming)
        certain = self.projected - self.attendance * float(upcoming.sum())
        if certain + float(upcoming.sum()) <= threshold:
            return 0.0
        worked = _outcomes(len(upcoming))  # every subset of the shifts to come that is worked
        shown = worked.sum(axis=1)
        chance = self.attendance**shown * (1 - self.attendance) ** (len(upcoming) - shown)
        return float(chance @ np.maximum(0.0, certain + worked @ upcoming - threshold))


@dataclass
class Workload:
    """The P50 hours of a department's job operations in one week, and how much of it can run.

    An operation counts by the share of its scheduled span that falls in the week (one that starts on
    Friday and runs into next week counts partly in each); before, every operation starting in the week
    counted whole. Work scheduled at one workcenter at the same time as other work cannot run at once:
    per workcenter, only the share `covered / scheduled` of its hours can run, where `covered` is the time
    its operations' spans cover in the week (overlaps counted once) and `scheduled` the sum of those spans."""

    hours: float = 0.0
    runnable: float = 0.0

    @property
    def overlapping(self) -> float:
        """Hours scheduled at the same time as other work at the same workcenter, beyond what can run."""
        return self.hours - self.runnable


def week_workloads(
    data: ForecastData, forecasts: Iterable[OperationForecast], week_start: float
) -> dict[str, Workload]:
    """Department -> its `Workload` in the week starting `week_start`."""
    week_end = week_start + WEEK
    at: dict[tuple[str, str], list[tuple[float, float, float]]] = defaultdict(list)
    for f in forecasts:
        if not f.department or f.scheduled_start is None:
            continue
        start = f.scheduled_start.timestamp()
        op = data.operations.get(f.job_operation_id)
        end = op.scheduled_end if op is not None and op.scheduled_end is not None else start
        if end <= start:  # no span: the operation is where it starts
            share = 1.0 if week_start <= start < week_end else 0.0
        else:
            share = max(0.0, min(end, week_end) - max(start, week_start)) / (end - start)
        if share > 0:
            at[(f.department, f.workcenter_id)].append(
                (max(start, week_start), min(max(end, start), week_end), share * f.p50_hours)
            )
    out: dict[str, Workload] = defaultdict(Workload)
    for (department, _), spans in at.items():
        hours = sum(h for _, _, h in spans)
        scheduled = sum(b - a for a, b, _ in spans)
        covered = sum(b - a for a, b in merge_spans((a, b) for a, b, _ in spans))
        workload = out[department]
        workload.hours += hours
        workload.runnable += hours * (covered / scheduled if scheduled > 0 else 1.0)
    return dict(out)


@dataclass
class DepartmentWeek:
    department: str
    week_start: float
    people: dict[int, PersonWeek] = field(default_factory=dict)


@cache
def _outcomes(shifts: int) -> np.ndarray:
    """(2^shifts, shifts) of 0/1: which of the shifts are worked, every combination."""
    return ((np.arange(2**shifts)[:, None] >> np.arange(shifts)) & 1).astype(float)


def week_label(data: ForecastData, week_start: float) -> str:
    """The pay week as findings name it (`validation.policy.pay_week_label`): "2026-W47", else its first day."""
    return pay_week_label(data.local(week_start + DAY / 2).date(), data.pay_week_starts)


def project_people(
    data: ForecastData, week_start: float, intervals: Intervals, habit: dict[int, Habit]
) -> dict[int, PersonWeek]:
    """Per person, the week starting `week_start` as seen at the data's end."""
    now = data.data_end
    week_end = week_start + WEEK
    s = data.schedules
    in_week = (s["start"] >= week_start) & (s["start"] < week_end)
    breaks, standard = _break_hours(data), _standard_paid(data)
    people: dict[int, PersonWeek] = defaultdict(PersonWeek)
    for emp in intervals.spans:
        worked = intervals.started_in(emp, week_start, min(week_end, now))
        if worked > 0:
            people[emp].worked = worked
    for emp, wc, shift, kind, start, end in zip(
        s["emp"][in_week],
        s["wc"][in_week],
        s["shift"][in_week],
        s["kind"][in_week],
        s["start"][in_week],
        s["end"][in_week],
        strict=True,
    ):
        emp, shift, kind = int(emp), int(shift), int(kind)
        paid = (end - start) / HOUR - breaks.get(shift, 0.0)
        person = people[emp]
        if kind in (PLANNED_LEAVE, UNPLANNED_LEAVE):
            person.leave += paid
            continue
        ahead = start >= now
        if data.local(start).weekday() >= 5:
            person.weekend += paid
            person.weekend_ahead += paid if ahead else 0.0
        if shift in standard and paid - standard[shift] > 0.5:
            person.extended += paid - standard[shift]
            person.extended_ahead += paid - standard[shift] if ahead else 0.0
        if wc >= 0:
            person.scheduled_direct += paid
        h = habit[emp]
        if ahead:
            person.remaining += h.attendance * (paid + h.excess)
            person.attendance = h.attendance
            person.upcoming.append(paid + h.excess)
            person.habit_excess += h.attendance * h.excess
        elif end > now and intervals.clocked_in_at(emp, now):
            left = (end - now) / (end - start)
            person.remaining += max(0.0, paid * left + h.excess / 2)
    return people


def actual_week_hours(data: ForecastData, intervals: Intervals, week_start: float) -> dict[int, float]:
    return {
        emp: hours for emp in intervals.spans if (hours := intervals.started_in(emp, week_start, week_start + WEEK)) > 0
    }


def department_of(data: ForecastData, emp: int) -> str | None:
    person = data.people.get(data.employee_ids[emp])
    return person.department if person else None


def overtime_by_department(data: ForecastData, hours: dict[int, float], threshold: float) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for emp, h in hours.items():
        department = department_of(data, emp)
        if department:
            out[department] += max(0.0, h - threshold)
    return out


def project_overtime(
    data: ForecastData,
    settings: ForecastSettings | None = None,
    forecasts: Iterable[OperationForecast] = (),
    weeks: Iterable[float] | None = None,
    plant: PunchPolicy | None = None,
) -> list[OvertimeProjection]:
    """Projections for the current pay week and `overtime_weeks_ahead` more (or the given week starts); overtime
    after the `plant`'s `overtime_after_hours`, people over its `weekly_hours_limit` counted."""
    settings = settings or ForecastSettings()
    plant = plant or PunchPolicy()
    intervals = Intervals.of(data)
    habit = habits(data, intervals, settings)
    current = data.week_start(data.data_end - 1)
    if weeks is None:
        weeks = [data.week_start(current + k * WEEK + DAY) for k in range(settings.overtime_weeks_ahead + 1)]
    forecast_list = list(forecasts)
    rates = _department_rates(data)
    out: list[OvertimeProjection] = []
    for week_start in weeks:
        workloads = week_workloads(data, forecast_list, week_start)
        people = project_people(data, week_start, intervals, habit)
        last_week = None
        if week_start <= data.data_end:
            hours = actual_week_hours(data, intervals, week_start - WEEK)
            last_week = overtime_by_department(data, hours, plant.overtime_after_hours)
        by_department: dict[str, dict[int, PersonWeek]] = defaultdict(dict)
        for emp, person in people.items():
            department = department_of(data, emp)
            if department and (person.projected > 0 or person.leave > 0):
                by_department[department][emp] = person
        for department in sorted(by_department):
            out.append(
                _projection(
                    data,
                    settings,
                    plant,
                    department,
                    week_start,
                    by_department[department],
                    None if last_week is None else last_week.get(department, 0.0),
                    workloads.get(department),
                    rates.get(department),
                )
            )
    return out


def _department_rates(data: ForecastData) -> dict[str, float]:
    pools: dict[str, list[float]] = defaultdict(list)
    for person in data.people.values():
        if person.pay_rate and person.department:
            pools[person.department].append(person.pay_rate)
    return {d: float(np.mean(v)) for d, v in pools.items()}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {'people' if word == 'person' else word + 's'}"


@dataclass
class _Split:
    """A department's projected overtime by cause (weekend shifts, extended shifts, punches beyond the schedule),
    all of it and the part still to come at the data's end: a suggestion claims only what can still be acted on
    (ux164 #17: "early and late punches add about 55 h" for a week raised Saturday 00:00 with one day left)."""

    weekend: float = 0.0
    extended: float = 0.0
    habit: float = 0.0
    weekend_ahead: float = 0.0
    extended_ahead: float = 0.0
    habit_ahead: float = 0.0

    def add(self, overtime: float, person: PersonWeek) -> None:
        """A person's `overtime`, charged to their weekend shifts first, then extended shifts, then punches."""
        weekend = min(overtime, person.weekend)
        extended = min(overtime - weekend, person.extended)
        habit = overtime - weekend - extended
        self.weekend += weekend
        self.extended += extended
        self.habit += habit
        self.weekend_ahead += min(weekend, person.weekend_ahead)
        self.extended_ahead += min(extended, person.extended_ahead)
        self.habit_ahead += min(habit, person.habit_excess)

    def suggestion(self, main: float, department: str, threshold: float, spare_people: int, spare: float) -> str:
        """What to do about the overtime whose largest cause is `main` hours, with `spare` hours of
        `spare_people` colleagues under `threshold`; only the hours still to come are offered to act on. When the
        largest cause has none left and another has, that one is offered and the first said worked (ux_s17 M4:
        "no shift is left this week" beside a weekend shift of 8 h still to come)."""
        paid, ahead = self.weekend + self.extended, self.weekend_ahead + self.extended_ahead
        if self.weekend > 0 and main == self.weekend and spare >= 8 and self.weekend_ahead >= 1.0:
            return self._move(threshold, spare_people, spare)
        if self.habit > 0 and main == self.habit:
            if self.habit_ahead >= 1.0 or ahead < 1.0:
                return self._punches()
            worked = f"; early and late punches added about {self.habit:.0f} h more, already worked"
            if self.weekend >= self.extended and spare >= 8 and self.weekend_ahead >= 1.0:
                return self._move(threshold, spare_people, spare) + worked
            return self._cover(department, paid, ahead) + worked
        if ahead < 1.0 and self.habit_ahead >= 1.0:  # the extra shifts are worked; punches still to come add some
            return self._punches() + f"; the {paid:.0f} h of overtime of the scheduled extra shifts are already worked"
        if ahead < 1.0:
            return (
                f"The {paid:.0f} h of overtime of the scheduled extra shifts are already worked: no extra shift is "
                "left this week to move or cover"
            )
        return self._cover(department, paid, ahead)

    def _move(self, threshold: float, spare_people: int, spare: float) -> str:
        return (
            f"Move about {min(self.weekend_ahead, spare):.0f} h of weekend work to weekday shifts of "
            f"{_plural(spare_people, 'colleague')} under {threshold:.0f} h this week"
        )

    @staticmethod
    def _cover(department: str, paid: float, ahead: float) -> str:
        return (
            f"Nobody in {department} has spare weekday hours: cover about {ahead:.0f} h of the scheduled extra "
            f"shifts with temporary labor ({_plural(math.ceil(ahead / 8), 'eight-hour shift')}) instead of overtime"
            + _worked(paid - ahead)
        )

    def _punches(self) -> str:
        if self.habit_ahead < 1.0:
            return (
                f"Early and late punches added about {self.habit:.0f} h of overtime, already worked: no shift is "
                "left this week to hold them in; hold punches to the shift window from next week"
            )
        return (
            f"Hold punches to the shift window (clock in no earlier than the grace allows): early and late punches "
            f"in the shifts still to come add about {self.habit_ahead:.0f} h of overtime"
            + _worked(self.habit - self.habit_ahead)
        )


def _worked(hours: float) -> str:
    """ "; 12 h more are already worked" (nothing under an hour)."""
    return f"; {hours:.0f} h more are already worked" if hours >= 1.0 else ""


def _projection(
    data: ForecastData,
    settings: ForecastSettings,
    plant: PunchPolicy,
    department: str,
    week_start: float,
    people: dict[int, PersonWeek],
    last_week: float | None,
    workload: Workload | None,
    rate: float | None,
) -> OvertimeProjection:
    threshold = plant.overtime_after_hours
    overtime = {emp: p.overtime(threshold) for emp, p in people.items()}
    total_ot = sum(overtime.values())
    split = _Split()
    weekend_people = extended_people = 0
    for emp, ot in overtime.items():
        p = people[emp]
        weekend_people += p.weekend > 0
        extended_people += p.extended > 0
        split.add(ot, p)
    from_weekend, from_extended, from_habit = split.weekend, split.extended, split.habit
    causes: list[tuple[float, str]] = []
    weekend_hours = sum(p.weekend for p in people.values())
    if from_weekend > 0:
        causes.append(
            (
                from_weekend,
                f"weekend shifts: {_plural(weekend_people, 'person')} scheduled for {weekend_hours:.0f} h "
                f"({from_weekend:.0f} h of the overtime)",
            )
        )
    if from_extended > 0:
        extended_hours = sum(p.extended for p in people.values())
        causes.append(
            (
                from_extended,
                f"extended shifts: {_plural(extended_people, 'person')} scheduled {extended_hours:.0f} h past their "
                f"standard shifts ({from_extended:.0f} h of the overtime)",
            )
        )
    if from_habit >= 1.0:
        causes.append(
            (from_habit, f"punching beyond the schedule (early clock-ins, late clock-outs): {from_habit:.0f} h")
        )
    causes.sort(key=lambda c: -c[0])
    texts = [text for _, text in causes]
    leave_people = sum(1 for p in people.values() if p.leave > 0)
    if leave_people and total_ot > 0:
        texts.append(
            f"absences: {_plural(leave_people, 'person')} on leave ({sum(p.leave for p in people.values()):.0f} h)"
        )
    capacity = sum(p.scheduled_direct for p in people.values())
    if workload is not None and capacity > 0 and workload.hours > capacity:
        text = (
            f"workload: the job operations scheduled this week need {workload.hours:.0f} h (P50) against "
            f"{capacity:.0f} h of shifts scheduled at workcenters"
        )
        if workload.overlapping >= 1.0:
            text += (
                f"; {workload.overlapping:.0f} h of it is scheduled at the same time as other work at the same "
                f"workcenter, so at most {workload.runnable:.0f} h can run"
            )
        texts.append(
            text + ". The overtime projected counts the shifts scheduled, not this work: work beyond them runs "
            "late unless shifts are added"
        )
    spare_people = [emp for emp, p in people.items() if p.projected < threshold - 4 and p.leave == 0]
    spare = sum(threshold - people[emp].projected for emp in spare_people)
    suggestion = None
    if total_ot >= 1.0:
        main = causes[0][0] if causes else 0.0
        suggestion = split.suggestion(main, department, threshold, len(spare_people), spare)
    over_limit = sum(1 for p in people.values() if p.projected > plant.weekly_hours_limit)
    return OvertimeProjection(
        as_of=datetime.fromtimestamp(data.data_end, UTC),
        department=department,
        iso_week=week_label(data, week_start),
        week_start=datetime.fromtimestamp(week_start, UTC),
        employees=len(people),
        worked_hours=round(sum(p.worked for p in people.values()), 2),
        scheduled_hours=round(sum(p.remaining for p in people.values()), 2),
        projected_hours=round(sum(p.projected for p in people.values()), 2),
        projected_overtime_hours=round(total_ot, 2),
        employees_over_threshold=sum(1 for p in people.values() if p.projected > threshold),
        employees_over_limit=over_limit,
        overtime_after_hours=threshold,
        overtime_cost=None if rate is None else round(total_ot * rate * settings.overtime_premium, 2),
        last_week_overtime_hours=None if last_week is None else round(last_week, 2),
        forecast_labor_hours=None if workload is None else round(workload.hours, 2),
        causes=texts,
        suggestion=suggestion,
    )


# ---- backtest ------------------------------------------------------------------------------------
@dataclass
class OvertimeScore:
    moment: str
    department_weeks: int
    mae_projection: float
    mae_last_week: float
    bias_projection: float
    actual_mean: float

    @property
    def improvement(self) -> float:
        return 1 - self.mae_projection / self.mae_last_week if self.mae_last_week else math.nan


@dataclass
class OvertimeBacktest:
    scores: dict[str, OvertimeScore]
    rows: list[tuple[str, str, str, float, float, float]]  # moment, department, week, actual, projected, last week


MOMENTS = {"week start (Mon 00:00)": 0.0, "mid-week (Wed 00:00)": 2 * DAY}
MIN_HISTORY_WEEKS = 2


def backtest_overtime(
    data: ForecastData, settings: ForecastSettings | None = None, plant: PunchPolicy | None = None
) -> OvertimeBacktest:
    """Every whole pay week with `MIN_HISTORY_WEEKS` of punches before it (and a whole week before that):
    at each moment, the nightly run's projection (`project_overtime` on `data.seen_at(moment)`, the weeks
    it projects by default) of that week. `data`: read by `backtest.read_backtest_data`."""
    settings = settings or ForecastSettings()
    plant = plant or PunchPolicy()
    threshold = plant.overtime_after_hours
    intervals = Intervals.of(data)
    first = data.punches["t_in"].min() if len(data.punches) else data.data_end
    week = data.week_start(first) + (MIN_HISTORY_WEEKS + 1) * WEEK
    rows: list[tuple[str, str, str, float, float, float]] = []
    while week + WEEK <= data.data_end:
        week = data.week_start(week + DAY)  # stay on the week's first day across DST changes
        actual = overtime_by_department(data, actual_week_hours(data, intervals, week), threshold)
        last = overtime_by_department(data, actual_week_hours(data, intervals, week - WEEK), threshold)
        label = week_label(data, week)
        for moment, offset in MOMENTS.items():
            projections = project_overtime(data.seen_at(week + offset, settings), settings, plant=plant)
            projected = {p.department: p.projected_overtime_hours for p in projections if p.iso_week == label}
            for department in sorted(set(actual) | set(projected)):
                rows.append(
                    (
                        moment,
                        department,
                        label,
                        actual.get(department, 0.0),
                        projected.get(department, 0.0),
                        last.get(department, 0.0),
                    )
                )
        week += WEEK
    scores = {}
    for moment in MOMENTS:
        chosen = [r for r in rows if r[0] == moment]
        if not chosen:
            continue
        actual_v = np.array([r[3] for r in chosen])
        projected_v = np.array([r[4] for r in chosen])
        last_v = np.array([r[5] for r in chosen])
        scores[moment] = OvertimeScore(
            moment=moment,
            department_weeks=len(chosen),
            mae_projection=float(np.mean(np.abs(projected_v - actual_v))),
            mae_last_week=float(np.mean(np.abs(last_v - actual_v))),
            bias_projection=float(np.mean(projected_v - actual_v)),
            actual_mean=float(np.mean(actual_v)),
        )
    return OvertimeBacktest(scores, rows)


def format_overtime_scores(result: OvertimeBacktest) -> str:
    lines = [
        "Overtime hours per department and ISO week (projection vs 'same as last week')",
        f"{'projected at':24} {'dept-weeks':>10} {'mean OT h':>9} {'MAE proj':>9} {'MAE last wk':>11} {'bias':>7} "
        f"{'lower':>7}",
    ]
    for s in result.scores.values():
        lines.append(
            f"{s.moment:24} {s.department_weeks:10d} {s.actual_mean:9.1f} {s.mae_projection:9.1f} "
            f"{s.mae_last_week:11.1f} {s.bias_projection:7.1f} {s.improvement:7.1%}"
        )
    return "\n".join(lines)
