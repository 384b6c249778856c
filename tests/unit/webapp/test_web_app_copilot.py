"""The copilot page: the question form with the job's context, the logged answer with its citations,
the refusal, who sees which answer, and that every text shown is escaped."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest

from plexlabor.audit import AuditEvent
from plexlabor.copilot.interactions import Asked, InteractionLog
from plexlabor.plex.errors import PlexTimeoutError
from plexlabor.webapp.copilotpage import setting_label
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, web_deps
from tests.unit.webapp.viewers import OPERATOR

OTHER_OPERATOR = {"cognito:username": "E0108", "cognito:groups": "operator", "custom:employee_id": "E0108"}
SUPERVISOR = {"cognito:username": "E0001", "cognito:groups": "supervisor", "custom:employee_id": "E0001"}
PLANNER = {"cognito:username": "plan1", "cognito:groups": "planner"}
STEPS: dict[str, Any] = {
    "kind": "steps",
    "text": "Replacing the spindle belt [1]:\n1. Lock out the mill. [1#1]\n2. Remove the <guard>. [1#2]",
    "procedure_id": "1",
    "title": "Replacing the spindle belt",
    "steps": [
        {
            "procedure_id": "1",
            "title": "Replacing the spindle belt",
            "step": 1,
            "label": "[1#1]",
            "text": "Lock out the mill.",
        },
        {
            "procedure_id": "1",
            "title": "Replacing the spindle belt",
            "step": 2,
            "label": "[1#2]",
            "text": "Remove the <guard>.",
        },
    ],
    "tools": ["Hex key 5 mm"],
    "worded_by": None,
    "scope": "operation",
    "job_id": "J-4512",
}
REFUSED = {
    **STEPS,
    "kind": "refused",
    "text": "No procedure I have covers this.",
    "procedure_id": None,
    "title": None,
    "steps": [],
    "tools": None,
}


@pytest.fixture
def world() -> World:
    return World()


def _logged(world: World, answer: dict[str, Any], question: str = "How do I change the <b>belt</b>?") -> AuditEvent:
    log = InteractionLog(world.audit, None, world.clock)
    return log.record(Asked(question, "E0107", "J-4512", "20", "LOT-7731"), answer)


def _get(world: World, path: str, claims: dict[str, Any], ctx: Any, **query: str) -> dict[str, Any]:
    return call_web(web_deps(world), "GET", path, claims, ctx, query=query or None)


def test_the_form_posts_to_copilot_ask_with_the_jobs_context(world: World, lambda_context: Any) -> None:
    response = _get(world, "/copilot", OPERATOR, lambda_context, job_id="J-4512", operation="20")

    body = response["body"]
    assert response["statusCode"] == 200
    assert 'action="/dev/copilot/ask"' in body and 'name="question"' in body and "required" in body
    assert 'name="job_id" value="J-4512"' in body and 'name="operation" value="20"' in body
    assert 'href="/dev/copilot" aria-current="page"' in body
    # each name field says what it takes, which the browser shows beside "Please match the requested format."
    hint = 'title="Letters, digits and . _ : / + = - only (starting with a letter or digit), no spaces"'
    assert body.count(hint) == 4


def test_the_logged_answer_is_shown_as_numbered_steps_with_their_citations(world: World, lambda_context: Any) -> None:
    event = _logged(world, STEPS)

    body = _get(world, "/copilot", OPERATOR, lambda_context, interaction=event.event_id)["body"]

    assert "Replacing the spindle belt" in body
    assert '<li id="step-1" value="1">Lock out the mill. <cite class="muted small">[1#1]</cite></li>' in body
    assert "Remove the &lt;guard&gt;." in body and "<guard>" not in body  # the procedure's text, escaped
    assert "How do I change the &lt;b&gt;belt&lt;/b&gt;?" in body and "<b>belt" not in body
    assert 'name="job_id" value="J-4512"' in body and 'name="lot_id" value="LOT-7731"' in body  # context kept
    assert "Logged to job J-4512; Plex: not sent (Plex is not configured)." in body
    assert "From this operation&#39;s procedures." in body
    assert "Nothing relevant found" not in body


class _Writer:
    """plex.writeback.PlexWriter as the interaction log uses it: its mode, the custom object's name, one record."""

    def __init__(self, mode: str, sent: bool, error: Exception | None = None) -> None:
        self.mode, self.sent, self.error = mode, sent, error
        self.settings = SimpleNamespace(copilot_custom_object_name="plexlabor_copilot")

    def record(self, record: dict[str, Any], **_: Any) -> Any:
        if self.error is not None:
            raise self.error
        return SimpleNamespace(mode=self.mode, sent=self.sent, path="/x", status=201 if self.sent else None)


@pytest.mark.parametrize(
    ("writer", "said"),
    [
        (_Writer("custom_object", True), "Plex: saved with the job's record."),
        (_Writer("dry_run", False), "Plex: not sent (dry run: plant IT has not turned writing to Plex on), kept here."),
        (
            _Writer("custom_object", False, PlexTimeoutError("slow")),
            "not saved (Plex did not take it: PlexTimeoutError)",
        ),
    ],
    ids=["sent", "dry-run", "failed"],
)
def test_what_became_of_an_answer_in_plex_reads_in_plain_words(
    world: World, lambda_context: Any, writer: _Writer, said: str
) -> None:
    """ux_s17 L6: "Plex: written (custom_object)" is jargon to an operator, and the page said every answer is logged
    to the job while one without a job is logged to the asker's questions."""
    log = InteractionLog(world.audit, writer, world.clock)  # type: ignore[arg-type]
    event = log.record(Asked("How do I change the belt?", "E0107", "J-4512", "20", "LOT-7731"), STEPS)
    body = _get(world, "/copilot", OPERATOR, lambda_context, interaction=event.event_id)["body"]
    assert said in body and "custom_object" not in body and "dry_run" not in body
    assert "logged: with the job when you name one, else with your own questions" in body


SETTINGS = {
    "operation": "20",
    "lot_id": "LOT-7731",
    "settings": {"barrel_temp_c": 231.4},
    "limits": {"barrel_temp_c": [210.0, 260.0]},
    "runs": [{"run_id": "RUN-00017", "distance": 0.4, "scrap_rate": 0.012}],
    "reason": None,
}
"""Settings suggested for lot LOT-7731 at operation 20, with the SOP's limits and the run they come from."""
NOT_SUGGESTED = {"settings": {}, "runs": [], "reason": "no lot"}
"""What `parameters` hold, beside the lot, when no settings could be suggested."""


@pytest.mark.parametrize(
    "answer",
    [
        REFUSED,
        {**STEPS, "kind": "tools"},
        {**REFUSED, "parameters": SETTINGS},
        {**REFUSED, "parameters": {**SETTINGS, **NOT_SUGGESTED}},
    ],
    ids=["nothing-relevant", "tools", "settings-without-steps", "no-settings"],
)
def test_every_kind_of_answer_keeps_the_job_in_the_form_for_the_next_question(
    world: World, lambda_context: Any, answer: dict[str, Any]
) -> None:
    # Given any answer (ux_s13 #9 read the boxes as emptied after one), when the page shows it
    body = _get(world, "/copilot", OPERATOR, lambda_context, interaction=_logged(world, answer).event_id)["body"]
    # Then the form holds the job, operation and lot asked with, and an empty question box
    assert 'name="job_id" value="J-4512"' in body and 'name="operation" value="20"' in body
    assert 'name="lot_id" value="LOT-7731"' in body
    assert re.search(r'<textarea id="question"[^>]*></textarea>', body)


def test_an_answer_whose_job_could_not_be_checked_says_so(world: World, lambda_context: Any) -> None:
    unchecked = _get(
        world,
        "/copilot",
        OPERATOR,
        lambda_context,
        interaction=_logged(world, {**STEPS, "job_unchecked": True}).event_id,
    )
    checked = _get(world, "/copilot", OPERATOR, lambda_context, interaction=_logged(world, STEPS).event_id)

    said = "Job J-4512 was taken as you typed it: Plex could not be asked just now whether it has that job."
    assert said in unchecked["body"] and said not in checked["body"]


def test_the_step_giving_a_value_keeps_its_number_and_says_it_is_one_of_the_procedures(
    world: World, lambda_context: Any
) -> None:
    one = {**STEPS["steps"][1], "step": 5, "label": "[1#5]", "text": "Tighten the clamps to 120 Nm."}
    selected = "The step giving the torque (1 of its 8 steps)"
    event = _logged(world, {**STEPS, "steps": [one], "selected": selected}, "What torque for the clamps?")

    body = _get(world, "/copilot", OPERATOR, lambda_context, interaction=event.event_id)["body"]

    # (before: an <ol> numbered from 1, so the procedure's step 5 read as step 1)
    assert '<li id="step-5" value="5">Tighten the clamps to 120 Nm.' in body
    assert f"{selected}: ask for the procedure to see all of them." in body


def test_a_refusal_says_nothing_relevant_was_found_and_shows_no_step(world: World, lambda_context: Any) -> None:
    event = _logged(world, REFUSED, "Who won the game?")

    body = _get(world, "/copilot", OPERATOR, lambda_context, interaction=event.event_id)["body"]

    assert "Nothing relevant found." in body and "No procedure I have covers this." in body
    assert 'class="steps"' not in body


def test_a_no_to_skipping_a_safety_check_is_said_with_the_steps_requiring_it(world: World, lambda_context: Any) -> None:
    no = "No. A safety check, guard or lockout … are never skipped or bypassed. Ask your supervisor."
    safety = {**STEPS, "kind": "safety", "text": f"{no} Replacing the spindle belt [1] requires it:", "scope": "plant"}
    event = _logged(world, safety, "Can I skip the lockout if I'm late?")

    body = _get(world, "/copilot", OPERATOR, lambda_context, interaction=event.event_id)["body"]

    # (before: ux_s16 #7's "Nothing relevant found")
    assert '<div class="flash error" role="alert" id="safety-no">No. A safety check' in body
    assert "Nothing relevant found" not in body
    assert '<li id="step-1" value="1">Lock out the mill. <cite class="muted small">[1#1]</cite></li>' in body


def test_another_operator_cannot_see_the_answer_but_a_supervisor_can(world: World, lambda_context: Any) -> None:
    event = _logged(world, STEPS)

    other = _get(world, "/copilot", OTHER_OPERATOR, lambda_context, interaction=event.event_id)
    assert other["statusCode"] == 404 and "Lock out the mill" not in other["body"]
    assert (
        "Lock out the mill" in _get(world, "/copilot", SUPERVISOR, lambda_context, interaction=event.event_id)["body"]
    )
    assert _get(world, "/copilot", OPERATOR, lambda_context, interaction="../x")["statusCode"] == 404


def test_a_planner_is_refused_and_sees_no_copilot_link(world: World, lambda_context: Any) -> None:
    assert _get(world, "/copilot", PLANNER, lambda_context)["statusCode"] == 403
    assert "/copilot" not in _get(world, "/queue", PLANNER, lambda_context)["body"]
    assert 'href="/dev/copilot"' in _get(world, "/incidents/new", OPERATOR, lambda_context)["body"]


def test_settings_for_the_lot_are_shown_with_the_sop_limits_and_the_runs(world: World, lambda_context: Any) -> None:
    event = _logged(world, {**STEPS, "parameters": SETTINGS})

    body = _get(world, "/copilot", OPERATOR, lambda_context, interaction=event.event_id)["body"]

    assert "Settings for lot LOT-7731 at operation 20" in body
    assert "<td>Barrel temperature (°C)</td><td><strong>231.4</strong></td><td>210.0 – 260.0</td>" in body
    assert "· operation 20 · lot LOT-7731</p>" in body  # "You asked" names the lot (ux113 L15)
    assert "RUN-00017 (scrap 1.2 %)" in body
    refused = _logged(world, {**STEPS, "parameters": {**SETTINGS, **NOT_SUGGESTED}})
    assert (
        "No settings suggested: no lot."
        in _get(world, "/copilot", OPERATOR, lambda_context, interaction=refused.event_id)["body"]
    )


def test_setting_keys_read_as_words_with_their_units() -> None:
    assert [setting_label(k) for k in ("barrel_temp_c", "injection_pressure_bar", "hold_time_s", "screw_rpm")] == [
        "Barrel temperature (°C)",
        "Injection pressure (bar)",
        "Hold time (s)",
        "Screw (rpm)",
    ]
    assert setting_label("cushion") == "Cushion" and setting_label("_c") == "C"


def test_a_refusal_beside_suggested_settings_does_not_say_nothing_relevant(world: World, lambda_context: Any) -> None:
    # Given no procedure for the question, and settings suggested for the lot (the answer's text says so)
    parameters = {**SETTINGS, "operation": "MOLDING", "lot_id": "LOT-0001"}
    text = "No procedure I have covers this question, so there are no steps to follow. The settings below ..."
    event = _logged(world, {**REFUSED, "text": text, "parameters": parameters}, "What settings for this lot?")
    # When the page shows it
    body = _get(world, "/copilot", OPERATOR, lambda_context, interaction=event.event_id)["body"]
    # Then no red "Nothing relevant found" sits above the table: the note says the steps are missing, not the settings
    assert "Nothing relevant found" not in body and "flash error" not in body
    # said once (ux113 L15: a heading "No procedure steps for this question; settings below." repeated it)
    assert f'<p class="note" role="status">{text}</p>' in body and body.count("no steps") == 1
    assert "<td>Barrel temperature (°C)</td><td><strong>231.4</strong></td>" in body
    # while a refusal whose settings could not be suggested stays a refusal
    unsuggested = {**parameters, **NOT_SUGGESTED}
    refused = _logged(world, {**REFUSED, "parameters": unsuggested})
    assert (
        "Nothing relevant found."
        in _get(world, "/copilot", OPERATOR, lambda_context, interaction=refused.event_id)["body"]
    )


def test_a_refused_questions_link_back_fills_in_what_was_typed(world: World, lambda_context: Any) -> None:
    # Given the link back from copilot_ask's refusal page (webapp.copilotform.back_link)
    typed = {"job_id": "J101 073", "lot_id": "L7", "question": "How do I <b>purge</b> the barrel?"}
    body = _get(world, "/copilot", OPERATOR, lambda_context, **typed)["body"]
    # Then the form holds it again, escaped, to be corrected and asked
    assert 'name="job_id" value="J101 073"' in body and 'name="lot_id" value="L7"' in body
    assert "How do I &lt;b&gt;purge&lt;/b&gt; the barrel?</textarea>" in body
