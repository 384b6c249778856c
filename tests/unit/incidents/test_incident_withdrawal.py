"""`incidents.withdrawal`: a report withdrawn as sent by mistake is closed once, with who (in role words) and why;
refused after a decision, a write to Plex or a replacement; not counted in the trends, not replaced by a resend."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus, InMemoryAuditStore
from plexlabor.audit.events import stable_event_id
from plexlabor.incidents.nightly import recorded_incidents
from plexlabor.incidents.service import IncidentDeps, IncidentReport, log_incident, opening
from plexlabor.incidents.waiting import waiting_incidents
from plexlabor.incidents.withdrawal import (
    WithdrawalFormError,
    WithdrawalRefused,
    read_reason,
    withdraw,
    withdrawal_of,
    withdrawn_words,
)
from tests.unit.approval.approval_fakes import Clock

TEXT = "I sent this by mistake: a pallet slid off the forks near the dock door."


def _reported(audit: InMemoryAuditStore, clock: Clock, **fields: object) -> AuditEvent:
    logged = log_incident(IncidentDeps(audit, None, clock=clock), IncidentReport(narrative=TEXT, **fields), "E1")
    found = opening(audit, logged.incident_id)
    assert found is not None
    return found


def test_a_withdrawal_closes_the_report_once_naming_the_role_and_reason() -> None:
    audit, clock = InMemoryAuditStore(), Clock()
    found = _reported(audit, clock)
    closing = withdraw(audit, found, by="E1", role="reporter", reason="Sent by mistake", at=clock())
    assert closing.event_type is AuditEventType.EXPIRED and closing.record_key == found.record_key
    assert withdrawal_of(audit.history(found.record_key), str(found.finding_id)) == closing
    assert withdrawn_words(closing) == "its reporter"
    assert waiting_incidents(audit, clock(), ZoneInfo("UTC")) == []  # no longer waiting for the EHS lead
    with pytest.raises(WithdrawalRefused, match="withdrawn already"):
        withdraw(audit, found, by="S1", role="ehs", reason="again", at=clock())


def test_near_miss_a_report_sent_to_plex_is_refused_even_without_a_decision_read() -> None:
    audit, clock = InMemoryAuditStore(), Clock()
    found = _reported(audit, clock)
    identifier = str(found.finding_id)
    audit.append(
        AuditEvent(
            record_key=found.record_key,
            event_id=stable_event_id(identifier, "writeback-test"),
            event_type=AuditEventType.WRITEBACK,
            status=AuditStatus.WRITTEN,
            occurred_at=clock(),
            actor="plex_writeback",
            finding_id=identifier,
            payload={"sent": False},
            previous_values={},
        )
    )
    with pytest.raises(WithdrawalRefused, match="sent to Plex already"):
        withdraw(audit, found, by="E1", role="reporter", reason="Sent by mistake", at=clock())
    assert withdrawal_of(audit.history(found.record_key), identifier) is None


def test_near_miss_a_report_its_corrected_resend_replaced_is_refused() -> None:
    audit, clock = InMemoryAuditStore(), Clock()
    found = _reported(audit, clock, occurred_at="2026-03-02T10:00:00+00:00")
    _reported(audit, clock, occurred_at="2026-03-02T10:00:00+00:00", kind="near_miss")
    with pytest.raises(WithdrawalRefused, match="corrected report replaced it"):
        withdraw(audit, found, by="E1", role="reporter", reason="Sent by mistake", at=clock())


def test_a_withdrawn_report_is_not_replaced_by_a_resend_nor_counted_in_the_trends() -> None:
    audit, clock = InMemoryAuditStore(), Clock()
    found = _reported(audit, clock, occurred_at="2026-03-02T10:00:00+00:00")
    withdraw(audit, found, by="E1", role="reporter", reason="Sent by mistake", at=clock())
    clock.advance(minutes=5)
    resent = log_incident(
        IncidentDeps(audit, None, clock=clock),
        IncidentReport(narrative=TEXT, occurred_at="2026-03-02T10:00:00+00:00", kind="near_miss"),  # type: ignore[arg-type]
        "E1",
    )
    assert resent.replaces == []
    counted = recorded_incidents(audit, clock() - timedelta(days=1), ZoneInfo("UTC"))
    assert len(counted) == 1  # the resend only


@pytest.mark.parametrize(
    ("typed", "problem"),
    [(None, "Why: say why"), ("  \n ", "Why: say why"), ("x" * 1001, "at most 1000"), ("ok\x00", "U\\+0000")],
)
def test_near_miss_a_reason_must_be_given_readable_and_short(typed: str | None, problem: str) -> None:
    with pytest.raises(WithdrawalFormError, match=problem):
        read_reason(typed)
    assert read_reason("  sent \n twice ") == "sent twice"
