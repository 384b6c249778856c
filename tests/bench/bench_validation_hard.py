"""Validation on plants with the hard normal patterns on (issue 11), beside the same plants without them.

Run by `make bench` (never by `make test`). Two figures, both on held-out seeds never used while the
patterns or the engine's fixes were developed (development used `DEVELOPMENT_SEEDS`):

- per anomaly type, precision / recall / F1 on plants with injected anomalies, with the patterns off
  ("easy", as `bench_validation.py`) and on ("hard"), same seeds;
- false findings per 1,000 shift-days on plants with **no** injected anomaly and every pattern on, per
  pattern (`normal-patterns.jsonl` says which shift-days each one shaped), and on the days no pattern
  touched ("plain"); every finding there is false. Target: <= 2 per 1,000 shift-days in total.

One plant of each pair ends in spring (its window holds the March DST night), the other in autumn.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from plexlabor.models.anomalies import AnomalyType
from plexlabor.plant import PlantFolder
from plexlabor.validation.data import PlantData
from plexlabor.validation.engine import ValidationEngine, record_times
from plexlabor.validation.findings import Finding
from plexlabor.validation.norms import compute_norms
from plexlabor.validation.scoring import ScoreReport, label_bearing_record_count, score
from plexlabor.validation.shifts import employee_days
from plexlabor_dev.commands.validation import EVALUATION_SEEDS, TRAINING_SEEDS
from plexlabor_dev.simulator.context import DEFAULT_END
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant
from plexlabor_dev.simulator.normals import NORMAL_PATTERNS, NormalDay, read_truth

EMPLOYEES, WEEKS = 200, 12
ANOMALY_SEEDS = (1101, 1102)
"""Plants with injected anomalies (rate 0.05): precision and recall, patterns off and on."""
NULL_SEEDS = (1103, 1104)
"""Plants with no injected anomaly and every pattern on: false findings per pattern."""
DEVELOPMENT_SEEDS = (2001, 2002)
"""What the patterns and the engine's fixes were developed on; never reported here."""
END_DATES = (date(2026, 4, 3), DEFAULT_END)
"""The two windows: one holds the spring DST night (2026-03-07/08), the other the autumn one (10-31/11-01)."""
MARGIN = 4 * 3600.0
"""A finding belongs to a pattern's shift-day if its record lies within this of the window worked."""
ALL_PATTERNS = frozenset(NORMAL_PATTERNS)


@dataclass
class Validated:
    folder: PlantFolder
    data: PlantData
    findings: list[Finding]
    records: int
    seconds: float


def validate_plant(path: Path, spec: PlantSpec, engine: ValidationEngine) -> Validated:
    """Generate a plant and validate all of it."""
    generate_plant(spec, path)
    folder = PlantFolder(path)
    started = time.perf_counter()
    data = PlantData.from_folder(folder)
    findings = engine.batch(data, compute_norms(data))
    return Validated(folder, data, findings, label_bearing_record_count(folder), time.perf_counter() - started)


def spec_for(seed: int, index: int, anomaly_rate: float, hard: bool) -> PlantSpec:
    return PlantSpec(
        employees=EMPLOYEES,
        weeks=WEEKS,
        seed=seed,
        anomaly_rate=anomaly_rate,
        end_date=END_DATES[index % len(END_DATES)],
        hard_normals=ALL_PATTERNS if hard else frozenset(),
    )


@dataclass
class FalseFindings:
    """Shift-days and the findings on them, per pattern ("plain": days no pattern shaped)."""

    days: Counter[str]
    findings: dict[str, Counter[str]]  # pattern -> anomaly type -> findings
    worked_days: int = 0
    """Every worked shift-day (a day two patterns shaped is in both of their counts, once here)."""
    total: int = 0
    """Every finding at review confidence (once, whatever the patterns of its day)."""

    def add(self, other: FalseFindings) -> None:
        self.days.update(other.days)
        for pattern, counter in other.findings.items():
            self.findings.setdefault(pattern, Counter()).update(counter)
        self.worked_days += other.worked_days
        self.total += other.total


def false_findings(plant: Validated, min_confidence: float) -> FalseFindings:
    """Attribute each finding at review confidence on a plant with no anomaly to the patterns of its day."""
    truth: dict[str, list[NormalDay]] = defaultdict(list)
    for day in read_truth(plant.folder.path):
        truth[day.employee_id].append(day)
    measured = FalseFindings(Counter(day.pattern for day in read_truth(plant.folder.path)), {})
    for employee in plant.data.punches:
        for worked in employee_days(plant.data, employee):
            measured.worked_days += 1
            if not _patterns_at(truth[employee], worked.punches[0].t_in):
                measured.days["plain"] += 1
    times = record_times(plant.data)
    for finding in plant.findings:
        if finding.confidence < min_confidence:
            continue
        measured.total += 1
        t = times.get(finding.record_key)
        patterns = _patterns_at(truth[finding.employee_id or ""], t) if t is not None else set()
        for pattern in patterns or {"plain"}:
            measured.findings.setdefault(pattern, Counter())[finding.anomaly_type.value] += 1
    return measured


def _patterns_at(days: list[NormalDay], t: float) -> set[str]:
    return {day.pattern for day in days if day.start - MARGIN <= t <= day.end + MARGIN}


def print_scores(easy: ScoreReport, hard: ScoreReport) -> None:
    print(f"{'type':28} | {'easy sup':>8} {'P':>6} {'R':>6} {'F1':>6} | {'hard sup':>8} {'P':>6} {'R':>6} {'F1':>6}")
    for anomaly in AnomalyType:
        a, b = easy.per_type[anomaly], hard.per_type[anomaly]
        print(
            f"{anomaly.value:28} | {a.support:8d} {a.precision:6.3f} {a.recall:6.3f} {a.f1:6.3f} | "
            f"{b.support:8d} {b.precision:6.3f} {b.recall:6.3f} {b.f1:6.3f}"
        )
    a, b = easy.overall, hard.overall
    print(
        f"{'overall (micro)':28} | {a.support:8d} {a.precision:6.3f} {a.recall:6.3f} {a.f1:6.3f} | "
        f"{b.support:8d} {b.precision:6.3f} {b.recall:6.3f} {b.f1:6.3f}"
    )


def print_false_findings(measured: FalseFindings) -> None:
    print(f"{'pattern':18} {'shift-days':>10} {'findings':>8} {'per 1,000':>9}  most common types")
    for pattern in (*NORMAL_PATTERNS, "plain"):
        days, found = measured.days[pattern], measured.findings.get(pattern, Counter())
        count = sum(found.values())
        rate = 1000 * count / days if days else 0.0
        common = ", ".join(f"{name} {n}" for name, n in found.most_common(4))
        print(f"{pattern:18} {days:10d} {count:8d} {rate:9.1f}  {common}")
    rate = 1000 * measured.total / max(measured.worked_days, 1)
    print(
        f"all: {measured.total} findings on {measured.worked_days} worked shift-days = {rate:.1f} per 1,000 "
        f"(target <= 2; a finding on a day two patterns shaped counts for both above)"
    )


def measure(tmp_path: Path, anomaly_seeds: tuple[int, ...], null_seeds: tuple[int, ...]) -> None:
    engine = ValidationEngine()
    review = engine.settings.review_threshold
    reports = {}
    for hard in (False, True):
        findings, labels, records = [], [], 0
        for index, seed in enumerate(anomaly_seeds):
            plant = validate_plant(tmp_path / f"p-{seed}-{hard}", spec_for(seed, index, 0.05, hard), engine)
            findings.extend(plant.findings)
            labels.extend(plant.folder.labels())
            records += plant.records
        reports[hard] = score(findings, labels, records, min_confidence=review)
    print(
        f"\n\nHard normal patterns: seeds {list(anomaly_seeds)} (anomaly rate 0.05) and {list(null_seeds)} "
        f"(none), {EMPLOYEES} employees x {WEEKS} weeks, ending {', '.join(map(str, END_DATES))}; "
        f"counted at review confidence >= {review}"
    )
    print_scores(reports[False], reports[True])
    measured = FalseFindings(Counter(), {})
    for index, seed in enumerate(null_seeds):
        plant = validate_plant(tmp_path / f"null-{seed}", spec_for(seed, index, 0.0, True), engine)
        assert not list(plant.folder.labels()), "no anomaly injected, and normal patterns are never labelled"
        measured.add(false_findings(plant, review))
    print("\nFalse findings on plants with no anomaly, every pattern on:")
    print_false_findings(measured)


def test_validation_hard_patterns_benchmark(tmp_path: Path) -> None:
    held_out = {*ANOMALY_SEEDS, *NULL_SEEDS}
    assert not held_out & {*TRAINING_SEEDS, *EVALUATION_SEEDS, *DEVELOPMENT_SEEDS}
    measure(tmp_path, ANOMALY_SEEDS, NULL_SEEDS)
