"""`REVIEW_CUTS` chosen again by their rule, on development plants only: are the shipped cuts the rule's?

Run by `make bench` (never by `make test`). The procedure `REVIEW_CUTS` documents, as code (it was scratch scripts
before): the scorer's examples from `TRAINING_PLANTS` (as `plexlabor train` makes them), each early/late type's
model fitted uncut; every early/late candidate of the development plants scored by it (the engine's floor and
ceiling kept: a cut c sends a candidate to review when the model moved by logit(review) - logit(c) does); then,
on a grid of 0.1-0.975 by 0.025, of the cuts whose false findings (every type) on the null plants stay within
`BUDGET` per 1,000 worked shift-days and whose `easy` F1 stays >= 0.98 per type, the most types at F1 >= 0.85 on
the `realistic` plants (against the true labels), then the highest summed F1. It fails when the rule picks other
cuts than the shipped ones (the engine or the plants changed since they were chosen: choose again, retrain with
`make model`, and measure once on the evaluation seeds). The evaluation seeds are never generated here.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from plexlabor.plant import PlantFolder
from plexlabor.validation.data import PlantData
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.norms import compute_norms
from plexlabor.validation.shifts import employee_days
from plexlabor.validation.training import examples_from_plants, fit_scorer
from plexlabor_dev.commands.validation import (
    EVALUATION_SEEDS,
    REVIEW_CUTS,
    TRAINING_PLANTS,
    TRAINING_SEEDS,
    generate_training_plants,
)
from plexlabor_dev.simulator.context import DEFAULT_END
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant
from plexlabor_dev.simulator.normals import NORMAL_PATTERNS
from tests.bench.bench_validation_difficulty import true_labels

EMPLOYEES, WEEKS, ANOMALY_RATE = 200, 12, 0.05
DEVELOPMENT_SEEDS = (2001, 2002)
"""`realistic` (F1) and `easy` (F1 kept) plants."""
NULL_SEEDS = (2001, 2002, 2003, 2004)
"""No anomaly, every hard normal pattern (as `bench_validation_hard`'s null plants, on development seeds)."""
HELD_OUT = (1101, 1102, 1103, 1104, 1201, 1202)
END_DATES = (date(2026, 4, 3), DEFAULT_END)
BUDGET = 1.0  # false findings per 1,000 worked shift-days on the null plants, every type
EASY_F1 = 0.98
TARGET_F1 = 0.85
GRID = tuple(round(0.1 + 0.025 * step, 3) for step in range(36))
TYPES = tuple(REVIEW_CUTS)


@dataclass(frozen=True)
class Scored:
    """An early/late candidate as the uncut model scores it."""

    anomaly: str
    probability: float
    floor: float
    ceiling: float
    true: bool


@dataclass
class Plant:
    candidates: list[Scored]
    supports: Counter[str]  # true labels per type
    other_false: int  # findings at review of the types without a cut (null plants: every one is false)
    worked: int


def _reviewed(candidate: Scored, cut: float, review: float) -> bool:
    def logit(p: float) -> float:
        p = min(max(p, 1e-12), 1 - 1e-12)
        return math.log(p / (1 - p))

    moved = 1 / (1 + math.exp(-(logit(candidate.probability) + logit(review) - logit(cut))))
    return round(min(candidate.ceiling, max(candidate.floor, moved)), 4) >= review


def _f1(true: int, flagged: int, support: int) -> float:
    return 2 * true / (flagged + support) if true else 0.0


def _measure(folder: PlantFolder, engine: ValidationEngine) -> Plant:
    data = PlantData.from_folder(folder)
    norms = compute_norms(data)
    candidates = engine.candidates(data, norms)
    labels = true_labels(folder)
    truth = {(label.record_key, label.anomaly_type.value) for label in labels}
    scored = [
        Scored(
            c.anomaly.value, engine.model.confidence(c), c.floor, c.ceiling, (c.record_key, c.anomaly.value) in truth
        )
        for c in candidates
        if c.anomaly.value in TYPES
    ]
    review = engine.settings.review_threshold
    others = sum(
        f.confidence >= review and f.anomaly_type.value not in TYPES for f in engine.findings(candidates, data, norms)
    )
    worked = sum(len(employee_days(data, employee)) for employee in data.punches)
    return Plant(scored, Counter(label.anomaly_type.value for label in labels), others, worked)


def test_the_shipped_review_cuts_are_the_rules(tmp_path: Path) -> None:
    assert not {*DEVELOPMENT_SEEDS, *NULL_SEEDS} & {*TRAINING_SEEDS, *EVALUATION_SEEDS, *HELD_OUT}
    uncut = fit_scorer(
        examples_from_plants(generate_training_plants(list(TRAINING_PLANTS), tmp_path)), {}, own_models=TYPES
    )
    engine = ValidationEngine(model=uncut)
    review = engine.settings.review_threshold
    plants: dict[str, list[Plant]] = {"realistic": [], "easy": [], "null": []}
    for seed in DEVELOPMENT_SEEDS:
        for difficulty in ("realistic", "easy"):
            path = tmp_path / f"{difficulty}-{seed}"
            generate_plant(
                PlantSpec(
                    employees=EMPLOYEES, weeks=WEEKS, seed=seed, anomaly_rate=ANOMALY_RATE, difficulty=difficulty
                ),
                path,
            )
            plants[difficulty].append(_measure(PlantFolder(path), engine))
    for index, seed in enumerate(NULL_SEEDS):
        path = tmp_path / f"null-{seed}"
        spec = PlantSpec(
            employees=EMPLOYEES,
            weeks=WEEKS,
            seed=seed,
            anomaly_rate=0.0,
            end_date=END_DATES[index % len(END_DATES)],
            hard_normals=frozenset(NORMAL_PATTERNS),
        )
        generate_plant(spec, path)
        plants["null"].append(_measure(PlantFolder(path), engine))

    def f1(kind: str, anomaly: str, cut: float) -> float:
        flagged = [c for p in plants[kind] for c in p.candidates if c.anomaly == anomaly and _reviewed(c, cut, review)]
        support = sum(p.supports[anomaly] for p in plants[kind])
        return _f1(sum(c.true for c in flagged), len(flagged), support)

    def false(anomaly: str, cut: float) -> int:
        return sum(c.anomaly == anomaly and _reviewed(c, cut, review) for p in plants["null"] for c in p.candidates)

    options = {
        anomaly: [
            (cut, f1("realistic", anomaly, cut), false(anomaly, cut))
            for cut in GRID
            if f1("easy", anomaly, cut) >= EASY_F1
        ]
        for anomaly in TYPES
    }
    worked = sum(p.worked for p in plants["null"])
    budget = BUDGET * worked / 1000 - sum(p.other_false for p in plants["null"])
    allowed = (combo for combo in itertools.product(*options.values()) if sum(o[2] for o in combo) <= budget)
    best = max(allowed, key=lambda combo: (sum(o[1] >= TARGET_F1 for o in combo), round(sum(o[1] for o in combo), 6)))
    chosen = dict(zip(TYPES, (o[0] for o in best), strict=True))
    print(
        f"\n\nREVIEW_CUTS by their rule on development plants ({worked:,} null shift-days, budget {BUDGET} per 1,000)"
    )
    for anomaly, (cut, score, found) in zip(TYPES, best, strict=True):
        print(
            f"{anomaly:16} cut {cut:5.3f}  realistic F1 {score:.3f}  null false findings {found}  "
            f"(shipped {REVIEW_CUTS[anomaly]})"
        )
    others = sum(p.other_false for p in plants["null"])
    print(f"false findings of the other types {others}; all {others + sum(o[2] for o in best)}")
    assert chosen == REVIEW_CUTS
