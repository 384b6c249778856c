"""`service.decided_standing`: whether a decided report a resend asks the EHS lead to correct still stands, by the rule
the trends and training rows count by (`kindindex.stands`), reading each named report's record once."""

from __future__ import annotations

from collections import Counter

from plexlabor.approval.recommendations import INCIDENT_CODING
from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus
from plexlabor.incidents.kindindex import counted, incident_outcomes
from plexlabor.incidents.service import (
    RECORD_PREFIX,
    IncidentDeps,
    IncidentReport,
    correct_codes,
    decided_standing,
    log_incident,
    opening,
)
from tests.unit.approval.approval_fakes import Clock
from tests.unit.incidents.conftest import CONFIRMED_CODES
from tests.unit.incidents.test_incident_duplicate_pair import _set_aside_as_duplicate
from tests.unit.incidents.test_incident_withdrawal_race import Racing

TEXT = "A pallet slid off the forks near the dock door and landed next to a walker."


class CountingRacing(Racing):
    """The racing fake, counting the reads of each record's history."""

    def __init__(self) -> None:
        super().__init__()
        self.history_reads: Counter[str] = Counter()

    def history(self, record_key: str) -> list[AuditEvent]:
        self.history_reads[record_key] += 1
        return super().history(record_key)


def _decided(deps: IncidentDeps, shift: str) -> str:
    """A report of TEXT on `shift`, confirmed by the EHS lead and written in a dry run (Plex holds nothing, so she may
    set it aside): its id."""
    decided = log_incident(deps, IncidentReport(narrative=TEXT, shift_code=shift), "E1").incident_id
    found = opening(deps.audit, decided)
    assert found is not None
    decision = correct_codes(deps.audit, found, CONFIRMED_CODES, "EHS1", deps.clock())
    deps.audit.append(
        decision.model_copy(
            update={
                "event_id": f"writeback-{decided}",
                "event_type": AuditEventType.WRITEBACK,
                "status": AuditStatus.WRITTEN,
                "payload": {"kind": INCIDENT_CODING, "sent": False},
            }
        )
    )
    return decided


def test_a_decided_report_set_aside_at_once_with_its_own_duplicate_stands_as_the_older() -> None:
    # review: decided_standing called any closed report fallen, while the trends count the older of two reports set
    # aside as duplicates of each other (review_s14 L6); confirming the resend then wrote a second record of the event
    audit, clock = Racing(), Clock()
    deps = IncidentDeps(audit, None, clock=clock)
    decided = _decided(deps, shift="1")
    other = log_incident(deps, IncidentReport(narrative="Pallet dropped off a fork truck at the dock."), "E2")
    resend = log_incident(deps, IncidentReport(narrative=TEXT, shift_code="2"), "E1").incident_id
    # When the decided report and another are set aside as duplicates of each other at the same moment
    audit.rival = lambda: _set_aside_as_duplicate(audit, other.incident_id, decided, clock)
    _set_aside_as_duplicate(audit, decided, other.incident_id, clock)
    # Then the trends count the decided (older) report, not the resend, and the resend is guarded the same way
    assert set(counted(incident_outcomes(audit, None))) == {decided}
    found = opening(audit, resend)
    assert found is not None and found.payload["asks_to_correct"] == [decided]
    assert decided_standing(audit, found) == [decided]


def test_a_decided_report_set_aside_as_a_duplicate_of_a_standing_one_no_longer_stands() -> None:
    audit, clock = Racing(), Clock()
    deps = IncidentDeps(audit, None, clock=clock)
    decided = _decided(deps, shift="1")
    other = log_incident(deps, IncidentReport(narrative="Pallet dropped off a fork truck at the dock."), "E2")
    resend = log_incident(deps, IncidentReport(narrative=TEXT, shift_code="2"), "E1").incident_id
    _set_aside_as_duplicate(audit, decided, other.incident_id, clock)
    found = opening(audit, resend)
    assert found is not None
    assert decided_standing(audit, found) == []


def test_the_guard_reads_a_report_named_as_replaced_then_decided_meanwhile_once() -> None:
    # The resend is recorded naming the report as replaced; the EHS lead decides it before the closing is written
    audit, clock = CountingRacing(), Clock()
    deps = IncidentDeps(audit, None, clock=clock)
    first = log_incident(deps, IncidentReport(narrative=TEXT, shift_code="1"), "E1").incident_id
    found = opening(audit, first)
    assert found is not None
    audit.rival = lambda: correct_codes(audit, found, CONFIRMED_CODES, "EHS1", clock())
    resend = log_incident(deps, IncidentReport(narrative=TEXT, shift_code="2"), "E1").incident_id
    recorded = opening(audit, resend)
    assert recorded is not None and recorded.payload["replaces"] == [first]
    audit.history_reads.clear()
    # When the page's guard asks which decided reports stand
    standing = decided_standing(audit, recorded)
    # Then the decided report stands, and its record was read once
    assert standing == [first]
    assert audit.history_reads == Counter({RECORD_PREFIX + first: 1})
