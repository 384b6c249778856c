"""A corrected resend of an incident (ux136 #3): the reporter sends the same text and time again with a field
corrected (a near miss, not an injury; another workcenter or job). The new report replaces the earlier one: both
pages link each other, the earlier leaves the EHS queue and list counts and refuses any decision (409 with the
reason), and when Plex already holds the earlier record the EHS lead is told so and must say to write a second."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pytest

from plexlabor.audit import AuditEventType
from plexlabor.incidents import service
from plexlabor.incidents.service import correct_codes, decision_of, decisions_of, opening, replacement
from plexlabor.incidents.withdrawal import withdraw
from tests.unit.approval.approval_fakes import World
from tests.unit.incidents.conftest import (
    CONFIRMED_CODES,
    close_as_before_ux_s13_16,
    nothing_in_the_way_before_ux_s13_16,
)
from tests.unit.incidents.test_incident_withdrawal_race import Racing
from tests.unit.review.review_world import call_web, web_deps
from tests.unit.webapp.test_web_app_incident_list import (
    CONFIRM,
    RefusingTransport,
    SureModel,
    _get,
    _log,
    _rows,
    _writeback,
)
from tests.unit.webapp.viewers import EHS, OPERATOR

TEXT = "The press closed while I was clearing a part and caught my glove; my hand was pulled out in time."
WHEN = datetime(2026, 3, 1, 10, 15)
"""Plant time, as the form sends it."""


class AcceptingTransport:
    """Plex taking every record (custom object mode): answered 201 with a new id."""

    def __init__(self) -> None:
        self.posts: list[str] = []

    def post(self, path: str, body: Any, *, idempotency_key: str | None = None) -> Any:
        self.posts.append(path)
        return SimpleNamespace(status_code=201, json=lambda: {"id": f"obj-{len(self.posts)}"}, text="", content=b"")


@pytest.fixture
def world() -> World:
    return World()


def _send(world: World, *, sure: bool, **fields: Any) -> str:
    return _log(world, TEXT, sure=sure, by="E0107", occurred_at=WHEN, **fields)


@pytest.fixture
def before_ux_s13_16(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reports recorded before 2026-12-06, when a resend replaced a report the EHS lead had decided too (ux_s13 #16):
    their pages and rows still say what became of them."""
    monkeypatch.setattr(service, "close_replaced", close_as_before_ux_s13_16)
    monkeypatch.setattr(service, "in_the_way", nothing_in_the_way_before_ux_s13_16)


def _page(world: World, incident_id: str, claims: dict[str, Any], ctx: Any) -> str:
    response = call_web(web_deps(world), "GET", f"/incidents/{incident_id}", claims, ctx)
    assert response["statusCode"] == 200
    return str(response["body"])


def test_a_corrected_resend_replaces_the_earlier_report_which_can_no_longer_be_decided(
    world: World, lambda_context: Any
) -> None:
    # Given an operator's injury at PRESS4 the model was not sure of (in the EHS queue), then the same text and time
    # sent again as a near miss at PRESS5 for job J101058
    first = _send(world, sure=False, workcenter_code="PRESS4")
    second = _send(world, sure=False, workcenter_code="PRESS5", kind="near_miss", job_no="J101058")
    # Then the new report's page says which report it replaces and how that one was sent, linking it
    page = _page(world, second, OPERATOR, lambda_context)
    mine = "your report of Sun 2026-03-01 10:15, injury at PRESS4"  # named, its id only the link (ux141 #13)
    assert f'This report replaces <a href="/dev/incidents/{first}">{mine}</a>' in page
    assert f">{first}<" not in page and f">{second}<" not in page
    assert "with the same text and time as an injury · workcenter PRESS4: that one is withdrawn." in page
    # and the earlier one's page says it was replaced, linking the new one, with no code form for the EHS lead
    earlier = _page(world, first, EHS, lambda_context)
    newer = "E0107&#39;s report of Sun 2026-03-01 10:15, near miss at PRESS5"
    assert f'Replaced by <a href="/dev/incidents/{second}">{newer}</a>: E0107 sent it as a corrected report' in earlier
    assert f">{second}<" not in earlier
    own = _page(world, first, OPERATOR, lambda_context)
    assert "your report of Sun 2026-03-01 10:15, near miss at PRESS5</a>: you sent it as a corrected report" in own
    assert "This report is withdrawn: it is no longer confirmed or sent to Plex." in earlier
    assert "wait for the EHS lead" not in earlier and "wait for the EHS lead" in _page(
        world, second, EHS, lambda_context
    )
    assert "Save the codes" not in earlier and "Save the codes" in _page(world, second, EHS, lambda_context)
    # When the EHS lead posts codes for the earlier one (a page opened before the resend)
    refused = call_web(web_deps(world), "POST", f"/incidents/{first}", EHS, lambda_context, form=CONFIRM)
    # Then it is a 409 naming the reason and the corrected report, and nothing is recorded or sent
    assert refused["statusCode"] == 409
    assert "which replaces this one" in refused["body"] and f'href="/dev/incidents/{second}"' in refused["body"]
    assert f"({newer}), which replaces this one" in refused["body"]
    assert f"({second})" not in refused["body"]
    assert decision_of(world.audit, first) is None and world.writebacks.sent == []
    again = call_web(web_deps(world), "POST", f"/incidents/{first}", EHS, lambda_context, form={"send": "again"})
    assert again["statusCode"] == 409
    # and the EHS queue holds only the corrected report
    queue = call_web(web_deps(world), "GET", "/queue", EHS, lambda_context)["body"]
    assert f"/items/{second}" in queue and f"/items/{first}" not in queue
    item = call_web(web_deps(world), "GET", f"/items/{first}", EHS, lambda_context)["body"]
    rejected = call_web(
        web_deps(world), "POST", f"/items/{first}", EHS, lambda_context, form={"action": "reject", "reason": "dup"}
    )
    assert rejected["statusCode"] == 409 and decision_of(world.audit, first) is None
    assert "This suggestion was no longer needed: Replaced by the corrected report" in rejected["body"]
    assert "Replaced by the corrected report its reporter sent on" in item and "re-plan" not in item
    assert second not in item  # named, not by its id (ux141 #13)


def test_a_resend_of_a_report_the_ehs_lead_confirmed_asks_her_to_correct_it_and_replaces_nothing(
    world: World, lambda_context: Any
) -> None:
    # ux_s13 #16: a resend with the shift corrected replaced the confirmed report written to Plex; its codes were lost
    # Given an injury the EHS lead confirmed and plex_writeback wrote to Plex (custom object mode)
    first = _send(world, sure=False, workcenter_code="PRESS4", shift_code="1")
    assert (
        call_web(web_deps(world), "POST", f"/incidents/{first}", EHS, lambda_context, form=CONFIRM)["statusCode"] == 303
    )
    _writeback(world, AcceptingTransport(), mode="custom_object").apply(world.writebacks.sent[0], message_id="m-1")
    # When the operator sends the same text and time again with the shift corrected
    second = _send(world, sure=False, workcenter_code="PRESS4", shift_code="2")
    # Then the confirmed report stands as decided (not replaced), and the new one asks the EHS lead to correct it
    assert replacement(world.audit, first) is None and decision_of(world.audit, first) is not None
    assert "Replaced by" not in _page(world, first, EHS, lambda_context)
    page = _page(world, second, EHS, lambda_context)
    asked = page.split('id="asks-to-correct-1"')[1].split("</p>")[0]
    assert f'Its reporter sent this report as a correction of <a href="/dev/incidents/{first}">' in asked
    assert "as an injury · workcenter PRESS4 · shift 1, which stands as decided (S0001 decided it on " in asked
    assert "If this one is right, correct that report on its page, then set this one aside as a duplicate" in asked
    assert "This report replaces" not in page and 'name="plex_earlier"' not in page
    own = _page(world, second, OPERATOR, lambda_context).split('id="asks-to-correct-1"')[1].split("</p>")[0]
    assert "You sent this as a correction of <a" in own and "your report of Sun 2026-03-01 10:15" in own
    assert "which the EHS lead decided already: it stands as they decided it" in own


def test_when_plex_holds_the_earlier_report_the_ehs_lead_is_told_and_must_ask_for_a_second_record(
    world: World, lambda_context: Any, before_ux_s13_16: None
) -> None:
    # Given an injury the EHS lead confirmed (from the queue) and plex_writeback wrote to Plex (custom object mode)
    first = _send(world, sure=False, workcenter_code="PRESS4")
    assert (
        call_web(web_deps(world), "POST", f"/incidents/{first}", EHS, lambda_context, form=CONFIRM)["statusCode"] == 303
    )
    [sent] = world.writebacks.sent
    transport = AcceptingTransport()
    _writeback(world, transport, mode="custom_object").apply(sent, message_id="m-1")
    assert len(transport.posts) == 1
    # When the operator sends the same text and time again as a near miss
    second = _send(world, sure=True, workcenter_code="PRESS4", kind="near_miss")
    # Then the new report's page tells the EHS lead plainly that Plex holds the earlier record
    page = _page(world, second, EHS, lambda_context)
    assert "Plex holds that earlier report: it was confirmed by S0001" in page and "written to Plex on" in page
    assert 'name="plex_earlier" value="write" required' in page
    own = _page(world, second, OPERATOR, lambda_context)  # its reporter is told who deals with it, not the EHS steps
    assert "Plex holds that earlier report" in own and "The EHS lead is told so here" in own and "revert" not in own
    # and the earlier one's page that Plex holds it
    assert "Plex holds it: it was written on" in _page(world, first, EHS, lambda_context)
    # When the EHS lead saves the new report's codes without ticking the box
    codes = {k: v for k, v in CONFIRM.items() if not k.startswith(("code.nature", "code.part"))}
    unticked = call_web(web_deps(world), "POST", f"/incidents/{second}", EHS, lambda_context, form=codes)
    # Then nothing is saved or sent: the page names the earlier record in Plex
    assert unticked["statusCode"] == 400 and f"Plex holds the earlier report {first}" not in unticked["body"]
    named = "Plex holds the earlier report (E0107&#39;s report of Sun 2026-03-01 10:15, injury at PRESS4)"
    assert named in unticked["body"]
    assert decision_of(world.audit, second) is None and len(world.writebacks.sent) == 1
    # When they tick it, the corrected report is confirmed and sent on its way as a record of its own
    ticked = codes | {"plex_earlier": "write"}
    assert (
        call_web(web_deps(world), "POST", f"/incidents/{second}", EHS, lambda_context, form=ticked)["statusCode"] == 303
    )
    assert decision_of(world.audit, second) is not None and len(world.writebacks.sent) == 2
    # and the earlier's item trail says it was written, then replaced (not "nothing was written to Plex for it")
    trail = call_web(web_deps(world), "GET", f"/items/{first}", EHS, lambda_context)["body"]
    assert "Written to Plex as an incident record" in trail and "nothing was written to Plex for it" not in trail
    assert "Replaced by the corrected report its reporter sent: no longer confirmed or written" in trail
    assert second not in trail
    # and the audit trail keeps both reports: the earlier's confirmation, write and replacement
    kinds = [e.event_type for e in world.audit.history(f"incident:{first}")]
    assert AuditEventType.WRITEBACK in kinds and AuditEventType.EXPIRED in kinds
    assert len(decisions_of(world.audit, first)) == 1


def test_the_list_marks_the_pair_shows_the_job_and_counts_only_the_live_report(
    world: World, lambda_context: Any
) -> None:
    # Given an auto-coded injury, then its corrected resend naming another job
    first = _send(world, sure=True, workcenter_code="PRESS4", job_no="J101058")
    second = _send(world, sure=True, workcenter_code="PRESS4", job_no="J101060")
    # When the EHS lead opens the list
    body = _get(world, EHS, lambda_context)["body"]
    newer, older = _rows(body)
    # Then each row shows its job, the earlier reads as replaced (linking the new one), the new one as replacing
    assert "job J101060" in newer and "job J101058" in older
    assert (
        f'Replaced by the corrected report: <a href="/dev/incidents/{second}">'
        "E0107&#39;s report of Sun 2026-03-01 10:15, injury at PRESS4</a>" in older
    )
    assert (
        f'replaces <a href="/dev/incidents/{first}">E0107&#39;s report of Sun 2026-03-01 10:15, injury at PRESS4</a>'
        in newer
    )
    assert f">{first}<" not in body and f">{second}<" not in body
    assert 'data-standing="replaced"' in older
    # and only the live report awaits confirmation
    assert "<h1>Incidents · 1 awaiting confirmation" in body


def _written_then_correction_refused_then_resent(world: World, ctx: Any) -> tuple[str, str]:
    """An injury confirmed and written to Plex, its codes corrected and that correction's write refused, then the same
    text and time sent again as a near miss: (the earlier report, its corrected resend)."""
    first = _send(world, sure=False, workcenter_code="PRESS4")
    confirm = call_web(web_deps(world), "POST", f"/incidents/{first}", EHS, ctx, form=CONFIRM)
    assert confirm["statusCode"] == 303
    _writeback(world, AcceptingTransport(), mode="custom_object").apply(world.writebacks.sent[0], message_id="m-1")
    corrected = CONFIRM | {"code.source_division": "5"}
    assert call_web(web_deps(world), "POST", f"/incidents/{first}", EHS, ctx, form=corrected)["statusCode"] == 303
    _writeback(world, RefusingTransport(), mode="custom_object").apply(world.writebacks.sent[-1], message_id="m-2")
    return first, _send(world, sure=True, workcenter_code="PRESS4", kind="near_miss")


def test_plex_still_holds_an_earlier_report_whose_correction_was_not_written(
    world: World, lambda_context: Any, before_ux_s13_16: None
) -> None:
    # review180 #3's other place: the page looked only at the newest decision's write, a failed one
    # Given an injury written to Plex whose correction's write was refused, then its corrected resend
    _, second = _written_then_correction_refused_then_resent(world, lambda_context)
    # Then the resend's page still says Plex holds the earlier report (the first write stands in Plex)
    assert "Plex holds that earlier report" in _page(world, second, EHS, lambda_context)


def test_the_list_says_plex_holds_an_earlier_report_whose_correction_was_not_written(
    world: World, lambda_context: Any, before_ux_s13_16: None
) -> None:
    # The list's note looked at the newest Plex event only (the correction's failed write); the page's rule since
    # 2d8a078 is withdrawal.plex_holds over every write
    # Given an injury written to Plex whose correction's write was refused, then its corrected resend
    first, _ = _written_then_correction_refused_then_resent(world, lambda_context)
    # When the EHS lead opens the list
    _, older = _rows(_get(world, EHS, lambda_context)["body"])
    # Then the earlier report's row says Plex holds it, as its page and the resend's page do
    assert f"/incidents/{first}" in older
    assert "Plex holds this one (written before it was replaced)" in older


def test_a_correction_request_is_not_confirmed_while_the_decided_report_stands(
    world: World, lambda_context: Any
) -> None:
    # review_s14 L13: confirming the resend instead of correcting the decided report wrote a second incident record
    # of the same event to Plex, while the trends count one
    first = _send(world, sure=False, workcenter_code="PRESS4", shift_code="1")
    web = web_deps(world)
    assert call_web(web, "POST", f"/incidents/{first}", EHS, lambda_context, form=CONFIRM)["statusCode"] == 303
    _writeback(world).apply(world.writebacks.sent[0], message_id="m-1")  # a dry run: Plex holds nothing
    second = _send(world, sure=False, workcenter_code="PRESS4", shift_code="2")
    # When the EHS lead saves codes on the resend
    saved = call_web(web, "POST", f"/incidents/{second}", EHS, lambda_context, form=CONFIRM)
    # Then nothing is saved or sent, and she is told to correct the decided report instead
    assert saved["statusCode"] == 400
    body = str(saved["body"])
    assert "Not saved: this report asks you to correct" in body and "which stands as decided" in body
    assert "a second record of it to Plex" in body and "set this one aside as a duplicate of it" in body
    assert decision_of(world.audit, second) is None and len(world.writebacks.sent) == 1
    # Once the decided report is set aside (it was not an incident after all), this one is coded as any other
    aside = {"withdraw": "1", "ground": "not_incident", "reason": "a drill"}
    assert call_web(web, "POST", f"/incidents/{first}", EHS, lambda_context, form=aside)["statusCode"] == 303
    assert call_web(web, "POST", f"/incidents/{second}", EHS, lambda_context, form=CONFIRM)["statusCode"] == 303
    assert decision_of(world.audit, second) is not None and len(world.writebacks.sent) == 2


def test_a_resend_that_meets_a_decision_is_shown_and_guarded_as_a_correction_request(lambda_context: Any) -> None:
    # The resend is recorded before it closes the report it replaces (review_s14 L1); the EHS lead decides that report
    # in between: the resend names it as replaced, but it stands as decided, so the resend asks her to correct it
    racing = Racing()
    world = World(audit=racing)
    first = _send(world, sure=False, workcenter_code="PRESS4", shift_code="1")
    found = opening(world.audit, first)
    assert found is not None
    racing.rival = lambda: correct_codes(world.audit, found, CONFIRMED_CODES, "S0001", world.clock())
    second = _send(world, sure=False, workcenter_code="PRESS4", shift_code="2")
    assert replacement(world.audit, first) is None and decision_of(world.audit, first) is not None
    page = _page(world, second, EHS, lambda_context)
    assert 'id="asks-to-correct-1"' in page and "This report replaces" not in page
    saved = call_web(web_deps(world), "POST", f"/incidents/{second}", EHS, lambda_context, form=CONFIRM)
    assert saved["statusCode"] == 400 and "Not saved: this report asks you to correct" in str(saved["body"])


def test_correct_this_report_opens_the_form_as_it_was_sent(world: World, lambda_context: Any) -> None:
    """ux_s16 #10: "send the same text and time again, corrected" read as "send nothing changed"."""
    # Given an operator's near miss at PRESS4 with its time
    first = _send(world, sure=False, workcenter_code="PRESS4", kind="near_miss", job_no="J101058")
    # When they open it, the page offers "Correct this report", not the instruction to resend
    page = _page(world, first, OPERATOR, lambda_context)
    assert f'<input type="hidden" name="correct" value="{first}">' in page and "Correct this report</button>" in page
    assert "send the same text and time again" not in page.lower()
    # and that opens the form filled in as it was sent: text, time, kind, workcenter and job
    response = call_web(web_deps(world), "GET", "/incidents/new", OPERATOR, lambda_context, query={"correct": first})
    form = str(response["body"])
    assert response["statusCode"] == 200 and "Correcting your report" in form
    assert f">{TEXT}</textarea>" in form.replace("&#39;", "'")
    assert 'name="occurred_at" max="' in form and 'value="2026-03-01T10:15"' in form
    assert 'value="near_miss" checked' in form and 'value="PRESS4"' in form and 'value="J101058"' in form
    # and sends the report's id with it, so that report is the one replaced whatever its text and time (review_s16 #4)
    assert f'<input type="hidden" name="correct" value="{first}">' in form
    # while nobody else can open someone's report this way: the EHS lead, who sees it, is told why
    other = call_web(web_deps(world), "GET", "/incidents/new", EHS, lambda_context, query={"correct": first})
    assert other["statusCode"] == 403 and "only the person who sent a report can correct it" in str(other["body"])
    assert 'name="correct"' not in str(other["body"])
    # and someone who may not see it is not told it exists
    stranger = {**OPERATOR, "cognito:username": "E0108", "custom:employee_id": "E0108"}
    unseen = call_web(web_deps(world), "GET", "/incidents/new", stranger, lambda_context, query={"correct": first})
    assert unseen["statusCode"] == 404 and "No such report to correct." in str(unseen["body"])
    # and sent with a field changed, the form's copy is recorded as the correction of the first report
    from plexlabor.webapp.incidents import as_sent
    from tests.unit.review.review_world import ZONE

    typed = as_sent(opening(world.audit, first), ZONE)  # type: ignore[arg-type]
    narrative = typed.pop("narrative")
    second = _log(world, narrative, sure=False, by="E0107", **{**typed, "workcenter_code": "PRESS5"})
    closing = replacement(world.audit, first)
    assert closing is not None and closing.payload["superseded_by"] == second


def test_a_report_without_a_time_is_corrected_like_any_other(world: World, lambda_context: Any) -> None:
    """review_s16 #4: the correction names the report it corrects, so a report without a time (once matched only
    within the minute it was received) is offered "Correct this report" too."""
    # Given a report sent without a time
    sent = _log(world, TEXT, sure=False, by="E0107")
    # When its reporter opens it / Then it offers the correction, and the form opens as sent, its time left empty
    page = _page(world, sent, OPERATOR, lambda_context)
    assert "Correct this report</button>" in page and "withdraw it below and send a new report" not in page
    response = call_web(web_deps(world), "GET", "/incidents/new", OPERATOR, lambda_context, query={"correct": sent})
    form = str(response["body"])
    assert response["statusCode"] == 200 and f'<input type="hidden" name="correct" value="{sent}">' in form
    assert 'name="occurred_at" max="' in form and 'value=""' in form.split('name="occurred_at"')[1].split(">")[0]


def test_a_withdrawn_report_is_not_opened_for_correction(world: World, lambda_context: Any) -> None:
    # Given an operator's report they withdrew
    first = _send(world, sure=False, workcenter_code="PRESS4")
    found = opening(world.audit, first)
    assert found is not None
    withdraw(world.audit, found, by="E0107", role="reporter", reason="Sent by mistake", at=world.clock())
    # When a page opened before asks for its correction form / Then it says what closed it, and offers no form
    response = call_web(web_deps(world), "GET", "/incidents/new", OPERATOR, lambda_context, query={"correct": first})
    body = str(response["body"])
    assert response["statusCode"] == 409 and "This report was withdrawn by its reporter" in body
    assert "nothing left to correct" in body and 'name="correct"' not in body


def test_a_named_correction_names_the_report_by_when_it_was_sent_and_claims_no_sameness(
    world: World, lambda_context: Any
) -> None:
    """ux_verify_s16 C: "replaces your report of Sun 04:02, injury, sent on Sun 04:02 with the same text and time as an
    injury" for a report sent with no time and corrected to a near miss with one."""
    from tests.unit.review.review_world import ZONE

    # Given an operator's injury sent with no time at 10:15 (the world's clock)
    first = _log(world, "slipped on oil", sure=False, by="E0107")
    sent_at = opening(world.audit, first).occurred_at.astimezone(ZONE)  # type: ignore[union-attr]
    # When "Correct this report" sends it back as a near miss with a time
    deps = service.IncidentDeps(world.audit, SureModel(False), zone=ZONE, clock=world.clock)  # type: ignore[arg-type]
    report = service.IncidentReport(narrative="slipped on oil", kind="near_miss", occurred_at=WHEN)
    second = service.log_incident(deps, report, "E0107", corrects=first).incident_id
    # Then its page names the replaced report by when it was sent, as it was sent, and claims no same text and time
    page = _page(world, second, OPERATOR, lambda_context)
    named = f"your report sent {sent_at:%a %Y-%m-%d %H:%M} (injury, no time given)"
    assert f'This report replaces <a href="/dev/incidents/{first}">{named}</a>: that one is withdrawn.' in page
    assert "same text and time" not in page
