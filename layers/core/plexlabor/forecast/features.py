"""Features of a job operation, from its routing, its planned crew and the history before a moment.

History statistics are kept in weekly bins ending at the data's end. A row's features use only
whole bins before its *snapshot* bin: for a training operation, the week in which its work began;
for an upcoming operation, the forecast moment. So no row ever sees its own hours or anything
later (tested in `tests/unit/forecast/test_time_split.py`).

Features (plain words in `FEATURE_TEXT`):
- the routing: standard hours, run hours per crew member, crew size, setup share, quantity, step;
- the crew: pace (earned standard hours / worked hours) of the people scheduled at the workcenter
  when the operation starts, of the workcenter's home staff, of the workcenter on that shift; their
  tenure; how many people short of the routing's crew the schedule is;
- the workcenter and the part operation: median actual/standard of recently finished operations;
  downtime share;
- categories: department, part family, starting shift.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np

from plexlabor.forecast.data import HOUR, WEEK, WORK, ForecastData, Operation

FEATURES: tuple[str, ...] = (
    "log_standard_hours",
    "run_hours_per_person",
    "crew_size",
    "setup_share",
    "log_quantity",
    "operation_no",
    "crew_pace",
    "start_crew_pace",
    "home_pace",
    "workcenter_pace",
    "shift_pace",
    "downtime_share",
    "workcenter_ratio",
    "workcenter_runs",
    "operation_ratio",
    "operation_runs",
    "crew_tenure_years",
    "crew_short",
    "start_shift",
    "department",
    "part_family",
)
CATEGORICAL: tuple[str, ...] = ("start_shift", "department", "part_family")
COLUMN = {name: i for i, name in enumerate(FEATURES)}
MIN_PACE_HOURS = 4.0  # fewer worked hours than this in the window: pace unknown
CREW_WINDOW_HOURS = 24.0  # the crew of an operation: people scheduled at its workcenter in its first day


@dataclass(frozen=True)
class Completed:
    """Finished operations: quantity reached (or Plex says Complete) and no entry still open."""

    op: np.ndarray  # operation index
    hours: np.ndarray
    first_start: np.ndarray
    last_end: np.ndarray


def completed_operations(data: ForecastData) -> Completed:
    labor = data.labor
    n = len(data.operation_ids)
    known = labor["op"] >= 0
    op = labor["op"][known]
    start, end, qty = labor["start"][known], labor["end"][known], labor["qty"][known]
    is_open = np.isnan(end)
    hours = np.bincount(op, weights=np.where(is_open, 0.0, (end - start) / HOUR), minlength=n)
    produced = np.bincount(op, weights=qty, minlength=n)
    open_count = np.bincount(op, weights=is_open.astype(float), minlength=n)
    entries = np.bincount(op, minlength=n)
    first = np.full(n, np.inf)
    np.minimum.at(first, op, start)
    last = np.full(n, -np.inf)
    np.maximum.at(last, op, np.where(is_open, -np.inf, end))
    ops = [data.operations[o] for o in data.operation_ids]
    quantity = np.array([o.quantity for o in ops], dtype=float)
    marked = np.array([o.status == "Complete" for o in ops], dtype=bool)
    standard = np.array([o.standard_hours for o in ops], dtype=float)
    done = (entries > 0) & (open_count == 0) & ((produced >= quantity) | marked) & (standard > 0) & (hours > 0)
    index = np.flatnonzero(done)
    return Completed(index, hours[index], first[index], last[index])


class HistoryStats:
    """Weekly sums behind the pace and ratio features, queryable for any snapshot bin."""

    def __init__(self, data: ForecastData, n_bins: int, lookback_bins: int) -> None:
        self.data = data
        self.n_bins = n_bins
        self.lookback = lookback_bins
        self.origin = data.data_end - n_bins * WEEK
        n_emp, n_wc = len(data.employee_ids), len(data.workcenter_ids)
        self.n_shift = max(1, len(data.shift_codes))
        labor = data.labor
        finished = ~np.isnan(labor["end"]) & (labor["op"] >= 0)
        op, emp, wc = labor["op"][finished], labor["emp"][finished], labor["wc"][finished]
        hours = (labor["end"][finished] - labor["start"][finished]) / HOUR
        bins = self.bin_of(labor["start"][finished])
        earned = self._earned(op, wc, labor["qty"][finished])
        ok = ~np.isnan(earned) & (bins >= 0) & (bins < n_bins)
        op, emp, wc, hours, bins, earned = op[ok], emp[ok], wc[ok], hours[ok], bins[ok], earned[ok]
        self.emp_earned = _cumulative(emp, bins, earned, n_emp, n_bins)
        self.emp_hours = _cumulative(emp, bins, hours, n_emp, n_bins)
        self.wc_earned = _cumulative(wc, bins, earned, n_wc, n_bins)
        self.wc_hours = _cumulative(wc, bins, hours, n_wc, n_bins)
        code_index = {code: i for i, code in enumerate(data.shift_codes)}
        emp_shift = np.array(
            [code_index.get(getattr(data.people.get(e), "shift_code", None) or "", -1) for e in data.employee_ids],
            dtype=np.int64,
        )
        shift = emp_shift[emp] if len(emp) else np.zeros(0, dtype=np.int64)
        keep = shift >= 0
        key = wc[keep] * self.n_shift + shift[keep]
        self.shift_earned = _cumulative(key, bins[keep], earned[keep], n_wc * self.n_shift, n_bins)
        self.shift_hours = _cumulative(key, bins[keep], hours[keep], n_wc * self.n_shift, n_bins)
        down = data.downtime
        down_bins = self.bin_of(down["start"])
        in_range = (down_bins >= 0) & (down_bins < n_bins)
        self.wc_down = _cumulative(
            down["wc"][in_range], down_bins[in_range], (down["end"] - down["start"])[in_range] / HOUR, n_wc, n_bins
        )
        # Finished operations: actual / standard, by completion week.
        done = completed_operations(data)
        self.completed = done
        self.wc_ratios: dict[int, list[list[float]]] = defaultdict(lambda: [[] for _ in range(n_bins)])
        self.op_ratios: dict[tuple[str, str], list[list[float]]] = defaultdict(lambda: [[] for _ in range(n_bins)])
        wc_index = data.workcenter_index
        for o, h, last in zip(done.op, done.hours, done.last_end, strict=True):
            b = int(self.bin_of(np.array([last]))[0])
            if not 0 <= b < n_bins:
                continue
            operation = data.operations[data.operation_ids[o]]
            ratio = h / operation.standard_hours
            self.wc_ratios[wc_index[operation.workcenter_id]][b].append(ratio)
            self.op_ratios[(operation.part_id, operation.operation_code)][b].append(ratio)
        self._median_cache: dict[tuple[object, int], tuple[float, int]] = {}

    def bin_of(self, t: np.ndarray) -> np.ndarray:
        return np.floor((np.asarray(t, dtype=float) - self.origin) / WEEK).astype(np.int64)

    def _earned(self, op: np.ndarray, wc: np.ndarray, qty: np.ndarray) -> np.ndarray:
        """Standard hours earned by each entry: quantity x crew / rate of the route it ran on."""
        data = self.data
        n_wc = max(1, len(data.workcenter_ids))
        pair = op * n_wc + wc
        unique, inverse = np.unique(pair, return_inverse=True)
        per_piece = np.full(len(unique), np.nan)
        for i, key in enumerate(unique):
            operation = data.operations[data.operation_ids[int(key) // n_wc]]
            route = data.route_of(operation, data.workcenter_ids[int(key) % n_wc]) or data.route_of(operation)
            if route is not None and route.rate > 0:
                per_piece[i] = route.crew_size / route.rate
        return qty * per_piece[inverse] if len(qty) else np.zeros(0)

    def _window(self, cum: np.ndarray, row: int, snapshot: int) -> float:
        if row < 0 or row >= cum.shape[0]:
            return 0.0
        hi = min(max(snapshot, 0), self.n_bins)
        lo = max(0, hi - self.lookback)
        return float(cum[row, hi] - cum[row, lo])

    def pace(self, kind: str, row: int, snapshot: int) -> float:
        earned, hours = {
            "employee": (self.emp_earned, self.emp_hours),
            "workcenter": (self.wc_earned, self.wc_hours),
            "shift": (self.shift_earned, self.shift_hours),
        }[kind]
        worked = self._window(hours, row, snapshot)
        return self._window(earned, row, snapshot) / worked if worked >= MIN_PACE_HOURS else math.nan

    def downtime_share(self, wc: int, snapshot: int) -> float:
        worked = self._window(self.wc_hours, wc, snapshot)
        return self._window(self.wc_down, wc, snapshot) / worked if worked >= MIN_PACE_HOURS else math.nan

    def median_ratio(self, table: dict, key: object, snapshot: int) -> tuple[float, int]:
        cache_key = (id(table), key, snapshot)
        hit = self._median_cache.get(cache_key)  # type: ignore[arg-type]
        if hit is not None:
            return hit
        lists = table.get(key)
        hi = min(max(snapshot, 0), self.n_bins)
        values = [r for week in lists[max(0, hi - self.lookback) : hi] for r in week] if lists else []
        result = (float(np.median(values)), len(values)) if values else (math.nan, 0)
        self._median_cache[cache_key] = result  # type: ignore[index]
        return result


def _cumulative(row: np.ndarray, bins: np.ndarray, values: np.ndarray, n_rows: int, n_bins: int) -> np.ndarray:
    """cum[r, i] = sum of values of row r in bins < i."""
    grid = np.zeros((max(n_rows, 1), n_bins + 1))
    if len(row):
        np.add.at(grid, (row, bins + 1), values)
    return np.cumsum(grid, axis=1)


class Crews:
    """Who is scheduled at each workcenter and when; home staff; pace, tenure and pay per person."""

    def __init__(self, data: ForecastData) -> None:
        self.data = data
        sched = data.schedules
        work = sched["kind"] == WORK
        # lists, not arrays: `scheduled` runs per operation on a few dozen shifts, where `bisect` on a list is
        # several times faster than NumPy (same answers)
        self.by_wc: dict[int, tuple[list[float], list[float], list[int]]] = {}
        wcs, starts, ends, emps = sched["wc"][work], sched["start"][work], sched["end"][work], sched["emp"][work]
        order = np.lexsort((starts, wcs))
        wcs, starts, ends, emps = wcs[order], starts[order], ends[order], emps[order]
        bounds = np.flatnonzero(np.diff(wcs)) + 1
        for chunk in np.split(np.arange(len(wcs)), bounds):
            if len(chunk) and wcs[chunk[0]] >= 0:
                self.by_wc[int(wcs[chunk[0]])] = (starts[chunk].tolist(), ends[chunk].tolist(), emps[chunk].tolist())
        emp_index = data.employee_index
        wc_index = data.workcenter_index
        self.home: dict[int, list[int]] = defaultdict(list)
        for person in data.people.values():
            if person.home_workcenter and person.home_workcenter in wc_index:
                self.home[wc_index[person.home_workcenter]].append(emp_index[person.id])

    def scheduled(self, wc: int, begin: float, end: float) -> list[int]:
        """People with a shift to work at `wc` overlapping [begin, end)."""
        found = self.by_wc.get(wc)
        if found is None:
            return []
        starts, ends, emps = found
        hi = bisect_left(starts, end)
        lo = bisect_left(starts, begin - 2 * 24 * HOUR)  # shifts are shorter than 2 days
        return sorted({emps[i] for i in range(lo, hi) if ends[i] > begin})

    def has_schedule(self, wc: int) -> bool:
        return wc in self.by_wc


@dataclass
class RowContext:
    """What a feature row was built from, for drivers and cost."""

    crew: list[int]
    crew_source: str  # "scheduled" | "home staff" | "none"
    start_shift: str | None


class FeatureBuilder:
    """Builds feature rows for operations at given snapshots. Categories are coded by `vocabulary`."""

    def __init__(self, data: ForecastData, lookback_weeks: int, history_weeks: int) -> None:
        self.data = data
        self.stats = HistoryStats(data, n_bins=history_weeks + lookback_weeks, lookback_bins=lookback_weeks)
        self.crews = Crews(data)
        self.wc_index = data.workcenter_index
        self.shift_code_index = {code: i for i, code in enumerate(data.shift_codes)}
        pools: dict[str | None, list[float]] = defaultdict(list)
        for person in data.people.values():
            if person.pay_rate:
                pools[person.department].append(person.pay_rate)
                pools[None].append(person.pay_rate)
        self._department_rates = {dept: float(np.median(rates)) for dept, rates in pools.items()}
        self._hired: list[float | None] = []
        for employee_id in data.employee_ids:
            known = data.people.get(employee_id)
            self._hired.append(_date_epoch(known.hire_date) if known and known.hire_date else None)

    @property
    def now_bin(self) -> int:
        return self.stats.n_bins

    def snapshot_of(self, t: np.ndarray) -> np.ndarray:
        return np.clip(self.stats.bin_of(t), 0, self.stats.n_bins)

    def rows(
        self, op_indexes: np.ndarray, snapshots: np.ndarray, vocabulary: dict[str, dict[str, int]]
    ) -> tuple[np.ndarray, list[RowContext]]:
        data, stats = self.data, self.stats
        matrix = np.full((len(op_indexes), len(FEATURES)), np.nan)
        contexts: list[RowContext] = []
        pace_cache: dict[tuple[int, int], float] = {}

        def person_pace(emp: int, snap: int) -> float:
            key = (emp, snap)
            if key not in pace_cache:
                pace_cache[key] = stats.pace("employee", emp, snap)
            return pace_cache[key]

        for r, (o, snap) in enumerate(zip(op_indexes, snapshots, strict=True)):
            op = data.operations[data.operation_ids[int(o)]]
            snap = int(snap)
            row = matrix[r]
            wc = self.wc_index.get(op.workcenter_id, -1)
            route = data.route_of(op)
            crew_size = route.crew_size if route else 1.0
            setup = route.setup_hours if route else 0.0
            std = op.standard_hours
            row[COLUMN["log_standard_hours"]] = math.log(std) if std > 0 else math.nan
            row[COLUMN["run_hours_per_person"]] = max(std - setup, 0.0) / crew_size
            row[COLUMN["crew_size"]] = crew_size if route else math.nan
            row[COLUMN["setup_share"]] = setup / std if route and std > 0 else math.nan
            row[COLUMN["log_quantity"]] = math.log1p(op.quantity)
            row[COLUMN["operation_no"]] = op.operation_no
            crew, source = self._crew(op, wc, crew_size, std)
            paces = [p for p in (person_pace(e, snap) for e in crew) if not math.isnan(p)]
            row[COLUMN["crew_pace"]] = _mean(paces)
            home_paces = [p for p in (person_pace(e, snap) for e in self.crews.home.get(wc, ())) if not math.isnan(p)]
            row[COLUMN["home_pace"]] = _mean(home_paces)
            row[COLUMN["workcenter_pace"]] = stats.pace("workcenter", wc, snap)
            shift = data.shift_at(op.scheduled_start) if op.scheduled_start is not None else None
            shift_index = self.shift_code_index.get(shift.code, -1) if shift else -1
            if shift_index >= 0 and wc >= 0:
                row[COLUMN["shift_pace"]] = stats.pace("shift", wc * stats.n_shift + shift_index, snap)
            row[COLUMN["downtime_share"]] = stats.downtime_share(wc, snap)
            row[COLUMN["workcenter_ratio"]], row[COLUMN["workcenter_runs"]] = stats.median_ratio(
                stats.wc_ratios, wc, snap
            )
            row[COLUMN["operation_ratio"]], row[COLUMN["operation_runs"]] = stats.median_ratio(
                stats.op_ratios, (op.part_id, op.operation_code), snap
            )
            row[COLUMN["crew_tenure_years"]] = self._tenure(crew, op.scheduled_start or data.data_end)
            if op.scheduled_start is not None and self.crews.has_schedule(wc):
                at_start = self.crews.scheduled(wc, op.scheduled_start, op.scheduled_start + 1)
                row[COLUMN["crew_short"]] = crew_size - len(at_start)
                start_paces = [p for p in (person_pace(e, snap) for e in at_start) if not math.isnan(p)]
                row[COLUMN["start_crew_pace"]] = _mean(start_paces)
            row[COLUMN["start_shift"]] = _code(vocabulary, "start_shift", shift.code if shift else None)
            workcenter = data.workcenters.get(op.workcenter_id)
            row[COLUMN["department"]] = _code(vocabulary, "department", workcenter.department if workcenter else None)
            row[COLUMN["part_family"]] = _code(vocabulary, "part_family", op.part_family)
            contexts.append(RowContext(crew, source, shift.code if shift else None))
        return matrix, contexts

    def _crew(self, op: Operation, wc: int, crew_size: float, std: float) -> tuple[list[int], str]:
        if op.scheduled_start is not None:
            span = min(max(std / max(crew_size, 1.0), 1.0), CREW_WINDOW_HOURS) * HOUR
            crew = self.crews.scheduled(wc, op.scheduled_start, op.scheduled_start + span)
            if crew:
                return crew, "scheduled"
        home = self.crews.home.get(wc, [])
        return (list(home), "home staff") if home else ([], "none")

    def _tenure(self, crew: list[int], at: float) -> float:
        hired = [h for e in crew if (h := self._hired[e]) is not None]
        return (at - sum(hired) / len(hired)) / (365.25 * 24 * HOUR) if hired else math.nan

    def pay_rate(self, context: RowContext, op: Operation) -> float | None:
        """Mean pay rate of the crew; else the workcenter's department; else the plant."""
        rates = [self._rate(e) for e in context.crew]
        known = [r for r in rates if r]
        if known:
            return _mean(known)
        workcenter = self.data.workcenters.get(op.workcenter_id)
        department = workcenter.department if workcenter else None
        return self._department_rates.get(department, self._department_rates.get(None))

    def _rate(self, e: int) -> float | None:
        person = self.data.people.get(self.data.employee_ids[e])
        return person.pay_rate if person else None


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def _date_epoch(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def _code(vocabulary: dict[str, dict[str, int]], name: str, value: str | None) -> float:
    if value is None:
        return math.nan
    code = vocabulary.get(name, {}).get(value)
    return math.nan if code is None else float(code)


def build_vocabulary(data: ForecastData) -> dict[str, dict[str, int]]:
    """Codes of the categorical features, fixed at training time (unknown later = missing)."""
    departments = sorted({w.department for w in data.workcenters.values() if w.department})
    families = sorted({o.part_family for o in data.operations.values() if o.part_family})
    return {
        "start_shift": {code: i for i, code in enumerate(data.shift_codes)},
        "department": {code: i for i, code in enumerate(departments)},
        "part_family": {code: i for i, code in enumerate(families)},
    }
