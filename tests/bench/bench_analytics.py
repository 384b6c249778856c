"""Operator scores against the generator's true effects, on plants never used in development.

Run by `make bench` (never by `make test`). Three plants, `PlantSpec(employees=250, weeks=12, seed=s)`
for s in 701-703 (development used seeds 5 and 3 only), and one null plant (seed 704, no true
differences between operators). Printed per measure:

- Spearman rank correlation of the estimates with the true effects over 12 weeks (every operator;
  target >= 0.8) and over 3 weeks;
- RMSE of the estimates and of the raw ratios against the truth for operators with fewer than 50
  entries in a 3-week window (target: >= 30 % lower);
- on the null plant, the share of operators outside the 99.8 % funnel limits (8 and 3 weeks; target <= 5 %);
- on the three plants, the share outside the limits over 12 weeks and over the nightly run's 4 weeks. The
  generator draws every operator's effects from one smooth spread (pace about N(1, 0.1) within 0.7-1.3),
  with nobody far beyond it, so 99.8 % limits that allow for that spread should leave out about 0.2 %;
- planted outliers: in each plant's 4 weeks, 4 operators with 30+ entries get a true pace of 0.55 or 1.5
  (their earned hours times 0.55 or 1.5 over their true pace: what that pace records; the plant's paces
  spread by 0.1 within 0.7-1.3) and 4 others 5 times the plant's mean true scrap share (their scrap times
  that over their own; the generator's scrap factor stops at 3); printed, the planted ones outside the
  limits (recall) and the share of those outside who were planted (precision).
Nothing is asserted against the targets: the figures are printed as measured.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
from scipy import stats

from plexlabor.analytics.inputs import ScoreInputs, read_inputs
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
NIGHTLY_WEEKS = 4
PLANTED_PACES = (0.55, 1.5, 0.55, 1.5)
PLANTED_SCRAP = 5.0


def _plant_outliers(
    inputs: ScoreInputs, truth: dict[str, OperatorTruth], seed: int
) -> tuple[ScoreInputs, dict[str, set[str]]]:
    """`inputs` with 8 operators of 30+ entries changed: 4 to a true pace of `PLANTED_PACES`, 4 to
    `PLANTED_SCRAP` times the plant's mean true scrap share; and who was changed, per measure."""
    busy = sorted(key for key, rows in inputs.entries.items() if len(rows) >= 30 and key in truth)
    chosen = [str(key) for key in np.random.default_rng(seed).choice(busy, size=8, replace=False)]
    entries = dict(inputs.entries)
    for key, pace in zip(chosen[:4], PLANTED_PACES, strict=True):
        factor = pace / truth[key].efficiency
        entries[key] = [
            dataclasses.replace(e, earned_hours=None if e.earned_hours is None else e.earned_hours * factor)
            for e in entries[key]
        ]
    mean_scrap = float(np.mean([t.scrap_share for t in truth.values()]))
    for key in chosen[4:]:
        factor = PLANTED_SCRAP * mean_scrap / truth[key].scrap_share
        entries[key] = [dataclasses.replace(e, scrap=e.scrap * factor) for e in entries[key]]
    return dataclasses.replace(inputs, entries=entries), {"efficiency": set(chosen[:4]), "scrap_share": set(chosen[4:])}


def _outside(report: ScoresReport, name: str) -> set[str]:
    return {u.key for u in report.operators if u.measures[name].outside_funnel}


def _share_outside(report: ScoresReport, name: str) -> float:
    return len(_outside(report, name)) / len(report.operators)


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
    outside_long: dict[str, list[float]] = {name: [] for name in TRUE_MEASURES}
    outside_nightly: dict[str, list[float]] = {name: [] for name in TRUE_MEASURES}
    found: dict[str, list[tuple[int, int, int]]] = {"efficiency": [], "scrap_share": []}
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
        end = folder.meta().end
        nightly = read_inputs(PlantFolderSource(folder), end - timedelta(weeks=NIGHTLY_WEEKS), end)
        as_found = score(nightly)
        changed, planted = _plant_outliers(nightly, truth, seed)
        with_planted = score(changed)
        for name in TRUE_MEASURES:
            outside_long[name].append(_share_outside(long, name))
            outside_nightly[name].append(_share_outside(as_found, name))
        for name, who in planted.items():
            flagged = _outside(with_planted, name)
            found[name].append((len(flagged & who), len(who), len(flagged)))
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
    print(
        f"{'measure':<28} {'outside 99.8 %, 12 w':>22} {f'{NIGHTLY_WEEKS} w':>14} "
        f"{'planted outliers outside (recall)':>34} {'of all outside (precision)':>27}"
    )
    for name in TRUE_MEASURES:
        line = (
            f"{name:<28} {min(outside_long[name]):>14.1%}-{max(outside_long[name]):.1%} "
            f"{min(outside_nightly[name]):>7.1%}-{max(outside_nightly[name]):.1%}"
        )
        if name in found:
            hit, planted_count, flagged_count = (sum(row[i] for row in found[name]) for i in range(3))
            line += f" {hit:>25}/{planted_count} {hit:>22}/{flagged_count}"
        print(line)
