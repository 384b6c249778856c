"""A report whose text names a day without a clock time ("this morning") is dated that day, time not given, and the
EHS lead is asked for the time before it goes to Plex (ux_s14 #16: it was dated 00:00 in the list and the code form
offered that midnight for Plex)."""

from __future__ import annotations

import re
from typing import Any

from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import ZONE, call_web, web_deps
from tests.unit.webapp.test_web_app_incident_list import _get, _log, _rows
from tests.unit.webapp.viewers import EHS

SLIP = "Oil on the floor by the CNC-01 chip conveyor this morning, I slipped but caught the rail."


def _when_field(body: str) -> str:
    found = re.search(
        r'<label>When it happened<input [^>]*name="confirm.occurred_at"[^>]*>[^<]*(<span[^>]*>[^<]*</span>)?', body
    )
    assert found is not None
    return found.group(0)


def test_this_morning_is_listed_as_the_day_with_no_time_and_never_offered_as_midnight(lambda_context: Any) -> None:
    # Given a near miss whose text says only "this morning" (no time on the form)
    world = World()
    incident_id = _log(world, SLIP, sure=None, kind="near_miss")
    # Then the EHS list gives the day, time not given, not 00:00
    [row] = _rows(str(_get(world, EHS, lambda_context)["body"]))
    reported_day = world.clock.now.astimezone(ZONE).strftime("%a %Y-%m-%d")
    assert f"{reported_day}, time not given" in row and "00:00" not in row
    # and the code form offers no time: the field is empty and asked for, naming what the text says
    body = str(call_web(web_deps(world), "GET", f"/incidents/{incident_id}", EHS, lambda_context)["body"])
    field = _when_field(body)
    assert 'value=""' in field and "required" in field
    assert "The report says only “this morning”" in field and "enter the time it happened" in field


def test_a_time_in_the_text_is_offered_as_it_is(lambda_context: Any) -> None:
    world = World()
    incident_id = _log(world, "At 6:10 am this morning oil on the floor made me slip.", sure=None, kind="near_miss")
    body = str(call_web(web_deps(world), "GET", f"/incidents/{incident_id}", EHS, lambda_context)["body"])
    field = _when_field(body)
    assert "T06:10" in field and "required" not in field and "time-to-fill" not in field


def test_codes_saved_without_the_time_of_a_day_only_report_are_refused_naming_the_field(lambda_context: Any) -> None:
    # The browser asks for it (required); a save without it (an older page, a script) is refused too, nothing written
    world = World()
    incident_id = _log(world, SLIP, sure=None, kind="near_miss")
    form = {"code.event_division": "4", "code.event_group": "42", "code.source_division": "6"}
    saved = call_web(web_deps(world), "POST", f"/incidents/{incident_id}", EHS, lambda_context, form=form)
    assert saved["statusCode"] == 400
    assert "When it happened: The report says only “this morning”" in str(saved["body"])
    assert world.writebacks.sent == []
    timed = {**form, "confirm.occurred_at": "2026-03-02T07:40"}
    assert (
        call_web(web_deps(world), "POST", f"/incidents/{incident_id}", EHS, lambda_context, form=timed)["statusCode"]
        == 303
    )
