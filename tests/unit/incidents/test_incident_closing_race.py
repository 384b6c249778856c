"""A corrected resend and a withdrawal of the same report at the same moment (docs/incidents.md "What is left" until
2026-12-05: both could close it, each under its own event id). Now a resend's closing takes the report's next answer
id (`withdrawal.answer_id`), as the withdrawal and a decision do, so the audit store's conditional write records one
closing; the loser is refused saying what came first, whichever came first."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest

from functions.incident_log.handler import handler
from plexlabor.audit import AuditEvent, AuditEventType, InMemoryAuditStore
from plexlabor.audit.errors import AuditConflictError, AuditUnavailableError
from plexlabor.audit.events import replaced
from plexlabor.incidents.classifier import IncidentClassifier
from plexlabor.incidents.kindindex import counted, incident_outcomes
from plexlabor.incidents.service import (
    IncidentDeps,
    IncidentReport,
    ResendRefused,
    correct_codes,
    log_incident,
    opening,
    replacement,
)
from plexlabor.incidents.withdrawal import WithdrawalRefused, called_back, withdraw, withdrawal_of
from tests.support import FakeLambdaContext, load_event
from tests.unit.approval.approval_fakes import Clock
from tests.unit.incidents.conftest import CONFIRMED_CODES
from tests.unit.incidents.test_incident_handler import FORM
from tests.unit.incidents.test_incident_withdrawal_race import TEXT, Racing

WHY = "Sent by mistake: it was a drill."


def _deps(audit: InMemoryAuditStore, clock: Clock) -> IncidentDeps:
    return IncidentDeps(audit, None, clock=clock)


def _send(deps: IncidentDeps, kind: str) -> str:
    return log_incident(deps, IncidentReport(narrative=TEXT, kind=kind), "E1").incident_id  # type: ignore[arg-type]


def _opening(audit: Racing, identifier: str) -> AuditEvent:
    found = opening(audit, identifier)
    assert found is not None
    return found


def _closings(audit: InMemoryAuditStore, identifier: str) -> list[AuditEvent]:
    return [e for e in audit.history(f"incident:{identifier}") if e.finding_id == identifier and called_back(e)]


def test_a_resend_that_meets_a_withdrawal_recorded_meanwhile_is_a_report_of_its_own() -> None:
    # Given an injury report, and its reporter's corrected resend (a near miss) read it as live
    audit, clock = Racing(), Clock()
    deps = _deps(audit, clock)
    first = _send(deps, "injury")
    # When the withdrawal is recorded between the resend's read and its write (the resend is recorded before it
    # closes what it replaces: review_s14 L1)
    audit.rival = lambda: withdraw(audit, _opening(audit, first), by="E1", role="reporter", reason=WHY, at=clock())
    second = log_incident(deps, IncidentReport(narrative=TEXT, kind="near_miss"), "E1")
    # Then only the withdrawal closed the report, and the resend stands as a report of its own, replacing nothing
    [closing] = _closings(audit, first)
    assert withdrawal_of([closing], first) is not None
    assert not second.duplicate and second.replaces == [] and second.asks_to_correct == []
    assert set(counted(incident_outcomes(audit, None))) == {second.incident_id}


class IndexLagging(Racing):
    """The kind index (eventually consistent) not showing the closings yet; the record's own history does."""

    def by_kind(self, kind: str, **query: Any) -> list[AuditEvent]:
        return [e for e in super().by_kind(kind, **query) if not called_back(e)]


def test_a_resend_second_to_a_withdrawal_the_index_does_not_show_yet_is_refused_and_records_nothing() -> None:
    audit, clock = IndexLagging(), Clock()
    deps = _deps(audit, clock)
    first = _send(deps, "injury")
    withdraw(audit, _opening(audit, first), by="E1", role="reporter", reason=WHY, at=clock())
    with pytest.raises(ResendRefused) as refused:
        _send(deps, "near_miss")
    said = str(refused.value)
    assert said.startswith("Not recorded: your earlier report of the same text and time was withdrawn by its reporter")
    assert WHY in said and "Send it again to record it as a report of its own." in said
    assert [e.finding_id for e in audit.by_kind("incident_coding") if e.finding_id != first] == []


def test_a_withdrawal_that_meets_a_resend_recorded_meanwhile_is_refused_with_the_reason() -> None:
    # Given an injury report its reporter is withdrawing (the page read it as live)
    audit, clock = Racing(), Clock()
    deps = _deps(audit, clock)
    first = _send(deps, "injury")
    found = _opening(audit, first)
    # When the corrected resend is recorded between the withdrawal's read and its write
    resent: list[str] = []
    audit.rival = lambda: resent.append(_send(deps, "near_miss"))
    with pytest.raises(WithdrawalRefused, match="Its reporter's corrected report replaced it already"):
        withdraw(audit, found, by="E1", role="reporter", reason=WHY, at=clock())
    # Then only the resend closed the report, naming the new one, which stands
    [closing] = _closings(audit, first)
    assert replaced(closing) and replacement(audit, first) == closing
    assert closing.payload["superseded_by"] == resent[0]
    assert withdrawal_of(audit.history(found.record_key), first) is None


def test_a_decision_recorded_meanwhile_makes_the_resend_a_correction_request_not_a_replacement() -> None:
    # A resend never replaces a decided report (ux_s13 #16): meeting the decision's id, the closing reads the report
    # again, finds the decision and leaves the report as decided; the resend asks the EHS lead to correct it
    audit, clock = Racing(), Clock()
    deps = _deps(audit, clock)
    first = _send(deps, "injury")
    audit.rival = lambda: correct_codes(audit, _opening(audit, first), CONFIRMED_CODES, "EHS1", clock())
    second = log_incident(deps, IncidentReport(narrative=TEXT, kind="near_miss"), "E1")
    assert second.replaces == [] and second.asks_to_correct == [first]
    kinds = sorted(e.event_type.value for e in audit.history(f"incident:{first}"))
    assert kinds == ["decision", "recommendation"]
    assert replacement(audit, first) is None


def test_a_decision_that_meets_a_resend_recorded_meanwhile_is_not_recorded() -> None:
    audit, clock = Racing(), Clock()
    deps = _deps(audit, clock)
    first = _send(deps, "injury")
    found = _opening(audit, first)
    audit.rival = lambda: _send(deps, "near_miss")
    with pytest.raises(AuditConflictError):
        correct_codes(audit, found, CONFIRMED_CODES, "EHS1", clock())
    assert [e.event_type for e in audit.history(found.record_key)] == [
        AuditEventType.RECOMMENDATION,
        AuditEventType.EXPIRED,
    ]


@pytest.mark.parametrize("as_form", [False, True])
def test_incident_log_answers_a_resend_after_a_withdrawal_with_409_saying_what_came_first(
    trained: IncidentClassifier, as_form: bool
) -> None:
    audit = IndexLagging()
    deps = IncidentDeps(audit, trained, clock=lambda: datetime(2026, 12, 4, 15, tzinfo=UTC))

    def post(kind: str, form: bool = False) -> dict[str, Any]:
        event = load_event("incident_log")
        if form:
            headers = {**event["headers"], "Content-Type": FORM, "Sec-Fetch-Site": "same-origin"}
            event.update(headers=headers, multiValueHeaders={key: [value] for key, value in headers.items()})
        fields = {"narrative": TEXT, "kind": kind}
        event["body"] = urlencode(fields) if form else json.dumps(fields)
        return handler(event, FakeLambdaContext(), dependencies=deps)

    first = json.loads(str(post("injury")["body"]))["incident_id"]
    withdraw(audit, _opening(audit, first), by="E0001", role="reporter", reason=WHY, at=deps.clock())
    answer = post("near_miss", as_form)
    # Then it is a 409 saying what came first (a form: its page again, what was typed kept), nothing recorded
    assert answer["statusCode"] == 409
    said = "was withdrawn by its reporter at Fri 2026-12-04 15:00: " + WHY
    if as_form:
        assert said in answer["body"] and TEXT in answer["body"]
    else:
        assert said in json.loads(str(answer["body"]))["message"]
    assert len(_closings(audit, first)) == 1
    assert {e.finding_id for e in audit.by_kind("incident_coding")} == {first}


class LosesNext(InMemoryAuditStore):
    """The store unreachable for the next event of `lost` appended (once armed): with RECOMMENDATION the resend's own
    report fails (a 5xx the reporter may or may not follow with a retry); with EXPIRED its closing of the earlier
    report fails."""

    def __init__(self, lost: AuditEventType) -> None:
        super().__init__()
        self.lost = lost
        self.armed = False

    def append(self, event: AuditEvent) -> None:
        if self.armed and event.event_type is self.lost:
            self.armed = False
            raise AuditUnavailableError("DynamoDB unavailable during append: test")
        super().append(event)


def test_a_resend_whose_own_report_is_lost_closes_nothing_and_is_recorded_whole_when_sent_again() -> None:
    # review_s14 L1: the earlier report was closed "replaced by" a report that was never recorded
    audit, clock = LosesNext(AuditEventType.RECOMMENDATION), Clock()
    deps = IncidentDeps(audit, None, clock=clock)
    first = _send(deps, "injury")
    audit.armed = True
    with pytest.raises(AuditUnavailableError):
        _send(deps, "near_miss")
    assert _closings(audit, first) == []  # the earlier report stays live: nothing lost if it is never sent again
    assert set(counted(incident_outcomes(audit, None))) == {first}
    again = log_incident(deps, IncidentReport(narrative=TEXT, kind="near_miss"), "E1")
    [closing] = _closings(audit, first)
    assert not again.duplicate and again.replaces == [first] and closing.payload["superseded_by"] == again.incident_id
    assert set(counted(incident_outcomes(audit, None))) == {again.incident_id}


def test_a_resend_whose_closing_is_lost_is_counted_once_and_closes_it_when_sent_again() -> None:
    audit, clock = LosesNext(AuditEventType.EXPIRED), Clock()
    deps = IncidentDeps(audit, None, clock=clock)
    first = _send(deps, "injury")
    audit.armed = True
    with pytest.raises(AuditUnavailableError):
        _send(deps, "near_miss")
    assert _closings(audit, first) == []
    assert set(counted(incident_outcomes(audit, None))) == {first}  # one event: counted once, as the earlier
    again = log_incident(deps, IncidentReport(narrative=TEXT, kind="near_miss"), "E1")
    assert again.duplicate and again.replaces == [first]
    assert set(counted(incident_outcomes(audit, None))) == {again.incident_id}
