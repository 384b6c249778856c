"""Call-offs on the crew board (ux119 #13): a supervisor records a phoned-in call-off of a person of the shift
(`POST /crew/calloff`: who, why), which puts the same `call_off` message on the replan queue as crew_call_offs
sends, with who took it and why; a form that is not right is a 4xx saying why and sends nothing; the board lists
the call-offs the re-plans applied, recorded ("called off at 05:40 by ...") or detected; a person off a shift is
neither offered nor accepted as a swap into its seats (ux136 #1); a refused call-off links back to the board (ux136
#7); the form lists the shift's people by name (ux136 #8)."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from plexlabor.approval.directory import PeopleDisplay, Person, StaticPeopleDirectory
from plexlabor.audit import AuditEvent, AuditEventType
from plexlabor.audit.errors import AuditConflictError
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.replanning import applied_event
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, crew_assignment
from tests.unit.webapp.test_web_app_crew import DAY, Replans, _refusal, _swap, _swap_options, _with_replan, board_world
from tests.unit.webapp.test_web_app_crew_claims import _index_as_before, _indexed_events
from tests.unit.webapp.viewers import HR, PLANNER

FORM = {"day": "2026-03-04", "shift": "1", "employee": "E0042", "reason": "sick"}


@pytest.fixture
def world() -> World:
    world = board_world()  # shift 1 of 2026-03-04: E0042 waiting, E0043 as planned, 06:00-14:30 UTC
    world.clock.now = datetime(2026, 3, 4, 9, 40, tzinfo=UTC)  # 04:40 in Detroit, the shift under way
    return world


def test_a_phoned_in_call_off_goes_to_the_replan_queue_as_crew_call_offs_sends_it(
    world: World, lambda_context: Any
) -> None:
    replans = Replans()
    deps = _with_replan(world, replans)
    board = call_web(deps, "GET", "/crew", PLANNER, lambda_context, query=DAY)["body"]
    assert 'action="/dev/crew/calloff"' in board and "Record a call-off" in board
    assert '<option value="E0042">' in board and '<option value="E0043">' in board

    response = call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form={**FORM, "dept": "all"})

    assert response["statusCode"] == 303
    [location] = response["multiValueHeaders"]["Location"]
    assert location == "/dev/crew?day=2026-03-04&shift=1&dept=all&done=calloff"
    [sent] = replans.sent
    assert sent.model_dump(exclude={"detected_at"}) == {
        "reason": "call_off",
        "day": world.clock().date(),
        "shift": "1",
        "employee_id": "E0042",
        "workcenter_id": None,
        "job_operation_id": None,
        "reported_by": "P0001",
        "call_off_reason": "sick",
        "off_day": None,
        "off_shift": None,
        "departments": None,
    }
    assert abs((sent.detected_at - world.clock()).total_seconds()) < 1
    body = call_web(deps, "GET", "/crew", PLANNER, lambda_context, query={**DAY, "done": "calloff"})["body"]
    assert "Call-off recorded" in body


@pytest.mark.parametrize(
    ("change", "status", "why"),
    [
        ({"reason": ""}, 400, "choose why they called off: sick, family or personal, no transport, another reason."),
        ({"reason": "hangover"}, 400, "choose why they called off"),
        ({"employee": ""}, 400, "choose who called off, or give their employee number."),
        ({"employee": "E0999"}, 400, "E0999 is not on shift 1 of 2026-03-04 as far as the board knows"),
        ({"shift": "2"}, 400, "shift 2 of 2026-03-04 has no crew plan on the board."),
        ({"day": "03/04/2026"}, 400, "Day: give a date like 2026-03-04 (&#39;03/04/2026&#39; is not one)."),
        ({"day": "0001-01-01"}, 400, "Day: a date from 2000-01-01 up to 2100-01-01 is expected (not 0001-01-01)."),
    ],
)
def test_a_call_off_form_that_is_not_right_is_refused_saying_why(
    world: World, lambda_context: Any, change: dict[str, str], status: int, why: str
) -> None:
    replans = Replans()

    response = call_web(
        _with_replan(world, replans), "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM | change
    )

    assert response["statusCode"] == status and f"Call-off not recorded: {why}" in response["body"]
    assert replans.sent == []


def test_a_call_off_is_refused_after_the_shift_for_hr_and_without_a_replan_queue(
    world: World, lambda_context: Any
) -> None:
    replans = Replans()
    deps = _with_replan(world, replans)
    assert call_web(deps, "POST", "/crew/calloff", HR, lambda_context, form=FORM)["statusCode"] == 403
    no_queue = call_web(_with_replan(world, None), "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM)
    assert no_queue["statusCode"] == 503
    world.clock.now = datetime(2026, 3, 4, 15, tzinfo=UTC)
    over = call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM)
    assert over["statusCode"] == 400 and "is over" in over["body"]
    assert "Record a call-off" not in call_web(deps, "GET", "/crew", PLANNER, lambda_context, query=DAY)["body"]
    assert replans.sent == []


def test_the_board_lists_the_call_offs_re_plans_applied_recorded_and_detected(
    world: World, lambda_context: Any
) -> None:
    taken = datetime(2026, 3, 4, 10, 40, tzinfo=UTC)  # 05:40 in Detroit
    recorded = ReplanMessage(
        reason="call_off",
        day=world.clock().date(),
        shift="1",
        employee_id="E0042",
        detected_at=taken,
        reported_by="E0001",
        call_off_reason="family",
    )
    detected = ReplanMessage(
        reason="call_off", day=world.clock().date(), shift="1", employee_id="E0043", detected_at=taken
    )
    for message in (recorded, detected):  # as crew_replan records what it applied
        world.audit.append(applied_event(message, taken))
    replans = Replans()
    deps = _with_replan(world, replans)

    body = call_web(deps, "GET", "/crew", PLANNER, lambda_context, query={**DAY, "done": "calloff"})["body"]

    assert "E0042 called off at 05:40 by E0001: family or personal" in body
    assert "E0043 called off: not clocked in after the shift's start (detected at 05:40)" in body
    again = call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM)
    assert again["statusCode"] == 409 and "E0042 is already off shift 1 of 2026-03-04" in again["body"]
    assert replans.sent == []


def _called_off(world: World, employee_id: str, shift: str = "1") -> None:
    """`employee_id`'s call-off of `shift` taken now, as crew_replan records it once applied (the board lists it)."""
    taken = world.clock()
    message = ReplanMessage(
        reason="call_off",
        day=world.clock().date(),
        shift=shift,
        employee_id=employee_id,
        detected_at=taken,
        reported_by="P0001",
        call_off_reason="sick",
    )
    world.audit.append(applied_event(message, taken))


def test_someone_who_called_off_the_shift_is_neither_offered_nor_swapped_in(world: World, lambda_context: Any) -> None:
    """E0050, offered for crew-0001's seat, called off shift 1: the seat no longer offers them and a swap (a form
    posted before the call-off) is refused saying so, changing nothing."""
    _called_off(world, "E0050")
    replans = Replans()
    deps = _with_replan(world, replans)
    assert _swap_options(call_web(deps, "GET", "/crew", PLANNER, lambda_context, query=DAY)["body"]) == ["E0051"]

    response = _swap(world, lambda_context, replans, PLANNER, employee="E0050")

    assert "why=called_off" in response["multiValueHeaders"]["Location"][0]
    said = _refusal(deps, response, PLANNER, lambda_context)
    assert "Not swapped: the operator chosen called off this shift (see its call-offs): choose someone else." in said
    assert world.writebacks.sent == [] and replans.sent == []
    assert len(world.audit.for_finding("crew-0001")) == 1


def test_a_call_off_of_another_shift_leaves_them_offered(world: World, lambda_context: Any) -> None:
    _called_off(world, "E0050", shift="2")
    deps = _with_replan(world, Replans())

    body = call_web(deps, "GET", "/crew", PLANNER, lambda_context, query=DAY)["body"]

    assert _swap_options(body) == ["E0050", "E0051"]


@pytest.mark.parametrize(
    ("change", "back"),
    [
        ({"dept": "MOLD"}, "/dev/crew?day=2026-03-04&amp;shift=1&amp;dept=MOLD"),  # shift over: 400
        ({"employee": "E0999"}, "/dev/crew?day=2026-03-04&amp;shift=1"),  # no seat: 400
        ({"day": "03/04/2026"}, "/dev/crew?shift=1"),  # not a day: the board opens on the current shift
    ],
)
def test_a_refused_call_off_links_back_to_the_board_it_came_from(
    world: World, lambda_context: Any, change: dict[str, str], back: str
) -> None:
    world.clock.now = datetime(2026, 3, 4, 15, tzinfo=UTC) if "dept" in change else world.clock.now
    response = call_web(
        _with_replan(world, Replans()), "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM | change
    )

    assert response["statusCode"] == 400
    assert f'<a href="{back}">Back to the crew board</a>' in response["body"]


def test_the_call_off_form_lists_the_shifts_people_by_name(world: World, lambda_context: Any) -> None:
    """By name as the page shows them (then employee number), not by Plex id: E0043 (Ana Brown) before E0042."""
    named = PeopleDisplay(
        StaticPeopleDirectory([Person("E0042", "E00042", "Zoe Adams"), Person("E0043", "E00043", "Ana Brown")])
    )
    deps = dataclasses.replace(_with_replan(world, Replans()), people=named)

    body = call_web(deps, "GET", "/crew", PLANNER, lambda_context, query=DAY)["body"]

    [form] = re.findall(r'<form [^>]*id="record-call-off".*?</form>', body, re.S)
    [who] = re.findall(r'<select name="employee".*?</select>', form, re.S)
    # the operators offered for a seat (E0050, E0051: ux_s14 #2) are people of the shift too, named by id here
    assert re.findall(r"<option value=\"(E\d+)\">", who) == ["E0043", "E0050", "E0051", "E0042"]


def _board(deps: Any, lambda_context: Any) -> str:
    return str(call_web(deps, "GET", "/crew", PLANNER, lambda_context, query={**DAY, "done": "calloff"})["body"])


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_recorded_call_off_shows_at_once_pending_then_re_planned(world: World, lambda_context: Any) -> None:
    """Issue 16, defect 2: the board showed a call-off only once crew_replan applied it."""
    replans = Replans()
    deps = _with_replan(world, replans)

    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM)["statusCode"] == 303

    # at once, before any re-plan: listed as pending, and E0042's seat marked, with no Accept
    body = _board(deps, lambda_context)
    [listed] = re.findall(r'<div class="panel" id="call-offs">.*?</ul>', body, re.S)
    assert "E0042 called off at 04:40 by P0001: sick · re-plan pending" in _text(listed)
    [row] = [r for r in re.findall(r"<tr[^>]*>.*?</tr>", body, re.S) if "E0042" in r]
    assert 'class="called-off"' in row and "called off at 04:40, re-plan pending" in _text(row)
    assert 'value="approve"' not in row and 'value="reject"' in row  # it may still be rejected or swapped
    # once crew_replan applied it
    [sent] = replans.sent
    world.audit.append(applied_event(sent, world.clock()))
    body = _board(deps, lambda_context)
    assert "E0042 called off at 04:40 by P0001: sick · re-planned" in _text(body)
    assert "re-plan pending" not in body


def test_someone_called_off_a_moment_ago_is_neither_offered_nor_swapped_in_within_the_index_lag(
    world: World, lambda_context: Any
) -> None:
    # Given E0050 (offered for crew-0001's seat) as planned at WC-30 on shift 1, and what the index holds now
    crew_assignment(world, "crew-0030", employee_id="E0050", segment="op-30|1", workcenter_code="WC-30")
    deps = _with_replan(world, Replans())
    before = {e.event_id for e in _indexed_events(world.audit)}

    # When E0050's call-off is recorded
    assert (
        call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM | {"employee": "E0050"})[
            "statusCode"
        ]
        == 303
    )

    # Then a swap (or a second call-off) whose reads come before the call-off's write is a 409 saying so
    with _index_as_before(world.audit, before):
        swap = _swap(world, lambda_context, Replans(), PLANNER, employee="E0050")
        again = call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM | {"employee": "E0050"})
    assert swap["statusCode"] == 409
    assert "Not swapped: E0050 just called off shift 1 (recorded by P0001 at 04:40)" in _text(swap["body"])
    assert again["statusCode"] == 409
    assert "Call-off not recorded: E0050 just called off shift 1 (recorded by P0001 at 04:40)." in _text(again["body"])
    # and crew-0001 no longer offers them, at once (no re-plan applied it yet)
    assert _swap_options(_board(deps, lambda_context)) == ["E0051"]
    assert world.writebacks.sent == []


class _Unreachable(Replans):
    def send(self, message: ReplanMessage) -> None:
        raise ConnectionError("the replan queue is unreachable")


def test_a_call_off_that_could_not_be_sent_is_not_recorded(world: World, lambda_context: Any) -> None:
    failed = call_web(_with_replan(world, _Unreachable()), "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM)
    assert failed["statusCode"] == 503 and "Call-off not recorded: it could not be sent" in failed["body"]
    replans = Replans()
    deps = _with_replan(world, replans)
    assert "called off at" not in _text(_board(deps, lambda_context))

    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM)["statusCode"] == 303
    assert len(replans.sent) == 1


def test_a_call_off_whose_claim_keeps_losing_is_a_503_and_sends_nothing(
    world: World, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Other decisions about the person write their claim log each time this one reads it (`crew.claims`: 5 tries)."""
    append = world.audit.append

    def contended(event: AuditEvent) -> None:
        if event.event_type is AuditEventType.CLAIM:
            raise AuditConflictError(event.event_id, event.record_key)
        append(event)

    monkeypatch.setattr(world.audit, "append", contended)
    replans = Replans()

    response = call_web(_with_replan(world, replans), "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM)

    assert response["statusCode"] == 503 and "too many decisions at once" in response["body"]
    assert replans.sent == []
