"""`plexlabor incidents train|evaluate`: the OIICS classifier on coded reports in the OSHA layout.

    plexlabor incidents train --osha TRAIN.csv --out MODEL
    plexlabor incidents evaluate --model MODEL --osha TEST.csv [--json]

`train` chooses the auto-coding thresholds on the newest 20 % of TRAIN.csv (by event date) and then
refits on all of it; `evaluate` scores MODEL on reports it did not see. A file that does not parse is
named with its line and column (exit 2), and no model file is written.
"""

from __future__ import annotations

import argparse
import json

from plexlabor.incidents.classifier import NEVER, IncidentClassifier
from plexlabor.incidents.evaluation import evaluate
from plexlabor.incidents.reports import read_coded_reports
from plexlabor_dev.progress import step


def train_command(args: argparse.Namespace) -> int:
    reports = read_coded_reports(args.osha)
    step(f"training on {len(reports)} reports")
    classifier = IncidentClassifier.train(reports)
    classifier.save(args.out)
    card = classifier.card
    assert card is not None  # set by train
    threshold = card.thresholds["event_division"]
    print(
        f"trained on {card.reports} reports ({card.first_date} to {card.last_date}); "
        f"auto-code threshold {threshold if threshold != NEVER else 'never'} chosen on the newest "
        f"{card.validation_reports}: {card.validation_auto_coded_share:.1%} auto-coded at "
        f"{card.validation_auto_coded_accuracy:.1%} accuracy; wrote {args.out}"
    )
    return 0


def evaluate_command(args: argparse.Namespace) -> int:
    classifier = IncidentClassifier.load(args.model)
    figures = evaluate(classifier, read_coded_reports(args.osha))
    if args.json:
        print(json.dumps(figures, indent=2, sort_keys=True))
        return 0
    print(f"{figures['reports']} reports")
    for name in ("event_division", "event_group", "nature_division", "part_division", "source_division"):
        print(f"  {name:16s} accuracy {figures[f'{name}_accuracy']:.3f}  macro-F1 {figures[f'{name}_macro_f1']:.3f}")
    print(
        f"  auto-coded {figures['auto_coded_share']:.1%} of reports (confidence >= {figures['auto_code_threshold']}), "
        f"event division accuracy on them {figures['auto_coded_accuracy']:.1%}, "
        f"event group {figures['auto_coded_group_accuracy']:.1%}"
    )
    return 0
