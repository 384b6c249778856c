"""`/incidents` marks a resend asking the EHS lead to correct a report she decided (`asks_to_correct`, ux_s13 #16):
its row names and links the decided report with who decided it and when, reads as hers to do while it waits, and the
heading counts and the `correction` filter keeps it (before, only its page said so)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, web_deps
from tests.unit.webapp.test_web_app_incident_list import CONFIRM, _get, _rows
from tests.unit.webapp.test_web_app_incident_resend import _send
from tests.unit.webapp.viewers import EHS, OPERATOR


@pytest.fixture
def world() -> World:
    return World()


def _decided_then_resent(world: World, ctx: Any) -> tuple[str, str]:
    """An injury the EHS lead confirmed on its page (shift 1), then its reporter's resend with shift 2."""
    first = _send(world, sure=False, workcenter_code="PRESS4", shift_code="1")
    assert call_web(web_deps(world), "POST", f"/incidents/{first}", EHS, ctx, form=CONFIRM)["statusCode"] == 303
    return first, _send(world, sure=False, workcenter_code="PRESS4", shift_code="2")


def test_the_list_marks_a_resend_asking_to_correct_a_decided_report_as_the_ehs_leads_to_do(
    world: World, lambda_context: Any
) -> None:
    first, second = _decided_then_resent(world, lambda_context)
    body = _get(world, EHS, lambda_context)["body"]
    newer, older = _rows(body)
    assert f'href="/dev/incidents/{second}"' in newer
    assert "Asks you to correct a decided report: correct that one on its page, then set this one aside" in newer
    assert (
        f'asks to correct <a href="/dev/incidents/{first}">E0107&#39;s report of Sun 2026-03-01 10:15, injury at '
        "PRESS4</a>, decided by S0001 on " in newer
    )
    assert "asks to correct" not in older and "Confirmed by S0001" in older
    assert "1 asks you to correct a decided report" in body and "status=correction" in body
    # the filter keeps it alone, as does the waiting filter among what waits
    kept = _rows(_get(world, EHS, lambda_context, status="correction")["body"])
    assert len(kept) == 1 and f'href="/dev/incidents/{second}"' in kept[0]
    waiting = _rows(_get(world, EHS, lambda_context, status="waiting")["body"])
    assert len(waiting) == 1 and "Asks you to correct a decided report" in waiting[0]
    # its reporter reads that it asks the EHS lead to correct their decided report
    own = _rows(_get(world, OPERATOR, lambda_context)["body"])[0]
    assert "With the EHS lead: it asks them to correct a decided report" in own and "asks to correct <a" in own


def test_once_the_ehs_lead_decided_the_resend_it_is_no_longer_hers_to_do(world: World, lambda_context: Any) -> None:
    _, second = _decided_then_resent(world, lambda_context)
    # its codes are rejected in the queue (they are not saved on its page while the decided report stands: L13)
    reject = {"action": "reject", "reason": "the same event as the decided report"}
    assert call_web(web_deps(world), "POST", f"/items/{second}", EHS, lambda_context, form=reject)["statusCode"] == 303
    body = _get(world, EHS, lambda_context)["body"]
    assert "asks to correct <a" in _rows(body)[0] and "Asks you to correct" not in body
    assert "ask you to correct" not in body and "asks you to correct" not in body
    assert "No incident reported" in _get(world, EHS, lambda_context, status="correction")["body"]
