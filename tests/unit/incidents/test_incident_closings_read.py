"""Review 163 D4: the closings of incidents (a corrected resend's, a withdrawal) are read from the incidents' own kind
index, so a replaced report stays out of the training rows and the trends however many expiries of other kinds
(crew seats expire daily) the plant-wide status index holds ahead of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from plexlabor.audit import AuditStatus
from plexlabor.audit.events import AuditEvent, AuditEventType
from plexlabor.audit.store import InMemoryAuditStore
from plexlabor.incidents import kindindex, nightly, service
from plexlabor.incidents.extraction import Place
from plexlabor.incidents.nightly import recorded_incidents
from plexlabor.incidents.service import (
    IncidentDeps,
    IncidentReport,
    correct_codes,
    log_incident,
    opening,
    read_codes,
    training_reports,
)
from plexlabor.platform.pilot import PilotScope
from tests.unit.incidents.conftest import close_as_before_ux_s13_16, nothing_in_the_way_before_ux_s13_16
from tests.unit.incidents.test_incident_service import CODE_FORM, NOW, VAGUE

OLDER_EXPIRIES = 60
"""Expiries of crew seats older than the incident (a 200-person plant expires some 300 seats a day)."""


def _replaced_after_older_expiries() -> tuple[InMemoryAuditStore, str, str]:
    """The review's case: older expiries of other kinds, a report the EHS lead confirmed, then its reporter's corrected
    resend (the earlier report closed as replaced, as a resend did until 2026-12-06). The ids of the replaced report
    and of its correction."""
    audit = InMemoryAuditStore()
    for n in range(OLDER_EXPIRIES):
        audit.append(
            AuditEvent(
                record_key=f"jobs:crew-{n}",
                event_type=AuditEventType.EXPIRED,
                status=AuditStatus.EXPIRED,
                occurred_at=NOW - timedelta(days=30, minutes=n),
                actor="review_sweep",
                finding_id=f"crew-{n}",
                payload={"kind": "crew_assignment"},
            )
        )
    deps = IncidentDeps(audit, None, [Place("PRESS4", "Press 4")], PilotScope(), clock=lambda: NOW)
    when = datetime(2026, 12, 4, 9, 37, tzinfo=UTC)
    first = log_incident(deps, IncidentReport(narrative=VAGUE, occurred_at=when, shift_code="1"), "E0001")
    event = opening(audit, first.incident_id)
    assert event is not None
    correct_codes(audit, event, read_codes(CODE_FORM), "S1", NOW + timedelta(minutes=1))
    deps.clock = lambda: NOW + timedelta(minutes=2)
    with pytest.MonkeyPatch.context() as recorded_before:  # a decided report is no longer replaced (ux_s13 #16)
        recorded_before.setattr(service, "close_replaced", close_as_before_ux_s13_16)
        recorded_before.setattr(service, "in_the_way", nothing_in_the_way_before_ux_s13_16)
        second = log_incident(deps, IncidentReport(narrative=VAGUE, occurred_at=when, shift_code="2"), "E0001")
    assert second.replaces == [first.incident_id]
    return audit, first.incident_id, second.incident_id


def test_a_replaced_report_is_no_training_row_however_many_older_expiries_the_status_index_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    audit, replaced, _ = _replaced_after_older_expiries()
    # the former plant-wide read's cap, 100,000, lowered below the older expiries (gone with the fix: no effect then)
    monkeypatch.setattr(service, "EXPORT_LIMIT", OLDER_EXPIRIES - 10, raising=False)
    assert replaced not in [row.report_id for row in training_reports(audit)]


def test_the_trends_count_a_report_and_its_correction_once_however_many_older_expiries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    audit, _, _ = _replaced_after_older_expiries()
    monkeypatch.setattr(nightly, "READ_LIMIT", OLDER_EXPIRIES - 10, raising=False)
    facts = recorded_incidents(audit, NOW - timedelta(days=60), ZoneInfo("America/Detroit"))
    assert [fact.shift_code for fact in facts] == ["2"]  # the correction alone


def test_the_kind_index_is_read_page_after_page_and_a_cut_read_settles_each_incident_from_its_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    audit, replaced, correction = _replaced_after_older_expiries()
    assert [row.report_id for row in training_reports(audit)] == []  # the correction is not decided yet
    monkeypatch.setattr(kindindex, "PAGE_SIZE", 3)  # a page, then the next from its last event's time
    read = kindindex.incident_events(audit, None)
    assert read.complete and len(read.events) == len(audit.by_kind(service.INCIDENT_CODING))
    assert replaced not in [row.report_id for row in training_reports(audit)]
    monkeypatch.setattr(kindindex, "PAGE_SIZE", 2)
    monkeypatch.setattr(kindindex, "MAX_PAGES", 1)  # the first report and its confirmation read, nothing after them
    cut = kindindex.incident_events(audit, None)
    assert not cut.complete and len(cut.events) == 2
    settled = kindindex.incident_outcomes(audit, None)
    assert settled[replaced].called_back  # its closing read from its own record
    assert correction not in settled  # not read: neither counted nor refused


def test_training_rows_since_a_time_are_the_incidents_decided_since_not_those_written_to_plex_since() -> None:
    audit = InMemoryAuditStore()
    deps = IncidentDeps(audit, None, [Place("PRESS4", "Press 4")], PilotScope(), clock=lambda: NOW)
    logged = log_incident(deps, IncidentReport(narrative=VAGUE, shift_code="1"), "E0001")
    event = opening(audit, logged.incident_id)
    assert event is not None
    decided = correct_codes(audit, event, read_codes(CODE_FORM), "S1", NOW + timedelta(minutes=1))
    audit.append(  # plex_writeback's record of it, an hour later
        decided.model_copy(
            update={
                "event_id": "writeback-1",
                "event_type": AuditEventType.WRITEBACK,
                "status": AuditStatus.WRITTEN,
                "occurred_at": NOW + timedelta(hours=1),
                "payload": {"kind": service.INCIDENT_CODING, "sent": False},
            }
        )
    )
    assert [row.report_id for row in training_reports(audit, NOW)] == [logged.incident_id]
    assert training_reports(audit, NOW + timedelta(minutes=30)) == []
