"""Operator scores against the generator's true effects, on plants never used in development.

Run by `make bench` (never by `make test`). Three plants, `PlantSpec(employees=250, weeks=12, seed=s)`
for s in 701-703 (development used seeds 5 and 3 only), and one null plant (seed 704, no true
differences between operators). Printed per measure:

- Spearman rank correlation of the estimates with the true effects over 12 weeks (every operator;
  target >= 0.8) and over 3 weeks;
- RMSE of the estimates and of the raw ratios against the truth for operators with fewer than 50
  entries in a 3-week window (target: >= 30 % lower);
- on the null plant, the share of operators outside the 99.8 % funnel limits (8 and 3 weeks; target <= 5 %).
Nothing is asserted against the targets: the figures are printed as measured.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import numpy as np
from scipy import stats

from plexlabor.analytics.inputs import read_inputs
from plexlabor.analytics.report import ScoresReport
from plexlabor.analytics.scores import score
from plexlabor.plant import PlantFolder
from plexlabor.plex import PlantFolderSource
from plexlabor_dev.commands.analytics import TRUE_MEASURES
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant
from plexlabor_dev.simulator.operators import OperatorTruth, read_truth

SEEDS = (701, 702, 703)
NULL_SEED = 704
EMPLOYEES, WEEKS = 250, 12
FEW_ENTRIES = 50


def _scores(folder: PlantFolder, weeks: int) -> tuple[ScoresReport, float]:
    end = folder.meta().end
    started = time.perf_counter()
    report = score(read_inputs(PlantFolderSource(folder), end - timedelta(weeks=weeks), end))
    return report, time.perf_counter() - started


def _spearman(report: ScoresReport, truth: dict[str, OperatorTruth], name: str) -> float:
    units = [u for u in report.operators if u.key in truth]
    estimates = [u.measures[name].estimate for u in units]
    return float(stats.spearmanr(estimates, [getattr(truth[u.key], name) for u in units]).statistic)


def _rmse(report: ScoresReport, truth: dict[str, OperatorTruth], name: str) -> tuple[float, float, int]:
    units = [u for u in report.operators if u.key in truth and u.entries < FEW_ENTRIES]
    true = np.array([getattr(truth[u.key], name) for u in units])
    estimate = np.array([u.measures[name].estimate for u in units])
    raw = np.array([u.measures[name].raw for u in units])
    return float(np.sqrt(np.mean((estimate - true) ** 2))), float(np.sqrt(np.mean((raw - true) ** 2))), len(units)


def test_analytics_benchmark(tmp_path: Path) -> None:
    rho_long: dict[str, list[float]] = {name: [] for name in TRUE_MEASURES}
    rho_short: dict[str, list[float]] = {name: [] for name in TRUE_MEASURES}
    errors: dict[str, list[tuple[float, float, int]]] = {name: [] for name in TRUE_MEASURES}
    seconds = []
    for seed in SEEDS:
        folder = PlantFolder(tmp_path / f"s{seed}")
        generate_plant(PlantSpec(employees=EMPLOYEES, weeks=WEEKS, seed=seed), folder.path)
        truth = read_truth(folder.path)
        long, took = _scores(folder, WEEKS)
        short, _ = _scores(folder, 3)
        seconds.append(took)
        for name in TRUE_MEASURES:
            rho_long[name].append(_spearman(long, truth, name))
            rho_short[name].append(_spearman(short, truth, name))
            errors[name].append(_rmse(short, truth, name))
    null = PlantFolder(tmp_path / "null")
    generate_plant(PlantSpec(employees=EMPLOYEES, weeks=8, seed=NULL_SEED, operator_effects=False), null.path)
    null_reports = {weeks: _scores(null, weeks)[0] for weeks in (8, 3)}

    print(
        f"\nanalytics: seeds {SEEDS}, {EMPLOYEES} employees x {WEEKS} weeks; scoring 12 weeks took "
        f"{', '.join(f'{s:.1f}' for s in seconds)} s (read + score)"
    )
    print(
        f"{'measure':<28} {'Spearman 12 w':>14} {'Spearman 3 w':>13} {'RMSE <50 entries: est / raw':>30} "
        f"{'lower':>6} {'null outside 99.8 % (8 w / 3 w)':>33}"
    )
    for name in TRUE_MEASURES:
        estimate = float(np.sqrt(np.mean([e**2 for e, _, _ in errors[name]])))
        raw = float(np.sqrt(np.mean([r**2 for _, r, _ in errors[name]])))
        few = sum(n for _, _, n in errors[name])
        outside = [
            sum(1 for u in report.operators if u.measures[name].outside_funnel) / len(report.operators)
            for report in null_reports.values()
        ]
        print(
            f"{name:<28} {min(rho_long[name]):>6.3f}-{max(rho_long[name]):.3f} "
            f"{min(rho_short[name]):>6.3f}-{max(rho_short[name]):.3f} "
            f"{estimate:>12.5f} / {raw:.5f} (n={few:>3}) {1 - estimate / raw:>6.1%} "
            f"{outside[0]:>16.1%} / {outside[1]:.1%}"
        )
