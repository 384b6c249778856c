"""`plexlabor incidents train|evaluate|classify|export`: the OIICS classifier and its training rows.

    plexlabor incidents train --osha TRAIN.csv [--osha MORE.csv ...] --out MODEL
    plexlabor incidents evaluate --model MODEL --osha TEST.csv [--json]
    plexlabor incidents classify [--model MODEL] [--timezone ZONE] "narrative"
    plexlabor incidents export --audit-table TABLE [--since YYYY-MM-DD] --out corrections.csv
    plexlabor incidents log --audit-table TABLE --reporter ID [--kind near_miss] [--workcenter W] ... "narrative"
    plexlabor incidents reindex --audit-table TABLE [--after CURSOR] [--pages N] [--page-size N]

`train` chooses the auto-coding thresholds by time-ordered cross-validation (the newest half of the reports
by event date in six folds, each coded by a model of every older report) and then refits on all of them;
`evaluate` scores MODEL on reports it did not see. A file that does not parse is named with its line and
column (exit 2), and no model file is written. `classify` prints the codes and what the text says as JSON
(default model: the packaged one). `export` writes the incidents the EHS lead
decided (confirmed or corrected codes) in the same CSV layout, so `train --osha` can learn from them.
`log` records a report as the form does (`incidents.service.log_incident`: codes, extraction, the review
queue when unsure) and prints the answer `POST /incidents` gives. `reindex` gives incidents recorded before the
kind index existed their key of it (`incidents.kindindex.reindex`), a bounded run at a time; it prints what it did as
JSON and, until every status partition was read, the `--after` cursor to go on with (exit 0 either way).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from plexlabor.incidents.classifier import NEVER, IncidentClassifier
from plexlabor.incidents.evaluation import evaluate
from plexlabor.incidents.reports import CodedReport, read_coded_reports, write_coded_reports
from plexlabor_dev.commands import audit_table_flag, day_flag
from plexlabor_dev.progress import step


def train_command(args: argparse.Namespace) -> int:
    reports: list[CodedReport] = []
    for path in args.osha:
        reports += read_coded_reports(path)
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


def _zone(name: str) -> ZoneInfo:
    """The --timezone flag's zone; a ValueError naming it if the zone database has no such zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"--timezone: '{name}' is not an IANA time zone (e.g. America/Detroit)") from None


def classify_command(args: argparse.Namespace) -> int:
    from plexlabor.incidents.extraction import extract
    from plexlabor.incidents.wiring import PACKAGED_MODEL

    zone = _zone(args.timezone)
    if not args.model and not PACKAGED_MODEL.is_file():  # before: only "...oiics_model.pkl: No such file"
        raise ValueError(
            f"no incident model: none packaged at {PACKAGED_MODEL} (build it with `make incidents-model`, "
            "OSHA=path/to/osha_train.csv), or give --model FILE"
        )
    classifier = IncidentClassifier.load(args.model or PACKAGED_MODEL)
    result = classifier.classify(args.narrative)
    now = datetime.now(UTC).astimezone(zone)
    found = extract(args.narrative, now)
    codes = [
        {"field": c.field.value, "code": c.code, "title": c.title, "confidence": c.confidence, "confident": c.confident}
        for c in result.codings.values()
    ]
    print(json.dumps({"auto_coded": result.auto_coded, "codes": codes, "extraction": found}, indent=2, default=_plain))
    return 0


def _plain(value: object) -> object:
    from dataclasses import asdict, is_dataclass

    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return value.isoformat() if isinstance(value, datetime) else str(value)


def export_command(args: argparse.Namespace) -> int:
    from plexlabor.audit.dynamodb import DynamoDbAuditStore
    from plexlabor.incidents.service import training_reports

    table = audit_table_flag(args)
    since = datetime.combine(day_flag(args.since, "--since"), datetime.min.time(), UTC) if args.since else None
    reports = training_reports(DynamoDbAuditStore(table), since)
    Path(args.out).write_text(write_coded_reports(reports), encoding="utf-8")
    print(f"wrote {len(reports)} decided incident(s) to {args.out}")
    return 0


def reindex_command(args: argparse.Namespace) -> int:
    from plexlabor.audit.dynamodb import DynamoDbAuditStore
    from plexlabor.incidents.kindindex import reindex

    if args.pages < 1:
        raise ValueError("--pages: at least 1")
    done = reindex(
        DynamoDbAuditStore(audit_table_flag(args)), after=args.after, pages=args.pages, page_size=args.page_size
    )
    print(json.dumps(asdict(done), sort_keys=True))
    if done.cursor is not None:
        print(f"not done: run again with --after {done.cursor}")
    return 0


def log_command(args: argparse.Namespace) -> int:
    from plexlabor.audit.dynamodb import DynamoDbAuditStore
    from plexlabor.incidents.service import IncidentDeps, IncidentReport, log_incident
    from plexlabor.incidents.wiring import PACKAGED_MODEL

    table = audit_table_flag(args)
    fields = {
        "narrative": args.narrative,
        "kind": args.kind,
        "occurred_at": args.occurred_at,
        "workcenter_code": args.workcenter,
        "shift_code": args.shift,
        "department": args.department,
        "job_no": args.job,
    }
    report = IncidentReport.model_validate({k: v for k, v in fields.items() if v is not None})  # names a bad field
    classifier = IncidentClassifier.load(args.model or PACKAGED_MODEL)
    deps = IncidentDeps(DynamoDbAuditStore(table), classifier, zone=_zone(args.timezone))
    print(log_incident(deps, report, args.reporter).model_dump_json(indent=2))
    return 0
