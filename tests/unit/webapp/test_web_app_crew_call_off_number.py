"""ux_s15 #3: a call-off by employee number that the board refuses draws the board again with the form as typed (the
number, the reason and "for"; the number's box marked invalid, saying why), not a separate page that lost them; a
number written short ("61", "e61", "0061") is read in the plant's format (E0061) when the plant's numbers share one;
a supervisor is refused a number of another department's person as one nobody has (the refusal does not tell whether
the number exists elsewhere), and the format hint is the plant's pattern in words, never a real number."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest

from plexlabor.webapp.crewboard import number_pattern, plant_number
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web
from tests.unit.webapp.test_web_app_crew_call_off_list import FORM, _deps
from tests.unit.webapp.test_web_app_crew_call_offs import world
from tests.unit.webapp.viewers import PLANNER, SUPERVISOR

__all__ = ["world"]  # the fixture of shift 1 under way, used by name


def _call_off_form(body: str) -> str:
    [form] = re.findall(r'<form [^>]*id="record-call-off".*?</form>', body, re.S)
    return form


@pytest.mark.parametrize(
    ("left_out", "field", "why"),
    [("employee", "employee", "choose who called off"), ("reason", "reason", "choose why they called off")],
)
def test_a_call_off_without_a_person_or_a_reason_draws_the_board_again_with_the_form_as_typed(
    world: World, lambda_context: Any, left_out: str, field: str, why: str
) -> None:
    """ux_s17 L14: a call-off with nobody chosen went to a bare "Call-off not recorded" page and lost the reason."""
    typed = FORM | {"employee": "E0042", "reason": "transport", "for": "shift"} | {left_out: ""}

    refused = call_web(_deps(world), "POST", "/crew/calloff", PLANNER, lambda_context, form=typed)

    assert refused["statusCode"] == 400
    form = _call_off_form(refused["body"])  # the board, its call-off form as typed
    assert re.search(rf'<select name="{field}"[^>]*aria-invalid="true" aria-describedby="{field}-problem"', form)
    [problem] = re.findall(rf'<span id="{field}-problem" class="field-problem">(.*?)</span>', form)
    assert why in unescape(problem)
    assert '<option value="shift" selected>' in form
    if left_out == "employee":  # the reason chosen is kept
        assert '<option value="transport" selected>' in form
    else:  # the person chosen is kept
        assert '<option value="E0042" selected>' in form


def test_a_refused_number_draws_the_board_again_with_the_form_as_typed(world: World, lambda_context: Any) -> None:
    typed = FORM | {"number": "E0999", "reason": "transport", "for": "shift", "dept": "all"}

    refused = call_web(_deps(world), "POST", "/crew/calloff", PLANNER, lambda_context, form=typed)

    assert refused["statusCode"] == 400
    form = _call_off_form(refused["body"])
    assert re.search(r'<input name="number"[^>]*value="E0999"[^>]*aria-invalid="true"', form)
    assert '<option value="transport" selected>' in form and '<option value="shift" selected>' in form
    [problem] = re.findall(r'<span id="number-problem" class="field-problem">(.*?)</span>', form)
    assert "nobody has employee number 'E0999' in Plex (the plant's numbers are E followed by 4 digits)." in unescape(
        problem
    )
    assert not re.findall(r"E\d{4}", problem.replace("E0999", ""))  # no real employee number in the error
    assert '<p class="flash error" role="status">Call-off not recorded:' in refused["body"]


@pytest.mark.parametrize("short", ["61", "e61", "0061", " E 0061 "])
def test_a_number_written_short_is_read_in_the_plants_format(world: World, lambda_context: Any, short: str) -> None:
    deps = _deps(world)

    recorded = call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM | {"number": short})

    assert recorded["statusCode"] == 303
    [sent] = deps.replan.sent
    assert sent.employee_id == "E0061"


def test_a_supervisor_is_not_told_whether_a_number_exists_outside_their_departments(
    world: World, lambda_context: Any
) -> None:
    deps = _deps(world)
    # E0061 is of PRESS, the supervisor's department is Molding; E0999 is nobody's
    elsewhere = call_web(deps, "POST", "/crew/calloff", SUPERVISOR, lambda_context, form=FORM | {"number": "61"})
    nobody = call_web(deps, "POST", "/crew/calloff", SUPERVISOR, lambda_context, form=FORM | {"number": "999"})

    assert elsewhere["statusCode"] == nobody["statusCode"] == 400 and deps.replan.sent == []
    problems = [
        unescape(
            re.findall(r'<span id="number-problem" class="field-problem">(.*?)</span>', _call_off_form(r["body"]))[0]
        )
        for r in (elsewhere, nobody)
    ]
    said = (
        "nobody in your departments (Molding) has employee number '61' (the plant's numbers are E followed by 4 digits)"
    )
    assert said + "; their own supervisor or a planner records other departments' call-offs." in problems[0]
    assert problems[0].replace("'61'", "N") == problems[1].replace("'999'", "N")  # the same refusal either way
    assert re.search(r'<input name="number"[^>]*value="61"[^>]*aria-invalid="true"', _call_off_form(elsewhere["body"]))


def test_the_plants_format_is_used_only_when_all_its_numbers_share_one() -> None:
    assert plant_number("18", ["E00001", "E00420"]) == "E00018"
    assert plant_number("e18", ["E00001"]) == plant_number("00018", ["E00001"]) == "E00018"
    assert plant_number("X18", ["E00001"]) is None  # another prefix
    assert plant_number("123456", ["E00001"]) is None  # longer than the plant's numbers
    assert plant_number("18", ["E00001", "4711"]) is None  # no one format
    assert plant_number("18", []) is None


def test_the_format_hint_is_the_plants_pattern_in_words() -> None:
    assert number_pattern(["E00001", "E00420"]) == "E followed by 5 digits"
    assert number_pattern(["0042", "1234"]) == "4 digits"
    assert number_pattern(["E00001", "4711"]) is None and number_pattern([]) is None
