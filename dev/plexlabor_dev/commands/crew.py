"""`plexlabor crew plan`, `plexlabor crew gap` and `plexlabor crew reindex` (wired in `plexlabor_dev.cli`)."""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from plexlabor.approval.directory import NAME_ROLES, PeopleDisplay, PlexEmployeeDirectory
from plexlabor.crew.build import build_problem
from plexlabor.crew.models import CrewPlan, CrewPolicy
from plexlabor.crew.optimizer import solve
from plexlabor.models import Shift
from plexlabor.plant import PlantFolder
from plexlabor.plex.folder import PlantFolderSource
from plexlabor_dev.commands import audit_table_flag, day_flag, plant_flag, require_records
from plexlabor_dev.gap import OPTIMA_FILE, compile_kernels, read_gap_file, read_optima, solve_gap
from plexlabor_dev.progress import step


def _money(value: float) -> str:
    return f"{value:,.0f}"


def summary_lines(plan: CrewPlan) -> list[str]:
    """A few lines a supervisor reads: what was planned, how good it is, what stays short and why."""
    b, s = plan.breakdown, plan.solver
    shifts = ",".join(plan.shift_codes)
    lines = [
        f"{plan.plant} {plan.day.isoformat()} shift(s) {shifts}: {plan.size.jobs} job operation segments, "
        f"{plan.size.seats} seats, {plan.size.operators} operators ({plan.size.operators_available} available), "
        f"{plan.size.candidate_pairs} candidate pairs",
        f"solver: {s.method} {s.status}, proven gap {100 * (s.proven_gap or 0):.3f}%, "
        f"{s.solve_seconds:.2f} s (+{s.build_seconds:.2f} s reading data)",
        f"plan: objective {_money(b.objective)} = value {_money(b.value)} - labor {_money(b.labor_cost)} - fatigue "
        f"{_money(b.fatigue)} - overtime {_money(b.overtime)} - changeover {_money(b.changeover)} - walking "
        f"{_money(b.walking)} - unstaffed {_money(b.unstaffed_penalty)}; {b.seats_filled}/{b.seats_total} seats, "
        f"{b.overtime_hours:.1f} h overtime",
    ]
    for baseline in plan.baselines:
        pct = "n/a" if baseline.improvement_pct is None else f"{baseline.improvement_pct:+.1f}%"
        extra = f", {baseline.rule_violations} planned assignments break a rule" if baseline.rule_violations else ""
        lines.append(
            f"vs {baseline.name}: objective {_money(baseline.breakdown.objective)}, "
            f"{baseline.breakdown.seats_filled} seats; plan better by {_money(baseline.improvement)} ({pct}){extra}"
        )
    if plan.unstaffed:
        causes = Counter[str]()
        for seat in plan.unstaffed:
            causes[seat.cause] += seat.seats
        lines.append("unstaffed seats: " + ", ".join(f"{n} {cause}" for cause, n in sorted(causes.items())))
    return lines


def roster_lines(plan: CrewPlan, zone: ZoneInfo, name: Callable[[str | None], str]) -> list[str]:
    """Who works where, when and why, per shift and start time (plant time), before the figures."""
    lines = [f"roster ({zone.key} time; * = changes the supervisor's current plan):"]
    for shift in plan.shift_codes:
        lines.append(f"shift {shift}")
        for a in sorted((a for a in plan.assignments if a.shift_code == shift), key=lambda a: (a.start, a.job_key)):
            job = f" job {a.job_no} op {a.operation_code}" if a.job_no and a.operation_code else ""
            hours = f"{a.start.astimezone(zone):%H:%M}-{a.end.astimezone(zone):%H:%M}"
            change = " " if a.planned_here else "*"
            lines.append(f" {change}{hours} {a.workcenter_code}{job}: {name(a.employee_id)}, {a.hours:.1f} h")
            lines.append(f"      why: {'; '.join(a.reasons)}")
    return lines


def _time_limit(seconds: float) -> float:
    """The solver's --time-limit: a positive, finite number of seconds (nan and inf refused)."""
    if not 0 < seconds < math.inf:
        raise ValueError(f"--time-limit must be a positive number of seconds, not {seconds:g}")
    return seconds


def plan_command(args: argparse.Namespace) -> int:
    day = day_flag(args.date, "--date")
    _time_limit(args.time_limit)
    started = time.perf_counter()
    step(f"reading the plant's jobs, people and schedule for {day}")
    folder = plant_flag(args.plant)
    meta = folder.meta()
    require_records(folder, "shifts")
    _known_shift(folder, args.shift)
    problem = build_problem(folder, day, args.shift, policy=CrewPolicy(plan_setups=not args.no_setups))
    if not problem.jobs:  # nothing to plan: say so, and leave an earlier plan file as it is
        shift = f" on shift {args.shift}" if args.shift else ""
        raise ValueError(
            f"--date: no job operation is scheduled on {day}{shift} in {args.plant} (its data runs "
            f"{meta.start.astimezone(ZoneInfo(meta.timezone)):%Y-%m-%d} to "
            f"{meta.end.astimezone(ZoneInfo(meta.timezone)):%Y-%m-%d}, plus what is scheduled after it)"
        )
    step(f"solving (time limit {args.time_limit:g} s)")
    plan = solve(problem, args.time_limit, build_seconds=time.perf_counter() - started)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(plan.model_dump_json(indent=2) + "\n", encoding="utf-8")
    people = PeopleDisplay(PlexEmployeeDirectory(PlantFolderSource(folder.path)))
    for line in roster_lines(plan, ZoneInfo(problem.timezone), people.labeller(NAME_ROLES)):
        print(line)
    for line in summary_lines(plan):
        print(line)
    print(f"wrote {out} ({len(plan.assignments)} assignments, {len(plan.unstaffed)} unstaffed entries)")
    return 0


def _known_shift(folder: PlantFolder, shift: str | None) -> None:
    """`--shift` names one of the plant's shift codes (refused before anything is read or solved)."""
    codes = sorted({s.shift_code for s in folder.load(Shift)})
    if shift is not None and shift not in codes:
        raise ValueError(
            f"--shift: '{shift}' is not a shift of this plant (valid: {', '.join(codes)}; leave --shift out "
            "to plan every shift of the day)"
        )


def gap_command(args: argparse.Namespace) -> int:
    """One line per problem: file, problem number, objective and proven bound (in the file's sense:
    costs for a minimisation file), wall seconds, CPU seconds of the process (all its threads), the machine's
    1-minute load average at the end, proven optimal, the published optimum and the gap to it; then per file
    with published optima the mean gap and the summed wall and CPU seconds."""
    _time_limit(args.time_limit)
    compile_kernels()  # once, so that the first problem's time limit is not spent compiling
    mismatches = 0
    print(
        f"{'file':<12} {'#':>2} {'objective':>9} {'bound':>10} {'seconds':>8} {'cpu s':>6} {'load':>5}  "
        "proven  published"
    )
    for name in args.files:
        path = Path(name)
        optima_path = path.parent / OPTIMA_FILE
        optima = read_optima(optima_path) if optima_path.is_file() else None
        minimise = args.minimise or (optima is not None and optima.minimise)
        gaps: list[float] = []
        wall = cpu = 0.0
        for number, problem in enumerate(read_gap_file(path, minimise), start=1):
            cpu_before = time.process_time()
            solution = solve_gap(problem, args.time_limit)
            used = time.process_time() - cpu_before
            wall, cpu = wall + solution.seconds, cpu + used
            objective = None if solution.objective is None else int(problem.in_file_sense(solution.objective))
            published = None if optima is None else optima.values.get((path.name, number))
            if published is None or objective is None:
                check = "-"
            else:
                gaps.append(100 * abs(objective - published) / abs(published))
                if objective == published:
                    check = f"{published} (equal)"
                else:
                    check = f"{published} ({gaps[-1]:.3f}% away)"
                    mismatches += solution.proven_optimal
            bound = "-" if solution.upper_bound is None else f"{problem.in_file_sense(solution.upper_bound):.1f}"
            proven = "yes" if solution.proven_optimal else "no"
            shown = "-" if objective is None else str(objective)
            print(
                f"{path.name:<12} {number:>2} {shown:>9} {bound:>10} {solution.seconds:>8.3f} {used:>6.1f} "
                f"{os.getloadavg()[0]:>5.2f}  {proven:<6}  {check}"
            )
            sys.stdout.flush()
        if gaps:
            print(
                f"{path.name}: mean gap to the published optimum {sum(gaps) / len(gaps):.3f}% over {len(gaps)} "
                f"problems, {wall:.1f} s wall, {cpu:.1f} s CPU"
            )
    return 1 if mismatches else 0


def reindex_command(args: argparse.Namespace) -> int:
    """The crew events recorded from `--since` on given their key of the plan-day index, then the index marked as
    holding every crew event from then on (`crew.suggestions.reindex`): the migration of a table deployed before it.
    Exit 1 when a status index was too long to read to the end (nothing marked: run it again)."""
    from datetime import UTC, datetime

    from plexlabor.audit.dynamodb import DynamoDbAuditStore
    from plexlabor.crew.suggestions import reindex

    table = audit_table_flag(args)
    since = datetime.combine(day_flag(args.since, "--since"), datetime.min.time(), UTC)
    done = reindex(DynamoDbAuditStore(table), since, datetime.now(UTC), args.actor)
    print(f"{done.added} crew event(s) added to the plan-day index")
    if not done.complete:
        print("not every status index was read to the end: not marked complete; run it again", file=sys.stderr)
        return 1
    print(
        f"marked: the plan-day index holds every crew event from {since:%Y-%m-%d} on (day reads stop looking further)"
    )
    return 0
