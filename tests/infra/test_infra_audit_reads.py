"""Every function that reads the audit table may read what it reads.

IAM is what stops an ungranted read, and nothing offline enforces it (moto and the local runtime run every call):
incident_log and crew_planner held audit PutItem only although each reads the table on every call, and the three
functions that record punch findings read a finding's history whenever they record it again (review_s14 #9, L14;
approval_notify's escalation hold was the same, 4698ff42). The first test derives the reads of every function from
its code (`audit_reads`: a function added or changed later is checked without a list to update); the others run the
paths it found for those five over a store that notes what is read, so the derivation is checked against behaviour.
Each checks that the synthesized role may `dynamodb:Query` the table (a record's `history`) or the index it reads.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from audit_reads import READS, REPO, TABLE, audit_reads

from infra.function_specs import FUNCTION_SPECS
from infra.testing import Synthesized
from plexlabor.audit import InMemoryAuditStore
from plexlabor.audit.events import AuditEvent
from plexlabor.audit.store import IndexQuery
from plexlabor.crew.suggestions import read_day
from plexlabor.incidents.service import IncidentDeps, IncidentReport, log_incident
from plexlabor.intake.approvals import InMemoryApprovalStarter
from plexlabor.intake.recording import FindingRecorder
from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.data import PlantData
from plexlabor.validation.findings import Finding

NOW = datetime(2026, 12, 4, 15, tzinfo=UTC)
HANDLED = [spec.name for spec in FUNCTION_SPECS if (REPO / "functions" / spec.name / "handler.py").is_file()]


class ReadsNoted(InMemoryAuditStore):
    """The fake audit store, noting each read: `TABLE` for a record's history, the index's name for a query."""

    def __init__(self) -> None:
        super().__init__()
        self.read: set[str] = set()

    def history(self, record_key: str) -> list[AuditEvent]:
        self.read.add(TABLE)
        return super().history(record_key)

    def _find(self, query: IndexQuery) -> list[AuditEvent]:
        self.read.add(query.index_name)
        return super()._find(query)


def _may_query(synthesized: Synthesized, function: str, read: set[str], where: object = None) -> None:
    """`function`'s role may Query each of `read` (`TABLE`, or an index's name); `where`: the reads' call sites."""
    table = synthesized.logical_id(synthesized.stack.storage.audit_table)
    granted = [repr(resource) for resource in synthesized.granted(function, "dynamodb:Query")]
    assert read, f"{function}'s path read nothing: the test no longer shows its read"
    for what in read:
        wanted = table if what == TABLE else f"/index/{what}"
        refused = f"{function} reads the audit table ({what}) but may not query it: grant AUDIT_READ"
        assert any(table in resource and wanted in resource for resource in granted), (refused, where, granted)


@pytest.mark.parametrize("function", HANDLED)
def test_a_function_may_query_every_audit_read_its_code_reaches(synthesized: Synthesized, function: str) -> None:
    reads = audit_reads(function)

    if reads:
        _may_query(synthesized, function, {READS[read] for read in reads}, where=reads)


def test_the_derivation_finds_the_reads_the_paths_below_make() -> None:
    """Not vacuous: what the behavioural tests below show, the walk finds from the handlers."""
    assert {"history", "by_kind"} <= set(audit_reads("incident_log"))
    assert "by_status" in audit_reads("crew_planner")
    for recorder in ("punch_validator", "norms_refresh", "validation_backfill"):
        assert "history" in audit_reads(recorder), recorder
    assert len(HANDLED) == len(FUNCTION_SPECS) > 20


def test_incident_log_may_query_what_a_report_reads(synthesized: Synthesized) -> None:
    store = ReadsNoted()
    report = IncidentReport(narrative="Slipped on oil near press 4 and hurt my wrist", kind="injury")

    log_incident(IncidentDeps(store, None, clock=lambda: NOW), report, "E0042")

    _may_query(synthesized, "incident_log", store.read)


def test_crew_planner_may_query_the_neighbouring_days_it_reads(synthesized: Synthesized) -> None:
    """`crew.service._neighbours`: the days before and after the planned one, each read with `read_day`."""
    store = ReadsNoted()

    read_day(store, date(2026, 12, 7))

    _may_query(synthesized, "crew_planner", store.read)


@pytest.mark.parametrize("function", ["punch_validator", "norms_refresh", "validation_backfill"])
def test_a_function_recording_findings_may_read_a_finding_recorded_again(
    synthesized: Synthesized, function: str
) -> None:
    """The nightly sweep and the backfill re-find what the validator recorded; a redelivered batch finds it again."""
    store = ReadsNoted()
    recorder = FindingRecorder(store, InMemoryApprovalStarter(), function, lambda: NOW, default_supervisor="SUP-1")
    finding = _review_finding()
    data = PlantData.build({"employees": []}, "UTC", NOW.timestamp())
    recorder.record(finding, data)
    store.read.clear()

    again = recorder.record(finding, data)

    assert not again.new
    _may_query(synthesized, function, store.read)


def _review_finding(**fields: Any) -> Finding:
    return Finding(
        finding_id="f-1",
        record_key="time_clock:TC-1",
        employee_id="E0042",
        anomaly_type=AnomalyType.MISSED_PUNCH,
        confidence=0.9,
        severity="high",
        note="No clock-out",
        model_version="rules",
        route="review",
        **fields,
    )
