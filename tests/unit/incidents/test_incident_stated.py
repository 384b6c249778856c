"""ux_s16 #5: negation is one rule for PPE, equipment and injuries; a nature of injury or a part of body is sure only
when the text states it (the model learnt from injury reports only)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from plexlabor.audit.store import InMemoryAuditStore
from plexlabor.incidents.classifier import Classification, Coding
from plexlabor.incidents.extraction import extract
from plexlabor.incidents.oiics import Field
from plexlabor.incidents.service import IncidentDeps, IncidentReport, log_incident, opening

NOW = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "used", "not_used"),
    [
        ("Was lifting a 30 kg fixture onto the bench without the hoist.", [], ["hoist"]),
        ("He did not use the hoist or the crane to move the die.", ["die"], ["hoist", "crane"]),
        ("He did not see the forklift reversing.", ["forklift"], []),  # a negation of seeing, not of the forklift
        ("She removed the die from the press.", ["die", "press"], []),  # removing one's own gear only is not wearing
        ("The hoist was not used; he lifted it by hand.", [], ["hoist"]),
    ],
)
def test_equipment_said_not_used_is_not_equipment_used(text: str, used: list[str], not_used: list[str]) -> None:
    found = extract(text, NOW)
    assert [m.value for m in found.equipment] == used
    assert [m.value for m in found.equipment_not_used] == not_used


@pytest.mark.parametrize(
    ("text", "injuries", "unhurt"),
    [
        ("Slipped on oil by the sink.", [], []),
        ("Hydraulic hose burst and sprayed oil across the walkway, nobody hurt.", [], ["hurt"]),
        ("No one was injured when the load dropped.", [], ["injured"]),
        ("The load dropped and cut his hand; no injuries to others.", ["cut"], ["injuries"]),
        ("An employee was uninjured.", [], ["uninjured"]),
    ],
)
def test_injuries_stated_and_denied(text: str, injuries: list[str], unhurt: list[str]) -> None:
    found = extract(text, NOW)
    assert [m.value for m in found.injuries] == injuries
    assert [m.value for m in found.unhurt] == unhurt


class SureOfEverything:
    """A model sure of every code: traumatic injury (1) to the upper extremities (4), as OSHA's is of any text."""

    version = "sure-of-everything"

    def classify(self, narrative: str) -> Classification:
        codes = {
            Field.EVENT_DIVISION: "4",
            Field.EVENT_GROUP: "42",
            Field.NATURE_DIVISION: "1",
            Field.PART_DIVISION: "4",
            Field.SOURCE_DIVISION: "6",
        }
        return Classification({of: Coding(of, code, "", 0.99, True) for of, code in codes.items()})


def _sure(narrative: str) -> dict[str, bool]:
    deps = IncidentDeps(InMemoryAuditStore(), SureOfEverything(), clock=lambda: NOW)  # type: ignore[arg-type]
    logged = log_incident(deps, IncidentReport(narrative=narrative), "E0001")
    return {c.field: c.confident for c in logged.codes}


def test_nature_and_part_of_body_are_not_sure_when_the_text_names_no_injury() -> None:
    sure = _sure("I slipped on oil by the sink.")
    assert not sure["nature_division"] and not sure["part_division"]
    assert sure["event_division"] and sure["source_division"]  # what the text does say stays sure


def test_a_part_of_body_is_sure_only_when_the_text_names_a_part_of_that_division() -> None:
    assert _sure("Slipped on oil and cut my left hand.") == dict.fromkeys(
        ("event_division", "event_group", "nature_division", "part_division", "source_division"), True
    )
    sure = _sure("Slipped on oil and twisted my knee; it is swollen.")  # a lower extremity, not the model's 4
    assert sure["nature_division"] and not sure["part_division"]


def test_an_injury_whose_text_says_nobody_was_hurt_is_not_auto_coded_and_the_ehs_lead_is_asked() -> None:
    """ux_s16 #5 (d): "Hydraulic hose burst …, nobody hurt" sent as an injury (the form's kind left at injury)."""
    deps = IncidentDeps(InMemoryAuditStore(), SureOfEverything(), clock=lambda: NOW)  # type: ignore[arg-type]
    text = "A hose burst on the lathe and sprayed oil over my hand and the walkway, nobody hurt."
    logged = log_incident(deps, IncidentReport(narrative=text), "E0001")
    sure = {c.field: c.confident for c in logged.codes}
    assert logged.status == "pending_review"
    assert not sure["nature_division"]  # a hand named, but nobody hurt
    item = opening(deps.audit, logged.incident_id)
    assert item is not None and item.payload["note"].endswith(
        "check the codes: the text says nobody was hurt: a near miss?"
    )
    # a near miss says so by its kind, and an injury stated beside "no injuries to others" is an injury
    near = log_incident(deps, IncidentReport(narrative=text, kind="near_miss"), "E0001")
    assert near.status == "auto_coded"
    cut = log_incident(deps, IncidentReport(narrative="The lathe cut my hand; no injuries to others."), "E0001")
    assert cut.status == "auto_coded"
