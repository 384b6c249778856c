"""approval_callback through its handler with fakes: the page, decisions and every refusal."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from approval_fakes import World, api_event, make_finding, make_request, notice

from functions.approval_callback.handler import handler
from plexlabor.approval.callback import CallbackService
from plexlabor.approval.directory import PeopleDisplay, Person, StaticPeopleDirectory
from plexlabor.approval.display import Reader
from plexlabor.approval.messages import ExpiryNotice, Stage
from plexlabor.approval.ports import RecordingTaskCallback
from plexlabor.audit import ApprovalLinkSigner, AuditEventType, AuditStatus
from tests.support import BUDDY_EVIDENCE, FakeLambdaContext

FINDING_ID = "f-000000000000000000000001"


def run(event: dict[str, Any], service: CallbackService) -> dict[str, Any]:
    """approval_callback as Lambda calls it (its decorators included), `service` injected."""
    return handler(event, FakeLambdaContext(), dependencies=service)


def call(
    world: World, method: str, token: str, authorizer: dict[str, Any] | None = None, **form: str
) -> dict[str, Any]:
    body = urlencode(form) if method == "POST" else None
    return run(api_event(method, token, body, authorizer), world.callback)


def decisions(world: World) -> list[Any]:
    return [e for e in world.audit.for_finding(FINDING_ID) if e.event_type is AuditEventType.DECISION]


def test_get_shows_the_finding_and_never_uses_the_link(world: World) -> None:
    # Given a mailed link
    [token] = world.notified(notice())
    # When it is opened twice (a mail scanner, then the supervisor)
    first, second = call(world, "GET", token), call(world, "GET", token)
    # Then both show the page with the note, evidence, correction and both buttons
    assert first["statusCode"] == second["statusCode"] == 200
    page = second["body"]
    for text in ("Missed punch", "No clock-out 14 h", "Hours overdue", "Clock-out", "E0002", "93%"):
        assert text in page
    assert 'value="approve"' in page and 'value="reject"' in page and '<form method="post">' in page

    assert "<script" not in page and "http" not in page.split("<body>")[1]  # nothing external
    headers = first["multiValueHeaders"] if "multiValueHeaders" in first else first["headers"]
    assert "text/html" in str(headers) and "no-referrer" in str(headers) and "no-store" in str(headers)
    # and the link still works for the decision
    assert call(world, "POST", token, action="approve")["statusCode"] == 200


def test_approve_resumes_the_execution_and_records_the_decision(world: World) -> None:
    [token] = world.notified(notice(token="task-1"))
    # When the supervisor approves
    response = call(world, "POST", token, action="approve")
    # Then the execution gets the decision, the audit records it as the supervisor, and the page says so
    assert response["statusCode"] == 200 and "Approved" in response["body"]
    assert world.tasks.succeeded == [
        ("task-1", {"decision": {"action": "approve", "reason": None, "supervisor_id": "E0001", "correction": None}})
    ]
    [event] = decisions(world)
    assert (event.status, event.actor, event.supervisor_id) == (AuditStatus.APPROVED, "E0001", "E0001")


def test_reject_with_reason_keeps_the_reason_and_the_features_for_training(world: World) -> None:
    [token] = world.notified(notice())
    # When the supervisor rejects with a reason
    response = call(world, "POST", token, action="reject", reason="  He left by the side   door ")
    # Then the reason and the finding's features are in the decision event
    assert response["statusCode"] == 200 and "Rejected" in response["body"]
    [event] = decisions(world)
    assert event.status is AuditStatus.REJECTED
    assert event.payload["reason"] == "He left by the side door"
    assert event.payload["features"] == {"hours_overdue": 14.0, "history_log": 3.4}
    assert world.tasks.succeeded[0][1]["decision"]["action"] == "reject"


def test_a_rejection_without_reason_is_refused_and_the_link_survives(world: World) -> None:
    [token] = world.notified(notice())
    # When the supervisor rejects without a reason, or sends no action
    assert call(world, "POST", token, action="reject", reason=" ")["statusCode"] == 400
    assert call(world, "POST", token)["statusCode"] == 400
    # Then nothing happened, and the link still works
    assert world.tasks.succeeded == [] and decisions(world) == []
    assert call(world, "POST", token, action="reject", reason="not a missed punch")["statusCode"] == 200


def test_a_refused_form_shows_the_link_page_again_with_the_problem_and_what_was_typed(world: World) -> None:
    """ux164 #11: Reject without a reason ended on a bare 400 page: no finding, no form, no way back."""
    [token] = world.notified(notice())
    # When the supervisor rejects with only spaces, or sends the form without choosing
    for form in ({"action": "reject", "reason": "   "}, {"reason": "he <left> early"}):
        response = call(world, "POST", token, None, **form)
        # Then the answer is still 400, and it is the link's page: the finding, the form, the problem above the box
        assert response["statusCode"] == 400
        page = response["body"]
        assert "Missed punch" in page and "No clock-out 14 h" in page and '<form method="post">' in page
        assert 'value="approve"' in page and 'value="reject"' in page
        assert 'role="alert"' in page and 'aria-invalid="true"' in page
    assert "A rejection needs a reason: it tells the model why the finding was wrong." in _first_page(world, token)
    assert "Choose Approve or Reject." in page and ">he &lt;left&gt; early</textarea>" in page  # kept, escaped
    # and nothing was decided: the link still decides once
    assert world.tasks.succeeded == [] and decisions(world) == []
    assert call(world, "POST", token, action="reject", reason="not a missed punch")["statusCode"] == 200
    assert call(world, "POST", token, action="reject", reason="again")["statusCode"] == 410


def _first_page(world: World, token: str) -> str:
    return str(call(world, "POST", token, action="reject", reason="")["body"])


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_forged_and_tampered_links_get_403_and_change_nothing(world: World, method: str) -> None:
    [token] = world.notified(notice())
    payload, signature = token.split(".")
    other_key = ApprovalLinkSigner(b"another-key-of-at-least-32-bytes-long!!", clock=world.clock)
    forged = [
        "not-a-token",
        payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + signature,
        other_key.issue(FINDING_ID, "E0001", ["approve", "reject"], timedelta(hours=1)),
        "<script>alert(1)</script>",
    ]
    for bad in forged:
        response = call(world, method, bad, action="approve")
        assert response["statusCode"] in (403, 404), bad
        assert "<script>alert" not in response["body"]
    assert world.tasks.succeeded == [] and decisions(world) == []


def test_an_expired_link_gets_410(world: World) -> None:
    [token] = world.notified(notice(make_request(wait_seconds=60)))
    world.clock.advance(seconds=61)
    assert call(world, "GET", token)["statusCode"] == 410
    response = call(world, "POST", token, action="approve")
    assert response["statusCode"] == 410 and "expired" in response["body"]
    assert '<a href="../queue">Open the review queue</a>' in response["body"]  # where it may still wait
    assert world.tasks.succeeded == [] and decisions(world) == []


def test_a_used_link_gets_410_the_second_time(world: World) -> None:
    [token] = world.notified(notice())
    assert call(world, "POST", token, action="approve")["statusCode"] == 200
    # When the same link is posted again (a double click, a forwarded mail)
    again = call(world, "POST", token, action="reject", reason="changed my mind")
    # Then it is refused and the first decision stands alone
    assert again["statusCode"] == 410
    assert len(world.tasks.succeeded) == 1 and [e.status for e in decisions(world)] == [AuditStatus.APPROVED]
    assert call(world, "GET", token)["statusCode"] == 410  # the page says it is decided


def test_a_link_presented_by_another_signed_in_supervisor_gets_403(world: World) -> None:
    [token] = world.notified(notice())
    other = {"supervisor_id": "E0200", "principalId": "E0200"}
    assert call(world, "GET", token, authorizer=other)["statusCode"] == 403
    assert call(world, "POST", token, authorizer=other, action="approve")["statusCode"] == 403
    assert world.tasks.succeeded == [] and decisions(world) == []
    # while the right supervisor, signed in through Cognito, may use it
    cognito = {"claims": {"custom:supervisor_id": "E0001"}}
    assert call(world, "POST", token, authorizer=cognito, action="approve")["statusCode"] == 200


def test_a_decision_after_the_execution_timed_out_gets_410_and_records_nothing(world: World) -> None:
    [token] = world.notified(notice(token="task-late"))
    world.tasks.closed.add("task-late")  # Step Functions: TaskTimedOut
    response = call(world, "POST", token, action="approve")
    assert response["statusCode"] == 410 and "timed out" in response["body"]
    assert decisions(world) == []


def test_an_older_link_superseded_by_a_redelivered_notice_gets_410(world: World) -> None:
    [old] = world.notified(notice())
    new = world.notified(notice())[-1]
    assert call(world, "POST", old, action="approve")["statusCode"] == 410
    assert call(world, "POST", new, action="approve")["statusCode"] == 200


def test_a_link_to_an_expired_approval_gets_410(world: World) -> None:
    # Given the first supervisor's link, and the request expired after escalation
    request = make_request(escalation_supervisor_id="E0100")
    [token] = world.notified(notice(request))
    world.notify.batch().add(ExpiryNotice(request=request), "m-9")
    response = call(world, "GET", token)
    assert response["statusCode"] == 410 and "expired" in response["body"]


def test_the_escalated_supervisor_decides_with_their_own_link(world: World) -> None:
    request = make_request(escalation_supervisor_id="E0100")
    first = world.notified(notice(request, token="task-1"))[0]
    escalated = world.notified(notice(request, stage=Stage.ESCALATED, token="task-2"))[-1]
    assert call(world, "POST", escalated, action="approve")["statusCode"] == 200
    assert world.tasks.succeeded[0][0] == "task-2"
    assert decisions(world)[0].payload["stage"] == "escalated"
    assert call(world, "POST", first, action="approve")["statusCode"] == 410  # already approved


def test_everything_on_the_page_is_escaped(world: World) -> None:
    finding = make_finding(
        note='<script>alert("x")</script> & co',
        evidence={"clockin": "2026-03-02T05:52:00.0000000Z", "<b>": "<img src=x onerror=alert(1)>"},
        suggested_correction={"clockoutTime": "<i>2026</i>"},
    )
    [token] = world.notified(notice(make_request(finding)))
    page = call(world, "GET", token)["body"]
    assert "<script>" not in page and "<img" not in page and "<i>" not in page and "<b>" not in page
    assert "&lt;script&gt;" in page and "&amp; co" in page


def test_unknown_routes_get_404(world: World) -> None:
    event = api_event("GET", "x")
    event["path"] = "/elsewhere"
    assert run(event, world.callback)["statusCode"] == 404


def test_the_page_names_the_employee_by_the_plants_number(world: World) -> None:
    # Given a request that carries the employee number from Plex
    [token] = world.notified(notice(make_request(employee_number="E04711")))
    # When the supervisor opens the link
    page = call(world, "GET", token)["body"]
    # Then the employee is named by that number, not by an opaque id
    assert "<th>Employee</th><td>E04711</td>" in page


# ---- a transient Step Functions error does not spend the link (issue 17) ----------------------------
class FlakyTasks(RecordingTaskCallback):
    """SendTaskSuccess that fails `failures` times with a transient error (a throttle, a 5xx, a
    connection reset) before it works."""

    def __init__(self, failures: int = 1) -> None:
        super().__init__()
        self.failures = failures

    def succeed(self, task_token: str, output: dict[str, Any]) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("Step Functions unreachable")
        super().succeed(task_token, output)


def test_a_transient_step_functions_error_answers_500_and_the_retry_decides(world: World) -> None:
    # Given a mailed link, and Step Functions failing once
    world.tasks = FlakyTasks(failures=1)
    [token] = world.notified(notice(token="task-1"))
    # When the supervisor approves: the first attempt fails
    first = call(world, "POST", token, action="approve")
    assert first["statusCode"] == 500 and world.tasks.succeeded == [] and decisions(world) == []
    # Then the link is not spent: the retry resumes the execution and records the decision
    again = call(world, "POST", token, action="approve")
    assert again["statusCode"] == 200, again["body"]
    assert [token for token, _ in world.tasks.succeeded] == ["task-1"]
    assert [e.status for e in decisions(world)] == [AuditStatus.APPROVED]
    # and once decided, the link is used up
    assert call(world, "POST", token, action="approve")["statusCode"] == 410


def test_a_timed_out_execution_still_uses_the_link_up(world: World) -> None:
    # ApprovalClosedError is final, not transient: the link stays spent
    [token] = world.notified(notice(token="task-late"))
    world.tasks.closed.add("task-late")
    assert call(world, "POST", token, action="approve")["statusCode"] == 410
    world.tasks.closed.clear()
    response = call(world, "POST", token, action="approve")
    assert response["statusCode"] == 410
    assert "This approval link was used already: each link works once." in response["body"]
    assert decisions(world) == []


def test_a_queue_decision_after_a_transient_error_can_be_retried(world: World) -> None:
    # Given a finding whose link was mailed, decided from the review queue while Step Functions fails once
    world.tasks = FlakyTasks(failures=1)
    [token] = world.notified(notice(token="task-1"))
    with pytest.raises(ConnectionError):
        world.callback.decide_in_queue(FINDING_ID, "approve", None, "E0001")
    assert decisions(world) == []
    # When it is decided again
    decision, pending = world.callback.decide_in_queue(FINDING_ID, "approve", None, "E0001")
    # Then the execution is resumed once, the decision recorded, and the mailed link is used up
    assert decision.action.value == "approve" and pending.finding_id == FINDING_ID
    assert [token for token, _ in world.tasks.succeeded] == ["task-1"]
    assert [e.status for e in decisions(world)] == [AuditStatus.APPROVED]
    assert call(world, "POST", token, action="approve")["statusCode"] == 410


def test_a_form_that_is_not_utf8_text_is_a_400_saying_so_and_the_link_survives(world: World) -> None:
    # Given a decision posted as bytes that are not UTF-8 (a multipart body: API Gateway base64-encodes it)
    [token] = world.notified(notice())
    event = api_event("POST", token, base64.b64encode(b"\xff\xfeaction=approve").decode("ascii"))
    event["isBase64Encoded"] = True
    # When it is posted (before: UnicodeDecodeError, a 500 page)
    response = run(event, world.callback)
    # Then it is refused with the reason, nothing is decided, and the link still works
    assert response["statusCode"] == 400 and "URL-encoded" in response["body"]
    assert world.tasks.succeeded == [] and decisions(world) == []
    assert call(world, "POST", token, action="approve")["statusCode"] == 200


# ---- the confirmation says what the write mode does, and names the person as the form did (ux119 #6) ------
@pytest.mark.parametrize(
    ("mode", "says"),
    [
        ("custom_object", "Recorded in Plex as a suggestion (the suggestions custom object)"),
        ("direct", "Recorded in Plex as a suggestion (the suggestions custom object)"),
        ("dry_run", "Nothing reaches Plex: the write mode is dry run"),
    ],
)
def test_an_approved_job_code_mismatch_says_what_the_write_mode_does_with_it(
    world: World, mode: Any, says: str
) -> None:
    # Given a mailed job code mismatch whose correction is advice (a suggestion record, never a field update)
    finding = make_finding(anomaly_type="JOB_CODE_MISMATCH", suggested_correction={"action": "recode the job"})
    [token] = world.notified(notice(make_request(finding, employee_number="E00037")))
    reader = Reader(people=PeopleDisplay(StaticPeopleDirectory([Person("E0002", "E00037", "Nate Smith")])))

    def answer(method: str, **form: str) -> str:
        event = api_event(method, token, urlencode(form) if form else None, None)
        return str(
            handler(event, FakeLambdaContext(), dependencies=world.callback, reader=reader, write_mode=mode)["body"]
        )

    # When the supervisor, shown "Nate Smith (E00037)" on the form, approves
    assert "Nate Smith (E00037)" in answer("GET")
    page = answer("POST", action="approve")
    # Then the confirmation says what this write mode does with it (the item page's words) and names him so
    assert says in page and "previous values kept so it can be reverted" not in page
    assert "for employee Nate Smith (E00037)" in page


def test_an_overtime_finding_of_a_week_that_has_ended_is_a_record_not_a_projection(world: World) -> None:
    """ux_s16 #6: the mailed page explained a finished week's overtime "so that the rest of the week is planned"."""
    # Given a punch finding of week 2026-W09 (Feb 23 to Mar 1), read on Tue 2026-03-03
    finding = make_finding(
        anomaly_type="EXCESSIVE_OVERTIME",
        note="64.7 h in week 2026-W09 (64.7 h punched); limit 55 h",
        evidence={"week": "2026-W09", "punched_hours": 64.7, "scheduled_remaining_hours": 0, "limit_hours": 55},
        suggested_correction={"projectedHours": 64.7},
    )
    [token] = world.notified(notice(make_request(finding)))
    # When the supervisor opens the mailed link
    page = call(world, "GET", token)["body"]
    # Then approving confirms the week went over, nothing is planned, and no figure is called projected
    assert (
        "<h2>If you approve</h2><p>Approving confirms the week went over the limit (64.7 h against 55 h), for payroll "
        "and the overtime record; no hours are changed." in page
    )
    assert "projected" not in page.lower() and "rest of the week" not in page


def test_an_approved_field_update_in_direct_mode_keeps_the_previous_values(world: World) -> None:
    [token] = world.notified(notice())
    event = api_event("POST", token, urlencode({"action": "approve"}), None)
    page = handler(event, FakeLambdaContext(), dependencies=world.callback, write_mode="direct")["body"]
    assert "Written to the Plex record itself" in page and "previous values are kept" in page


def test_an_overtime_projection_is_no_correction_the_page_says_what_approving_does(world: World) -> None:
    """ux164 #11: the link page read "Suggested correction: Projected hours 63.0" for an overtime projection."""
    finding = make_finding(
        anomaly_type="EXCESSIVE_OVERTIME",
        note="63.0 h in week 2026-W49 (40.0 h punched + 23.0 h still scheduled); limit 50 h",
        evidence={"week": "2026-W49", "punched_hours": 40.0, "scheduled_remaining_hours": 23.0, "limit_hours": 50},
        suggested_correction={"projectedHours": 63.0},
    )
    [token] = world.notified(notice(make_request(finding)))
    page = call(world, "GET", token)["body"]
    assert "Suggested correction" not in page and "Projected hours" not in page
    assert "<h2>If you approve</h2><p>An overtime projection has nothing to correct: approving confirms" in page
    assert "<th>Hours in the week</th><td>63.0</td>" in page
    assert "Nothing reaches Plex: the write mode is dry run" in page  # what the approval does, before it is made
    # while a missed punch keeps its correction, under that name
    other = world.notified(notice(make_request(make_finding(finding_id="f-000000000000000000000002")), token="t-2"))[-1]
    assert "<h2>Suggested correction</h2>" in call(world, "GET", other)["body"]


def test_a_damaged_link_says_so_in_plain_words(world: World) -> None:
    """ux164 #17: a cut-off link read "invalid approval link: not base64url"."""
    [token] = world.notified(notice())
    for damaged in (token[: len(token) // 2] + "!!", "not-a-token", token.split(".")[0] + ".x"):
        response = call(world, "GET", damaged)
        assert response["statusCode"] == 403
        assert "This link is damaged or incomplete; open it from the e-mail again." in response["body"]
        assert "base64" not in response["body"] and "payload" not in response["body"]


def test_a_first_link_after_its_escalation_names_who_has_the_finding_now(world: World) -> None:
    """ux164 #15: the first link said only "this approval link has expired" once the finding went further up."""
    request = make_request(escalation_supervisor_id="E0100", wait_seconds=60)
    [first] = world.notified(notice(request))
    world.clock.advance(seconds=60)  # the first stage timed out a moment before its link expires
    world.notified(notice(request, stage=Stage.ESCALATED, token="task-2"))
    for method in ("GET", "POST"):
        response = call(world, method, first, action="approve")
        assert response["statusCode"] == 410
        assert (
            "the finding was escalated to E0100, the next supervisor up, on Tue 2026-03-03 04:01 UTC"
            in (response["body"])
        )
    assert world.tasks.succeeded == [] and decisions(world) == []


def test_a_buddy_punchs_signals_are_worded_by_its_note_not_shown_as_numbers(world: World) -> None:
    """ux_s17 L5: the link page showed "Biometric low 0.634", "Device unusual 0.92", "Signal count 3.00" beside the
    note's "biometric match 0.37"."""
    finding = make_finding(
        anomaly_type="BUDDY_PUNCH",
        note="Possible buddy punch (clock-in Tue 2026-11-24 14:28): on a clock this employee rarely uses, "
        "biometric match 0.37, no badge-in at the building, no workcenter login all shift",
        evidence={**BUDDY_EVIDENCE, "decisive": "impossible_travel"},
        suggested_correction={"action": "verify identity with the employee"},
    )
    [token] = world.notified(notice(make_request(finding)))
    page = call(world, "GET", token)["body"]
    assert "biometric match 0.37" in page and "Decisive" in page
    for raw in ("Biometric low", "Device unusual", "Signal count", "0.634", "No workcenter login"):
        assert raw not in page


def test_a_buddy_punch_with_only_its_signals_has_no_empty_evidence_section(world: World) -> None:
    """ux_s17 (after L5): with its signals left to the note, a buddy punch's link page read "Evidence: none"."""
    finding = make_finding(
        anomaly_type="BUDDY_PUNCH",
        note="Possible buddy punch (clock-in Tue 2026-11-24 14:28): biometric match 0.37, no badge-in at the building",
        evidence=dict(BUDDY_EVIDENCE),
        suggested_correction={"action": "verify identity with the employee"},
    )
    [token] = world.notified(notice(make_request(finding)))
    page = call(world, "GET", token)["body"]
    assert "biometric match 0.37" in page
    assert "<h2>Evidence</h2>" not in page and "none</p>" not in page
