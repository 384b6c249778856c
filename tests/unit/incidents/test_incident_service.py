"""Logging incidents: coded, read, recorded once; uncertain ones to the review queue; corrections as
training rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from plexlabor.audit import AuditStatus
from plexlabor.audit.errors import AuditConflictError
from plexlabor.audit.store import InMemoryAuditStore
from plexlabor.incidents import service
from plexlabor.incidents.classifier import IncidentClassifier
from plexlabor.incidents.extraction import Place
from plexlabor.incidents.oiics import Field
from plexlabor.incidents.reports import parse_coded_reports
from plexlabor.incidents.service import (
    INCIDENT_CODING,
    CodeCorrectionError,
    IncidentDeps,
    IncidentReport,
    KeptPlantChoices,
    LoggedIncident,
    PlantChoices,
    correct_codes,
    corrected_reports,
    decision_of,
    log_incident,
    opening,
    read_codes,
    replacement,
    training_reports,
)
from plexlabor.models import Employee, Shift, Workcenter
from plexlabor.platform.pilot import Hold, PilotScope
from plexlabor.platform.pilot import Place as PilotPlace
from plexlabor.review.items import item_from_event
from plexlabor.review.queue import ReviewQueue
from tests.unit.incidents.conftest import close_as_before_ux_s13_16, nothing_in_the_way_before_ux_s13_16

NOW = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
CLEAR = "An employee fell 12 feet from a ladder while loading parts and fractured his leg."
CODE_FORM = {
    "code.event_division": "6",
    "code.event_group": "64",
    "code.nature_division": "1",
    "code.part_division": "4",
    "code.source_division": "3",
}
"""The EHS lead's correction form: caught in equipment, traumatic, upper extremities, machinery."""
VAGUE = "Something happened to an employee near the cell during second shift; he went to the clinic."


def _deps(trained: IncidentClassifier | None, scope: PilotScope | None = None) -> IncidentDeps:
    return IncidentDeps(
        InMemoryAuditStore(), trained, [Place("PRESS4", "Press 4")], scope or PilotScope(), clock=lambda: NOW
    )


def test_a_clear_report_is_coded_and_recorded_without_review(trained: IncidentClassifier) -> None:
    deps = _deps(trained)
    logged = log_incident(deps, IncidentReport(narrative=CLEAR + " At Press 4.", workcenter_code="PRESS4"), "E0001")
    assert logged.status == "auto_coded" and not logged.duplicate
    assert {c.field: c.code for c in logged.codes}["event_group"] == "43"
    assert logged.extraction["where"][0]["value"] == "PRESS4"
    assert [e["value"] for e in logged.extraction["equipment"]] == ["ladder"]
    event = opening(deps.audit, logged.incident_id)
    assert event is not None and event.status is AuditStatus.LOGGED and event.actor == "E0001"
    assert event.payload["codes"]["event_division"] == "4" and event.payload["incident"]["narrative"].startswith("An")


def test_an_uncertain_report_goes_to_the_review_queue(trained: IncidentClassifier) -> None:
    deps = _deps(trained)
    logged = log_incident(deps, IncidentReport(narrative=VAGUE, kind="near_miss", shift_code="2"), "E0002")
    assert logged.status == "pending_review"
    event = opening(deps.audit, logged.incident_id)
    assert event is not None and event.status is AuditStatus.PENDING_APPROVAL
    item = item_from_event(event)
    assert item is not None and item.kind == INCIDENT_CODING and item.severity == "medium"
    assert item.note.startswith("Near miss: ") and item.shift == "2"


def test_without_a_model_everything_goes_for_review() -> None:
    logged = log_incident(_deps(None), IncidentReport(narrative=CLEAR), "E0001")
    assert logged.status == "pending_review" and logged.codes == [] and logged.model_version == "none"


class HoldsEverything(PilotScope):
    """A rollout scope that would hold back every item, whatever its kind and place."""

    def hold(self, kind: str, place: PilotPlace | None = None) -> Hold | None:
        return Hold.ADVISORY_MODE


def test_an_uncertain_coding_reaches_the_ehs_queue_whatever_the_pilot(trained: IncidentClassifier) -> None:
    """An incident is a safety record (`platform.pilot.NEVER_HELD`): the rollout scope is not asked, so not even one
    that would hold back everything keeps an uncertain coding out of the EHS lead's queue."""
    deps = _deps(trained, HoldsEverything(departments=("MOLD",), advisory=True))
    logged = log_incident(deps, IncidentReport(narrative=VAGUE, department="ASSY"), "E0001")
    assert logged.status == "pending_review"
    event = opening(deps.audit, logged.incident_id)
    assert event is not None and event.status is AuditStatus.PENDING_APPROVAL and "held" not in event.payload
    item = item_from_event(event)
    assert item is not None and item.kind == INCIDENT_CODING
    sure = log_incident(deps, IncidentReport(narrative=CLEAR, department="ASSY"), "E0001")
    assert sure.status == "auto_coded"  # a sure coding is recorded as before, to confirm on its page


def test_a_time_without_a_zone_is_plant_time(trained: IncidentClassifier) -> None:
    from zoneinfo import ZoneInfo

    deps = _deps(trained)
    deps.zone = ZoneInfo("America/Detroit")
    report = IncidentReport.model_validate({"narrative": VAGUE, "occurred_at": "2026-12-03T22:30"})
    logged = log_incident(deps, report, "E0001")
    event = opening(deps.audit, logged.incident_id)
    assert event is not None and event.payload["incident"]["occurred_at"] == "2026-12-03T22:30:00-05:00"
    assert event.payload["as_of"] == "2026-12-03"


def test_the_same_report_twice_is_one_incident(trained: IncidentClassifier) -> None:
    deps = _deps(trained)
    first = log_incident(deps, IncidentReport(narrative=VAGUE), "E0001")
    again = log_incident(deps, IncidentReport(narrative=VAGUE), "E0001")
    other = log_incident(deps, IncidentReport(narrative=VAGUE), "E0009")
    assert again.incident_id == first.incident_id and again.duplicate
    assert other.incident_id != first.incident_id


@pytest.mark.parametrize(
    "changed",
    [
        {"kind": "near_miss"},
        {"workcenter_code": "PRESS5"},
        {"department": "SHIP"},
        {"shift_code": "2"},
        {"job_no": "J1"},
    ],
)
def test_the_same_text_sent_again_with_other_details_is_a_report_of_its_own(
    trained: IncidentClassifier, changed: dict[str, str]
) -> None:
    """ux119 #4: a resend correcting the kind, workcenter, department, shift or job landed on the first report
    unseen; now both are recorded, each as sent."""
    deps = _deps(trained)
    when = datetime(2026, 12, 4, 9, 37, tzinfo=UTC)
    first = log_incident(deps, IncidentReport(narrative=VAGUE, occurred_at=when, workcenter_code="PRESS4"), "E0001")
    report = IncidentReport(narrative=VAGUE, occurred_at=when, workcenter_code="PRESS4").model_copy(update=changed)
    corrected = log_incident(deps, report, "E0001")
    assert corrected.incident_id != first.incident_id and not corrected.duplicate
    event = opening(deps.audit, corrected.incident_id)
    assert event is not None and all(event.payload["incident"][name] == value for name, value in changed.items())
    # and it replaces the first, which is closed as replaced by it (ux136 #3: the wrong first one stayed live)
    assert corrected.replaces == [first.incident_id] and event.payload["replaces"] == [first.incident_id]
    closing = replacement(deps.audit, first.incident_id)
    assert closing is not None and closing.payload["superseded_by"] == corrected.incident_id
    assert closing.actor == "E0001" and replacement(deps.audit, corrected.incident_id) is None


def test_a_corrected_resend_replaces_only_the_same_reporters_live_report_of_that_text_and_time(
    trained: IncidentClassifier,
) -> None:
    """ux136 #3: the resend replaces the live report (a second correction replaces the first correction, not the
    original again); another reporter's, another time's or another text's report stays; the same resend sent twice
    is one report; the replaced report leaves the review queue, and the KPIs do not count it as expired."""
    deps = _deps(trained)
    when = datetime(2026, 12, 4, 9, 37, tzinfo=UTC)

    def send(by: str = "E0001", text: str = VAGUE, at: datetime = when, **fields: str) -> LoggedIncident:
        return log_incident(deps, IncidentReport(narrative=text, occurred_at=at, **fields), by)  # type: ignore[arg-type]

    first = send(workcenter_code="PRESS4")
    others = [send(by="E0002"), send(at=datetime(2026, 12, 4, 9, 38, tzinfo=UTC)), send(text=VAGUE + " Again.")]
    second = send(workcenter_code="PRESS5")
    third = send(workcenter_code="PRESS5", kind="near_miss")
    assert second.replaces == [first.incident_id] and third.replaces == [second.incident_id]
    assert send(workcenter_code="PRESS5", kind="near_miss").duplicate
    assert all(o.replaces == [] and replacement(deps.audit, o.incident_id) is None for o in others)
    assert replacement(deps.audit, third.incident_id) is None
    # the original sent again is that (replaced) report, not a replacement of the live one
    again = send(workcenter_code="PRESS4")
    assert again.incident_id == first.incident_id and again.duplicate and again.replaces == []
    assert replacement(deps.audit, third.incident_id) is None
    open_ids = {item.item_id for item in ReviewQueue(deps.audit, clock=lambda: NOW).open_items()}
    assert first.incident_id not in open_ids and second.incident_id not in open_ids and third.incident_id in open_ids


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"narrative": "short"}, "narrative"),
        ({"narrative": CLEAR, "kind": "accident"}, "kind"),
        ({"narrative": CLEAR, "occurred_at": "yesterday"}, "occurred_at"),
        ({"narrative": CLEAR, "reporter": "someone else"}, "reporter"),  # who reports is the sign-in
    ],
)
def test_bad_reports_name_the_field(payload: dict[str, str], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        IncidentReport.model_validate(payload)


def test_corrections_are_one_decision_and_become_training_rows(trained: IncidentClassifier) -> None:
    deps = _deps(trained)
    logged = log_incident(deps, IncidentReport(narrative=VAGUE, occurred_at=NOW), "E0002")
    event = opening(deps.audit, logged.incident_id)
    assert event is not None
    codes = read_codes(CODE_FORM)
    answer = correct_codes(deps.audit, event, codes, "ehs1", NOW, "caught in the conveyor")
    assert answer.status is AuditStatus.APPROVED and decision_of(deps.audit, logged.incident_id) == answer
    with pytest.raises(AuditConflictError):  # two first saves at once
        correct_codes(deps.audit, event, codes, "ehs2", NOW)
    # a later correction is a decision of its own and the newest holds; two of the same decision conflict
    corrected = correct_codes(deps.audit, event, {**codes, "source_division": "5"}, "ehs1", NOW, None, {}, answer)
    assert corrected.payload["corrects"] == answer.event_id and corrected.event_id != answer.event_id
    assert decision_of(deps.audit, logged.incident_id) == corrected
    with pytest.raises(AuditConflictError):
        correct_codes(deps.audit, event, codes, "ehs2", NOW, None, {}, answer)
    reports = corrected_reports([event], [answer])
    assert len(reports) == 1 and reports[0].narrative == VAGUE and reports[0].codes[Field.EVENT_GROUP] == "64"
    assert corrected_reports([event], []) == []


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("event_group", "43", "Event group: an event group is two digits starting with its division"),
        ("part_division", "7", "Part of body: not an OIICS division"),
        ("event_division", "", "Event or exposure: choose one"),
    ],
)
def test_corrected_codes_are_checked(field: str, value: str, problem: str) -> None:
    form = {**CODE_FORM, f"code.{field}": value}
    with pytest.raises(CodeCorrectionError, match=problem):
        read_codes(form)


def test_training_rows_parse_as_coded_reports(trained: IncidentClassifier) -> None:
    from plexlabor.incidents.reports import write_coded_reports

    deps = _deps(trained)
    logged = log_incident(deps, IncidentReport(narrative=VAGUE), "E0002")
    event = opening(deps.audit, logged.incident_id)
    assert event is not None
    codes = read_codes(
        {
            "code.event_division": "4",
            "code.event_group": "42",
            "code.nature_division": "1",
            "code.part_division": "5",
            "code.source_division": "6",
        }
    )
    rows = corrected_reports([event], [correct_codes(deps.audit, event, codes, "ehs1", NOW)])
    lines = write_coded_reports(rows).splitlines()
    again = parse_coded_reports(lines, "corrections.csv")
    assert again[0].codes == rows[0].codes and again[0].narrative == VAGUE


def test_every_department_of_the_plant_may_be_named_not_only_those_with_workcenters() -> None:
    # Given a plant whose shipping and maintenance people have no workcenter of their own department
    workcenters = [Workcenter(workcenter_id="w1", workcenter_code="CNC4", department_code="MACH")]
    employees = [
        Employee(id="e1", employee_no="1", first_name="A", last_name="B", department_code="SHIP"),
        Employee(id="e2", employee_no="2", first_name="C", last_name="D", department_code="MAINT"),
        Employee(id="e3", employee_no="3", first_name="E", last_name="F", department_code="GONE", status="Terminated"),
    ]
    choices = PlantChoices.of(workcenters, employees, [])
    # Then the form offers and incident_log accepts them all, and not a department nobody active is in
    assert choices.departments == ("MACH", "MAINT", "SHIP")
    report, unknown = choices.fit(IncidentReport(narrative=CLEAR, department="ship"))
    assert report.department == "SHIP" and unknown == []
    assert choices.fit(IncidentReport(narrative=CLEAR, department="GONE"))[1]


def test_without_the_shift_list_a_shift_is_checked_against_the_shifts_people_work() -> None:
    # Given a plant whose shift list (a Data Source) could not be read, and whose people work shifts 1 and 2
    employees = [
        Employee(id="e1", employee_no="1", first_name="A", last_name="B", default_shift_code="1"),
        Employee(id="e2", employee_no="2", first_name="C", last_name="D", default_shift_code="2"),
    ]
    choices = PlantChoices.of([], employees, [])
    # Then "day" is refused, "2" is kept, and a read shift list wins over what people work
    assert choices.fit(IncidentReport(narrative=CLEAR, shift_code="day"))[1]
    assert choices.fit(IncidentReport(narrative=CLEAR, shift_code="2"))[1] == []
    day = Shift(shift_id="s1", shift_code="1", name="Day", start_local="06:00", end_local="14:00")
    assert PlantChoices.of([], employees, [day]).shifts == (("1", "Day"),)


def test_the_plants_values_are_read_again_once_an_hour_old_and_kept_when_a_read_fails() -> None:
    # Given Plex whose workcenters are read, and a clock
    reads: list[PlantChoices | Exception] = [PlantChoices(("CNC4",))]

    def read() -> PlantChoices:
        if isinstance(reads[-1], Exception):
            raise reads[-1]
        return reads[-1]

    now = [0.0]
    choices = KeptPlantChoices(read=read, clock=lambda: now[0])
    assert choices().workcenters == ("CNC4",)
    # When a workcenter is added in Plex: offered once the read is an hour old, not before
    reads.append(PlantChoices(("CNC4", "PRESS4")))
    now[0] = KeptPlantChoices.KEEP_S - 1
    assert choices().workcenters == ("CNC4",)
    now[0] = KeptPlantChoices.KEEP_S
    assert choices().workcenters == ("CNC4", "PRESS4")
    # And a read that fails keeps what was read before
    reads.append(TimeoutError("Plex slow"))
    now[0] = 2 * KeptPlantChoices.KEEP_S
    assert choices().workcenters == ("CNC4", "PRESS4")


def test_a_failed_hourly_read_is_tried_again_after_a_rest_not_another_hour() -> None:
    reads: list[PlantChoices | Exception] = [PlantChoices(("CNC4",)), TimeoutError("Plex slow")]
    reads.append(PlantChoices(("CNC4", "PRESS4")))
    now = [0.0]
    choices = KeptPlantChoices(read=lambda: _next(reads), clock=lambda: now[0])
    assert choices().workcenters == ("CNC4",)
    now[0] = KeptPlantChoices.KEEP_S
    assert choices().workcenters == ("CNC4",)  # the re-read failed: what was read before
    now[0] = KeptPlantChoices.KEEP_S + KeptPlantChoices.REST_S - 1
    assert choices().workcenters == ("CNC4",)
    now[0] = KeptPlantChoices.KEEP_S + KeptPlantChoices.REST_S
    assert choices().workcenters == ("CNC4", "PRESS4")  # review 123, 7: was another hour
    now[0] += KeptPlantChoices.REST_S
    assert choices().workcenters == ("CNC4", "PRESS4") and not reads  # then hourly again


def test_a_workcenter_added_in_plex_is_found_in_a_narrative_once_the_choices_are_read_again() -> None:
    # Given incident_log's kept choices (no fixed places), read from Plex's workcenters
    workcenters = [Workcenter(workcenter_id="w1", workcenter_code="PRESS4", name="Press 4")]
    now = [0.0]
    kept = KeptPlantChoices(read=lambda: PlantChoices.of(workcenters, [], []), clock=lambda: now[0])
    deps = IncidentDeps(InMemoryAuditStore(), None, clock=lambda: NOW, plant_choices=kept)
    narrative = "A pallet slid off the rack at Press 4 and another at Laser 1; nobody was hurt."
    assert [m["value"] for m in log_incident(deps, IncidentReport(narrative=narrative), "E1").extraction["where"]] == [
        "PRESS4"
    ]
    # When a workcenter is added in Plex: found in the text once the hourly read has it (review 123)
    workcenters.append(Workcenter(workcenter_id="w2", workcenter_code="LASER1", name="Laser 1"))
    now[0] = KeptPlantChoices.KEEP_S
    again = log_incident(deps, IncidentReport(narrative=narrative + " Again."), "E1")
    assert [m["value"] for m in again.extraction["where"]] == ["PRESS4", "LASER1"]


def test_without_a_first_read_the_plants_values_are_tried_again_after_a_rest() -> None:
    reads: list[PlantChoices | Exception] = [TimeoutError("Plex down"), PlantChoices(("CNC4",))]
    now = [0.0]
    choices = KeptPlantChoices(read=lambda: _next(reads), clock=lambda: now[0])
    assert choices() == PlantChoices()  # typed fields for now
    now[0] = KeptPlantChoices.REST_S - 1
    assert choices() == PlantChoices()
    now[0] = KeptPlantChoices.REST_S
    assert choices().workcenters == ("CNC4",)


def _next(reads: list[PlantChoices | Exception]) -> PlantChoices:
    found = reads.pop(0)
    if isinstance(found, Exception):
        raise found
    return found


def test_a_near_miss_has_no_nature_of_injury_or_part_of_body(trained: IncidentClassifier) -> None:
    """ux119 #18: 'Nobody was hurt.' was coded 'Nature of injury 1 Traumatic injuries (sure)', 'Part of body 3'."""
    deps = _deps(trained)
    narrative = "A forklift reversed out of aisle 3 without the horn and nearly hit me near the dock. Nobody was hurt."
    logged = log_incident(deps, IncidentReport(narrative=narrative, kind="near_miss"), "E0001")
    assert {c.field for c in logged.codes} == {"event_division", "event_group", "source_division"}
    event = opening(deps.audit, logged.incident_id)
    assert event is not None and event.payload["not_applicable"] == ["nature_division", "part_division"]
    assert set(event.payload["codes"]) == {"event_division", "event_group", "source_division"}
    # the EHS lead's form for it has no such fields, and they are not asked for
    near_miss_form = {k: v for k, v in CODE_FORM.items() if k not in ("code.nature_division", "code.part_division")}
    assert set(read_codes(near_miss_form, near_miss=True)) == {"event_division", "event_group", "source_division"}
    with pytest.raises(CodeCorrectionError, match="Nature of injury"):
        read_codes(near_miss_form)  # an injury has them


@pytest.mark.parametrize(("days", "replaces"), [(0, True), (29, True), (31, False)])
def test_a_resend_replaces_a_report_of_the_last_30_days_only(
    trained: IncidentClassifier, days: int, replaces: bool
) -> None:
    """The read for the report a resend replaces starts at the stated time (less the clock skew a report may have)
    or 30 days back, whichever is later: a resend 31 days on is a report of its own."""
    sent_at = [NOW]
    deps = IncidentDeps(InMemoryAuditStore(), trained, clock=lambda: sent_at[0])
    when = datetime(2026, 12, 4, 14, 58, tzinfo=UTC)  # 2 minutes before it was sent
    first = log_incident(deps, IncidentReport(narrative=VAGUE, occurred_at=when), "E0001")
    sent_at[0] = NOW + timedelta(days=days, minutes=1)
    second = log_incident(deps, IncidentReport(narrative=VAGUE, occurred_at=when, kind="near_miss"), "E0001")
    assert second.replaces == ([first.incident_id] if replaces else [])
    assert (replacement(deps.audit, first.incident_id) is not None) is replaces


def test_a_replaced_report_is_not_a_training_row_and_its_replacement_is(
    trained: IncidentClassifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The EHS lead confirmed an injury before its reporter corrected it (a resend replaced a decided report until
    2026-12-06: such records stay): that decision does not teach the model."""
    monkeypatch.setattr(service, "close_replaced", close_as_before_ux_s13_16)
    monkeypatch.setattr(service, "in_the_way", nothing_in_the_way_before_ux_s13_16)
    deps = _deps(trained)
    when = datetime(2026, 12, 4, 9, 37, tzinfo=UTC)
    first = log_incident(deps, IncidentReport(narrative=VAGUE, occurred_at=when, shift_code="1"), "E0001")
    event = opening(deps.audit, first.incident_id)
    assert event is not None
    correct_codes(deps.audit, event, read_codes(CODE_FORM), "S1", NOW)
    assert [r.report_id for r in training_reports(deps.audit)] == [first.incident_id]
    second = log_incident(deps, IncidentReport(narrative=VAGUE, occurred_at=when, shift_code="2"), "E0001")
    assert training_reports(deps.audit) == []
    replacing = opening(deps.audit, second.incident_id)
    assert replacing is not None
    correct_codes(deps.audit, replacing, read_codes(CODE_FORM), "S1", NOW)
    assert [r.report_id for r in training_reports(deps.audit)] == [second.incident_id]
