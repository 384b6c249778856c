"""The code form pre-selects the part of body the text names where the model was not sure of its own (ux_s17 L7: "Hot
chip went into my eye" was offered 8 Multiple body parts at 48 % beside "Body parts: eye")."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, web_deps
from tests.unit.webapp.test_web_app_incident_list import _log
from tests.unit.webapp.viewers import EHS

CHIP = "Hot chip went into my eye while I was deburring the part at the lathe."
TWO_PARTS = "A hot chip hit my eye and burnt my hand while I was deburring the part at the lathe."
HAND = "A hot chip burnt my hand while I was deburring the part at the lathe."


def _part_field(world: World, incident_id: str, ctx: Any) -> str:
    body = str(call_web(web_deps(world), "GET", f"/incidents/{incident_id}", EHS, ctx)["body"])
    found = re.search(r'<select name="code.part_division".*?</label>', body, re.S)
    assert found is not None
    return found.group(0)


def test_an_unsure_part_code_gives_way_to_the_part_the_text_names(lambda_context: Any) -> None:
    # Given an injury whose text names the eye (division 1) and a model that proposed 4, unsure (40 %)
    world = World()
    incident_id = _log(world, CHIP, sure=False)
    # When the EHS lead opens it, Then the form offers division 1, saying why and what the model proposed
    field = _part_field(world, incident_id, lambda_context)
    assert re.search(r'<option value="1" selected>', field) and not re.search(r'<option value="4" selected>', field)
    assert "chosen from the text (eye); the model was not sure (it proposed 4 Upper extremities, 40 %)" in field


@pytest.mark.parametrize(("text", "sure"), [(HAND, False), (TWO_PARTS, False)], ids=["the-same-part", "parts-of-two"])
def test_the_models_part_named_by_the_text_or_parts_of_several_divisions_keep_the_models_code(
    text: str, sure: bool, lambda_context: Any
) -> None:
    world = World()
    incident_id = _log(world, text, sure=sure)
    field = _part_field(world, incident_id, lambda_context)
    assert re.search(r'<option value="4" selected>', field) and "chosen from the text" not in field
