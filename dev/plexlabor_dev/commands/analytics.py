"""`plexlabor analytics scores --plant DIR [--weeks N] [--json]`: operator, crew and shift scores."""

from __future__ import annotations

import argparse
import json
from datetime import timedelta
from typing import Any

from scipy import stats

from plexlabor.analytics.inputs import read_inputs
from plexlabor.analytics.report import ScoresReport
from plexlabor.analytics.scores import MEASURES, score
from plexlabor.plex import PlantFolderSource
from plexlabor_dev.commands import plant_flag
from plexlabor_dev.progress import step
from plexlabor_dev.simulator.operators import OperatorTruth, read_truth

TRUE_MEASURES = ("efficiency", "scrap_share", "caused_stops_per_entry", "nonconformances_per_entry")
"""Measures a generated plant knows the truth of (`operator-effects.jsonl`)."""


def scores_command(args: argparse.Namespace) -> int:
    """Score the last `--weeks` weeks of a plant folder; a summary, or JSON per operator."""
    folder = plant_flag(args.plant)
    if not 1 <= args.weeks <= 104:
        raise ValueError("--weeks: must be between 1 and 104")
    end = folder.meta().end
    step(f"reading the last {args.weeks} weeks of labor, scrap, downtime and nonconformances")
    report = score(read_inputs(PlantFolderSource(folder), end - timedelta(weeks=args.weeks), end))
    if not report.operators:
        raise ValueError(f"--weeks {args.weeks}: no labor entries to score in {args.plant}'s last {args.weeks} weeks")
    correlations = true_correlations(report, read_truth(folder.path))
    if args.json:
        print(json.dumps(_as_json(report, correlations), indent=2))
    else:
        print(format_summary(report, correlations))
    return 0


def true_correlations(report: ScoresReport, truth: dict[str, OperatorTruth]) -> dict[str, float]:
    """Spearman correlation of each measure's estimates with the generator's true effects (empty without truth)."""
    scored = [unit for unit in report.operators if unit.key in truth]
    if len(scored) < 3:
        return {}
    found: dict[str, float] = {}
    for name in TRUE_MEASURES:
        rho = stats.spearmanr(
            [unit.measures[name].estimate for unit in scored], [getattr(truth[unit.key], name) for unit in scored]
        ).statistic
        found[name] = round(float(rho), 4)
    return found


def _as_json(report: ScoresReport, correlations: dict[str, float]) -> dict[str, Any]:
    return {
        "begin": report.begin.isoformat(),
        "end": report.end.isoformat(),
        "operators": [
            {
                "employee": unit.label,
                "entries": unit.entries,
                **{
                    name: {
                        "estimate": score.estimate,
                        "interval": [score.low, score.high],
                        "raw": score.raw,
                        "rank": score.rank,
                    }
                    for name, score in unit.measures.items()
                },
            }
            for unit in report.operators
        ],
        "spearman_with_true_effects": correlations,
        "absent": {name: absent.reason for name, absent in report.absent.items()},
    }


def format_summary(report: ScoresReport, correlations: dict[str, float]) -> str:
    lines = [
        f"scores {report.begin:%Y-%m-%d} to {report.end:%Y-%m-%d}: {len(report.operators)} operators, "
        f"{len(report.crews)} crews, {len(report.shifts)} shifts"
    ]
    for measure in MEASURES:
        summary = report.measures.get(measure.name, {}).get("operator")
        if summary is None:
            continue
        rho = f"; Spearman with true effects {correlations[measure.name]:.3f}" if measure.name in correlations else ""
        lines.append(
            f"  {measure.label}: plant {summary.target:.4g}, spread {summary.spread:.3g}, "
            f"{summary.outside_funnel} outside the 99.8 % funnel, {summary.ranked} ranked{rho}"
        )
    lines.extend(f"  {absent.label}: not scored ({absent.reason})" for absent in report.absent.values())
    return "\n".join(lines)
