"""/kpis, "Incident coder": while an admin's rollback of the incident model holds the weekly retrain's automatic
promotion, the panel says so and how to lift it, as the scorer's panel does for the scorer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from plexlabor.audit import AuditStatus
from plexlabor.incidents.registry import model_event
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, web_deps
from tests.unit.webapp.viewers import ADMIN


def _incident_coder(world: World, lambda_context: Any) -> str:
    response = call_web(web_deps(world), "GET", "/kpis", ADMIN, lambda_context, query={"days": "7"})
    assert response["statusCode"] == 200
    return str(response["body"]).split('id="incident-coder"')[1].split('class="panel"')[0]


def _model(world: World, status: AuditStatus, version: str, days_ago: int, actor: str, **payload: Any) -> None:
    at = world.clock() - timedelta(days=days_ago)
    world.audit.append(model_event(status, version, actor=actor, at=at, payload=payload))


def test_a_rollback_of_the_incident_model_says_its_promotion_is_held_until_a_promote_lifts_it(
    lambda_context: Any,
) -> None:
    world = World()
    _model(world, AuditStatus.PROMOTED, "oiics-aaaa", 3, "incident_retrain")
    _model(world, AuditStatus.ROLLED_BACK, "oiics-0000", 2, "A0001", manual=True, packaged=True, holds_promotion=True)

    body = _incident_coder(world, lambda_context)

    assert "<strong>Automatic promotion held</strong> since A0001's rollback" in body
    assert "<code>plexlabor model promote VERSION --of incidents</code> to lift it" in body

    _model(world, AuditStatus.PROMOTED, "oiics-0000", 1, "A0002", manual=True, packaged=True, lifted_hold={})
    assert "Automatic promotion held" not in _incident_coder(world, lambda_context)
