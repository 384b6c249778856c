"""The OIICS (BLS Occupational Injury and Illness Classification System) fields the classifier codes.

Divisions (the first digit) have the OIICS 2.01 division titles below; the two-digit event groups'
titles are learned from the coded reports a model is trained on. Part of body and source are coded at
their division.
"""

from __future__ import annotations

from enum import StrEnum


class Field(StrEnum):
    """A coded field of an incident report, in the order the classifier reports them."""

    EVENT_DIVISION = "event_division"
    EVENT_GROUP = "event_group"
    NATURE_DIVISION = "nature_division"
    PART_DIVISION = "part_division"
    SOURCE_DIVISION = "source_division"


EVENT_DIVISION_TITLES = {
    "1": "Violence and other injuries by persons or animals",
    "2": "Transportation incidents",
    "3": "Fires and explosions",
    "4": "Falls, slips, trips",
    "5": "Exposure to harmful substances or environments",
    "6": "Contact with objects and equipment",
    "7": "Overexertion and bodily reaction",
    "9": "Nonclassifiable",
}
NATURE_DIVISION_TITLES = {
    "1": "Traumatic injuries and disorders",
    "2": "Diseases and disorders of body systems",
    "3": "Infectious and parasitic diseases",
    "4": "Neoplasms, tumors, and cancer",
    "5": "Symptoms, signs, and ill-defined conditions",
    "6": "Other diseases, conditions, and disorders",
    "8": "Multiple diseases, conditions, and disorders",
    "9": "Nonclassifiable",
}
PART_DIVISION_TITLES = {
    "1": "Head",
    "2": "Neck, including throat",
    "3": "Trunk",
    "4": "Upper extremities",
    "5": "Lower extremities",
    "6": "Body systems",
    "8": "Multiple body parts",
    "9": "Other body parts",
}
SOURCE_DIVISION_TITLES = {
    "1": "Chemicals and chemical products",
    "2": "Containers, furniture and fixtures",
    "3": "Machinery",
    "4": "Parts and materials",
    "5": "Persons, plants, animals, and minerals",
    "6": "Structures and surfaces",
    "7": "Tools, instruments, and equipment",
    "8": "Vehicles",
    "9": "Other sources",
}
FIXED_TITLES: dict[Field, dict[str, str]] = {
    Field.EVENT_DIVISION: EVENT_DIVISION_TITLES,
    Field.NATURE_DIVISION: NATURE_DIVISION_TITLES,
    Field.PART_DIVISION: PART_DIVISION_TITLES,
    Field.SOURCE_DIVISION: SOURCE_DIVISION_TITLES,
}
"""Division titles: OIICS facts, not learned from a training file."""
FIELD_LABELS = {
    Field.EVENT_DIVISION: "Event or exposure",
    Field.EVENT_GROUP: "Event group",
    Field.NATURE_DIVISION: "Nature of injury",
    Field.PART_DIVISION: "Part of body",
    Field.SOURCE_DIVISION: "Source",
}
"""What a person calls each coded field."""


INJURY_ONLY = (Field.NATURE_DIVISION, Field.PART_DIVISION)
"""What OIICS codes only for an injury: a near miss hurt nobody, so it has no nature of injury or part of body."""


def code_problem(of: Field, code: str, division: str) -> str | None:
    """Why `code` cannot be `of`'s code (an event group must be two digits inside `division`; a division chosen), or
    None."""
    if of is Field.EVENT_GROUP:
        ok = len(code) == 2 and code.isdigit() and code.startswith(division)
        return None if ok else f"an event group is two digits starting with its division ({division})"
    if not code:
        return "choose one"
    return None if code in FIXED_TITLES[of] else f"not an OIICS division of {FIELD_LABELS[of].lower()}"
