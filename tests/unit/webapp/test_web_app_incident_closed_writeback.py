"""A report closed after its confirmation is never written to Plex (review_s13 #3), and a confirmation the write-back
queue never took does not read "on its way to Plex" for ever (review_s13 #4).

#3: the EHS lead confirms a report; its write fails (dead-lettered) or is queued again ("Send to Plex again"); she then
sets the report aside as not an incident. A redrive of the dead-letter queue, or the queued resend, must write nothing
and record why. #4: the queue did not take the confirmation at all; the report must still be set aside."""

from __future__ import annotations

from typing import Any

import pytest

from plexlabor.audit import AuditEventType
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, web_deps
from tests.unit.webapp.test_web_app_incident_list import CONFIRM, RefusingTransport, _writeback
from tests.unit.webapp.test_web_app_incident_resend import AcceptingTransport, _page, _send
from tests.unit.webapp.test_web_app_incident_withdraw import _post
from tests.unit.webapp.viewers import EHS


class DownTransport:
    """Plex unreachable: every post fails as a transient error (retried, dead-lettered on the last attempt)."""

    def post(self, path: str, body: Any, *, idempotency_key: str | None = None) -> Any:
        raise ConnectionError("Plex down")


@pytest.fixture
def world() -> World:
    return World()


def _confirmed(world: World, ctx: Any) -> str:
    report = _send(world, sure=False, workcenter_code="PRESS4")
    assert call_web(web_deps(world), "POST", f"/incidents/{report}", EHS, ctx, form=CONFIRM)["statusCode"] == 303
    return report


def _set_aside(world: World, report: str, ctx: Any) -> dict[str, Any]:
    return _post(world, report, EHS, ctx, withdraw="1", ground="not_incident", reason="a drill")


def _refusals(world: World, report: str) -> list[str]:
    failed = [e for e in world.audit.for_finding(report) if e.event_type is AuditEventType.WRITEBACK_FAILED]
    return [str(e.payload.get("message")) for e in failed if not e.payload.get("retryable")]


def test_a_redriven_message_of_a_report_set_aside_writes_nothing_and_says_why(
    world: World, lambda_context: Any
) -> None:
    # Given a confirmation whose write was dead-lettered (Plex down on the last attempt)
    report = _confirmed(world, lambda_context)
    message = world.writebacks.sent[-1]
    with pytest.raises(ConnectionError):
        _writeback(world, DownTransport(), mode="custom_object").apply(message, message_id="m-1", receive_count=5)
    # and the report then set aside as not an incident
    assert _set_aside(world, report, lambda_context)["statusCode"] == 303
    # When IT redrives the dead-letter queue once Plex is back (the message keeps its id)
    transport = AcceptingTransport()
    outcome = _writeback(world, transport, mode="custom_object").apply(message, message_id="m-1", receive_count=1)
    # Then nothing is posted, and the refusal is recorded beside the dead-lettered failure, saying why
    assert transport.posts == []
    assert outcome.outcome == "refused"
    (why,) = _refusals(world, report)
    assert why.startswith("the report was withdrawn (not_incident: a drill) by S0001 at ")
    assert why.endswith(": nothing written to Plex")
    # and its page says so, offering no "Send to Plex again" (a set-aside report is not sent)
    page = _page(world, report, EHS, lambda_context)
    assert "Not written: the report was withdrawn (not_incident: a drill)" in page and "Send to Plex again" not in page


def test_a_send_again_queued_before_the_report_was_set_aside_writes_nothing(world: World, lambda_context: Any) -> None:
    # Given a confirmation Plex refused, sent again from the page (queued), then the report set aside
    report = _confirmed(world, lambda_context)
    _writeback(world, RefusingTransport(), mode="custom_object").apply(world.writebacks.sent[-1], message_id="m-1")
    again = call_web(web_deps(world), "POST", f"/incidents/{report}", EHS, lambda_context, form={"send": "again"})
    assert again["statusCode"] == 303 and len(world.writebacks.sent) == 2
    assert _set_aside(world, report, lambda_context)["statusCode"] == 303
    # When plex_writeback takes the queued resend
    transport = AcceptingTransport()
    _writeback(world, transport, mode="custom_object").apply(world.writebacks.sent[-1], message_id="m-2")
    # Then nothing is posted
    assert transport.posts == []
    assert any(why.startswith("the report was withdrawn (not_incident") for why in _refusals(world, report))


def test_a_confirmation_the_queue_never_took_reads_not_written_and_may_be_set_aside(
    world: World, lambda_context: Any
) -> None:
    # Given a confirmation the write-back queue did not take (the page said: could not be sent, send it again)
    report = _send(world, sure=False, workcenter_code="PRESS4")
    world.writebacks.failing = True
    saved = call_web(web_deps(world), "POST", f"/incidents/{report}", EHS, lambda_context, form=CONFIRM)
    assert saved["multiValueHeaders"]["Location"] == [f"/dev/incidents/{report}?saved=unsent"]
    world.writebacks.failing = False
    # Then its page says it was not written (not "on its way"), and offers to send it again
    page = _page(world, report, EHS, lambda_context)
    assert "Not written: the write-back queue did not take it: send it again." in page
    assert "On its way to Plex" not in page and "Send to Plex again" in page
    # and the EHS lead may set it aside (before: 409 "Its confirmation is on its way to Plex", for ever)
    world.clock.advance(minutes=60)
    assert _set_aside(world, report, lambda_context)["statusCode"] == 303
