"""A decided or expired item's page says what happened to it (ux104 #2): who decided it, when and why, or
when it expired; the viewer who may see it is not answered 404. The KPI page counts the expired ones."""

from __future__ import annotations

from typing import Any

import pytest

from plexlabor.audit import AuditStatus
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, closed, crew_assignment, finding_event, web_deps
from tests.unit.webapp.viewers import ADMIN, ASSEMBLY, PLANNER, SUPERVISOR

FINDING = "f-000000000000000000000001"


@pytest.fixture
def world() -> World:
    world = World()
    finding_event(world, FINDING, confidence=0.93, severity="high")
    crew_assignment(world)
    crew_assignment(world, "crew-0002")
    return world


def _get(world: World, path: str, claims: dict[str, Any], lambda_context: Any) -> dict[str, Any]:
    return call_web(web_deps(world), "GET", path, claims, lambda_context)


def test_a_rejected_items_page_says_who_rejected_it_when_and_why(world: World, lambda_context: Any) -> None:
    form = {"action": "reject", "reason": "E0042 is on leave"}
    call_web(web_deps(world), "POST", "/items/crew-0001", PLANNER, lambda_context, form=form)
    world.clock.advance(hours=2)

    page = _get(world, "/items/crew-0001", PLANNER, lambda_context)

    assert page["statusCode"] == 200
    body = page["body"]
    assert "Rejected by P0001 on Mon 2026-03-02 23:00 (E0042 is on leave)." in body
    assert "Crew assignment" in body and "WC-10" in body  # the item itself, as it was
    assert 'value="approve"' not in body and 'value="reject"' not in body  # nothing left to decide


def test_an_expired_items_page_says_when_it_expired(world: World, lambda_context: Any) -> None:
    closed(world, FINDING, AuditStatus.EXPIRED, record_key="time-clock-entries:0001")

    body = _get(world, f"/items/{FINDING}", SUPERVISOR, lambda_context)["body"]

    assert "Expired on Mon 2026-03-02 23:00, before anyone decided it." in body
    assert 'value="approve"' not in body


def test_an_approved_items_page_names_who_approved_it(world: World, lambda_context: Any) -> None:
    closed(world, "crew-0002")

    body = _get(world, "/items/crew-0002", ADMIN, lambda_context)["body"]

    assert "Approved by E0100 on Mon 2026-03-02 23:00." in body


def test_a_closed_item_is_still_not_shown_to_who_may_not_see_it(world: World, lambda_context: Any) -> None:
    closed(world, FINDING, AuditStatus.EXPIRED, record_key="time-clock-entries:0001")

    assert _get(world, f"/items/{FINDING}", ASSEMBLY, lambda_context)["statusCode"] == 404
    assert _get(world, "/items/no-such-item", ADMIN, lambda_context)["statusCode"] == 404


def test_the_kpi_page_counts_the_expired_items_of_each_kind(world: World, lambda_context: Any) -> None:
    closed(world, FINDING, AuditStatus.EXPIRED, record_key="time-clock-entries:0001")
    closed(world, "crew-0001", AuditStatus.EXPIRED)
    closed(world, "crew-0002")

    body = _get(world, "/kpis", ADMIN, lambda_context)["body"]

    assert '<th scope="col">Expired</th>' in body
    rows = body.split('id="by-kind"')[1].split("</tbody>")[0].replace("\n", "").split("<tr>")[1:]
    crew = next(row for row in rows if "Crew assignment" in row)
    punch = next(row for row in rows if "Punch" in row)
    # Crew: suggested 2, sent 2, approved 1, rejected 0, overridden 0, expired 1, waiting 0; punch: expired 1
    assert "<td>1</td><td>0</td><td>0</td><td>1</td><td>0</td><td>100%</td>" in crew
    assert "<td>0</td><td>0</td><td>0</td><td>1</td><td>0</td><td>—</td>" in punch


def test_an_expired_findings_page_keeps_the_suggested_correction_to_enter_by_hand(
    world: World, lambda_context: Any
) -> None:
    """ux141 #9: the page says "Correct it in Plex by hand", so it shows what the correction was (read-only)."""
    closed(world, FINDING, AuditStatus.EXPIRED, record_key="time-clock-entries:0001")

    body = _get(world, f"/items/{FINDING}", SUPERVISOR, lambda_context)["body"]

    suggested = body.split("<h2>Suggested correction</h2>")[1].split("</table>")[0]
    assert "Clock-out" in suggested and "Mon 2026-03-02 09:07" in suggested  # 14:07 UTC in plant time
    assert '<th scope="row">Clock-in</th>' in body  # the evidence as every page spells it, not "Clockin"
    assert "Correct it in Plex by hand if it is wrong." in body
    assert "<input" not in body.split("Suggested correction")[1]  # read-only: nothing left to decide


def test_an_escalated_item_that_expired_says_so_in_its_trail_not_as_a_standing_fact(lambda_context: Any) -> None:
    """ux141 #9: "Escalated: Escalated to you on …" stood above "Expired" as if it still waited for the boss."""
    from tests.unit.review.review_world import escalated_finding, punch_record

    world = World()
    finding_event(world, FINDING, confidence=0.93, severity="high")
    escalated_finding(world, FINDING)
    assert '<th scope="row">Escalated</th>' in _get(world, f"/items/{FINDING}", SUPERVISOR, lambda_context)["body"]
    closed(world, FINDING, AuditStatus.EXPIRED, record_key=punch_record(FINDING))

    body = _get(world, f"/items/{FINDING}", SUPERVISOR, lambda_context)["body"]

    assert '<th scope="row">Escalated</th>' not in body
    assert "Escalated to E0100" in body.split('<ol class="trail"')[1]  # the trail keeps it, in its place
