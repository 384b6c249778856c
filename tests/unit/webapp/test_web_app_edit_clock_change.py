"""The item page's edit of a correction on the nights the clocks change (review_s17 M4), and the entry length the
plant's policy allows (review_s17 L3): a `datetime-local` posts a wall-clock time without its offset."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from plexlabor.validation.findings import Finding
from plexlabor.validation.policy import PunchPolicy
from plexlabor.webapp.app import WebAppSettings
from tests.unit.approval.approval_fakes import World, make_finding, make_request, notice
from tests.unit.review.review_world import call_web, open_finding, web_deps
from tests.unit.webapp.viewers import SUPERVISOR

FINDING = "f-000000000000000000000031"


def _missed_clock_out(clock_in: str, suggested_out: str) -> tuple[World, Finding]:
    world = World()
    finding = make_finding(
        finding_id=FINDING,
        evidence={"clockin": clock_in, "hours_overdue": 5.0},
        suggested_correction={"clockoutTime": suggested_out},
    )
    open_finding(world, finding)
    world.notified(notice(make_request(finding)))
    return world, finding


def _approve(
    world: World, lambda_context: Any, typed: dict[str, str], policy: PunchPolicy | None = None
) -> dict[str, Any]:
    deps = web_deps(world)
    if policy is not None:
        deps.policy = policy
    form = {"action": "approve", "reason": "", **typed}
    return call_web(deps, "POST", f"/items/{FINDING}", SUPERVISOR, lambda_context, form=form)


def _sent(world: World) -> Any:
    return world.tasks.succeeded[0][1]["decision"]["correction"]


def test_a_clock_out_typed_in_the_repeated_hour_is_the_one_after_the_clock_in(lambda_context: Any) -> None:
    # clocked in 01:10 EST (after the clocks went back), likely out 01:40 EST; the supervisor types 01:45
    world, _ = _missed_clock_out("2026-11-01T06:10:00.0000000Z", "2026-11-01T06:40:00.0000000Z")

    response = _approve(world, lambda_context, {"correction.clockoutTime": "2026-11-01T01:45"})

    assert response["statusCode"] == 303
    assert _sent(world) == {"clockoutTime": "2026-11-01T06:45:00.0000000Z"}  # 01:45 EST, not EDT (05:45Z)


def test_a_time_both_occurrences_fit_comes_back_with_the_choice_and_the_choice_is_taken(lambda_context: Any) -> None:
    # clocked in 18:00 EDT the evening before: a clock-out at either 01:45 fits
    world, _ = _missed_clock_out("2026-10-31T22:00:00.0000000Z", "2026-11-01T06:40:00.0000000Z")

    asked = _approve(world, lambda_context, {"correction.clockoutTime": "2026-11-01T01:45"})

    assert asked["statusCode"] == 400 and world.tasks.succeeded == []
    body = unescape(asked["body"])
    assert "Clock-out: 01:45 on Sun 2026-11-01 comes twice in plant time" in body
    options = re.findall(r'<input type="radio" name="occurrence.clockoutTime" value="(\w+)"> ([^<]+)</label>', body)
    assert options == [("first", "first 01:45 (EDT, UTC-4)"), ("second", "second 01:45 (EST, UTC-5)")]
    assert 'value="2026-11-01T01:45"' in body  # what was typed stays in the field

    chosen = {"correction.clockoutTime": "2026-11-01T01:45", "occurrence.clockoutTime": "first"}
    assert _approve(world, lambda_context, chosen)["statusCode"] == 303
    assert _sent(world) == {"clockoutTime": "2026-11-01T05:45:00.0000000Z"}


def test_a_time_the_clocks_skipped_is_refused_naming_the_field(lambda_context: Any) -> None:
    world, _ = _missed_clock_out("2026-03-07T22:00:00.0000000Z", "2026-03-08T07:40:00.0000000Z")  # 17:00 EST

    response = _approve(world, lambda_context, {"correction.clockoutTime": "2026-03-08T02:30"})

    assert response["statusCode"] == 400 and world.tasks.succeeded == []
    assert "Clock-out: 02:30 on Sun 2026-03-08 does not exist in plant time" in unescape(response["body"])
    assert 'type="radio"' not in response["body"]


def test_the_longest_entry_an_edit_may_make_is_the_plants_policy(lambda_context: Any) -> None:
    # clocked in 05:20 EST; a 16.5 h double shift ends 21:50
    world, _ = _missed_clock_out("2026-03-02T10:20:00.0000000Z", "2026-03-02T19:42:00.0000000Z")
    edit = {"correction.clockoutTime": "2026-03-02T21:50"}

    refused = _approve(world, lambda_context, edit)
    assert refused["statusCode"] == 400 and "more than 16 h" in unescape(refused["body"])
    assert _approve(world, lambda_context, edit, PunchPolicy(max_entry_hours=17))["statusCode"] == 303
    assert _sent(world) == {"clockoutTime": "2026-03-03T02:50:00.0000000Z"}


def test_the_web_app_reads_the_plants_policy_as_the_validating_functions_do() -> None:
    required = ("AUDIT_TABLE_NAME", "STATE_TABLE_NAME", "APPROVAL_SIGNING_KEY_SECRET_ARN", "WRITEBACK_QUEUE_URL")
    variables = {**dict.fromkeys(required, "x"), "VALIDATION_POLICY": '{"max_entry_hours": 17}'}

    assert WebAppSettings.from_env(variables).validation_policy.max_entry_hours == 17
    assert WebAppSettings.from_env(dict.fromkeys(required, "x")).validation_policy.max_entry_hours == 16
