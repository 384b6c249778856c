"""At tablet width (820 px) the queue still says who and where each item is about (ux104 #9): the "Who /
where" column folds into the note cell below 900 px instead of disappearing."""

from __future__ import annotations

import re
from typing import Any

from plexlabor.webapp.app import templates
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, crew_assignment, finding_event, web_deps
from tests.unit.webapp.viewers import ADMIN


def test_the_note_cell_carries_who_and_where_for_narrow_screens(lambda_context: Any) -> None:
    world = World()
    finding_event(world, "f-000000000000000000000001", confidence=0.93, severity="high")
    crew_assignment(world, employee_id="E0042")

    body = call_web(web_deps(world), "GET", "/queue", ADMIN, lambda_context)["body"]

    rows = re.findall(r"<tr>\s*<td><input.*?</tr>", body, re.S)
    notes = [re.findall(r"<td>(.*?)</td>", row, re.S)[2] for row in rows]  # select, what, note, ...
    assert any('<span class="show-narrow muted who-where">E0002</span>' in note for note in notes)
    assert any('<span class="show-narrow muted who-where">E0042 · WC-10 · shift 1</span>' in note for note in notes)


def test_below_900_px_the_folded_copy_shows_where_the_column_hides() -> None:
    style = templates.get_template("base.html").render(menu_for=lambda viewer: [], who=str, viewer=None)
    narrow = re.search(r"@media \(max-width:900px\)\{(.*?)\}\s*$", style, re.M)

    assert narrow is not None
    assert ".hide-narrow{display:none}" in narrow.group(1) and ".show-narrow{display:block}" in narrow.group(1)
    assert ".show-narrow{display:none}" in style.split("@media (max-width:900px)")[0]  # wide: the column holds it
