"""A resend of a report the EHS lead decided asks her to correct it (`asks_to_correct`, ux_s13 #16): it is the same
event, so the trends count it once (as the decided report) and it is no second training row; the list marks it and
its `correction` filter keeps what is still hers to do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus
from plexlabor.audit.store import InMemoryAuditStore
from plexlabor.incidents.extraction import Place
from plexlabor.incidents.listing import STATUS_FILTERS, IncidentLog, ListedIncident
from plexlabor.incidents.nightly import recorded_incidents
from plexlabor.incidents.service import (
    INCIDENT_CODING,
    IncidentDeps,
    IncidentReport,
    correct_codes,
    log_incident,
    opening,
    read_codes,
    training_reports,
)
from plexlabor.incidents.withdrawal import DUPLICATE, withdraw
from plexlabor.platform.pilot import PilotScope
from tests.unit.incidents.test_incident_service import CODE_FORM, NOW, VAGUE

WHEN = datetime(2026, 12, 4, 9, 37, tzinfo=UTC)
ZONE = ZoneInfo("America/Detroit")


def _decided_then_resent() -> tuple[InMemoryAuditStore, str, str]:
    """A report the EHS lead confirmed on shift 1, then its reporter's resend with shift 2: the ids of both."""
    audit = InMemoryAuditStore()
    deps = IncidentDeps(audit, None, [Place("PRESS4", "Press 4")], PilotScope(), clock=lambda: NOW)
    first = log_incident(deps, IncidentReport(narrative=VAGUE, occurred_at=WHEN, shift_code="1"), "E0001")
    decided = _confirm(audit, first.incident_id, NOW + timedelta(minutes=1))
    audit.append(  # plex_writeback's record of it: a dry run, so Plex holds nothing and she may set it aside
        decided.model_copy(
            update={
                "event_id": "writeback-1",
                "event_type": AuditEventType.WRITEBACK,
                "status": AuditStatus.WRITTEN,
                "payload": {"kind": INCIDENT_CODING, "sent": False},
            }
        )
    )
    deps.clock = lambda: NOW + timedelta(minutes=2)
    second = log_incident(deps, IncidentReport(narrative=VAGUE, occurred_at=WHEN, shift_code="2"), "E0001")
    assert second.asks_to_correct == [first.incident_id] and second.replaces == []
    return audit, first.incident_id, second.incident_id


def _confirm(audit: InMemoryAuditStore, incident_id: str, at: datetime) -> AuditEvent:
    event = opening(audit, incident_id)
    assert event is not None
    return correct_codes(audit, event, read_codes(CODE_FORM), "S1", at)


def _facts(audit: InMemoryAuditStore) -> list[str | None]:
    return [fact.shift_code for fact in recorded_incidents(audit, NOW - timedelta(days=60), ZONE)]


def test_the_trends_count_a_decided_report_and_the_resend_asking_to_correct_it_once() -> None:
    audit, _, _ = _decided_then_resent()
    assert _facts(audit) == ["1"]  # the decided report stands until the EHS lead corrects it; the resend is that event


def test_a_resend_asking_to_correct_a_decided_report_is_no_second_training_row_even_if_confirmed() -> None:
    audit, first, second = _decided_then_resent()
    _confirm(audit, second, NOW + timedelta(minutes=3))  # the EHS lead confirmed it rather than setting it aside
    assert [row.report_id for row in training_reports(audit)] == [first]
    assert _facts(audit) == ["1"]


def test_the_resend_counts_in_place_of_the_decided_report_once_that_one_is_set_aside() -> None:
    audit, first, second = _decided_then_resent()
    decided, resent = opening(audit, first), opening(audit, second)
    assert decided is not None and resent is not None
    withdraw(audit, decided, by="S1", role="ehs", reason="the resend has the shift right", at=NOW, ground=DUPLICATE,
             duplicate_of=resent)  # fmt: skip
    assert _facts(audit) == ["2"]


def test_the_list_marks_a_resend_asking_to_correct_a_decided_report_and_filters_it_while_it_waits() -> None:
    audit, first, second = _decided_then_resent()
    listed = _listed(audit)
    assert [item.asks_to_correct for item in listed] == [[first], []]  # newest first
    assert _kept("correction", listed) == [second]
    assert second in _kept("waiting", listed)
    _confirm(audit, second, NOW + timedelta(minutes=3))  # decided: no longer hers to do
    assert _kept("correction", _listed(audit)) == []


def _listed(audit: InMemoryAuditStore) -> list[ListedIncident]:
    later = NOW + timedelta(hours=1)
    return IncidentLog(audit, clock=lambda: later).listing(NOW - timedelta(days=1), later).incidents


def _kept(status: str, listed: list[ListedIncident]) -> list[str]:
    keeps = STATUS_FILTERS[status][1]
    return [item.incident_id for item in listed if keeps(item)]
