"""The incident page's answers when the reporter's corrected resend closed the report between the page's read and its
write: a withdrawal, and a save of the codes, are each a 409 naming the corrected report that came first, nothing of
them recorded (`service.close_replaced` takes the report's next answer id, as they do)."""

from __future__ import annotations

from typing import Any

import pytest

from plexlabor.incidents.service import IncidentDeps, IncidentReport, log_incident
from plexlabor.incidents.withdrawal import called_back
from tests.unit.approval.approval_fakes import World
from tests.unit.incidents.test_incident_withdrawal_race import Racing
from tests.unit.review.review_world import ZONE, call_web, web_deps
from tests.unit.webapp.test_web_app_incident_list import CONFIRM, CUT, _log
from tests.unit.webapp.test_web_app_incident_resend import WHEN
from tests.unit.webapp.viewers import EHS, OPERATOR


@pytest.fixture
def world() -> World:
    return World(audit=Racing())


def _resend_meanwhile(world: World, kind: str = "near_miss") -> list[str]:
    """The operator's corrected resend of CUT at PRESS4, recorded just before the page's next write: its id, once."""
    resent: list[str] = []
    deps = IncidentDeps(world.audit, None, zone=ZONE, clock=world.clock)
    report = IncidentReport(narrative=CUT, kind=kind, workcenter_code="PRESS4", occurred_at=WHEN)  # type: ignore[arg-type]
    audit = world.audit
    assert isinstance(audit, Racing)
    audit.rival = lambda: resent.append(log_incident(deps, report, "E0107").incident_id)
    return resent


def _closings(world: World, incident_id: str) -> list[Any]:
    return [e for e in world.audit.for_finding(incident_id) if called_back(e)]


def test_a_withdrawal_second_to_a_corrected_resend_is_a_409_naming_it(world: World, lambda_context: Any) -> None:
    # Given an operator's injury report, and its page open to withdraw it
    first = _log(world, CUT, sure=False, by="E0107", workcenter_code="PRESS4", occurred_at=WHEN)
    resent = _resend_meanwhile(world)
    # When they withdraw it while their corrected resend (a near miss) is recorded
    form = {"withdraw": "1", "reason": "Sent by mistake"}
    answer = call_web(web_deps(world), "POST", f"/incidents/{first}", OPERATOR, lambda_context, form=form)
    # Then the withdrawal is refused saying the corrected report replaced it first, and only that closed it
    assert answer["statusCode"] == 409
    assert "Not withdrawn: Its reporter&#39;s corrected report replaced it already" in answer["body"]
    [closing] = _closings(world, first)
    assert closing.payload["superseded_by"] == resent[0]


def test_a_save_second_to_a_corrected_resend_is_a_409_naming_the_corrected_report(
    world: World, lambda_context: Any
) -> None:
    # Given an operator's injury report the EHS lead is coding on its page
    first = _log(world, CUT, sure=False, by="E0107", workcenter_code="PRESS4", occurred_at=WHEN)
    resent = _resend_meanwhile(world)
    # When she saves the codes while the reporter's corrected resend is recorded
    answer = call_web(web_deps(world), "POST", f"/incidents/{first}", EHS, lambda_context, form=CONFIRM)
    # Then the save is refused naming the corrected report (linking it), and nothing of it is recorded
    assert answer["statusCode"] == 409
    assert "sent a corrected report of the same text and time" in answer["body"]
    assert f"/incidents/{resent[0]}" in answer["body"]
    assert not [e for e in world.audit.for_finding(first) if e.event_type.value == "decision"]
