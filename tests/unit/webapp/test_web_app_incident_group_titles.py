"""A confirmed event group's title on the incident's page: OIICS's title for it, else the coding model's, else
"title not known"."""

from __future__ import annotations

from typing import Any

from plexlabor.incidents.classifier import IncidentClassifier
from plexlabor.incidents.oiics import Field
from plexlabor.incidents.service import IncidentDeps, IncidentReport, log_incident
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import ZONE, call_web, web_deps
from tests.unit.webapp.test_web_app_incidents import CODES, EHS, VAGUE, classifier

__all__ = ["classifier"]  # the module's trained model, a fixture here too


def _confirmed_group_row(world: World, incident_id: str, group: str, lambda_context: Any) -> str:
    """The decided codes' event group row after the EHS lead confirms `group`."""
    web = web_deps(world)
    form = {**CODES, "code.event_division": group[0], "code.event_group": group, "confirm.occurred_at_unknown": "yes"}
    assert call_web(web, "POST", f"/incidents/{incident_id}", EHS, lambda_context, form=form)["statusCode"] == 303
    body = call_web(web, "GET", f"/incidents/{incident_id}", EHS, lambda_context)["body"]
    codes = body.split('id="decided-codes"')[1].split("</table>")[0]
    return codes.split("<td>Event group</td>")[1].split("</tr>")[0]


def test_a_group_other_than_the_proposal_has_the_models_title(
    classifier: IncidentClassifier, lambda_context: Any
) -> None:
    # Given an incident the model coded, and a group it knows from training that it did not propose
    world = World()
    deps = IncidentDeps(world.audit, classifier, zone=ZONE, clock=world.clock)
    logged = log_incident(deps, IncidentReport(narrative=VAGUE), "E0001")
    proposed = next(c.code for c in logged.codes if c.field == Field.EVENT_GROUP.value)
    group, title = next((g, t) for g, t in classifier.titles[Field.EVENT_GROUP].items() if g != proposed and t)
    # When the EHS lead confirms that group
    row = _confirmed_group_row(world, logged.incident_id, group, lambda_context)
    # Then its Title cell has the model's title for it, not a blank
    assert row.startswith(f"<td>{group}</td><td>{title}</td>")


def test_a_group_with_no_model_has_its_oiics_title(lambda_context: Any) -> None:
    # Given an incident recorded with no coding model in force (ux2_s13 #5, ux_s14: "Event group 64 — title not known")
    world = World()
    deps = IncidentDeps(world.audit, None, zone=ZONE, clock=world.clock)
    incident_id = log_incident(deps, IncidentReport(narrative=VAGUE), "E0001").incident_id
    # When the EHS lead confirms group 64, then its Title cell has OIICS's title
    row = _confirmed_group_row(world, incident_id, "64", lambda_context)
    assert row.startswith("<td>64</td><td>Caught in or compressed by equipment or objects</td>")


def test_a_group_oiics_does_not_have_says_its_title_is_not_known(lambda_context: Any) -> None:
    world = World()
    deps = IncidentDeps(world.audit, None, zone=ZONE, clock=world.clock)
    incident_id = log_incident(deps, IncidentReport(narrative=VAGUE), "E0001").incident_id
    row = _confirmed_group_row(world, incident_id, "68", lambda_context)
    assert row.startswith("<td>68</td><td>title not known</td>")
