"""An injury is confirmed with the time it happened, or with that time said not known (ux_s17 M6: "Hot chip went into
my eye…", sent with no time, was confirmed and written to Plex "When: not given"; OSHA's 300 log and 301 form ask for
the date of injury). A near miss may still be confirmed without one."""

from __future__ import annotations

import re
from typing import Any

from plexlabor.approval.recommendations import incident_record
from plexlabor.incidents.service import confirmed_decision
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, web_deps
from tests.unit.webapp.test_web_app_incident_list import CONFIRM, _log
from tests.unit.webapp.viewers import EHS

CHIP = "Hot chip went into my eye while I was deburring the part at the lathe."
NO_TIME = {name: value for name, value in CONFIRM.items() if name != "confirm.occurred_at"}


def _save(world: World, incident_id: str, ctx: Any, **fields: str) -> dict[str, Any]:
    return call_web(web_deps(world), "POST", f"/incidents/{incident_id}", EHS, ctx, form={**NO_TIME, **fields})


def test_an_injury_confirmed_without_a_time_is_refused_naming_the_field_and_nothing_is_written(
    lambda_context: Any,
) -> None:
    # Given an injury reported with no time, its text naming none
    world = World()
    incident_id = _log(world, CHIP, sure=None)
    # When the EHS lead saves the codes with "When it happened" empty and "Time not known" not ticked
    refused = _save(world, incident_id, lambda_context, **{"confirm.occurred_at": ""})
    # Then it is refused, saying why and what to do, the codes typed kept; nothing is decided or sent to Plex
    assert refused["statusCode"] == 400
    body = str(refused["body"])
    assert "When it happened: an injury&#39;s record needs the time it happened" in body
    assert "tick “not known”" in body and 'name="confirm.occurred_at_unknown"' in body
    assert world.writebacks.sent == []
    # and a time with "not known" ticked is refused too
    both = _save(
        world,
        incident_id,
        lambda_context,
        **{"confirm.occurred_at": "2026-03-02T09:15"},
        **{"confirm.occurred_at_unknown": "yes"},
    )
    assert both["statusCode"] == 400 and "not both" in str(both["body"]) and world.writebacks.sent == []


def test_the_refused_time_is_marked_focused_and_told_beside_it(lambda_context: Any) -> None:
    """ux_s17 M6 LOW: the refused "When it happened" got no aria-invalid, no focus, and its message sat at the page's
    top, far above it on a phone."""
    world = World()
    incident_id = _log(world, CHIP, sure=None)
    body = str(_save(world, incident_id, lambda_context, **{"confirm.occurred_at": ""})["body"])
    field = re.search(r'<input type="datetime-local" name="confirm.occurred_at"[^>]*>', body)
    assert field is not None
    assert 'aria-invalid="true"' in field.group(0) and "autofocus" in field.group(0)
    assert 'aria-describedby="confirm-problem"' in field.group(0)
    beside = re.match(r'<span class="field-problem" id="confirm-problem">When it happened: ', body[field.end() :])
    assert beside is not None
    assert body.count('aria-invalid="true"') == 1  # only the field refused


def test_an_injury_whose_time_is_not_known_says_so_on_its_page_and_in_its_plex_record(lambda_context: Any) -> None:
    world = World()
    incident_id = _log(world, CHIP, sure=None)
    # When the EHS lead confirms it with "Time not known" ticked
    saved = _save(world, incident_id, lambda_context, **{"confirm.occurred_at_unknown": "yes"})
    assert saved["statusCode"] == 303 and len(world.writebacks.sent) == 1
    # Then the page says the time is not known (not "not given"), the box stays ticked for a correction
    body = str(call_web(web_deps(world), "GET", f"/incidents/{incident_id}", EHS, lambda_context)["body"])
    assert "When: not known (confirmed so; the Plex record says so)" in body
    assert 'name="confirm.occurred_at_unknown" value="yes" checked' in body
    # and the incident's Plex record says the time is not known, beside an empty time
    events = world.audit.for_finding(incident_id)
    opening = events[0]
    decided = [e for e in events if e.payload.get("via") == "incident_page"][-1]
    decision = confirmed_decision(decided)
    assert decision is not None
    record = incident_record(opening, decision)
    assert record["occurredAtUnknown"] is True and not record["occurredAt"]
    assert "occurred_at_unknown" not in record and "occurredAtUnknown" in record


def test_a_near_miss_may_still_be_confirmed_without_a_time(lambda_context: Any) -> None:
    world = World()
    incident_id = _log(world, "A pallet slid off the forks and landed next to a walker.", sure=None, kind="near_miss")
    codes = {name: value for name, value in NO_TIME.items() if not name.startswith(("code.nature", "code.part"))}
    saved = call_web(web_deps(world), "POST", f"/incidents/{incident_id}", EHS, lambda_context, form=codes)
    assert saved["statusCode"] == 303
