"""A report its reporter withdrew as sent by mistake is not an expiry (ux164 #17): the queue does not list it as
"Expired without a decision", its item page says who withdrew it, when and why, and the KPIs count it apart."""

from __future__ import annotations

from typing import Any

import pytest

from plexlabor.review.kpis import compute_kpis
from plexlabor.review.queue import ReviewQueue, Role, Viewer
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import ZONE, call_web, web_deps
from tests.unit.webapp.test_web_app_incident_list import CUT, NEAR, _log
from tests.unit.webapp.viewers import ADMIN, EHS, OPERATOR

WHY = "Sent twice by mistake"


@pytest.fixture
def world() -> World:
    return World()


def _withdrawn(world: World, ctx: Any) -> str:
    """An injury the model was not sure of, sent for review, then withdrawn by its reporter."""
    mistake = _log(world, CUT, sure=False, by="E0107", workcenter_code="PRESS4")
    done = call_web(
        web_deps(world), "POST", f"/incidents/{mistake}", OPERATOR, ctx, form={"withdraw": "1", "reason": WHY}
    )
    assert done["statusCode"] == 303
    world.clock.advance(minutes=5)
    return mistake


def test_a_withdrawn_report_is_not_listed_as_expired_and_its_page_says_it_was_withdrawn(
    world: World, lambda_context: Any
) -> None:
    mistake = _withdrawn(world, lambda_context)
    assert ReviewQueue(world.audit, clock=world.clock).expired_items(Viewer("S0001", frozenset({Role.EHS}))) == []
    queue = str(call_web(web_deps(world), "GET", "/queue", EHS, lambda_context)["body"])
    assert "Expired without a decision" not in queue
    page = call_web(web_deps(world), "GET", f"/items/{mistake}", EHS, lambda_context)
    assert page["statusCode"] == 200
    body = str(page["body"])
    assert "Withdrawn by its reporter at " in body and f": {WHY}." in body
    assert "Expired" not in body and "by hand" not in body


def test_the_kpis_count_a_withdrawn_report_apart_from_the_expired(world: World, lambda_context: Any) -> None:
    _withdrawn(world, lambda_context)
    _log(world, NEAR, sure=False, by="E0107")  # still waiting: neither
    [row] = [r for r in compute_kpis(world.audit, zone=ZONE, clock=world.clock).by_kind if r.sent_for_review]
    assert (row.sent_for_review, row.expired, row.withdrawn) == (2, 0, 1)
    # and the page, read through its summaries, shows the column
    page = str(call_web(web_deps(world), "GET", "/kpis", ADMIN, lambda_context)["body"])
    assert '<th scope="col">Withdrawn</th>' in page
    cells = page.split('<th scope="col">Withdrawn</th>')[1].split("</tbody>")[0]
    assert "<td>0</td><td>1</td>" in cells
