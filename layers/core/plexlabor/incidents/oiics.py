"""The OIICS (BLS Occupational Injury and Illness Classification System) fields the classifier codes.

Event and nature titles are learned from the coded reports a model is trained on; part of body and
source are coded at their division (the first digit), whose titles are the OIICS 2.01 division titles.
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
    Field.PART_DIVISION: PART_DIVISION_TITLES,
    Field.SOURCE_DIVISION: SOURCE_DIVISION_TITLES,
}
"""Division titles that are OIICS facts rather than learned from the training file."""
