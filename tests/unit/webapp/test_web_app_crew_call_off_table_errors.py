"""A rest-of-day call-off whose later shift's claim meets an audit-table error (review163 D5): nothing half recorded.
The claims taken so far are let go and the page is a 503 saying to try again (a retry then records every shift), or,
when the table will not let one go either, its shift is sent to crew_replan after all and the page says which."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from plexlabor.audit.errors import AuditUnavailableError
from plexlabor.crew.claims import SeatClaims
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web
from tests.unit.webapp.test_web_app_crew import Replans, _with_replan
from tests.unit.webapp.test_web_app_crew_call_off_undo import two_shift_world
from tests.unit.webapp.viewers import PLANNER

FORM = {"day": "2026-03-04", "shift": "1", "employee": "E0042", "reason": "sick"}


@pytest.fixture
def world() -> World:
    return two_shift_world()


def _flaky(world: World, fails: Callable[[str, int], bool]) -> Callable[[], None]:
    """The table throttling the person's claim log (`fails(kind, n)`: the n-th read or append of it); undone by the
    returned call."""
    history, append, counts = world.audit.history, world.audit.append, {"read": 0, "append": 0}

    def person_log(record_key: str) -> bool:
        return record_key.startswith("crew-claims:") and ":seat:" not in record_key

    def read(record_key: str) -> Any:
        if person_log(record_key):
            counts["read"] += 1
            if fails("read", counts["read"]):
                raise AuditUnavailableError("ProvisionedThroughputExceededException")
        return history(record_key)

    def write(event: Any) -> Any:
        if person_log(event.record_key):
            counts["append"] += 1
            if fails("append", counts["append"]):
                raise AuditUnavailableError("ProvisionedThroughputExceededException")
        return append(event)

    world.audit.history, world.audit.append = read, write  # type: ignore[method-assign]

    def undo() -> None:
        world.audit.history, world.audit.append = history, append  # type: ignore[method-assign]

    return undo


def _held(world: World) -> list[str]:
    return [c.shift for c in SeatClaims(world.audit).call_offs_held("E0042", date(2026, 3, 4))]


def test_a_table_error_on_a_later_shift_lets_the_first_go_and_a_retry_records_the_day(
    world: World, lambda_context: Any
) -> None:
    replans = Replans()
    deps = _with_replan(world, replans)
    undo = _flaky(world, lambda kind, n: kind == "read" and n == 2)  # shift 2's claim read
    r = call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM)
    undo()
    body = " ".join(str(r["body"]).split())
    assert r["statusCode"] == 503
    assert "Call-off not recorded: the audit table did not answer" in body and "try again in a moment" in body
    assert _held(world) == [] and replans.sent == []
    again = call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM)
    assert again["statusCode"] == 303
    assert _held(world) == ["1", "2"] and [m.shift for m in replans.sent] == ["1", "2"]


def test_a_claim_the_table_will_not_let_go_is_sent_to_crew_replan(world: World, lambda_context: Any) -> None:
    replans = Replans()
    deps = _with_replan(world, replans)
    undo = _flaky(world, lambda kind, n: (kind == "read" and n == 2) or (kind == "append" and n > 1))
    r = call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM)
    undo()
    body = " ".join(str(r["body"]).split())
    assert r["statusCode"] == 503
    assert "Call-off recorded for shift 1 only: the audit table did not answer" in body
    assert _held(world) == ["1"] and [(m.reason, m.shift) for m in replans.sent] == [("call_off", "1")]
