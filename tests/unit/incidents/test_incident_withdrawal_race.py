"""A confirmation and a withdrawal of the same report at the same moment (docs/incidents.md "What is left" until
2026-12-05): each checked the other first, then both were recorded. Now the withdrawal takes the event id the first
decision takes (`withdrawal.answer_id`), so the audit store's conditional write lets one in and refuses the other."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from plexlabor.audit import AuditEvent, AuditEventType, InMemoryAuditStore
from plexlabor.audit.errors import AuditConflictError
from plexlabor.incidents.service import IncidentDeps, IncidentReport, correct_codes, log_incident, opening
from plexlabor.incidents.withdrawal import WithdrawalRefused, withdraw, withdrawal_of
from tests.unit.approval.approval_fakes import Clock
from tests.unit.incidents.conftest import CONFIRMED_CODES

TEXT = "A pallet slid off the forks near the dock door and landed next to a walker."


class Racing(InMemoryAuditStore):
    """Records `rival` once, just before the next append: what another request wrote between this one's checks (its
    read of the incident's record) and its own write."""

    rival: Callable[[], object] | None = None

    def append(self, event: AuditEvent) -> None:
        rival, self.rival = self.rival, None
        if rival is not None:
            rival()
        super().append(event)


def _reported(audit: InMemoryAuditStore, clock: Clock) -> AuditEvent:
    logged = log_incident(IncidentDeps(audit, None, clock=clock), IncidentReport(narrative=TEXT), "E1")
    found = opening(audit, logged.incident_id)
    assert found is not None
    return found


def _own(audit: InMemoryAuditStore, found: AuditEvent) -> list[AuditEvent]:
    return [e for e in audit.history(found.record_key) if e.finding_id == found.finding_id]


def test_a_withdrawal_that_meets_a_confirmation_recorded_meanwhile_is_refused_with_the_reason() -> None:
    audit, clock = Racing(), Clock()
    found = _reported(audit, clock)
    audit.rival = lambda: correct_codes(audit, found, CONFIRMED_CODES, "EHS1", clock())
    with pytest.raises(WithdrawalRefused, match="The EHS lead decided it already"):
        withdraw(audit, found, by="E1", role="reporter", reason="Sent by mistake", at=clock())
    assert withdrawal_of(audit.history(found.record_key), str(found.finding_id)) is None
    assert [e.event_type for e in _own(audit, found)] == [AuditEventType.RECOMMENDATION, AuditEventType.DECISION]


def test_a_confirmation_that_meets_a_withdrawal_recorded_meanwhile_is_not_recorded() -> None:
    audit, clock = Racing(), Clock()
    found = _reported(audit, clock)
    audit.rival = lambda: withdraw(audit, found, by="E1", role="reporter", reason="Sent by mistake", at=clock())
    with pytest.raises(AuditConflictError):
        correct_codes(audit, found, CONFIRMED_CODES, "EHS1", clock())
    assert [e.event_type for e in _own(audit, found)] == [AuditEventType.RECOMMENDATION, AuditEventType.EXPIRED]


def test_a_correction_and_a_setting_aside_at_the_same_moment_are_one_answer_too() -> None:
    """The EHS lead sets aside a report confirmed in a dry run while a colleague corrects it: the correction holds,
    on its way to Plex, and the setting aside is refused saying so."""
    audit, clock = Racing(), Clock()
    found = _reported(audit, clock)
    first = correct_codes(audit, found, CONFIRMED_CODES, "EHS1", clock())
    audit.rival = lambda: correct_codes(
        audit, found, {**CONFIRMED_CODES, "source_division": "7"}, "EHS2", clock(), replacing=first
    )
    with pytest.raises(WithdrawalRefused, match="Its confirmation is on its way to Plex"):
        withdraw(audit, found, by="EHS1", role="ehs", reason="a drill", at=clock(), ground="not_incident")
    assert withdrawal_of(audit.history(found.record_key), str(found.finding_id)) is None
