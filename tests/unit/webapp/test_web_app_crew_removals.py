"""The removal from Plex of an accepted seat whose person called off, on the crew board and in the review queue (issue
16): the re-plan opens it (`removals.open_removals`, as crew_replan does), the board marks the seat "removal from Plex
waiting for approval" and counts the removals waiting; the seat's supervisor decides it in the queue: approved, it goes
to plex_writeback as every crew write (the board then says what the write did: "removed in Plex" once Plex took it,
"dry run: nothing sent to Plex", "not removed: Plex refused it (...)": review180 #1, until 2026-12-05 "removed in Plex"
from the approval alone), rejected the assignment stays ("kept in Plex"). Before, the board only said the assignment
"should be removed" and nothing reached the queue."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from plexlabor.approval.corrections import with_fallback_paths
from plexlabor.approval.messages import Decision, RecommendationWriteback
from plexlabor.approval.recommendations import Recommended, recommendation_decision
from plexlabor.approval.writeback import WritebackService
from plexlabor.audit import ApprovalAction, AuditStatus
from plexlabor.crew.claims import SeatClaims
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.removals import open_removals
from plexlabor.crew.replanning import applied_event, superseded_event
from plexlabor.crew.suggestions import read_day
from plexlabor.plex import PlexSettings, PlexWriter
from plexlabor.plex.errors import PlexRequestError
from tests.unit.approval.approval_fakes import FakePlex, World
from tests.unit.review.review_world import call_web, closed, crew_assignment
from tests.unit.webapp.test_web_app_crew import PRICED, SEGMENT, Replans, _with_replan
from tests.unit.webapp.test_web_app_crew_call_off_day import FORM, LATER, _board, _row, _text, world
from tests.unit.webapp.viewers import ASSEMBLY, HR, PLANNER, SUPERVISOR

__all__ = ["world"]  # the fixture, used by name

DAY = date(2026, 3, 4)
ZONE = ZoneInfo("America/Detroit")


def _accept_and_call_off(world: World, lambda_context: Any) -> Any:
    """E0042's seat (crew-0001) accepted and written, then E0042 called off shift 1 on the board and the re-plan
    opened the removal, as crew_replan does."""
    deps = _with_replan(world, Replans())
    assert (
        call_web(deps, "POST", "/items/crew-0001", PLANNER, lambda_context, form={"action": "approve"})["statusCode"]
        == 303
    )
    form = FORM | {"for": "shift"}
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=form)["statusCode"] == 303
    assert (
        open_removals(world.audit, read_day(world.audit, DAY), "1", {"E0042": world.clock()}, world.clock(), ZONE).count
        == 1
    )
    return deps


def _removal_id(world: World) -> str:
    [removal] = read_day(world.audit, DAY).removals
    return removal.event_id


@dataclass
class _Plex:
    """Plex taking every POST (201, no body), or answering 400 once `refusing`."""

    refusing: bool = False

    def post(self, path: str, body: dict[str, Any], *, idempotency_key: str | None = None) -> Any:
        if self.refusing:
            raise PlexRequestError("bad request", status=400)
        return SimpleNamespace(status_code=201, content=b"", text="")


def _written_back(world: World, mode: str = "dry_run", plex: _Plex | None = None) -> None:
    """plex_writeback takes the messages the queue sent (the assignment's, the removal's; each is written once), in
    `mode`."""
    settings = with_fallback_paths(PlexSettings(api_key="k", write_mode=mode))  # type: ignore[arg-type]
    writer = PlexWriter(settings, transport=plex or _Plex())  # type: ignore[arg-type]
    service = WritebackService(audit=world.audit, writer=writer, plex=FakePlex(), clock=world.clock)  # type: ignore[arg-type]
    for n, message in enumerate(m for m in world.writebacks.sent if isinstance(m, RecommendationWriteback)):
        service.apply(message, message_id=f"m-{n}")


def _totals(body: str) -> str:
    return _text(re.findall(r'<div class="panel" id="totals">.*?</div>', body, re.S)[0])


def test_the_board_shows_the_removal_waiting_and_counts_it(world: World, lambda_context: Any) -> None:
    deps = _accept_and_call_off(world, lambda_context)

    body = _board(deps, lambda_context, FORM)

    row = _row(body, "E0042", "WC-10")
    assert "accepted, then called off at 04:40: removal from Plex waiting for approval" in _text(row)
    assert "1 removal from Plex waiting for a supervisor's approval in the review queue" in _totals(body)
    assert "0 accepted" in _totals(body)
    # another department's supervisor does not decide it: no link, who decides is named
    other = call_web(deps, "GET", "/crew", ASSEMBLY, lambda_context, query=FORM | {"done": "calloff"})
    assert "/items/" + _removal_id(world) not in str(other["body"])


def test_a_planner_decides_the_removal_as_they_decide_crew_assignments(world: World, lambda_context: Any) -> None:
    # issue 16, gap 4: planners accept crew assignments plant-wide (the queue's roles) but could not decide the removal
    # of one, nor see it in the queue: the board read "Waiting for E0001 to decide"
    deps = _accept_and_call_off(world, lambda_context)
    removal = _removal_id(world)
    row = _row(_board(deps, lambda_context, FORM), "E0042", "WC-10")
    assert f'href="/dev/items/{removal}?back=' in row and "Waiting for" not in _text(row)
    queue = _text(str(call_web(deps, "GET", "/queue", PLANNER, lambda_context)["body"]))
    assert "Remove E0042 from WC-10 shift 1 in Plex (called off at 04:40)" in queue
    assert call_web(deps, "GET", f"/items/{removal}", HR, lambda_context)["statusCode"] == 404  # not HR's kind

    decided = call_web(deps, "POST", f"/items/{removal}", PLANNER, lambda_context, form={"action": "approve"})

    assert decided["statusCode"] == 303
    sent = [m.item_id for m in world.writebacks.sent if isinstance(m, RecommendationWriteback)]
    assert sent == ["crew-0001", removal]
    assert "removal approved by P0001" in _text(_row(_board(deps, lambda_context, FORM), "E0042", "WC-10"))


def test_the_supervisor_approves_it_in_the_queue_and_it_goes_to_plex(world: World, lambda_context: Any) -> None:
    deps = _accept_and_call_off(world, lambda_context)
    removal = _removal_id(world)
    row = _row(
        str(call_web(deps, "GET", "/crew", SUPERVISOR, lambda_context, query=FORM | {"done": "calloff"})["body"]),
        "E0042",
        "WC-10",
    )
    assert f'href="/dev/items/{removal}?back=' in row
    queue = str(call_web(deps, "GET", "/queue", SUPERVISOR, lambda_context)["body"])
    assert "Remove E0042 from WC-10 shift 1 in Plex (called off at 04:40)" in _text(queue)
    page = _text(str(call_web(deps, "GET", f"/items/{removal}", SUPERVISOR, lambda_context)["body"]))
    assert "would be sent (the assignment&#39;s record marked withdrawn)" in page  # what approving does, in dry run

    decided = call_web(deps, "POST", f"/items/{removal}", SUPERVISOR, lambda_context, form={"action": "approve"})

    assert decided["statusCode"] == 303
    sent = [m for m in world.writebacks.sent if isinstance(m, RecommendationWriteback)]
    assert [m.item_id for m in sent] == ["crew-0001", removal]  # the same write-back queue as the assignment's
    body = _board(deps, lambda_context, FORM)
    row = _text(_row(body, "E0042", "WC-10"))
    assert "removal approved, on its way to Plex" in row and "removal approved by E0001" in row
    assert "no removal from Plex waits for a decision" in _totals(body)  # not red (ux_s15 #7)
    assert '<p class="muted" id="withdrawn">' in body
    _written_back(world)  # dry run, the default: nothing sent, as for the assignment
    row = _text(_row(_board(deps, lambda_context, FORM), "E0042", "WC-10"))
    assert "removal approved; dry run: nothing sent to Plex" in row and "removed in Plex" not in row


def test_a_removal_plex_refused_says_so_and_the_seat_stands_after_an_undo(world: World, lambda_context: Any) -> None:
    # review180 #1: the board said "removed in Plex" and, after an undo, kept the seat unfilled, though Plex held it
    deps = _accept_and_call_off(world, lambda_context)
    plex = _Plex()
    _written_back(world, "custom_object", plex)  # the assignment: in Plex
    removal = _removal_id(world)
    call_web(deps, "POST", f"/items/{removal}", SUPERVISOR, lambda_context, form={"action": "approve"})
    plex.refusing = True
    _written_back(world, "custom_object", plex)  # the removal: Plex answers 400

    row = _text(_row(_board(deps, lambda_context, FORM), "E0042", "WC-10"))
    assert "called off at 04:40: not removed: Plex refused it (" in row and "bad request" in row
    assert "removal approved by E0001" in row and "removed in Plex" not in row
    undo = {"undo": "E0042", "day": "2026-03-04", "shift": "1"}
    world.clock.now += timedelta(minutes=1)
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=undo)["statusCode"] == 303
    body = _board(deps, lambda_context, FORM)
    assert "1 accepted" in _totals(body) and "removed" not in _text(_row(body, "E0042", "WC-10"))


def test_a_rejected_removal_keeps_the_assignment_and_the_board_says_so(world: World, lambda_context: Any) -> None:
    deps = _accept_and_call_off(world, lambda_context)
    removal = _removal_id(world)
    form = {"action": "reject", "reason": "back after lunch"}

    decided = call_web(deps, "POST", f"/items/{removal}", SUPERVISOR, lambda_context, form=form)

    assert decided["statusCode"] == 303
    assert [m.item_id for m in world.writebacks.sent if isinstance(m, RecommendationWriteback)] == ["crew-0001"]
    row = _text(_row(_board(deps, lambda_context, FORM), "E0042", "WC-10"))
    assert "kept in Plex (removal rejected)" in row and "removal rejected by E0001: back after lunch" in row


def test_a_call_off_of_a_seat_not_accepted_opens_no_removal(world: World, lambda_context: Any) -> None:
    deps = _with_replan(world, Replans())
    form = FORM | {"for": "shift"}
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=form)["statusCode"] == 303

    assert (
        open_removals(world.audit, read_day(world.audit, DAY), "1", {"E0042": world.clock()}, world.clock(), ZONE).count
        == 0
    )
    body = _board(deps, lambda_context, FORM)
    assert read_day(world.audit, DAY).removals == [] and 'id="withdrawn"' not in body
    assert "removal" not in _text(_row(body, "E0042", "WC-10"))


def test_the_seat_stays_unfilled_after_its_removal_even_once_the_call_off_is_undone(
    world: World, lambda_context: Any
) -> None:
    deps = _accept_and_call_off(world, lambda_context)
    removal = _removal_id(world)
    call_web(deps, "POST", f"/items/{removal}", SUPERVISOR, lambda_context, form={"action": "approve"})
    undo = {"undo": "E0042", "day": "2026-03-04", "shift": "1"}
    world.clock.now += timedelta(minutes=1)
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=undo)["statusCode"] == 303

    body = _board(deps, lambda_context, FORM)

    assert "accepted, then removed: removal approved, on its way to Plex" in _text(_row(body, "E0042", "WC-10"))
    assert "0 accepted" in _totals(body)
    _written_back(world, "custom_object")
    body = _board(deps, lambda_context, FORM)
    assert "accepted, then removed: removed in Plex" in _text(_row(body, "E0042", "WC-10"))
    assert "0 accepted" in _totals(body)


def test_the_withdrawn_seat_says_what_the_re_plan_did_with_it(world: World, lambda_context: Any) -> None:
    # ux164 #6: "the re-plan fills the seat" stood above the seat's "stays empty"
    deps = _accept_and_call_off(world, lambda_context)
    call_off = ReplanMessage(reason="call_off", day=DAY, shift="1", employee_id="E0042", detected_at=world.clock())
    world.audit.append(applied_event(call_off, world.clock()))  # crew_replan applied it
    row = _text(_row(_board(deps, lambda_context, FORM), "E0042", "WC-10"))  # the segment's crew-0003 stays empty
    assert "re-plan found nobody for it: it stays empty." in row and "fills" not in row
    assert "waiting for approval accepted by" in row  # who accepted it, not who approves the removal

    closed(world, "crew-0003", AuditStatus.EXPIRED)  # the seat no longer stays empty
    row = _text(_row(_board(deps, lambda_context, FORM), "E0042", "WC-10"))
    assert "re-plan filled the seat." in row


def test_a_person_whose_assignment_left_plex_can_be_swapped_back_after_an_undo(
    world: World, lambda_context: Any
) -> None:
    # review180 #5: the removed seat counted as "already suggested for this job operation (accepted)"
    deps = _accept_and_call_off(world, lambda_context)
    removal = _removal_id(world)
    decided = call_web(deps, "POST", f"/items/{removal}", SUPERVISOR, lambda_context, form={"action": "approve"})
    assert decided["statusCode"] == 303
    world.clock.now += timedelta(minutes=1)
    undo = {"undo": "E0042", "day": "2026-03-04", "shift": "1"}
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=undo)["statusCode"] == 303
    offered = [{"employee_id": "E0042", "supervisor_id": "E0001", **PRICED, "outside_hours": 0.0, "busy_at": None}]
    crew_assignment(
        world, "crew-0009", employee_id="E0050", supervisor_id="E0001", swap_candidates=offered, **SEGMENT, **PRICED
    )
    form = {"item": "crew-0009", "employee": "E0042", "next": "/crew?day=2026-03-04&shift=1"}

    def swap() -> str:
        response = call_web(deps, "POST", "/crew/swap", PLANNER, lambda_context, form=form)
        return str(response["multiValueHeaders"]["Location"][0])

    assert "why=suggested_here" in swap()  # approved, still on its way to Plex: the seat is held
    _written_back(world)  # dry run: the assignment counts as out of Plex, as re-plans count it
    # the undo's re-plan lets go the claims the removed seat's approval held (crew_replan's _release_removed)
    assert SeatClaims(world.audit).release_seat("E0042", DAY, "crew-0001", "crew_replan") > 0
    assert "done=swap" in swap()


def test_a_seat_worked_before_the_call_off_stays_accepted_and_opens_no_removal(
    world: World, lambda_context: Any
) -> None:
    # issue 16, gap 3: a person sent home mid-shift had the seat they had finished marked for removal from Plex too
    early = {"segment": "op-5|1", "workcenter_id": "W11", "job_no": "J100005", "operation_code": "10", **PRICED}
    crew_assignment(
        world,
        "crew-0005",
        employee_id="E0042",
        supervisor_id="E0001",
        workcenter_code="WC-11",
        **early,
        end="2026-03-04T08:00:00+00:00",
        hours=2.0,
    )
    closed(world, "crew-0005")  # accepted before it started, worked 06:00-08:00 UTC
    deps = _accept_and_call_off(world, lambda_context)  # the call-off at 09:40 UTC

    body = _board(deps, lambda_context, FORM)

    worked = _text(_row(body, "E0042", "WC-11"))
    assert "called off" not in worked and "removal" not in worked and "accepted" in worked
    assert "1 seat accepted, then called off" in _text(body)
    assert [r.payload["removes"] for r in read_day(world.audit, DAY).removals] == ["crew-0001"]


def _refused(world: World, lambda_context: Any) -> tuple[Any, _Plex, str]:
    """E0042's accepted seat in Plex, E0042 called off, the removal approved by E0001 and refused by Plex (400)."""
    deps = _accept_and_call_off(world, lambda_context)
    plex = _Plex()
    _written_back(world, "custom_object", plex)  # the assignment: in Plex
    removal = _removal_id(world)
    call_web(deps, "POST", f"/items/{removal}", SUPERVISOR, lambda_context, form={"action": "approve"})
    plex.refusing = True
    _written_back(world, "custom_object", plex)  # the removal: Plex answers 400
    return deps, plex, removal


def test_a_refused_removal_is_retried_from_the_board_while_the_person_is_still_off(
    world: World, lambda_context: Any
) -> None:
    # issue 16, gap 1: a removal Plex refused could not be sent again while the person was still off (the board said
    # "not removed: Plex refused it" and offered nothing; the queue had nothing left to decide)
    deps, plex, refused = _refused(world, lambda_context)
    row = _row(_board(deps, lambda_context, FORM), "E0042", "WC-10")
    assert 'action="/dev/crew/removal"' in row and f'value="{refused}"' in row and "Retry the removal" in row
    world.clock.now += timedelta(minutes=2)
    form = {"item": refused, "next": "/crew?day=2026-03-04&shift=1"}

    retried = call_web(deps, "POST", "/crew/removal", SUPERVISOR, lambda_context, form=form)

    assert retried["statusCode"] == 303
    assert retried["multiValueHeaders"]["Location"] == ["/dev/crew?day=2026-03-04&shift=1&done=removal_retried"]
    sent = [m for m in world.writebacks.sent if isinstance(m, RecommendationWriteback)]
    again = sent[-1].item_id
    assert [m.item_id for m in sent[:-1]] == ["crew-0001", refused] and again != refused
    # in the audit trail: the retry, made by the supervisor, naming the refused removal and why, then its approval
    [retry] = [e for e in read_day(world.audit, DAY).removals if e.event_id == again]
    assert (retry.actor, retry.payload["retry_of"], retry.payload["removes"]) == ("E0001", refused, "crew-0001")
    assert "bad request" in retry.payload["note"] and "Remove E0042 from WC-10 shift 1 in Plex" in retry.payload["note"]
    assert [(e.status, e.actor) for e in world.audit.for_finding(again) if e.status is AuditStatus.APPROVED] == [
        (AuditStatus.APPROVED, "E0001")
    ]
    row = _text(_row(_board(deps, lambda_context, FORM), "E0042", "WC-10"))
    assert "removal approved, on its way to Plex" in row and "Retry" not in row
    plex.refusing = False
    settings = with_fallback_paths(PlexSettings(api_key="k", write_mode="custom_object"))  # type: ignore[arg-type]
    writer = PlexWriter(settings, transport=plex)  # type: ignore[arg-type]
    WritebackService(audit=world.audit, writer=writer, plex=FakePlex(), clock=world.clock).apply(  # type: ignore[arg-type]
        sent[-1], message_id="r"
    )
    assert "called off at 04:40: removed in Plex" in _text(_row(_board(deps, lambda_context, FORM), "E0042", "WC-10"))
    # pressed again (a second tab, a reload): nothing more is sent
    assert call_web(deps, "POST", "/crew/removal", SUPERVISOR, lambda_context, form=form)["statusCode"] == 409
    assert len([m for m in world.writebacks.sent if isinstance(m, RecommendationWriteback)]) == 3


def test_a_refused_removal_is_not_retried_once_the_person_is_back_or_by_someone_who_does_not_decide_it(
    world: World, lambda_context: Any
) -> None:
    deps, _, refused = _refused(world, lambda_context)
    form = {"item": refused, "next": "/crew?day=2026-03-04&shift=1"}
    assert call_web(deps, "POST", "/crew/removal", ASSEMBLY, lambda_context, form=form)["statusCode"] == 404
    world.clock.now += timedelta(minutes=1)
    undo = {"undo": "E0042", "day": "2026-03-04", "shift": "1"}
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=undo)["statusCode"] == 303
    assert "Retry the removal" not in _row(_board(deps, lambda_context, FORM), "E0042", "WC-10")

    back = call_web(deps, "POST", "/crew/removal", PLANNER, lambda_context, form=form)

    assert back["statusCode"] == 409 and "back on shift 1" in _text(str(back["body"]))
    assert len([m for m in world.writebacks.sent if isinstance(m, RecommendationWriteback)]) == 2


def test_a_seat_whose_person_is_on_leave_in_plex_is_marked_while_its_removal_waits(
    world: World, lambda_context: Any
) -> None:
    # review_s13 (not covered until 2026-12-05): leave read from Plex puts no call-off on the board, so the seat read
    # "accepted" and counted as filled while its removal waited in the queue
    deps = _with_replan(world, Replans())
    approved = call_web(deps, "POST", "/items/crew-0001", PLANNER, lambda_context, form={"action": "approve"})
    assert approved["statusCode"] == 303
    assert open_removals(world.audit, read_day(world.audit, DAY), "1", {"E0042": None}, world.clock(), ZONE).count == 1

    body = _board(deps, lambda_context, FORM)

    row = _text(_row(body, "E0042", "WC-10"))
    assert "accepted, then on leave in Plex for the day: removal from Plex waiting for approval" in row
    assert "1 removal from Plex waiting for a supervisor's approval in the review queue" in _totals(body)
    assert "0 accepted" in _totals(body)


def _refused_for_leave(world: World, lambda_context: Any) -> tuple[Any, str]:
    """E0042's accepted seat in Plex, E0042 on leave in Plex (crew_replan's refresh opens the removal: no call-off on
    the board), the removal approved by E0001 and refused by Plex (400)."""
    deps = _with_replan(world, Replans())
    approved = call_web(deps, "POST", "/items/crew-0001", PLANNER, lambda_context, form={"action": "approve"})
    assert approved["statusCode"] == 303
    plex = _Plex()
    _written_back(world, "custom_object", plex)  # the assignment: in Plex
    assert open_removals(world.audit, read_day(world.audit, DAY), "1", {"E0042": None}, world.clock(), ZONE).count == 1
    removal = _removal_id(world)
    call_web(deps, "POST", f"/items/{removal}", SUPERVISOR, lambda_context, form={"action": "approve"})
    plex.refusing = True
    _written_back(world, "custom_object", plex)  # the removal: Plex answers 400
    # the re-plans open no other for the same leave (`Removal.asks_for`): the Retry is the way to send it again
    assert open_removals(world.audit, read_day(world.audit, DAY), "1", {"E0042": None}, world.clock(), ZONE).count == 0
    return deps, removal


def test_a_refused_removal_of_a_person_on_leave_in_plex_says_so_and_is_retried(
    world: World, lambda_context: Any
) -> None:
    # review_s14 #2: the board read the seat plain "accepted by P0001" (counted accepted, no Retry), and
    # POST /crew/removal answered 409 "E0042 is back on shift 1 (the call-off was undone...)", though still on leave
    deps, refused = _refused_for_leave(world, lambda_context)
    body = _board(deps, lambda_context, FORM)
    row = _row(body, "E0042", "WC-10")
    assert "accepted, then on leave in Plex for the day: not removed: Plex refused it (" in _text(row)
    assert "Retry the removal" in row and "0 accepted" in _totals(body)
    form = {"item": refused, "next": "/crew?day=2026-03-04&shift=1"}

    retried = call_web(deps, "POST", "/crew/removal", SUPERVISOR, lambda_context, form=form)

    assert retried["statusCode"] == 303, _text(str(retried["body"]))
    sent = [m for m in world.writebacks.sent if isinstance(m, RecommendationWriteback)]
    assert [m.item_id for m in sent[:-1]] == ["crew-0001", refused] and sent[-1].item_id != refused
    row = _text(_row(_board(deps, lambda_context, FORM), "E0042", "WC-10"))
    assert "on leave in Plex for the day: removal approved, on its way to Plex" in row


def test_a_removal_for_leave_closed_as_its_person_is_back_reads_accepted_and_is_not_retried(
    world: World, lambda_context: Any
) -> None:
    # the near miss: a re-plan (the refresh's read) found E0042 back (the leave taken out of Plex) and closed the
    # removal while an approval of it was recorded beside the closing (review_s14 #5): plex_writeback refused it; the
    # seat stands accepted, and a retry is refused saying why
    deps = _with_replan(world, Replans())
    call_web(deps, "POST", "/items/crew-0001", PLANNER, lambda_context, form={"action": "approve"})
    _written_back(world, "custom_object")
    assert open_removals(world.audit, read_day(world.audit, DAY), "1", {"E0042": None}, world.clock(), ZONE).count == 1
    [removal] = read_day(world.audit, DAY).removals
    back = ReplanMessage(reason="refresh", day=DAY, shift="1", detected_at=world.clock())
    world.audit.append(superseded_event(removal, back, world.clock(), "E0042 no longer on leave in Plex"))
    decision = Decision(action=ApprovalAction.APPROVE, supervisor_id="E0001")
    world.audit.append(recommendation_decision(Recommended.of(removal), decision, world.clock(), "queue"))
    world.writebacks.sent.append(RecommendationWriteback(item_id=removal.event_id, decision=decision))
    _written_back(world, "custom_object")
    body = _board(deps, lambda_context, FORM)
    row = _row(body, "E0042", "WC-10")
    assert "accepted" in _text(row) and "on leave" not in _text(row) and "Retry" not in row
    form = {"item": removal.event_id, "next": "/crew?day=2026-03-04&shift=1"}

    refused = call_web(deps, "POST", "/crew/removal", SUPERVISOR, lambda_context, form=form)

    assert refused["statusCode"] == 409 and "(no longer on leave in Plex, or they clocked in)" in _text(
        str(refused["body"])
    )


def test_a_person_whose_removal_is_on_its_way_is_not_offered_for_an_overlapping_seat(
    world: World, lambda_context: Any
) -> None:
    # review_s13 L4: the board offered them (the approved removal took the seat out of the crew at once), and the swap
    # was then refused by the seat's claim (409) until the removal was written and a re-plan let the claim go.
    # E0042 accepted at WC-20 in shift 2 (not started), called off, the removal approved, the call-off undone.
    deps = _with_replan(world, Replans())
    approved = call_web(deps, "POST", "/items/crew-0201", PLANNER, lambda_context, form={"action": "approve"})
    assert approved["statusCode"] == 303
    call_off = FORM | {"shift": "2", "for": "shift"}
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=call_off)["statusCode"] == 303
    assert (
        open_removals(world.audit, read_day(world.audit, DAY), "2", {"E0042": world.clock()}, world.clock(), ZONE).count
        == 1
    )
    decided = call_web(
        deps, "POST", f"/items/{_removal_id(world)}", PLANNER, lambda_context, form={"action": "approve"}
    )
    assert decided["statusCode"] == 303
    world.clock.now += timedelta(minutes=1)
    undo = {"undo": "E0042", "day": "2026-03-04", "shift": "2"}
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=undo)["statusCode"] == 303
    shift_2 = FORM | {"shift": "2"}
    assert "removal approved, on its way to Plex" in _text(
        _row(_board(deps, lambda_context, shift_2), "E0042", "WC-20")
    )
    form = {"item": "crew-0202", "employee": "E0042", "next": "/crew?day=2026-03-04&shift=2"}

    response = call_web(deps, "POST", "/crew/swap", PLANNER, lambda_context, form=form)

    assert "why=accepted_elsewhere" in str(response["multiValueHeaders"]["Location"][0])
    assert "E0042" not in _text(_row(_board(deps, lambda_context, shift_2), "E0044", "WC-21"))  # not offered
    _written_back(world)  # dry run: out of Plex; the next re-plan lets the claims go
    assert SeatClaims(world.audit).release_seat("E0042", DAY, "crew-0201", "crew_replan") > 0
    response = call_web(deps, "POST", "/crew/swap", PLANNER, lambda_context, form=form)
    assert "done=swap" in str(response["multiValueHeaders"]["Location"][0])


def _refused_as_withdrawn(world: World, lambda_context: Any) -> tuple[Any, str]:
    """E0042's accepted seat in Plex, E0042 called off, it-admin's revert of the assignment in Plex, then the removal
    approved by E0001 and refused by plex_writeback: nothing to remove."""
    deps = _accept_and_call_off(world, lambda_context)
    plex = _Plex()
    _written_back(world, "custom_object", plex)  # the assignment: in Plex
    settings = with_fallback_paths(PlexSettings(api_key="k", write_mode="custom_object"))  # type: ignore[arg-type]
    writer = PlexWriter(settings, transport=plex)  # type: ignore[arg-type]
    service = WritebackService(audit=world.audit, writer=writer, plex=FakePlex(), clock=world.clock)  # type: ignore[arg-type]
    service.revert("crew-0001", actor="it-admin")  # ...and plant IT withdrew it there
    removal = _removal_id(world)
    call_web(deps, "POST", f"/items/{removal}", SUPERVISOR, lambda_context, form={"action": "approve"})
    _written_back(world, "custom_object", plex)  # the removal: refused, nothing to remove
    return deps, removal


def test_a_removal_refused_as_the_assignment_was_withdrawn_already_offers_no_retry(
    world: World, lambda_context: Any
) -> None:
    # 6246bef1 refuses the removal of an assignment IT withdrew from Plex (a revert of its write): the board still
    # offered "Retry the removal", whose write plex_writeback refuses the same way
    deps, removal = _refused_as_withdrawn(world, lambda_context)

    row = _row(_board(deps, lambda_context, FORM), "E0042", "WC-10")
    assert "Retry the removal" not in row and 'action="/dev/crew/removal"' not in row
    assert "called off at 04:40: nothing to remove: it-admin withdrew the assignment from Plex at " in _text(row)
    assert "(revert)" in _text(row) and "removal approved by E0001" in _text(row)
    form = {"item": removal, "next": "/crew?day=2026-03-04&shift=1"}

    again = call_web(deps, "POST", "/crew/removal", SUPERVISOR, lambda_context, form=form)

    assert again["statusCode"] == 409
    assert "was withdrawn from Plex already (reverted at " in _text(str(again["body"]))
    assert len([m for m in world.writebacks.sent if isinstance(m, RecommendationWriteback)]) == 2


def test_a_reverted_removal_holds_its_person_again(world: World, lambda_context: Any) -> None:
    # review_s13 L5: once the removal was written, a re-plan let the seat's claims go; a revert of the removal put the
    # assignment back in Plex, but nothing held its person again, so an overlapping seat of theirs was accepted too
    deps = _with_replan(world, Replans())
    call_web(deps, "POST", "/items/crew-0201", PLANNER, lambda_context, form={"action": "approve"})
    call_off = FORM | {"shift": "2", "for": "shift"}
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=call_off)["statusCode"] == 303
    assert (
        open_removals(world.audit, read_day(world.audit, DAY), "2", {"E0042": world.clock()}, world.clock(), ZONE).count
        == 1
    )
    removal = _removal_id(world)
    call_web(deps, "POST", f"/items/{removal}", PLANNER, lambda_context, form={"action": "approve"})
    world.clock.now += timedelta(minutes=1)
    undo = {"undo": "E0042", "day": "2026-03-04", "shift": "2"}
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=undo)["statusCode"] == 303
    _written_back(world, "custom_object")  # removed in Plex; the undo's re-plan lets the claims go (_release_removed)
    assert SeatClaims(world.audit).release_seat("E0042", DAY, "crew-0201", "crew_replan") > 0
    settings = with_fallback_paths(PlexSettings(api_key="k", write_mode="custom_object"))  # type: ignore[arg-type]
    writer = PlexWriter(settings, transport=_Plex())  # type: ignore[arg-type]
    WritebackService(audit=world.audit, writer=writer, plex=FakePlex(), clock=world.clock).revert(  # type: ignore[arg-type]
        removal, actor="it-admin"
    )  # plant IT puts the assignment back in Plex
    assert "accepted" in _text(_row(_board(deps, lambda_context, FORM | {"shift": "2"}), "E0042", "WC-20"))
    swap = {"item": "crew-0202", "employee": "E0042", "next": "/crew?day=2026-03-04&shift=2"}
    response = call_web(deps, "POST", "/crew/swap", PLANNER, lambda_context, form=swap)
    assert "why=accepted_elsewhere" in str(response["multiValueHeaders"]["Location"][0])
    crew_assignment(
        world, "crew-0203", employee_id="E0042", segment="op-10|2", workcenter_code="WC-22", **LATER
    )  # a suggestion of E0042 at the same time, waiting in the queue

    accepted = call_web(deps, "POST", "/items/crew-0203", PLANNER, lambda_context, form={"action": "approve"})

    assert accepted["statusCode"] == 409 and "placed on WC-20" in _text(str(accepted["body"]))
    assert [m.item_id for m in world.writebacks.sent if isinstance(m, RecommendationWriteback)] == [
        "crew-0201",
        removal,
    ]


def test_the_board_says_a_call_off_of_a_seat_it_withdrew_from_plex_has_nothing_to_remove(
    world: World, lambda_context: Any
) -> None:
    # review_s14 #7: E0042's assignment reverted by plant IT, then E0042 called off: the re-plan opens no removal
    # (nothing in Plex to remove), but the board kept saying "its removal from Plex opens with the re-plan"
    deps = _with_replan(world, Replans())
    approved = call_web(deps, "POST", "/items/crew-0001", PLANNER, lambda_context, form={"action": "approve"})
    assert approved["statusCode"] == 303
    plex = _Plex()
    _written_back(world, "custom_object", plex)  # the assignment: in Plex
    settings = with_fallback_paths(PlexSettings(api_key="k", write_mode="custom_object"))  # type: ignore[arg-type]
    writer = PlexWriter(settings, transport=plex)  # type: ignore[arg-type]
    service = WritebackService(audit=world.audit, writer=writer, plex=FakePlex(), clock=world.clock)  # type: ignore[arg-type]
    undone = service.revert("crew-0001", actor="it-admin")  # plant IT withdrew it from Plex
    form = FORM | {"for": "shift"}
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=form)["statusCode"] == 303
    # crew_replan's re-plan of the call-off: no removal, and the applied event says why
    found = open_removals(world.audit, read_day(world.audit, DAY), "1", {"E0042": world.clock()}, world.clock(), ZONE)
    assert found.count == 0 and set(found.not_in_plex) == {"crew-0001"}
    call_off = ReplanMessage(reason="call_off", day=DAY, shift="1", employee_id="E0042", detected_at=world.clock())
    world.audit.append(applied_event(call_off, world.clock(), None, found.not_in_plex))

    row = _text(_row(_board(deps, lambda_context, FORM), "E0042", "WC-10"))

    local = undone.occurred_at.astimezone(ZONE)
    assert "opens with the re-plan" not in row
    assert f"nothing to remove: it-admin withdrew the assignment from Plex at {local:%H:%M} (revert)" in row
