"""`plexlabor skills --plant DIR [--as-of D] [--horizon-days N] [--out FILE] [--json]`."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TypeVar

from plexlabor.skills.data import MAX_HORIZON_DAYS, load_from_folder
from plexlabor.skills.engine import assess_skills
from plexlabor.skills.report import (
    Bottleneck,
    CertificationAlert,
    LapseUse,
    SkillBottleneck,
    SkillsReport,
    TrainingRecommendation,
)
from plexlabor_dev.commands import day_flag, plant_flag, require_records
from plexlabor_dev.progress import step

TOP = 10
T = TypeVar("T")


def skills_command(args: argparse.Namespace) -> int:
    """Assess a plant folder; print a summary (or the JSON report), optionally write the full report."""
    folder = plant_flag(args.plant)
    if not 1 <= args.horizon_days <= MAX_HORIZON_DAYS:
        raise ValueError(f"--horizon-days: must be between 1 and {MAX_HORIZON_DAYS}, not {args.horizon_days}")
    started = time.perf_counter()
    step("reading the plant's people, certifications and schedule")
    require_records(folder, "shifts")
    data = load_from_folder(
        folder, day_flag(args.as_of, "--as-of") if args.as_of else None, horizon_days=args.horizon_days
    )
    step(f"assessing coverage and certifications from {data.as_of} ({args.horizon_days} days)")
    report = assess_skills(data)
    seconds = time.perf_counter() - started
    if args.out:
        Path(args.out).write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        print(format_summary(report, seconds))
        if args.out:
            print(f"\nfull report: {args.out}")
    return 0


def _h(hours: float) -> str:
    return f"{hours:,.1f} h"


def format_summary(report: SkillsReport, seconds: float | None = None) -> str:
    """A plain-text summary: totals, the top gaps, bottlenecks, compliance alerts and training."""
    t = report.totals
    end = report.as_of.toordinal() + report.horizon_days - 1
    lines = [
        f"Skills and certification compliance, {report.as_of} to {date.fromordinal(end)} "
        f"({report.horizon_days} days, {report.timezone}; history: {report.lookback_days} days before)",
        f"  {t.employees} active employees, {t.certifications} certifications, "
        f"{t.coverage_rows} workcenter shifts with scheduled work ({_h(t.hours_scheduled)})",
        f"  gaps: {t.gaps} shifts short of qualified operators, {_h(t.hours_at_risk)} at risk, "
        f"{_h(t.hours_at_risk_after_cover)} after reassigning spare qualified operators",
        "  expiring: "
        + ", ".join(f"{n} within {w} days" for w, n in t.expiring.items())
        + f" ({t.expiring_blocking} block planned work)",
        f"  lapsed and still needed: {t.lapsed} ({t.lapsed_blocking} block planned work); "
        f"used while lapsed: {t.lapse_uses}; uncertified use: {t.uncertified_uses}",
    ]
    if seconds is not None:
        lines.append(f"  computed in {seconds:.1f} s")
    blocking = [a for a in (*report.lapsed, *report.expiring) if a.blocked]
    top = min(TOP, len(report.bottlenecks))
    lines += _section(f"Bottlenecks (top {top}, by hours at risk after cover):", report.bottlenecks, _bottleneck)
    lines += _section("Skills behind the remaining gaps:", report.skill_bottlenecks, _skill_bottleneck)
    lines += _section("Certifications blocking planned work:", blocking, _blocking)
    lines += _section("Worked while a required certification was lapsed:", report.lapse_uses, _lapse_use)
    lines += _section("Cross-training (best candidate per workcenter):", report.training, _training)
    return "\n".join(lines)


def _section(title: str, items: Sequence[T], line: Callable[[T], str]) -> list[str]:
    """A blank line, the title and one line for each of the first `TOP` items; nothing without items."""
    return ["", title, *(line(item) for item in items[:TOP])] if items else []


def _bottleneck(b: Bottleneck) -> str:
    causes = ", ".join(f"{k} {v}" for k, v in b.causes.items())
    return (
        f"  {b.workcenter_code:<10} {b.gap_shifts:>3} shifts  {_h(b.hours_at_risk):>12} at risk  "
        f"{_h(b.hours_at_risk_after_cover):>12} after cover  needs {' '.join(b.required) or '-'}  ({causes})"
    )


def _skill_bottleneck(s: SkillBottleneck) -> str:
    label = f"{s.skill_code}:L{s.min_level}"
    return f"  {label:<18} {s.workcenters:>4} workcenters  {_h(s.hours_at_risk_after_cover):>12}  {s.holders} holders"


def _blocking(a: CertificationAlert) -> str:
    when = f"lapsed {a.expires}" if a.kind == "lapsed" else f"expires {a.expires}"
    places = ", ".join(sorted({b.workcenter_code for b in a.blocked}))
    return (
        f"  {a.skill_code} L{a.level} of employee {a.employee_id[:8]} ({when}): "
        f"{len(a.blocked)} shifts at {places}, {_h(a.hours_blocked)} scheduled, {_h(a.hours_at_risk)} at risk"
        + ("; USED WHILE LAPSED" if a.in_use else "")
    )


def _lapse_use(u: LapseUse) -> str:
    state = "still lapsed" if u.still_lapsed else f"renewed {u.renewed_on}"
    return (
        f"  {u.skill_code} L{u.level} of employee {u.employee_id[:8]}: {len(u.labor_entry_ids)} labor entries "
        f"({_h(u.labor_hours)}), {u.logins} logins, {u.first_day} to {u.last_day}; {state}"
    )


def _training(r: TrainingRecommendation) -> str:
    best = r.candidates[0]
    return f"  {r.workcenter_code:<10} employee {best.employee_id[:8]}: {best.reason} (score {best.score:.1f})"
