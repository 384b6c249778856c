"""A report whose job could not be checked against Plex (Plex slow or down when it came) says so to the EHS lead
on the incident's page and its row in the list, so she checks the job before confirming; before, only the
reporter was told (and the JSON answer), and the incident kept no trace of it."""

from __future__ import annotations

from typing import Any

import pytest

from plexlabor.incidents.service import IncidentDeps, IncidentReport, log_incident
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, web_deps

EHS = {"cognito:username": "ehs1", "cognito:groups": "ehs"}
UNCHECKED = "job J101077 as typed: Plex could not be read at the time"


@pytest.fixture
def world() -> World:
    return World()


def _report(world: World, narrative: str, *, job_unchecked: bool) -> str:
    deps = IncidentDeps(world.audit, None, clock=world.clock)
    report = IncidentReport(narrative=narrative, kind="injury", job_no="J101077")
    return log_incident(deps, report, "E0001", job_unchecked=job_unchecked).incident_id


def test_the_ehs_lead_sees_a_job_taken_as_typed_on_the_page_and_in_the_list(world: World, lambda_context: Any) -> None:
    # Given a report whose job Plex could not check, and one whose job it did
    unchecked = _report(world, "Cut a finger on the press guard", job_unchecked=True)
    checked = _report(world, "Slipped on oil by the lathe", job_unchecked=False)
    deps = web_deps(world)
    # When the EHS lead opens each
    page = call_web(deps, "GET", f"/incidents/{unchecked}", EHS, lambda_context)["body"]
    other = call_web(deps, "GET", f"/incidents/{checked}", EHS, lambda_context)["body"]
    # Then the first says the job is as typed, and to check it; the other names its job alone
    assert f"{UNCHECKED}; check it before confirming" in page
    assert "job J101077" in other and "as typed" not in other
    # and the list says it on the first's row only
    rows = call_web(deps, "GET", "/incidents", EHS, lambda_context)["body"].split("<tr data-standing")[1:]
    [flagged] = [row for row in rows if f"/incidents/{unchecked}" in row]
    [plain] = [row for row in rows if f"/incidents/{checked}" in row]
    assert UNCHECKED in flagged and "job J101077" in plain and "as typed" not in plain
