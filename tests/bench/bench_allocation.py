"""Labor cost allocation against the generator's truth, on plants never used in development.

Run by `make bench` (never by `make test`). Plants `PlantSpec(employees=300, weeks=2, seed=s)` for s in
811-812 (development used seed 5), anomaly rate 0.05 and 0.5 (the second: ten times the misapplied job
codes). Printed, over the weekdays of each plant's last week:

- right job: of the paid minutes the generator's operators truly spent on a job operation (labor entries
  with the operation really worked, `worked <id>` in the JOB_CODE_MISMATCH labels), the share allocated
  to that operation (target >= 98 %); the same with scans taken as keyed (no inference), for contrast;
- right indirect code: of the paid minutes the generator's operators truly spent in training (their days
  with no login, `indirect-time.jsonl`; the plant records 90 % of them as indirect labor entries), the
  share allocated to TRAINING, and the share left unallocated (the days nobody recorded);
- payroll reconciliation: the sum of every bucket's cost over the week against payroll computed here
  independently from the time-clock entries (closed punches per plant-local day, overlaps paid once,
  weekly overtime past 40 h at 1.5x) (target: within 0.1 %);
- a 5,000-employee day (`PlantSpec(employees=5000, weeks=1, seed=813)`): read and allocated, seconds
  (target < 30 s).
Nothing is asserted against the targets: the figures are printed as measured.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from plexlabor.allocation.policy import AllocationPolicy
from plexlabor.allocation.report import AllocationReport, day_bounds, read_report
from plexlabor.models import Employee, LaborEntry, TimeClockEntry
from plexlabor.models.anomalies import AnomalyType
from plexlabor.plant import PlantFolder
from plexlabor.platform.clock import merge_spans
from plexlabor.plex import PlantFolderSource
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant
from plexlabor_dev.simulator.indirect import IndirectTruth, read_truth

SEEDS = (811, 812)
RATES = (0.05, 0.5)
EMPLOYEES, WEEKS = 300, 2
BIG_SEED, BIG_EMPLOYEES = 813, 5000


def _true_operations(folder: PlantFolder) -> dict[str, str]:
    """Labor entry id -> the operation really worked, where a JOB_CODE_MISMATCH label names it."""
    return {
        label.record_key.split(":", 1)[1]: (label.detail or "").removeprefix("worked ")
        for label in folder.labels()
        if label.anomaly_type == AnomalyType.JOB_CODE_MISMATCH and (label.detail or "").startswith("worked ")
    }


def _overlap(intervals: list[tuple[float, float]], start: float, end: float) -> float:
    return sum(max(0.0, min(b, end) - max(a, start)) for a, b in intervals)


def _paid_intervals(punches: list[TimeClockEntry], bounds: tuple[float, float]) -> dict[str, list[tuple[float, float]]]:
    """Closed punches clipped to the bounds, overlaps merged (payroll pays a minute once)."""
    raw: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for p in punches:
        if p.clockout_time is not None:
            a, b = max(p.clockin_time.timestamp(), bounds[0]), min(p.clockout_time.timestamp(), bounds[1])
            if b > a:
                raw[p.employee_id].append((a, b))
    return {employee: merge_spans(intervals) for employee, intervals in raw.items()}


def _right_job(
    report: AllocationReport,
    labor: list[LaborEntry],
    punches: list[TimeClockEntry],
    worked: dict[str, str],
    bounds: tuple[float, float],
) -> tuple[float, float]:
    """Minutes truly on a job operation, and of them the minutes allocated to that operation."""
    paid = _paid_intervals(punches, bounds)
    truth: dict[tuple[str, str], float] = defaultdict(float)
    for entry in labor:
        if entry.end_time is None or entry.employee_id not in paid:
            continue
        op = worked.get(entry.id, entry.job_operation_id)
        truth[(entry.employee_id, op)] += (
            _overlap(paid[entry.employee_id], entry.start_time.timestamp(), entry.end_time.timestamp()) / 60
        )
    allocated = {(row.employee_id, op): m for row in report.employees for op, m in row.jobs.items()}
    return sum(truth.values()), sum(min(m, allocated.get(key, 0)) for key, m in truth.items())


def _right_code(
    report: AllocationReport, truth: list[IndirectTruth], punches: list[TimeClockEntry], bounds: tuple[float, float]
) -> tuple[float, float, float]:
    """Paid minutes truly on an indirect code, of them those allocated to it, and the unallocated minutes of
    the people who had them (an upper bound on the true minutes left unallocated)."""
    paid = _paid_intervals(punches, bounds)
    true: dict[tuple[str, str], float] = defaultdict(float)
    for stretch in truth:
        if stretch.employee_id in paid:
            true[(stretch.employee_id, stretch.code)] += (
                _overlap(paid[stretch.employee_id], stretch.start, stretch.end) / 60
            )
    rows = {row.employee_id: row for row in report.employees}
    right = sum(min(m, rows[e].indirect.get(code, 0)) for (e, code), m in true.items() if e in rows)
    left = sum(min(m, rows[e].unallocated) for (e, _), m in true.items() if e in rows)
    return sum(true.values()), right, left


def _payroll(punches: list[TimeClockEntry], employees: dict[str, Employee], days: list[date], timezone: str) -> float:
    """Each employee's week: paid minutes per day at their rate, minutes past 40 h with a 0.5 premium on top."""
    total = 0.0
    week_minutes: dict[str, float] = defaultdict(float)
    for day in days:
        for employee, intervals in _paid_intervals(punches, day_bounds(day, timezone)).items():
            rate = employees[employee].pay_rate or 0.0
            minutes = round(sum(b - a for a, b in intervals) / 60)
            before = week_minutes[employee]
            overtime = max(0.0, before + minutes - 2400) - max(0.0, before - 2400)
            week_minutes[employee] += minutes
            total += rate / 60 * (minutes + 0.5 * overtime)
    return total


def _measure(folder: PlantFolder) -> dict[str, float]:
    source = PlantFolderSource(folder)
    end = folder.meta().end.date()
    monday = end - timedelta(days=end.weekday() + 7)  # the last full pay week (Monday on) of the plant
    days = [monday + timedelta(days=i) for i in range(7)]
    timezone = source.timezone()
    worked = _true_operations(folder)
    employees = {e.id: e for e in source.employees()}
    begin = datetime.combine(days[0] - timedelta(days=2), datetime.min.time(), UTC)
    finish = datetime.combine(days[-1] + timedelta(days=2), datetime.min.time(), UTC)
    punches = list(source.time_clock_entries(begin, finish))
    labor = list(source.labor_entries(begin, finish))
    true_minutes = right = right_as_keyed = allocated_cost = 0.0
    indirect_truth, indirect = read_truth(folder.path), [0.0, 0.0, 0.0]
    for day in days:
        bounds = day_bounds(day, timezone)
        report = read_report(source, day)
        allocated_cost += report.totals.allocated_cost
        if day.weekday() < 5:
            total, ok = _right_job(report, labor, punches, worked, bounds)
            true_minutes += total
            right += ok
            keyed = read_report(source, day, AllocationPolicy(infer_misapplied=False))
            right_as_keyed += _right_job(keyed, labor, punches, worked, bounds)[1]
            for i, minutes in enumerate(_right_code(report, indirect_truth, punches, bounds)):
                indirect[i] += minutes
    payroll = _payroll(punches, employees, days, timezone)
    return {
        "right": right / true_minutes,
        "right_as_keyed": right_as_keyed / true_minutes,
        "true_hours": true_minutes / 60,
        "payroll": payroll,
        "allocated_cost": allocated_cost,
        "gap": abs(allocated_cost - payroll) / payroll,
        "indirect_hours": indirect[0] / 60,
        "right_code": indirect[1] / indirect[0] if indirect[0] else float("nan"),
        "indirect_unallocated": indirect[2] / indirect[0] if indirect[0] else float("nan"),
    }


def test_allocation_benchmark(tmp_path: Path) -> None:
    for seed in SEEDS:
        for rate in RATES:
            path = tmp_path / f"plant-{seed}-{rate}"
            generate_plant(PlantSpec(employees=EMPLOYEES, weeks=WEEKS, seed=seed, anomaly_rate=rate), path)
            m = _measure(PlantFolder(path))
            print(
                f"\nseed {seed}, anomaly rate {rate}: {m['true_hours']:,.0f} h truly on job operations; "
                f"right job {m['right']:.2%} (scans as keyed: {m['right_as_keyed']:.2%}); "
                f"payroll ${m['payroll']:,.2f} vs allocated ${m['allocated_cost']:,.2f}: {m['gap']:.4%} apart; "
                f"{m['indirect_hours']:,.0f} h truly in training: right code {m['right_code']:.2%}, "
                f"unallocated {m['indirect_unallocated']:.2%}"
            )
    big = tmp_path / "plant-5000"
    started = time.perf_counter()
    generate_plant(PlantSpec(employees=BIG_EMPLOYEES, weeks=1, seed=BIG_SEED), big)
    generated = time.perf_counter() - started
    folder = PlantFolder(big)
    day = folder.meta().end.date() - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    started, cpu = time.perf_counter(), time.process_time()
    report = read_report(PlantFolderSource(folder), day)
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"\n5,000-employee plant (generated in {generated:.0f} s): {day} allocated in {took:.1f} s "
        f"({cpu:.1f} s CPU, load average {os.getloadavg()[0]:.1f}) "
        f"({report.totals.employees:,} employees paid, {report.totals.paid:,} min, "
        f"{len(report.suggestions)} suggestions)"
    )
