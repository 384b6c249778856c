"""ux164 #16: the EHS queue showed two confidences for one incident coding ("29% sure" in the note, the event group's;
"64%" in the column, the event division's). Now the note quotes none and the column names both, the same on the
queue's row and the item page."""

from __future__ import annotations

import re
from typing import Any

from plexlabor.incidents.classifier import Classification, Coding
from plexlabor.incidents.oiics import Field
from plexlabor.incidents.service import IncidentDeps, IncidentReport, log_incident
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import ZONE, call_web, web_deps
from tests.unit.webapp.viewers import EHS

FALL = "The operator slipped on oil near the press and fell on the floor, bruising her hip."
CONFIDENCE = {Field.EVENT_DIVISION: 0.64, Field.EVENT_GROUP: 0.29}


class UnsureModel:
    """Sure of neither the event division (64 %) nor its group (29 %): the report waits in the EHS queue."""

    version = "test-model"

    def classify(self, narrative: str) -> Classification:
        codes = {Field.EVENT_DIVISION: "4", Field.EVENT_GROUP: "42", Field.NATURE_DIVISION: "1"}
        codes |= {Field.PART_DIVISION: "5", Field.SOURCE_DIVISION: "9"}
        title = {Field.EVENT_GROUP: "Falls on same level"}
        return Classification(
            {of: Coding(of, code, title.get(of, ""), CONFIDENCE.get(of, 0.5), False) for of, code in codes.items()}
        )


def test_the_queue_row_and_the_item_page_name_the_event_and_group_confidences_once(lambda_context: Any) -> None:
    world = World()
    deps = IncidentDeps(world.audit, UnsureModel(), zone=ZONE, clock=world.clock)  # type: ignore[arg-type]
    incident = log_incident(deps, IncidentReport(narrative=FALL), "E0001").incident_id

    queue = str(call_web(web_deps(world), "GET", "/queue", EHS, lambda_context)["body"])
    row = next(r for r in re.findall(r"<tr.*?</tr>", queue, flags=re.S) if incident in r)
    item = str(call_web(web_deps(world), "GET", f"/items/{incident}", EHS, lambda_context)["body"])

    for shown in (row, item):
        # the note quotes no figure of its own, and names the group only when sure (ux_s16 #5)
        assert "Injury: Falls, slips, trips (group not sure); check the codes" in shown
        assert '<span class="sev-high">high</span> · event 64%, group 29%' in shown
    assert "% sure" not in row
    # the item page's list of the model's codes labels each figure the same way
    assert "Event or exposure: 4 (64% sure), Event group: 42 Falls on same level (29% sure)" in item
