"""`plexlabor validate` and `plexlabor train`."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from plexlabor.plant import PlantFolder
from plexlabor.validation.findings import read_findings, write_findings

TRAINING_SEEDS = (101, 102, 103)
"""Plants the packaged scorer is trained on. Benchmarks evaluate on other seeds only."""
TRAINING_SPEC = {"employees": 200, "weeks": 16, "anomaly_rate": 0.08}
EVALUATION_SEEDS = (201, 202, 203)
"""Plants the benchmarks report on: never trained or tuned on."""


def _instant(value: str | None, name: str) -> float | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"--{name}: '{value}' is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        raise ValueError(f"--{name}: '{value}' has no time zone; add Z or an offset")
    return parsed.timestamp()


def validate_command(args: argparse.Namespace) -> int:
    """Validate a plant folder and write findings as JSON lines."""
    since, until = _instant(args.since, "since"), _instant(args.until, "until")
    folder = PlantFolder(args.plant)
    folder.meta()  # a clear error if this is not a plant folder
    started = time.perf_counter()
    if args.method == "baseline":
        from plexlabor.validation.baseline import run_baseline

        findings = list(
            run_baseline(
                folder,
                datetime.fromtimestamp(since).astimezone() if since else None,
                datetime.fromtimestamp(until).astimezone() if until else None,
            )
        )
    else:
        from plexlabor.validation.data import PlantData
        from plexlabor.validation.engine import ValidationEngine
        from plexlabor.validation.scorer import ScorerModel

        engine = ValidationEngine(model=ScorerModel.load(args.model))
        findings = engine.batch(PlantData.from_folder(folder), since=since, until=until)
    count = write_findings(args.out, findings)
    review = sum(f.route == "review" for f in findings)
    print(
        f"{count} findings ({review} for review) in {time.perf_counter() - started:.1f} s -> {args.out}",
        file=sys.stderr,
    )
    return 0


def train_command(args: argparse.Namespace) -> int:
    """Train the scorer on generated training plants (and supervisors' decisions, if given)."""
    from plexlabor.validation.training import examples_from_decisions, examples_from_plants, fit_scorer
    from plexlabor_dev.simulator.generator import PlantSpec, generate_plant

    seeds = tuple(args.seeds) if args.seeds else TRAINING_SEEDS
    with tempfile.TemporaryDirectory() as tmp:
        folders = []
        for seed in seeds:
            path = Path(tmp) / f"train-{seed}"
            generate_plant(PlantSpec(seed=seed, **TRAINING_SPEC), path)  # type: ignore[arg-type]
            folders.append(PlantFolder(path))
        examples = examples_from_plants(folders)
    if args.decisions:
        decisions = []
        for finding in read_findings(args.decisions):
            verdict = finding.evidence.get("decision")
            if verdict in ("approved", "rejected"):
                decisions.append((finding, verdict == "approved"))
        examples.extend(examples_from_decisions(decisions))
    model = fit_scorer(examples, {"seeds": list(seeds), "spec": TRAINING_SPEC, "examples": len(examples)})
    model.save(args.out)
    print(f"{model.version}: {len(examples)} examples from seeds {list(seeds)} -> {args.out}", file=sys.stderr)
    return 0
