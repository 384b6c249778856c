"""Short seats to acknowledge are one queue item per workcenter shift (`review.groups`): until 2026-12-06 each job
operation's empty seat was an item of its own, each acknowledged alone. The group
lists its seats, is decided once (each open seat's decision recorded on its own job operation), in bulk too; the crew
board's "Decide it" leads to it and marks each seat as decided; a seat's own page still decides it alone."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from plexlabor.audit import AuditEvent, AuditEventType
from plexlabor.audit.errors import AuditError
from plexlabor.review.kpis import compute_kpis
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, recommendation, web_deps
from tests.unit.webapp.test_web_app_crew import DAY, board_world
from tests.unit.webapp.test_web_app_crew_board_ux_s13 import _text
from tests.unit.webapp.viewers import PLANNER

WC10 = "short-seats~2026-03-04~1~WC-10"
ASM02 = "short-seats~2026-03-04~1~ASM-02"


@pytest.fixture
def world() -> World:
    """The board's day (crew-0003: an empty seat at WC-10, shift 1), with a second job operation's empty seat at WC-10
    and one at ASM-02 in the same shift."""
    world = board_world()
    for item_id, workcenter, job, segment in (
        ("crew-0010", "WC-10", "J100002", "op-8|1"),
        ("crew-0011", "ASM-02", "J100003", "op-9|1"),
    ):
        recommendation(
            world,
            item_id,
            "crew_unstaffed",
            record_key=f"job-operations:{segment.split('|')[0]}",
            note=f"1 seat at {workcenter} for job {job} operation 10, shift 1, stays empty: nobody qualified is free",
            workcenter_code=workcenter,
            workcenter_id=f"W-{workcenter}",
            shift_code="1",
            plan_day="2026-03-04",
            segment=segment,
            job_no=job,
            operation_code="10",
            start="2026-03-04T06:00:00+00:00",
            end="2026-03-04T14:30:00+00:00",
            hours=8.0,
            seats=1,
            cause="qualified_busy",
        )
    return world


def _decisions(world: World, item_id: str) -> list[tuple[str, str, str | None]]:
    """The item's decisions: status, record, reason."""
    return [
        (e.status.value, e.record_key, e.payload.get("reason"))
        for e in world.audit.for_finding(item_id)
        if e.event_type is AuditEventType.DECISION
    ]


def _board(deps: Any, lambda_context: Any) -> str:
    return str(call_web(deps, "GET", "/crew", PLANNER, lambda_context, query={**DAY, "dept": "all"})["body"])


def test_the_queue_lists_one_item_per_workcenter_shift_and_its_page_lists_the_seats(
    world: World, lambda_context: Any
) -> None:
    deps = web_deps(world)

    queue = str(call_web(deps, "GET", "/queue", PLANNER, lambda_context)["body"])
    page = str(call_web(deps, "GET", f"/items/{WC10}", PLANNER, lambda_context)["body"])

    listed = re.findall(r'name="on_page" value="([^"]+)"', queue)
    assert WC10 in listed and ASM02 in listed
    assert not {"crew-0003", "crew-0010", "crew-0011"} & set(listed)  # the seats are not items of their own
    assert f'<a href="/dev/items/{WC10}">Short seats</a>' in queue
    text = _text(page)
    assert "2 seats stay empty at WC-10, shift 1 on 2 job operations" in text
    assert 'href="/dev/items/crew-0003"' in page and 'href="/dev/items/crew-0010"' in page
    assert "crew-0011" not in page  # another workcenter's
    assert 'value="approve"' in page and 'value="reject"' in page
    assert "job-operations:op-8" in page  # each seat's Plex record, under "Plex ids"
    board = _board(deps, lambda_context)  # each seat's "Decide it" leads to its group
    assert board.count(f'href="/dev/items/{WC10}?') == 2 and board.count(f'href="/dev/items/{ASM02}?') == 1


def test_approving_the_group_acknowledges_each_seat_on_its_own_record_and_the_board_agrees(
    world: World, lambda_context: Any
) -> None:
    deps = web_deps(world)

    approve = {"action": "approve", "seat": ["crew-0003", "crew-0010"]}  # the seats the page showed
    approved = call_web(deps, "POST", f"/items/{WC10}", PLANNER, lambda_context, form=approve)

    assert approved["statusCode"] == 303
    assert _decisions(world, "crew-0003") == [("approved", "jobs:crew-0003", None)]
    assert _decisions(world, "crew-0010") == [("approved", "job-operations:op-8", None)]
    assert _decisions(world, "crew-0011") == []  # ASM-02's seat waits
    board = _text(_board(deps, lambda_context))
    assert board.count("acknowledged by") == 2
    assert board.count("Decide it") == 1  # ASM-02's
    closed = _text(str(call_web(deps, "GET", f"/items/{WC10}", PLANNER, lambda_context)["body"]))
    assert "Approved by" in closed and "nothing more can be decided here" in closed
    queue = str(call_web(deps, "GET", "/queue", PLANNER, lambda_context)["body"])
    assert WC10 not in re.findall(r'name="on_page" value="([^"]+)"', queue)


def test_a_seat_decided_on_its_own_page_is_left_as_it_was_and_the_group_decides_the_rest(
    world: World, lambda_context: Any
) -> None:
    deps = web_deps(world)
    alone = {"action": "reject", "reason": "a temp is booked"}
    assert call_web(deps, "POST", "/items/crew-0003", PLANNER, lambda_context, form=alone)["statusCode"] == 303

    page = str(call_web(deps, "GET", f"/items/{WC10}", PLANNER, lambda_context)["body"])
    approve = {"action": "approve", "seat": _seats_shown(page)}
    approved = call_web(deps, "POST", f"/items/{WC10}", PLANNER, lambda_context, form=approve)

    assert 'href="/dev/items/crew-0003"' not in page and "1 seat stays empty at WC-10, shift 1" in _text(page)
    assert approved["statusCode"] == 303
    assert _decisions(world, "crew-0003") == [("rejected", "jobs:crew-0003", "a temp is booked")]
    assert _decisions(world, "crew-0010") == [("approved", "job-operations:op-8", None)]


def test_rejecting_groups_in_bulk_rejects_each_seat_with_the_reason_and_names_the_groups(
    world: World, lambda_context: Any
) -> None:
    deps = web_deps(world)
    refused = call_web(deps, "POST", "/queue", PLANNER, lambda_context, form={"item": [WC10], "action": "reject"})
    assert refused["statusCode"] == 400 and _decisions(world, "crew-0003") == []

    seats = ["crew-0003", "crew-0010", "crew-0011"]  # the seats of the groups the queue listed
    form = {"item": [WC10, ASM02], "action": "reject", "reason": "covered by overtime", "seat": seats}
    done = call_web(deps, "POST", "/queue", PLANNER, lambda_context, form=form)

    location = done["multiValueHeaders"]["Location"][0]
    assert parse_qs(urlsplit(location).query)["decided"] == ["2"]
    for seat in ("crew-0003", "crew-0010", "crew-0011"):
        assert [status for status, _, reason in _decisions(world, seat)] == ["rejected"], seat
        assert _decisions(world, seat)[0][2] == "covered by overtime"
    query = {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}
    flash = _text(str(call_web(deps, "GET", "/queue", PLANNER, lambda_context, query=query)["body"]))
    assert "Rejected 2: Short seats (2), WC-10 · shift 1 · Wed 2026-03-04; Short seats (1), ASM-02" in flash


def test_a_seats_own_link_still_opens_and_decides_it_alone(world: World, lambda_context: Any) -> None:
    deps = web_deps(world)

    page = str(call_web(deps, "GET", "/items/crew-0010", PLANNER, lambda_context)["body"])
    approved = call_web(deps, "POST", "/items/crew-0010", PLANNER, lambda_context, form={"action": "approve"})

    assert 'value="approve"' in page and "1 seat at WC-10 for job J100002" in _text(page)
    assert approved["statusCode"] == 303
    assert _decisions(world, "crew-0010") == [("approved", "job-operations:op-8", None)]
    assert _decisions(world, "crew-0003") == []


def _seats_shown(page: str) -> list[str]:
    """The seat ids a page's decision form carries (the seats it showed)."""
    return re.findall(r'name="seat" value="([^"]+)"', page)


def test_a_seat_published_after_the_page_was_read_is_not_decided_with_the_group(
    world: World, lambda_context: Any
) -> None:
    # review_s16 #1: the group's seats were read when the decision came, so a seat a re-plan published meanwhile was
    # acknowledged in the supervisor's name without their having seen it
    deps = web_deps(world)
    page = str(call_web(deps, "GET", f"/items/{WC10}", PLANNER, lambda_context)["body"])
    shown = _seats_shown(page)
    assert sorted(shown) == ["crew-0003", "crew-0010"]
    recommendation(
        world,
        "crew-0012",
        "crew_unstaffed",
        record_key="job-operations:op-12",
        note="2 seats at WC-10 for job J100004 operation 10, shift 1, stay empty: nobody qualified is free",
        workcenter_code="WC-10",
        workcenter_id="W-WC-10",
        shift_code="1",
        plan_day="2026-03-04",
        segment="op-12|1",
        job_no="J100004",
        operation_code="10",
        start="2026-03-04T06:00:00+00:00",
        end="2026-03-04T14:30:00+00:00",
        hours=8.0,
        seats=2,
        cause="qualified_busy",
    )

    refused = call_web(
        deps, "POST", f"/items/{WC10}", PLANNER, lambda_context, form={"action": "approve", "seat": shown}
    )

    assert refused["statusCode"] == 409
    again = str(refused["body"])
    assert "A seat was added since you opened this: check it and decide again." in _text(again)
    assert sorted(_seats_shown(again)) == ["crew-0003", "crew-0010", "crew-0012"]  # the group re-rendered with it
    assert _decisions(world, "crew-0003") == [] and _decisions(world, "crew-0012") == []
    bulk = {"item": [WC10], "action": "approve", "seat": shown}
    missed = call_web(deps, "POST", "/queue", PLANNER, lambda_context, form=bulk)
    assert parse_qs(urlsplit(missed["multiValueHeaders"]["Location"][0]).query)["failed"] == ["1"]
    assert _decisions(world, "crew-0012") == [] and _decisions(world, "crew-0010") == []
    queue = str(call_web(deps, "GET", "/queue", PLANNER, lambda_context)["body"])
    approve = {"action": "approve", "seat": _seats_shown(queue)}  # the queue's bulk form carries them too
    assert "crew-0012" in approve["seat"]
    assert call_web(deps, "POST", f"/items/{WC10}", PLANNER, lambda_context, form=approve)["statusCode"] == 303
    assert _decisions(world, "crew-0012") == [("approved", "job-operations:op-12", None)]


def test_a_group_at_a_workcenter_whose_code_holds_a_slash_and_a_hash_opens_and_is_decided(
    world: World, lambda_context: Any
) -> None:
    # review_s16 #2: the group's id held the raw code in the page's path ("/items/short-seats~...~ASM/4 #B"): 404
    for item_id, job in (("crew-0020", "J100020"), ("crew-0021", "J100021")):
        recommendation(
            world,
            item_id,
            "crew_unstaffed",
            record_key=f"job-operations:op-{job}",
            note=f"1 seat at ASM/4 #B for job {job} operation 10, shift 1, stays empty: nobody qualified is free",
            workcenter_code="ASM/4 #B",
            workcenter_id="W-ASM4B",
            shift_code="1",
            plan_day="2026-03-04",
            segment=f"op-{job}|1",
            job_no=job,
            operation_code="10",
            start="2026-03-04T06:00:00+00:00",
            end="2026-03-04T14:30:00+00:00",
            hours=8.0,
            seats=1,
            cause="qualified_busy",
        )
    deps = web_deps(world)
    queue = str(call_web(deps, "GET", "/queue", PLANNER, lambda_context)["body"])
    groups = re.findall(r'<a href="/dev(/items/short-seats[^"]*)">Short seats</a>', queue)
    [path] = [p for p in groups if p not in (f"/items/{WC10}", f"/items/{ASM02}")]

    assert not set(path[len("/items/") :]) & set("/# ?%")  # one path segment, nothing a browser cuts or rewrites
    page = call_web(deps, "GET", path, PLANNER, lambda_context)
    assert page["statusCode"] == 200
    assert "2 seats stay empty at ASM/4 #B, shift 1" in _text(str(page["body"]))
    approve = {"action": "approve", "seat": _seats_shown(str(page["body"]))}
    assert call_web(deps, "POST", path, PLANNER, lambda_context, form=approve)["statusCode"] == 303
    assert _decisions(world, "crew-0020") == [("approved", "job-operations:op-J100020", None)]
    assert _decisions(world, "crew-0021") == [("approved", "job-operations:op-J100021", None)]


@pytest.mark.parametrize("workcenter", ["WC_10", "ASM_LINE", "LINE_20"])
def test_a_link_to_a_group_made_before_its_codes_were_quoted_still_opens_and_is_decided(
    world: World, lambda_context: Any, workcenter: str
) -> None:
    # review2_s16 #5: a link made before b1d2c0f8 holds the code raw ("...~WC_10"), now read as "WC\x10": 404
    recommendation(
        world,
        "crew-0030",
        "crew_unstaffed",
        record_key="job-operations:op-J100030",
        note=f"1 seat at {workcenter} for job J100030 operation 10, shift 1, stays empty: nobody qualified is free",
        workcenter_code=workcenter,
        workcenter_id="W-OLD",
        shift_code="1",
        plan_day="2026-03-04",
        segment="op-J100030|1",
        job_no="J100030",
        operation_code="10",
        start="2026-03-04T06:00:00+00:00",
        end="2026-03-04T14:30:00+00:00",
        hours=8.0,
        seats=1,
        cause="qualified_busy",
    )
    deps = web_deps(world)
    path = f"/items/short-seats~2026-03-04~1~{workcenter}"

    page = call_web(deps, "GET", path, PLANNER, lambda_context)
    assert page["statusCode"] == 200
    assert f"1 seat stays empty at {workcenter}, shift 1" in _text(str(page["body"]))
    approve = {"action": "approve", "seat": _seats_shown(str(page["body"]))}
    assert call_web(deps, "POST", path, PLANNER, lambda_context, form=approve)["statusCode"] == 303
    assert _decisions(world, "crew-0030") == [("approved", "job-operations:op-J100030", None)]


def _third_seat(world: World) -> None:
    """A third empty seat at WC-10 in shift 1 (crew-0012, job operation op-12)."""
    recommendation(
        world,
        "crew-0012",
        "crew_unstaffed",
        record_key="job-operations:op-12",
        note="1 seat at WC-10 for job J100004 operation 10, shift 1, stays empty: nobody qualified is free",
        workcenter_code="WC-10",
        workcenter_id="W-WC-10",
        shift_code="1",
        plan_day="2026-03-04",
        segment="op-12|1",
        job_no="J100004",
        operation_code="10",
        start="2026-03-04T07:00:00+00:00",
        end="2026-03-04T14:30:00+00:00",
        hours=7.5,
        seats=1,
        cause="qualified_busy",
    )


def _failing_decision_of(world: World, monkeypatch: pytest.MonkeyPatch, item_id: str) -> None:
    """The audit table refuses the decision of `item_id` (a DynamoDB error), records every other event."""
    append = world.audit.append

    def failing(event: AuditEvent) -> None:
        if event.event_type is AuditEventType.DECISION and event.finding_id == item_id:
            raise AuditError("the table is throttled")
        append(event)

    monkeypatch.setattr(world.audit, "append", failing)


SEATS = ["crew-0003", "crew-0010", "crew-0012"]


def test_a_group_decided_part_way_on_its_page_says_how_many_seats_were_decided(
    world: World, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # review_s16 #3: the error of one seat left the handler (a 5xx) with the others recorded, and nothing said so
    _third_seat(world)
    _failing_decision_of(world, monkeypatch, "crew-0010")
    deps = web_deps(world)

    answer = call_web(
        deps, "POST", f"/items/{WC10}", PLANNER, lambda_context, form={"action": "approve", "seat": SEATS}
    )

    assert answer["statusCode"] == 503
    page = str(answer["body"])
    assert "2 of 3 seats decided; the rest could not be recorded, try again." in _text(page)
    assert _seats_shown(page) == ["crew-0010"]  # the group again, with the seat left to decide
    assert _decisions(world, "crew-0003") == [("approved", "jobs:crew-0003", None)]
    assert _decisions(world, "crew-0012") == [("approved", "job-operations:op-12", None)]
    assert _decisions(world, "crew-0010") == []


def test_a_group_decided_part_way_in_bulk_is_named_with_how_many_seats_were_decided(
    world: World, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _third_seat(world)
    _failing_decision_of(world, monkeypatch, "crew-0010")
    deps = web_deps(world)

    form = {"item": [WC10, ASM02], "action": "approve", "seat": [*SEATS, "crew-0011"]}
    done = call_web(deps, "POST", "/queue", PLANNER, lambda_context, form=form)

    query = {
        key: values[0] for key, values in parse_qs(urlsplit(done["multiValueHeaders"]["Location"][0]).query).items()
    }
    assert (query["decided"], query["failed"]) == ("1", "1")
    flash = _text(str(call_web(deps, "GET", "/queue", PLANNER, lambda_context, query=query)["body"]))
    assert "Approved 1: Short seats (1), ASM-02" in flash
    partly = "2 of 3 seats decided; the rest could not be recorded, try again."
    assert f"Short seats (1), WC-10 · shift 1 · Wed 2026-03-04: {partly}" in flash
    assert "not decided" not in flash
    assert _decisions(world, "crew-0003") == [("approved", "jobs:crew-0003", None)]


def test_a_group_decided_once_is_one_action_of_its_reviewer_in_the_kpis(world: World, lambda_context: Any) -> None:
    # review_s16 #8: each seat's decision counted as an item decided (a 3-seat group: 3 items, 2 in milliseconds)
    _third_seat(world)
    deps = web_deps(world)
    approve = {"action": "approve", "seat": SEATS}
    assert call_web(deps, "POST", f"/items/{WC10}", PLANNER, lambda_context, form=approve)["statusCode"] == 303
    world.clock.advance(minutes=2)
    alone = {"action": "approve"}  # ASM-02's seat decided on its own page: an action of its own
    assert call_web(deps, "POST", "/items/crew-0011", PLANNER, lambda_context, form=alone)["statusCode"] == 303

    [day] = compute_kpis(world.audit, clock=lambda: world.clock() + timedelta(hours=1)).by_reviewer_day

    assert day.decided == 2
    groups = {
        seat: e.payload.get("group")
        for seat in SEATS
        for e in world.audit.for_finding(seat)
        if e.status.value == "approved"
    }
    assert groups == dict.fromkeys(SEATS, WC10)  # each seat's decision names the group it was decided with


def test_a_group_decided_again_after_a_seat_was_added_is_a_second_action(world: World, lambda_context: Any) -> None:
    # review2_s16 #4: the key was the reviewer and the group alone, so the second decision counted no action
    deps = web_deps(world)
    first = {"action": "approve", "seat": SEATS[:2]}
    assert call_web(deps, "POST", f"/items/{WC10}", PLANNER, lambda_context, form=first)["statusCode"] == 303
    world.clock.advance(minutes=5)
    _third_seat(world)  # a re-plan adds a seat to the group; the planner opens it again and decides it
    again = {"action": "approve", "seat": SEATS[2:]}
    assert call_web(deps, "POST", f"/items/{WC10}", PLANNER, lambda_context, form=again)["statusCode"] == 303

    [day] = compute_kpis(world.audit, clock=lambda: world.clock() + timedelta(hours=1)).by_reviewer_day

    assert day.decided == 2
    assert day.minutes > 5  # the second action's time is counted


@pytest.mark.parametrize(
    ("action", "says"),
    [
        ("approve", "Acknowledged: the 2 seats at WC-10, shift 1 stay empty and you handle them (overtime"),
        ("reject", "Rejected: the 2 seats at WC-10, shift 1 are recorded as not really short, with your reason"),
    ],
)
def test_a_group_decided_from_the_board_comes_back_naming_its_seats(
    world: World, lambda_context: Any, action: str, says: str
) -> None:
    # (before, ux_verify_s16 D: "Acknowledged: the seat stays empty and you handle it" for a 2-seat group)
    deps = web_deps(world)
    board = "/crew?day=2026-03-04&shift=1&dept=all"
    form = {"action": action, "seat": ["crew-0003", "crew-0010"], "next": board, "reason": "covered by overtime"}

    decided = call_web(deps, "POST", f"/items/{WC10}", PLANNER, lambda_context, form=form)

    [location] = decided["multiValueHeaders"]["Location"]
    query = {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}
    flash = _text(str(call_web(deps, "GET", "/crew", PLANNER, lambda_context, query=query)["body"]))
    assert says in flash


def test_the_kind_tabs_count_and_keep_the_days_filter(world: World, lambda_context: Any) -> None:
    # (before, ux_verify_s16 E: the tabs counted every day, "Short seat (15)" over the 9 listed for the day)
    recommendation(
        world,
        "crew-0012",
        "crew_unstaffed",
        record_key="job-operations:op-10",
        note="1 seat at WC-11 for job J100004 operation 10, shift 1, stays empty: nobody qualified is free",
        workcenter_code="WC-11",
        shift_code="1",
        plan_day="2026-03-05",
        segment="op-10|1",
        start="2026-03-05T06:00:00+00:00",
        hours=8.0,
        seats=1,
        cause="qualified_busy",
    )
    deps = web_deps(world)
    everyday = _text(str(call_web(deps, "GET", "/queue", PLANNER, lambda_context)["body"]))
    assert "Short seat (3)" in everyday  # WC-10's and ASM-02's of 2026-03-04, WC-11's of 2026-03-05

    queue = str(call_web(deps, "GET", "/queue", PLANNER, lambda_context, query={"day": "2026-03-04"})["body"])

    listed = re.findall(r'name="on_page" value="([^"]+)"', queue)
    tabs = queue.split('aria-label="Kinds"')[1].split("</nav>")[0]
    assert "Short seat (2)</a>" in tabs and f"All ({len(listed)})</a>" in tabs
    assert 'href="/dev/queue?day=2026-03-04&amp;kind=crew_unstaffed"' in tabs  # the tab keeps the day
