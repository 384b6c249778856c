"""An item's page shows its trail as the audit table holds it (ux119 #7): found, mailed (to whom, the link
valid until when), escalated, decided, and what Plex got: written, the write failed with its reason, or a
dry run; an expired one says nothing was written."""

from __future__ import annotations

import html
import re
from typing import Any

from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import (
    awaiting_decision,
    call_web,
    closed,
    escalated_finding,
    finding_event,
    web_deps,
)
from tests.unit.webapp.viewers import SUPERVISOR

FINDING = "f-000000000000000000000001"
BOSS = {"cognito:username": "E0100", "cognito:groups": "supervisor", "custom:departments": "Paint"}


def _written(world: World, **payload: Any) -> None:
    """plex_writeback's event for the finding (as `approval.writeback` records one)."""
    kind = AuditEventType.WRITEBACK if "error" not in payload else AuditEventType.WRITEBACK_FAILED
    world.audit.append(
        AuditEvent(
            record_key="time-clock-entries:0001",
            event_type=kind,
            status=AuditStatus.WRITTEN if kind is AuditEventType.WRITEBACK else AuditStatus.WRITE_FAILED,
            occurred_at=world.clock(),
            actor="plex_writeback",
            finding_id=FINDING,
            previous_values={} if kind is AuditEventType.WRITEBACK else None,
            payload=payload,
        )
    )


def _trail(body: str) -> str:
    return body.split('<ol class="trail"')[1].split("</ol>")[0]


def test_a_decided_items_page_shows_the_mail_the_decision_and_the_write_to_plex(lambda_context: Any) -> None:
    # Given a finding mailed to its supervisor, approved from the queue, then written to Plex
    world = awaiting_decision(FINDING)
    deps = web_deps(world)
    open_page = call_web(deps, "GET", f"/items/{FINDING}", SUPERVISOR, lambda_context)["body"]
    assert "<h2>So far</h2>" in open_page and "Mailed with an approval link to E0001" in _trail(open_page)
    world.clock.advance(minutes=4)
    call_web(deps, "POST", f"/items/{FINDING}", SUPERVISOR, lambda_context, form={"action": "approve"})
    world.clock.advance(minutes=1)
    _written(world, kind="field_update", mode="custom_object", sent=True, status=201)
    # When the supervisor opens its page again
    trail = _trail(call_web(deps, "GET", f"/items/{FINDING}", SUPERVISOR, lambda_context)["body"])
    # Then it says, oldest first: found, mailed (the link's validity), approved by whom, written (how, answer)
    found, mailed, approved, written = (trail.index(text) for text in ("Found by", "Mailed", "Approved by", "Written"))
    assert found < mailed < approved < written
    assert "its link valid until" in trail
    assert "Written to Plex as a suggestion record for a person or a Process Flow to act on" in trail
    assert "(custom object mode, Plex answered 201)" in trail


def test_an_escalated_item_says_so_and_a_failed_write_gives_its_reason(lambda_context: Any) -> None:
    # Given a finding escalated to the boss, who approved it from the queue, whose write then failed
    world = World()
    finding_event(world, FINDING, confidence=0.93, severity="high")
    escalated_finding(world, FINDING)
    deps = web_deps(world)
    call_web(deps, "POST", f"/items/{FINDING}", BOSS, lambda_context, form={"action": "approve"})
    _written(world, error="PlexRequestError", message="422 the record is locked", dead_lettered=False)
    # When the first supervisor opens it
    trail = _trail(call_web(deps, "GET", f"/items/{FINDING}", SUPERVISOR, lambda_context)["body"])
    # Then the escalation, who decided and the failure with its reason are there
    assert "Escalated to E0100 (no decision by E0001 in time)" in trail
    assert "Mailed with an approval link to E0100 (escalated)" in trail and "Approved by E0100" in trail
    assert "The write to Plex failed: 422 the record is locked." in trail


def test_a_dry_run_and_an_expiry_say_nothing_reached_plex(lambda_context: Any) -> None:
    world = awaiting_decision(FINDING)
    deps = web_deps(world)
    call_web(deps, "POST", f"/items/{FINDING}", SUPERVISOR, lambda_context, form={"action": "approve"})
    _written(world, kind="field_update", mode="dry_run", sent=False)
    dry = _trail(call_web(deps, "GET", f"/items/{FINDING}", SUPERVISOR, lambda_context)["body"])
    assert "Dry run: nothing was sent to Plex" in dry

    expiring = awaiting_decision(FINDING)
    expiring.clock.advance(hours=49)
    closed(expiring, FINDING, AuditStatus.EXPIRED, record_key="time-clock-entries:0001")
    body = call_web(web_deps(expiring), "GET", f"/items/{FINDING}", SUPERVISOR, lambda_context)["body"]
    assert "Expired before anyone decided it: nothing was written to Plex." in _trail(body)


def test_the_trail_escapes_a_reason_once(lambda_context: Any) -> None:
    # Given a rejection whose reason holds an apostrophe and a "<"
    world = awaiting_decision(FINDING)
    deps = web_deps(world)
    reason = "don't pay: clocked out <5 min late"
    form = {"action": "reject", "reason": reason}
    call_web(deps, "POST", f"/items/{FINDING}", SUPERVISOR, lambda_context, form=form)
    # When the item's page is opened
    trail = _trail(call_web(deps, "GET", f"/items/{FINDING}", SUPERVISOR, lambda_context)["body"])
    # Then the page's HTML escapes it once (the template's autoescape): a browser shows it as typed, not "&#39;"
    assert "don&#39;t pay: clocked out &lt;5 min late" in trail and "&amp;" not in trail
    shown = html.unescape(re.sub(r"<[^>]+>", "", trail))
    assert f"Rejected by E0001 ({reason})." in shown
