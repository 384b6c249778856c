"""The certification timeline's "Decide" follows the review queue's rule (review_s14 L5): an alert is about a person
and its event names no department, so the queue places it where the person works (`review.queue.placed`) and that
department's supervisor decides it there; the timeline offered them no "Decide" for the same alert."""

from __future__ import annotations

import dataclasses
from typing import Any

from plexlabor.approval.directory import PeopleDisplay, Person, StaticPeopleDirectory
from plexlabor.skills.publish import publish_report
from tests.unit.skills.skills_report_world import small_artifact
from tests.unit.webapp.test_web_app_certifications_decided import _expiring
from tests.unit.webapp.test_web_app_dashboards import _call, skills_deps_world

PEOPLE = StaticPeopleDirectory([Person("E1", "E00001", "Ann Lee", "MOLD", "1")])
"""E1, whose certification's alert waits: Plex has them in MOLD, shift 1."""
MOLD_SUPERVISOR = {"cognito:username": "E0300", "cognito:groups": "supervisor", "custom:departments": "MOLD"}
"""A supervisor of MOLD who is nobody's supervisor of record here."""


def test_a_departments_supervisor_who_decides_an_alert_in_the_queue_gets_decide_on_the_timeline(
    lambda_context: Any,
) -> None:
    deps, world = skills_deps_world()
    queue = dataclasses.replace(deps.review.queue, people=PEOPLE)
    deps = dataclasses.replace(deps, review=dataclasses.replace(deps.review, queue=queue), people=PeopleDisplay(PEOPLE))
    publish_report(small_artifact().report, world.audit, deps.review.clock())
    _, item_id = _expiring(world)
    # Given the alert about E1 is in the MOLD supervisor's review queue (placed in MOLD)
    queue_page = _call(deps, "GET", "/queue", MOLD_SUPERVISOR, lambda_context)["body"]
    assert f"/items/{item_id}" in queue_page
    # When they open the certification timeline
    timeline = _call(deps, "GET", "/certifications", MOLD_SUPERVISOR, lambda_context)
    # Then the alert's row offers "Decide", as the queue does
    assert timeline["statusCode"] == 200
    assert f'href="/dev/items/{item_id}"' in timeline["body"]
