"""Supervisors' decisions on validation findings, read from the audit table (the in-memory fake) for the
upheld-findings measure: counted per employee in the window, left out with a reason when there are none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from plexlabor.analytics.decisions import read_decisions
from plexlabor.analytics.inputs import EntryFacts, FindingDecisions, ScoreInputs, read_inputs
from plexlabor.analytics.scores import score, worked_days
from plexlabor.approval.callback import decision_event
from plexlabor.approval.messages import Decision
from plexlabor.approval.recommendations import Recommended, recommendation_decision
from plexlabor.audit import ApprovalAction, AuditEvent
from plexlabor.audit.store import InMemoryAuditStore
from plexlabor.plant import PlantFolder
from plexlabor.plex import PlantFolderSource
from tests.support import make_finding

END = datetime(2026, 11, 21, 5, tzinfo=UTC)
BEGIN = END - timedelta(weeks=4)
MEASURE = "upheld_findings_per_day"


def decided(employee_id: str, number: int, upheld: bool, at: datetime = BEGIN + timedelta(days=3)) -> AuditEvent:
    """A supervisor's decision on a punch finding about `employee_id`, as the approval flow records it."""
    finding = make_finding(
        finding_id=f"f-{number:024d}", record_key=f"time-clock-entries:T{number:07d}", employee_id=employee_id
    )
    action = ApprovalAction.APPROVE if upheld else ApprovalAction.REJECT
    reason = None if upheld else "the punch was right"
    return decision_event(finding, Decision(action=action, reason=reason, supervisor_id="E0001"), at, None)


def audit_of(*events: AuditEvent) -> InMemoryAuditStore:
    audit = InMemoryAuditStore()
    for event in events:
        audit.append(event)
    return audit


@pytest.fixture(scope="module")
def plant_inputs(labelled_plant: PlantFolder) -> ScoreInputs:
    """The labelled plant's last four weeks, as Plex's data alone gives them (no decisions)."""
    return read_inputs(PlantFolderSource(labelled_plant), BEGIN, END)


def test_upheld_and_rejected_findings_are_counted_per_employee_in_the_window() -> None:
    # Given decisions on punch findings in the window, before it and at its end, and a decision on a
    # recommendation (a crew assignment) about the same person
    crew = Recommended("item-1", "job-operations:JO-1", "crew_assignment", "E2", "crew-1")
    approve = Decision(action=ApprovalAction.APPROVE, supervisor_id="E0001")
    audit = audit_of(
        decided("E1", 1, upheld=True),
        decided("E1", 2, upheld=True, at=END - timedelta(seconds=1)),
        decided("E1", 3, upheld=False),
        decided("E2", 4, upheld=False),
        decided("E3", 5, upheld=True, at=BEGIN - timedelta(seconds=1)),
        decided("E3", 6, upheld=True, at=END),
        recommendation_decision(crew, approve, BEGIN + timedelta(days=1), "queue"),
    )
    # When read for the window
    decisions = read_decisions(audit, BEGIN, END)
    # Then each person's upheld (approved) and rejected findings decided in [begin, end), nothing else
    assert decisions == FindingDecisions(upheld={"E1": 2}, rejected={"E1": 1, "E2": 1})


def test_with_no_decision_the_measure_is_absent_with_a_reason_not_zero(plant_inputs: ScoreInputs) -> None:
    # Given an empty audit table, and a plant folder (no audit table at all)
    empty = read_decisions(InMemoryAuditStore(), BEGIN, END)
    assert empty == FindingDecisions()
    for inputs, reason in (
        (ScoreInputs(BEGIN, END, plant_inputs.employees, plant_inputs.entries, empty), "no validation finding"),
        (plant_inputs, "audit table"),
    ):
        # When scored
        report = score(inputs)
        # Then nobody has the measure (not a zero), the report says why, and nobody has finding counts
        assert reason in report.absent[MEASURE].reason and MEASURE not in report.measures
        assert all(MEASURE not in unit.measures for unit in (*report.operators, *report.crews, *report.shifts))
        assert all(unit.findings_upheld is None and unit.findings_rejected is None for unit in report.operators)


def test_more_decisions_than_the_read_holds_are_not_scored_on_a_part(plant_inputs: ScoreInputs) -> None:
    audit = audit_of(*(decided("E1", n, upheld=True, at=BEGIN + timedelta(hours=n)) for n in range(1, 4)))
    decisions = read_decisions(audit, BEGIN, END, limit=2)
    assert decisions.not_read == "more than 2 findings were approved in the window"
    report = score(ScoreInputs(BEGIN, END, plant_inputs.employees, plant_inputs.entries, decisions))
    assert {name: a.reason for name, a in report.absent.items()} == {MEASURE: decisions.not_read}
    # a full page of decisions made after the window's end is no reason: those in it were all read
    later = audit_of(*(decided("E1", n, upheld=True, at=END + timedelta(hours=n)) for n in range(1, 4)))
    assert read_decisions(later, BEGIN, END, limit=2) == FindingDecisions()


def test_upheld_findings_are_scored_per_worked_day_with_funnel_and_teams_adding_up(plant_inputs: ScoreInputs) -> None:
    # Given three operators: one with six findings upheld, one with one, one whose three were all rejected
    often, once, wrongly = sorted(plant_inputs.entries)[:3]
    events = [decided(often, n, upheld=True) for n in range(1, 7)]
    events += [decided(once, 7, upheld=True), *(decided(wrongly, n, upheld=False) for n in (8, 9, 10))]
    decisions = read_decisions(audit_of(*events), BEGIN, END)
    # When the window is scored with them
    report = score(ScoreInputs(BEGIN, END, plant_inputs.employees, plant_inputs.entries, decisions))
    assert report.absent == {} and set(report.measures[MEASURE]) == {"operator", "crew", "shift"}
    by_key = {unit.key: unit for unit in report.operators}
    # Then each operator's raw value is upheld findings over their worked days, the estimate in its interval
    days = {key: worked_days(rows) for key, rows in plant_inputs.entries.items()}
    for key, upheld in ((often, 6), (once, 1), (wrongly, 0)):
        measure = by_key[key].measures[MEASURE]
        assert (measure.raw, measure.volume) == (pytest.approx(upheld / days[key]), days[key])
        assert measure.low <= measure.estimate <= measure.high
    assert (by_key[wrongly].findings_upheld, by_key[wrongly].findings_rejected) == (0, 3)
    # shrunk toward the plant's rate, and six upheld in a few weeks lies above the funnel
    plant = report.measures[MEASURE]["operator"].target
    frequent = by_key[often].measures[MEASURE]
    assert plant < frequent.estimate < frequent.raw and frequent.outside_funnel == "high"
    assert by_key[wrongly].measures[MEASURE].outside_funnel is None
    # and everyone else, with no finding decided, is scored zero findings over their days (not left out)
    assert all(MEASURE in unit.measures for unit in report.operators)
    # a crew's count is its members', its volume their worked days added up
    crew = next(unit for unit in report.crews if unit.key == plant_inputs.employees[often].supervisor_id)
    members = [key for key in plant_inputs.entries if plant_inputs.employees[key].supervisor_id == crew.key]
    expected = sum(decisions.upheld.get(key, 0) for key in members)
    assert crew.findings_upheld == expected and crew.measures[MEASURE].volume == sum(days[key] for key in members)


def test_worked_days_are_counted_by_the_work_so_a_night_shift_is_one_day() -> None:
    def entry(employee_id: str, start: datetime, hours: float) -> EntryFacts:
        begin = start.timestamp()
        return EntryFacts(employee_id, begin, begin + hours * 3600, "JO-1", 10.0, 1.0)

    night = datetime(2026, 11, 2, 22, tzinfo=UTC)
    # three nights of two entries each, 22:00-02:00 and 02:30-06:00 (UTC and plant days both cross midnight)
    nights = [entry("N", night + timedelta(days=d, hours=h), 4) for d in range(3) for h in (0, 4.5)]
    # a day shift with a double shift on the second day (16 h straight, one day), then a day off
    days = [entry("D", night + timedelta(days=d, hours=-16), 8) for d in (0, 1, 3)]
    days.append(entry("D", night + timedelta(days=1, hours=-8), 8))
    assert worked_days(nights) == 3 and worked_days(days) == 3
    # a team's are its members' added up, whatever the order given
    assert worked_days([*days, *nights][::-1]) == 6 and worked_days([]) == 0
