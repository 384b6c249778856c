"""The OIICS (BLS Occupational Injury and Illness Classification System) fields the classifier codes.

Divisions (the first digit) have the OIICS 2.01 division titles below, and the two-digit event groups
theirs (`EVENT_GROUP_TITLES`); a model also keeps the titles of the coded reports it is trained on. Part of
body and source are coded at their division.
"""

from __future__ import annotations

from collections.abc import Iterable
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
EVENT_GROUP_TITLES = {
    "10": "Violence and other injuries by persons or animals, unspecified",
    "11": "Intentional injury by person",
    "12": "Injury by person—unintentional or intent unknown",
    "13": "Animal and insect related incidents",
    "19": "Violence and other injuries by persons or animals, n.e.c.",
    "20": "Transportation incident, unspecified",
    "21": "Aircraft incidents",
    "22": "Rail vehicle incidents",
    "23": "Animal and other non-motorized vehicle transportation incidents",
    "24": "Pedestrian vehicular incidents",
    "25": "Water vehicle incidents",
    "26": "Roadway incidents involving motorized land vehicle",
    "27": "Nonroadway incidents involving motorized land vehicles",
    "29": "Transportation incident, n.e.c.",
    "30": "Fires and explosions, unspecified",
    "31": "Fires",
    "32": "Explosions",
    "39": "Fires and explosions, n.e.c.",
    "40": "Fall, slip, trip, unspecified",
    "41": "Slip or trip without fall",
    "42": "Falls on same level",
    "43": "Falls to lower level",
    "44": "Jumps to lower level",
    "45": "Fall or jump curtailed by personal fall arrest system",
    "49": "Fall, slip, trip, n.e.c.",
    "50": "Exposure to harmful substances or environments, unspecified",
    "51": "Exposure to electricity",
    "52": "Exposure to radiation and noise",
    "53": "Exposure to temperature extremes",
    "54": "Exposure to air and water pressure change",
    "55": "Exposure to other harmful substances",
    "56": "Exposure to oxygen deficiency, n.e.c.",
    "57": "Exposure to traumatic or stressful event, n.e.c.",
    "59": "Exposure to harmful substances or environments, n.e.c.",
    "60": "Contact with objects and equipment, unspecified",
    "61": "Needlestick without exposure to harmful substance",
    "62": "Struck by object or equipment",
    "63": "Struck against object or equipment",
    "64": "Caught in or compressed by equipment or objects",
    "65": "Struck, caught, or crushed in collapsing structure, equipment, or material",
    "66": "Rubbed or abraded by friction or pressure",
    "67": "Rubbed, abraded, or jarred by vibration",
    "69": "Contact with objects and equipment, n.e.c.",
    "70": "Overexertion and bodily reaction, unspecified",
    "71": "Overexertion involving outside sources",
    "72": "Repetitive motions involving microtasks",
    "73": "Other exertions or bodily reactions",
    "74": "Bodily conditions, n.e.c.",
    "78": "Multiple types of overexertions and bodily reactions",
    "79": "Overexertion and bodily reaction and exertion, n.e.c.",
    "99": "Nonclassifiable",
}
"""OIICS 2.01 event groups (the titles OSHA's coded reports use): a group the EHS lead chooses is titled even when
no coding model is in force or the model knew too few reports of it (ux2_s13 #5: "Event group 64" untitled)."""
EVENT_GROUPS_BY_DIVISION: dict[str, dict[str, str]] = {
    division: {group: title for group, title in EVENT_GROUP_TITLES.items() if group.startswith(division)}
    for division in EVENT_DIVISION_TITLES
}
"""Each event division's groups with their titles (a group's first digit is its division): what the code form offers
under the division chosen (ux_s15 #10: the group was typed from memory)."""
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
GROUP_NOT_SURE = "(group not sure)"


def event_words(division: str, group: str | None, learned: str | None = None, *, group_sure: bool) -> str:
    """The event in words: its group's title (OIICS's, else `learned`, the model's) only when the group is sure (the
    EHS lead's, or the model sure of it), else its division's, with `GROUP_NOT_SURE` when a group was proposed (ux_s16
    #5: the list headed a report with a group the model was 69 % and not sure of). The list, the reporter's page and
    the EHS queue's note all say it so."""
    title = (EVENT_GROUP_TITLES.get(group or "") or learned) if group_sure else None
    if title:
        return title
    words = EVENT_DIVISION_TITLES.get(division) or f"OIICS event {group or division}"
    return f"{words} {GROUP_NOT_SURE}" if group else words


def fields_in_words(fields: Iterable[Field]) -> str:
    """ "the event group and source": fields as a sentence names them."""
    names = [FIELD_LABELS[of].lower() for of in fields]
    listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)
    return f"the {listed}" if listed else ""


def coded_words(unsure: Iterable[Field], *, coder: bool = True) -> str:
    """An automatic coding in words: "Coded automatically" when every field is sure, else "Partly coded: confirm the
    event group and source" to the EHS lead (`coder`), "… the EHS lead confirms …" to others (ux_s16 #5: "Coded
    automatically" stood beside "these wait")."""
    fields = fields_in_words(unsure)
    if not fields:
        return "Coded automatically"
    return f"Partly coded: confirm {fields}" if coder else f"Partly coded: the EHS lead confirms {fields}"


def code_problem(of: Field, code: str, division: str) -> str | None:
    """Why `code` cannot be `of`'s code (an event group must be two digits inside `division`; a division chosen), or
    None."""
    if of is Field.EVENT_GROUP:
        ok = len(code) == 2 and code.isdigit() and code.startswith(division)
        return None if ok else f"an event group is two digits starting with its division ({division})"
    if not code:
        return "choose one"
    return None if code in FIXED_TITLES[of] else f"not an OIICS division of {FIELD_LABELS[of].lower()}"
