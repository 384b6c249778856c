"""Two reports set aside as duplicates of each other at the same moment (review_s14 L6): each request read the other as
standing, so both were recorded and neither was counted in the trends or the training rows. The older is counted."""

from __future__ import annotations

from plexlabor.incidents.kindindex import counted, incident_outcomes
from plexlabor.incidents.service import IncidentDeps, IncidentReport, log_incident, opening
from plexlabor.incidents.withdrawal import DUPLICATE, withdraw
from tests.unit.approval.approval_fakes import Clock
from tests.unit.incidents.test_incident_withdrawal_race import Racing


def _set_aside_as_duplicate(audit: Racing, report: str, of: str, clock: Clock) -> None:
    found, other = opening(audit, report), opening(audit, of)
    assert found is not None and other is not None
    withdraw(
        audit, found, by="EHS1", role="ehs", reason="the same event", at=clock(), ground=DUPLICATE, duplicate_of=other
    )


def test_two_reports_set_aside_as_duplicates_of_each_other_at_once_count_once_as_the_older() -> None:
    audit, clock = Racing(), Clock()
    deps = IncidentDeps(audit, None, clock=clock)
    older = log_incident(deps, IncidentReport(narrative="A pallet fell off the rack in aisle 3."), "E1").incident_id
    newer = log_incident(deps, IncidentReport(narrative="Pallet dropped from the aisle 3 rack."), "E2").incident_id
    # When the EHS lead (two tabs, or two leads) sets each aside as a duplicate of the other at the same moment
    audit.rival = lambda: _set_aside_as_duplicate(audit, newer, older, clock)
    _set_aside_as_duplicate(audit, older, newer, clock)
    # Then both closings are recorded, and the event is counted once, as the older report
    outcomes = incident_outcomes(audit, None)
    assert set(counted(outcomes)) == {older}
    assert outcomes[older].duplicate_of == newer and outcomes[newer].duplicate_of == older


def test_a_duplicate_of_a_standing_report_is_not_counted() -> None:
    audit, clock = Racing(), Clock()
    deps = IncidentDeps(audit, None, clock=clock)
    first = log_incident(deps, IncidentReport(narrative="A pallet fell off the rack in aisle 3."), "E1").incident_id
    second = log_incident(deps, IncidentReport(narrative="Pallet dropped from the aisle 3 rack."), "E2").incident_id
    _set_aside_as_duplicate(audit, first, second, clock)
    assert set(counted(incident_outcomes(audit, None))) == {second}
