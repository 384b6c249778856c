"""The decisions export: audit `decision` events of punch findings -> pseudonymised training rows per plant,
which `plexlabor train --decisions` reads."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from plexlabor.audit.events import AuditStatus
from plexlabor.validation.decisions import approved, by_plant, export_rows, pseudonym, rows_jsonl, to_row
from plexlabor.validation.findings import read_findings
from plexlabor.validation.training import examples_from_decisions
from tests.unit.learning.learning_samples import SALT, START, decisions, event


def test_a_decision_event_becomes_a_row_with_features_verdict_and_no_personal_data() -> None:
    rejected = event(1, 20.0, False, START, employee="E-123")
    row = to_row(rejected, "detroit", SALT)
    assert row is not None
    text = row.model_dump_json()
    assert row.evidence["decision"] == "rejected" and not approved(row)
    assert row.evidence["features"]["beyond_grace_min"] == 20.0
    assert row.evidence["plant"] == "detroit" and row.evidence["reason_given"] is True
    assert row.model_version == "scorer-6b2c4bd848+norms-1"
    assert row.employee_id == pseudonym("E-123", "detroit", SALT) != "E-123"
    for personal in ("E-123", "SUP-1", "Jane", "time-clock-entries:1"):
        assert personal not in text


def test_pseudonyms_are_stable_within_a_plant_and_differ_across_plants_and_salts() -> None:
    assert pseudonym("E-1", "a", SALT) == pseudonym("E-1", "a", SALT)
    assert pseudonym("E-1", "a", SALT) != pseudonym("E-1", "b", SALT)
    assert pseudonym("E-1", "a", SALT) != pseudonym("E-1", "a", b"t" * 32)
    assert pseudonym(None, "a", SALT) is None


def test_other_events_are_left_out_and_rows_are_time_ordered_once_per_finding() -> None:
    events = decisions(10, seed=1)
    finding_event = events[0].model_copy(update={"event_type": "finding", "status": AuditStatus.LOGGED})
    recommendation = events[1].model_copy(update={"payload": {"action": "approve", "reason": None}})
    rows = export_rows([*reversed(events), recommendation, finding_event], "p", SALT)
    assert len(rows) == 10  # the recommendation's decision (no anomaly type) adds nothing; neither does a finding
    assert [r.evidence["decided_at"] for r in rows] == sorted(r.evidence["decided_at"] for r in rows)
    late = events[0].model_copy(update={"occurred_at": START + timedelta(days=30), "event_id": "x" * 32})
    assert len(export_rows([*events, late], "p", SALT)) == 10


def test_rows_are_segmented_by_plant() -> None:
    rows = export_rows(decisions(4, seed=2), "a", SALT) + export_rows(decisions(3, seed=3, first=50), "b", SALT)
    segments = by_plant(rows)
    assert {plant: len(found) for plant, found in segments.items()} == {"a": 4, "b": 3}


def test_the_trainer_reads_the_rows(tmp_path: Path) -> None:
    rows = export_rows(decisions(40, seed=4), "p", SALT)
    path = tmp_path / "decisions.jsonl"
    path.write_bytes(rows_jsonl(rows))
    read = list(read_findings(path))  # what `plexlabor train --decisions FILE` reads
    verdicts = [(f, f.evidence["decision"] == "approved") for f in read if f.evidence.get("decision")]
    examples = examples_from_decisions(verdicts)
    assert len(examples) == 40 and {e.family for e in examples} == {"offset"}
    assert sum(e.positive for e in examples) == sum(approved(r) for r in rows) > 0
    assert all(json.loads(line)["route"] == "review" for line in path.read_text().splitlines())
