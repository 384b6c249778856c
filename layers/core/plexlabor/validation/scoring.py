"""Score findings against ground-truth labels: precision, recall and F1 per anomaly type and overall.

Both sides are reduced to sets of `(record_key, anomaly_type)` pairs (docs/data-format.md), so a
finding repeated twice counts once and a record may carry several types.

Conventions where a ratio would be 0/0 (they make an empty type a perfect match of two empty sets,
and a type that only raises false alarms, or only misses, score 0):

- precision = TP / (TP + FP); with no findings of the type: 1.0 if the type has no labels, else 0.0.
- recall = TP / (TP + FN); with no labels of the type: 1.0 if the type has no findings, else 0.0.
- F1 = 2PR / (P + R); 0.0 when P + R = 0.

The printed table shows "n/a" where a ratio is over nothing (no findings, or no labels, of the type);
the JSON keeps the conventions above.

`support` is the number of labelled pairs of the type, `flagged` the number of distinct finding pairs.
The overall figures are micro-averaged (summed TP, FP, FN over every type).

`plexlabor score` scores what goes to a supervisor (route `review`) and prints a second overall line with the
trend log's findings too (route `trend`: logged for trends, never sent for review), so a low-confidence trend
finding does not read as a false alarm somebody was sent (ux_s16 #4).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from plexlabor.models.anomalies import AnomalyLabel, AnomalyType
from plexlabor.plant import LABELS_FILE, META_FILE, PlantFolder, read_labels
from plexlabor.validation.findings import Finding, read_findings

LABEL_BEARING_RESOURCES = ("time-clock-entries", "labor-entries", "workcenter-events", "badge-swipes")
"""The resources whose records can carry labels (docs/data-format.md, "Record keys")."""


class TypeScore(BaseModel):
    """Counts and ratios for one anomaly type (or for all of them, micro-averaged)."""

    model_config = ConfigDict(frozen=True)

    support: int
    flagged: int
    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float

    @classmethod
    def from_counts(cls, tp: int, fp: int, fn: int) -> TypeScore:
        flagged, support = tp + fp, tp + fn
        precision = tp / flagged if flagged else (1.0 if support == 0 else 0.0)
        recall = tp / support if support else (1.0 if flagged == 0 else 0.0)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return cls(support=support, flagged=flagged, tp=tp, fp=fp, fn=fn, precision=precision, recall=recall, f1=f1)


class ScoreReport(BaseModel):
    """The result of `score`: per type (every AnomalyType, in declaration order) and overall."""

    model_config = ConfigDict(frozen=True)

    per_type: dict[AnomalyType, TypeScore]
    overall: TypeScore
    min_confidence: float
    findings_used: int
    """Findings at or above `min_confidence` (before repeated pairs are merged)."""
    findings_ignored: int
    """Findings below `min_confidence`."""
    total_records: int | None
    flagged_records: int
    """Distinct record keys with at least one finding."""
    labelled_records: int
    """Distinct record keys with at least one label."""
    flagged_share: float | None
    """flagged_records / total_records, or None when the total is unknown (or zero)."""
    true_share: float | None
    """labelled_records / total_records, or None when the total is unknown (or zero)."""
    trend_log_only: int = 0
    """Findings at or above `min_confidence` left out because they only go to the trend log (`sent_for_review`)."""
    overall_incl_trend_log: TypeScore | None = None
    """With `sent_for_review`: the overall figures of every finding, the trend log's too; else None."""


def score(
    findings: Iterable[Finding],
    labels: Iterable[AnomalyLabel],
    total_records: int | None,
    min_confidence: float = 0.0,
    sent_for_review: bool = False,
) -> ScoreReport:
    """Compare findings with labels as sets of `(record_key, anomaly_type)` pairs; with `sent_for_review`, only the
    findings routed to review (`overall_incl_trend_log`: all of them)."""
    predicted: set[tuple[str, AnomalyType]] = set()
    with_trend_log: set[tuple[str, AnomalyType]] = set()
    used = ignored = trend_log_only = 0
    for finding in findings:
        if finding.confidence < min_confidence:
            ignored += 1
            continue
        pair = (finding.record_key, AnomalyType(finding.anomaly_type))
        with_trend_log.add(pair)
        if sent_for_review and finding.route != "review":
            trend_log_only += 1
            continue
        used += 1
        predicted.add(pair)
    truth = {(label.record_key, AnomalyType(label.anomaly_type)) for label in labels}

    per_type: dict[AnomalyType, TypeScore] = {}
    for anomaly in AnomalyType:
        mine = {pair for pair in predicted if pair[1] is anomaly}
        true = {pair for pair in truth if pair[1] is anomaly}
        per_type[anomaly] = TypeScore.from_counts(len(mine & true), len(mine - true), len(true - mine))
    overall = _overall(predicted, truth)

    flagged_records = len({key for key, _ in predicted})
    labelled_records = len({key for key, _ in truth})
    return ScoreReport(
        per_type=per_type,
        overall=overall,
        min_confidence=min_confidence,
        findings_used=used,
        findings_ignored=ignored,
        total_records=total_records,
        flagged_records=flagged_records,
        labelled_records=labelled_records,
        flagged_share=flagged_records / total_records if total_records else None,
        true_share=labelled_records / total_records if total_records else None,
        trend_log_only=trend_log_only,
        overall_incl_trend_log=_overall(with_trend_log, truth) if sent_for_review else None,
    )


def _overall(predicted: set[tuple[str, AnomalyType]], truth: set[tuple[str, AnomalyType]]) -> TypeScore:
    return TypeScore.from_counts(len(predicted & truth), len(predicted - truth), len(truth - predicted))


def label_bearing_record_count(plant: PlantFolder) -> int:
    """How many records the label-bearing resources hold: the denominator of the shares."""
    total = 0
    for resource in LABEL_BEARING_RESOURCES:
        path = plant.file_for(resource)
        if path.exists():
            with path.open(encoding="utf-8") as handle:
                total += sum(1 for line in handle if line.strip())
    return total


def format_report(report: ScoreReport) -> str:
    """A fixed-width table: one row per type, then overall and the shares."""
    header = f"{'type':<27} {'support':>7} {'TP':>6} {'FP':>6} {'FN':>6} {'P':>6} {'R':>6} {'F1':>6}"
    lines = [header, "-" * len(header)]

    def row(name: str, s: TypeScore) -> str:
        # a ratio over nothing is shown as n/a, not as the 1.0 or 0.0 convention `TypeScore` keeps for JSON
        precision = _ratio(s.precision if s.flagged else None)
        recall = _ratio(s.recall if s.support else None)
        f1 = _ratio(s.f1 if s.flagged and s.support else None)
        return f"{name:<27} {s.support:>7} {s.tp:>6} {s.fp:>6} {s.fn:>6} {precision:>6} {recall:>6} {f1:>6}"

    lines.extend(row(anomaly.value, s) for anomaly, s in report.per_type.items())
    lines.append("-" * len(header))
    if report.overall_incl_trend_log is None:
        lines.append(row("overall (micro)", report.overall))
    else:
        lines.append(row("sent for review (micro)", report.overall))
        lines.append(row("all, incl. the trend log", report.overall_incl_trend_log))
    lines.append("")
    if report.total_records is None:
        lines.append("shares: unknown (pass --plant for the number of records)")
    else:
        lines.append(f"records:        {report.total_records}")
        lines.append(f"flagged share:  {_share(report.flagged_share)} ({report.flagged_records} records)")
        lines.append(f"true share:     {_share(report.true_share)} ({report.labelled_records} records)")
    ignored = f", {report.findings_ignored} below min confidence {report.min_confidence:g} ignored"
    trend = f" sent for review (the table), {report.trend_log_only} trend log only"
    lines.append(
        f"findings used:  {report.findings_used}{trend if report.overall_incl_trend_log else ''}"
        f"{ignored if report.findings_ignored else ''}"
    )
    return "\n".join(lines)


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2%}"


def _existing(path: str, argument: str) -> Path:
    found = Path(path)
    if not found.exists():
        raise FileNotFoundError(f"{argument}: no such file: {path}")
    return found


def score_command(args: argparse.Namespace) -> int:
    """`plexlabor score --findings F --labels L [--plant DIR] [--min-confidence C] [--json]`: the findings sent for
    review, and overall with the trend log's too.

    `--labels` may also name a plant folder (its labels.jsonl is used). Without `--plant`, the folder
    holding the labels file is used for the shares when it is a plant folder (it has plant.json).
    """
    findings_path = _existing(args.findings, "--findings")
    if findings_path.is_dir():
        raise ValueError(f"--findings: {findings_path} is a folder; give the findings file validate wrote")
    labels_path = _existing(args.labels, "--labels")
    if labels_path.is_dir():
        labels_path = _existing(str(labels_path / LABELS_FILE), "--labels")
    plant: PlantFolder | None = None
    if getattr(args, "plant", None):
        plant = PlantFolder(_existing(args.plant, "--plant"))
    elif (labels_path.parent / META_FILE).exists():
        plant = PlantFolder(labels_path.parent)
    min_confidence = float(getattr(args, "min_confidence", 0.0) or 0.0)
    if not 0.0 <= min_confidence <= 1.0:
        raise ValueError(f"--min-confidence: must be between 0 and 1, got {min_confidence:g}")

    report = score(
        read_findings(findings_path),
        read_labels(Path(labels_path)),
        label_bearing_record_count(plant) if plant is not None else None,
        min_confidence=min_confidence,
        sent_for_review=True,
    )
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        print(format_report(report))
    return 0
