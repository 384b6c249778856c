"""Incident auto-categorization on real OSHA Severe Injury Reports (issue 13), run by `make bench`.

The reports file is not in the repository: `PLEXLABOR_OSHA_TRAIN` (default
`../shared/benchmarks/incidents/osha_train.csv` beside the repository; its README gives the columns).
The file is split in time: the newest 30 % of reports (by event date) are the evaluation split, never
seen in training or in choosing the auto-coding threshold (which `IncidentClassifier.train` chooses by
time-ordered cross-validation of the older part: its newest half in six folds). The same code as
`plexlabor incidents train` / `evaluate`.

Printed: accuracy and macro-F1 per coded field, the yardstick's (TF-IDF word 1-2 grams + logistic
regression, C = 10, on the same rows) event-division figures beside ours, the selective figures (with a
95 % Wilson interval for the accuracy on the auto-coded share: how far chance alone moves it), the
model file's size, classify latency (one narrative per call, warm, every evaluation narrative) and the
function's: `POST /incidents` through incident_log's handler in process (JSON body, the authorizer's
claims, an in-memory audit table; classify, extraction and the audit write), warm, every evaluation
narrative. And extraction against OSHA's codes: on the evaluation reports where the text names a body
part, how often the first one's OIICS part division is the one OSHA coded.
Targets (issue 13): event-division accuracy >= yardstick + 3 points; >= 97 % accuracy on the
auto-coded share with >= 70 % auto-coded; classify p95 < 100 ms warm. Printed as met or missed.
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import binomtest

from functions.incident_log.handler import handler
from plexlabor.audit.store import InMemoryAuditStore
from plexlabor.incidents.classifier import IncidentClassifier
from plexlabor.incidents.evaluation import evaluate, yardstick
from plexlabor.incidents.extraction import extract
from plexlabor.incidents.oiics import Field
from plexlabor.incidents.reports import CodedReport, read_coded_reports, time_split
from plexlabor.incidents.service import IncidentDeps
from plexlabor.platform.observability import logger
from tests.support import FakeLambdaContext, load_event

OSHA = Path(
    os.environ.get("PLEXLABOR_OSHA_TRAIN", Path(__file__).parents[3] / "shared/benchmarks/incidents/osha_train.csv")
)
EVALUATION_SHARE = 0.3


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def test_incident_classifier_on_osha_reports(tmp_path: Path) -> None:
    if not OSHA.is_file():
        pytest.skip(f"no OSHA reports file at {OSHA} (set PLEXLABOR_OSHA_TRAIN)")
    train, test = time_split(read_coded_reports(OSHA), EVALUATION_SHARE)
    print(
        f"\nOSHA reports {OSHA}: train {len(train)} ({train[0].event_date} to {train[-1].event_date}), "
        f"evaluation {len(test)} ({test[0].event_date} to {test[-1].event_date})"
    )
    started = time.perf_counter()
    classifier = IncidentClassifier.train(train)
    print(f"training {time.perf_counter() - started:.1f} s")
    model = tmp_path / "model.pkl"
    classifier.save(model)
    classifier = IncidentClassifier.load(model)
    figures = evaluate(classifier, test)
    stick = yardstick(train, test)
    for name in ("event_division", "event_group", "nature_division", "part_division", "source_division"):
        print(f"  {name:16s} accuracy {figures[f'{name}_accuracy']:.3f}  macro-F1 {figures[f'{name}_macro_f1']:.3f}")
    gain = figures["event_division_accuracy"] - stick.event_division_accuracy
    print(
        f"  yardstick (TF-IDF + LR) event division accuracy {stick.event_division_accuracy:.3f}  "
        f"macro-F1 {stick.event_division_macro_f1:.3f}; ours {gain * 100:+.1f} points (target +3: {_met(gain >= 0.03)})"
    )
    share, accuracy = figures["auto_coded_share"], figures["auto_coded_accuracy"]
    coded = round(share * len(test))
    interval = binomtest(round(accuracy * coded), coded).proportion_ci(method="wilson")
    print(
        f"  auto-coded {share:.1%} at confidence >= {figures['auto_code_threshold']} (chosen on the training part), "
        f"accuracy on them {accuracy:.1%} (95 % Wilson interval {interval.low:.1%} to {interval.high:.1%} on {coded}), "
        f"event group {figures['auto_coded_group_accuracy']:.1%} "
        f"(target >= 97 % on >= 70 %: {_met(accuracy >= 0.97 and share >= 0.70)})"
    )
    latencies = []
    for report in test:
        started = time.perf_counter()
        classifier.classify(report.narrative)
        latencies.append((time.perf_counter() - started) * 1000)
    p50, p95 = np.percentile(latencies, [50, 95])
    print(
        f"  model file {model.stat().st_size / 2**20:.1f} MiB; classify warm p50 {p50:.1f} ms, p95 {p95:.1f} ms "
        f"(target p95 < 100 ms: {_met(p95 < 100)}; load average {os.getloadavg()[0]:.1f})"
    )
    function_p50, function_p95 = _function_latency(classifier, test)
    print(
        f"  POST /incidents through the handler warm p50 {function_p50:.1f} ms, p95 {function_p95:.1f} ms "
        f"(target p95 < 100 ms: {_met(function_p95 < 100)}; load average {os.getloadavg()[0]:.1f})"
    )
    named, agreeing = _body_parts(test)
    print(
        f"  extraction: a body part named in {named} of {len(test)} narratives; its OIICS part division is "
        f"OSHA's on {agreeing} of them ({agreeing / max(named, 1):.1%})"
    )
    assert figures["reports"] == len(test)


def _function_latency(classifier: IncidentClassifier, reports: list[CodedReport]) -> tuple[float, float]:
    deps = IncidentDeps(InMemoryAuditStore(), classifier)
    event = load_event("incident_log")
    logger.setLevel("WARNING")  # one INFO line per request would bury the figures
    handler(event, FakeLambdaContext(), dependencies=deps)  # warm
    latencies = []
    for report in reports:
        event["body"] = json.dumps({"narrative": report.narrative})
        started = time.perf_counter()
        response = handler(event, FakeLambdaContext(), dependencies=deps)
        latencies.append((time.perf_counter() - started) * 1000)
        assert response["statusCode"] in (200, 201), response["body"]
    p50, p95 = np.percentile(latencies, [50, 95])
    return float(p50), float(p95)


def _body_parts(reports: list[CodedReport]) -> tuple[int, int]:
    named = agreeing = 0
    for report in reports:
        parts = extract(report.narrative, datetime.combine(report.event_date, datetime.min.time(), UTC)).body_parts
        if parts:
            named += 1
            agreeing += parts[0].part_division == report.codes[Field.PART_DIVISION]
    return named, agreeing
