"""An item's evidence in plain words (ux104 #10): a crew item shows what a planner needs, not the solver's
status, proven gap, objective terms, plan figures or raw swap candidates; a short seat says why it stays
empty; an incident shows what happened, the body parts, equipment and gear read from the report and the
model's codes in words, not the extraction's text spans or "Auto coded False"; its "Who" is the reporter."""

from __future__ import annotations

from typing import Any

from plexlabor.review.evidence import evidence_words
from plexlabor.review.items import item_from_event
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import CREW, call_web, recommendation, web_deps
from tests.unit.webapp.viewers import ADMIN

PLAN: dict[str, Any] = {
    "plan_day": "2026-11-20",
    "plan_shifts": ["1", "2", "3"],
    "solver_status": "optimal",
    "proven_gap": 0.0,
    "plan_figures": {"current": {"objective": -146828.55, "unstaffed_penalty": 164037.96}},
}
ASSIGNMENT: dict[str, Any] = {
    **CREW,
    **PLAN,
    "job_no": "J101076",
    "operation_code": "20",
    "changes_current_plan": True,
    "value": 456.88,
    "labor_cost": 141.82,
    "fatigue": 5.15,
    "changeover": 20.0,
    "walking": 20.0,
    "outside_hours": 0.0,
    "reasons": ["holds TORQUE L2 for ASM-06", "42 h worked in the last 7 days"],
    "swap_candidates": [{"employee_id": "E0078", "busy_at": "ASM-08", "value": 386.76, "labor_cost": 139.43}],
}
SHORT_SEAT: dict[str, Any] = {
    **PLAN,
    "workcenter_code": "ASM-04",
    "shift_code": "2",
    "hours": 8.0,
    "seats": 1,
    "cause": "qualified_busy",
}
INCIDENT: dict[str, Any] = {
    "confidence": 0.0,
    "severity": "high",
    "incident": {
        "kind": "injury",
        "narrative": "My left hand got caught between the die and the ram at press PRS-03.",
        "occurred_at": "2026-11-20T15:30:00-05:00",
    },
    "codes": {},
    "coding": [],
    "auto_coded": False,
    "extraction": {
        "body_parts": [
            {"text": "hand", "value": "hand", "start": 8, "end": 12, "side": "left", "part_division": "4"},
            {"text": "fingers", "value": "fingers", "start": 143, "end": 150, "side": None, "part_division": "4"},
        ],
        "equipment": [{"text": "die", "value": "die", "start": 36, "end": 39}],
        "ppe": [
            {"text": "gloves", "value": "gloves", "start": 102, "end": 108, "worn": True},
            {"text": "face shield", "value": "face shield", "start": 119, "end": 130, "worn": False},
        ],
        "where": [{"text": "PRS-03", "value": "PRS-03", "start": 61, "end": 67}],
        "when": None,
        "when_text": None,
        "shift": None,
    },
    "workcenter_code": "PRS-03",
    "department": "MOLD",
    "as_of": "2026-11-20",
}
RAW = ("Solver status", "optimal", "Proven gap", "Plan figures", "Unstaffed penalty", "Swap candidates", "Fatigue")


def _evidence(world: World, item_id: str, lambda_context: Any) -> str:
    body = str(call_web(web_deps(world), "GET", f"/items/{item_id}", ADMIN, lambda_context)["body"])
    return body.split("<h2>Evidence</h2>")[1].split("<h2>")[0]


def test_a_crew_assignment_shows_what_a_planner_needs_and_no_solver_internals(lambda_context: Any) -> None:
    world = World()
    recommendation(world, "crew-0001", "crew_assignment", **ASSIGNMENT)

    evidence = _evidence(world, "crew-0001", lambda_context)

    for raw in RAW:
        assert raw not in evidence
    assert '<th scope="row">Changes current plan</th><td>yes</td>' in evidence
    assert "holds TORQUE L2 for ASM-06" in evidence and "141.82" in evidence and "J101076" in evidence


def test_a_short_seat_says_why_it_stays_empty(lambda_context: Any) -> None:
    world = World()
    recommendation(world, "seat-0001", "crew_unstaffed", **SHORT_SEAT)

    body = str(call_web(web_deps(world), "GET", "/items/seat-0001", ADMIN, lambda_context)["body"])
    evidence = body.split("<h2>Evidence</h2>")[1].split("<h2>")[0]

    assert '<th scope="row">Who</th>' not in body  # nobody is in the seat: no "Who —" row
    assert "Every qualified, available operator is needed elsewhere at the same time." in evidence
    assert "qualified_busy" not in evidence and "Cause" not in evidence
    for raw in RAW:
        assert raw not in evidence


def test_a_short_seat_whose_people_are_off_says_on_leave_or_called_off(lambda_context: Any) -> None:
    """ux_s17 L4: the cause counts a call-off's person too (`Operator.off_as`), so its words name both."""
    world = World()
    recommendation(world, "seat-0002", "crew_unstaffed", **{**SHORT_SEAT, "cause": "qualified_on_leave"})
    assert "Every qualified operator is on leave or called off." in _evidence(world, "seat-0002", lambda_context)


def test_an_incident_shows_the_report_in_words_and_who_reported_it(lambda_context: Any) -> None:
    world = World()
    event = recommendation(world, "inc-0001", "incident_coding", record_key="incidents:inc-0001", **INCIDENT)
    assert event.actor == "crew_planner"  # the review world's reporter

    body = str(call_web(web_deps(world), "GET", "/items/inc-0001", ADMIN, lambda_context)["body"])
    evidence = body.split("<h2>Evidence</h2>")[1].split("<h2>")[0]

    assert '<th scope="row">Reported by</th><td>crew_planner</td>' in body
    assert "My left hand got caught" in evidence
    assert "<td>left hand, fingers</td>" in evidence and "<td>die</td>" in evidence
    assert "Protective gear not worn</th><td>face shield</td>" in evidence
    assert "none: the EHS lead codes it" in evidence
    for raw in ("Part division", "Start:", "Auto coded", "Confidence", "Extraction", "Text:", "False"):
        assert raw not in evidence


def test_an_incidents_item_page_sends_to_the_incident_page_instead_of_an_approve(lambda_context: Any) -> None:
    """ux136 #5: its Approve was always refused ("confirmed on its own page") after promising it confirms."""
    world = World()
    recommendation(world, "inc-0001", "incident_coding", record_key="incidents:inc-0001", **INCIDENT)

    body = str(call_web(web_deps(world), "GET", "/items/inc-0001", ADMIN, lambda_context)["body"])

    assert "If you approve" not in body and 'value="approve"' not in body and 'value="reject"' not in body
    assert "/incidents/inc-0001\">Code it on the incident's page</a>" in body


def test_the_models_codes_read_as_words() -> None:
    coding = [
        {"field": "event_group", "label": "Event or exposure", "code": "64", "title": "Caught in", "confidence": 0.62}
    ]
    item = item_from_event(recommendation(World(), "inc-0002", "incident_coding", **{**INCIDENT, "coding": coding}))

    assert item is not None
    assert evidence_words(item)["Codes the model suggested"] == ["Event or exposure: 64 Caught in (62% sure)"]


def test_money_reads_in_dollars_and_a_start_comes_before_its_end(lambda_context: Any) -> None:
    """L10 (ux113): "Labor cost 250.24" without "$", and the audit's alphabetical keys put End before Start."""
    world = World()
    stored: dict[str, Any] = {
        "end": "2026-03-04T14:00:00+00:00",
        "hours": 8.0,
        "labor_cost": 1250.24,
        "start": "2026-03-04T06:00:00+00:00",
    }
    crew = {key: value for key, value in CREW.items() if key not in stored}
    recommendation(world, "crew-0002", "crew_assignment", **crew, **stored)

    body = str(call_web(web_deps(world), "GET", "/items/crew-0002", ADMIN, lambda_context)["body"])
    evidence = body.split("<h2>Evidence</h2>")[1].split("<h2>")[0]

    assert "<td>$1,250.24</td>" in evidence
    assert evidence.index(">Start<") < evidence.index(">End<")


def test_an_overtime_finding_says_what_approving_means_and_its_figures_in_words(lambda_context: Any) -> None:
    """ux164 #11/#17: "If you approve: Projected hours 63.00" and raw keys as labels on an overtime finding."""
    from tests.support import make_finding
    from tests.unit.review.review_world import open_finding

    world = World()
    finding = make_finding(
        anomaly_type="EXCESSIVE_OVERTIME",
        note="63.0 h in week 2026-W49 (40.0 h punched + 23.0 h still scheduled); limit 50 h",
        evidence={"week": "2026-W49", "punched_hours": 40.0, "scheduled_remaining_hours": 23.0, "limit_hours": 50},
        suggested_correction={"projectedHours": 63.0},
    )
    open_finding(world, finding)
    body = str(call_web(web_deps(world), "GET", f"/items/{finding.finding_id}", ADMIN, lambda_context)["body"])
    assert '<p class="approving-means">An overtime projection has nothing to correct' in body
    assert "Hours in the week" in body and "Projected hours" not in body
    for label in ("Hours punched", "Hours still scheduled", "Limit (hours)"):
        assert f'<th scope="row">{label}</th>' in body


def test_an_overtime_finding_of_a_finished_week_says_it_went_over_for_payroll(lambda_context: Any) -> None:
    """ux_s16 #6: a finished week's overtime read as a projection "so that the rest of the week is planned"."""
    from tests.support import make_finding
    from tests.unit.review.review_world import open_finding

    # Given an overtime finding of week 2026-W09, which ended before the page is read (Tue 2026-03-03)
    world = World()
    finding = make_finding(
        anomaly_type="EXCESSIVE_OVERTIME",
        note="64.7 h in week 2026-W09 (64.7 h punched); limit 55 h",
        evidence={"week": "2026-W09", "punched_hours": 64.7, "scheduled_remaining_hours": 0, "limit_hours": 55},
        suggested_correction={"projectedHours": 64.7},
    )
    open_finding(world, finding)
    # When the item page is opened
    body = str(call_web(web_deps(world), "GET", f"/items/{finding.finding_id}", ADMIN, lambda_context)["body"])
    # Then approving confirms the week went over the limit, for payroll and the overtime record
    assert (
        '<p class="approving-means">Approving confirms the week went over the limit (64.7 h against 55 h), for payroll '
        "and the overtime record; no hours are changed." in body
    )
    assert "rest of the week is planned" not in body and "(projected)" not in body


def test_an_entry_overlapping_two_says_what_approving_means_and_shows_no_plex_ids_as_text(lambda_context: Any) -> None:
    """ux_s17 M3: "If you approve: Action · review" did not say what approving does; the further entry an entry
    overlaps is a Plex id, kept to the page's Plex ids."""
    from tests.support import make_finding
    from tests.unit.review.review_world import open_finding

    # Given a manual entry overlapping the entries before and after it
    world = World()
    finding = make_finding(
        anomaly_type="OVERLAPPING_ENTRIES",
        note="Entry 09:00–11:14 overlaps 06:02–09:16 by 16 min and 09:46–14:45 by 88 min",
        evidence={"overlaps": "time-clock-entries:tce-1", "overlap_minutes": 104.0, "also_overlaps": ["tce-3"]},
        suggested_correction={"action": "review", "overlapsWith": "tce-1", "alsoOverlapsWith": ["tce-3"]},
    )
    open_finding(world, finding)
    # When the item page is opened
    body = str(call_web(web_deps(world), "GET", f"/items/{finding.finding_id}", ADMIN, lambda_context)["body"])
    # Then it says what approving records and changes, and names the further entry only among the Plex ids
    means = '<p class="approving-means">Approving confirms that this entry overlaps the one or ones the note names'
    assert means in body
    shown = body.split('<details class="plex-ids">')[0]
    assert "tce-3" not in shown and "Also overlaps" not in shown


def test_a_buddy_punchs_item_page_leaves_its_signals_to_the_note(lambda_context: Any) -> None:
    """ux_s17 L5: "Biometric low 0.634" and "Signal count 3.00" on the item page, beside the note's words."""
    from tests.support import BUDDY_EVIDENCE, make_finding
    from tests.unit.review.review_world import open_finding

    world = World()
    finding = make_finding(
        anomaly_type="BUDDY_PUNCH",
        note="Possible buddy punch (clock-in Tue 2026-11-24 14:28): biometric match 0.37, no badge-in at the building",
        evidence={**BUDDY_EVIDENCE, "decisive": "impossible_travel"},
        suggested_correction={"action": "verify identity with the employee"},
    )
    open_finding(world, finding)
    evidence = _evidence(world, finding.finding_id, lambda_context)
    assert "Decisive" in evidence
    for raw in ("Biometric low", "Device unusual", "Signal count", "0.634"):
        assert raw not in evidence


def test_a_buddy_punch_with_only_its_signals_has_no_empty_evidence_section(lambda_context: Any) -> None:
    """ux_s17 (after L5): with its signals left to the note, a buddy punch read "Evidence: none recorded"."""
    from tests.support import BUDDY_EVIDENCE, make_finding
    from tests.unit.review.review_world import open_finding

    world = World()
    note = "Possible buddy punch (clock-in Tue 2026-11-24 14:28): biometric match 0.37, no badge-in at the building"
    finding = make_finding(
        anomaly_type="BUDDY_PUNCH",
        note=note,
        evidence=dict(BUDDY_EVIDENCE),
        suggested_correction={"action": "verify identity with the employee"},
    )
    open_finding(world, finding)
    body = str(call_web(web_deps(world), "GET", f"/items/{finding.finding_id}", ADMIN, lambda_context)["body"])
    assert "biometric match 0.37" in body
    assert "<h2>Evidence</h2>" not in body and "none recorded" not in body
