"""Deterministic extraction from an incident narrative: when, where, equipment, body parts and PPE.

Plain word lists and patterns (no model), so an EHS lead can read why each item was found: the text it
was found in is kept with its offsets. "Where" matches the plant's own workcenters (code or name, as
whole words); equipment, body parts, PPE and injuries come from the vocabularies below; PPE is marked not worn,
equipment not used and an injury denied by one rule (`negated`: "not wearing his gloves", "without the hoist", "nobody
was hurt"). A word of a PPE item ("face shield", "ear plugs") is not a body part, nor is one said to be unhurt ("no
injury to his hand").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

# fmt: off
EQUIPMENT = (
    "press brake", "punch press", "press", "forklift", "fork truck", "lift truck", "pallet jack", "scissor lift",
    "aerial lift", "conveyor", "lathe", "milling machine", "mill", "cnc", "grinder", "table saw", "band saw",
    "saw", "drill press", "drill", "robot", "crane", "hoist", "ladder", "scaffold", "welder", "welding torch",
    "torch", "injection molding machine", "molding machine", "mold", "die", "shear", "compressor", "mixer",
    "roller", "rollers", "auger", "chain", "knife", "box cutter", "hammer", "air hose", "hose", "tank", "boiler",
    "oven", "furnace", "truck", "trailer", "loading dock", "dock plate", "stairs", "machine",
)
BODY_PARTS = {
    # name or synonym -> OIICS part-of-body division (oiics.PART_DIVISION_TITLES)
    "head": "1", "skull": "1", "face": "1", "eye": "1", "eyes": "1", "ear": "1", "ears": "1", "nose": "1",
    "jaw": "1", "scalp": "1", "neck": "2", "throat": "2", "back": "3", "chest": "3", "rib": "3", "ribs": "3",
    "abdomen": "3", "hip": "3", "hips": "3", "pelvis": "3", "shoulder": "3", "shoulders": "3", "spine": "3",
    "arm": "4", "arms": "4", "forearm": "4", "elbow": "4", "wrist": "4", "hand": "4", "hands": "4", "finger": "4",
    "fingers": "4", "fingertip": "4", "fingertips": "4", "thumb": "4", "thumbs": "4", "leg": "5", "legs": "5",
    "thigh": "5", "knee": "5", "knees": "5", "ankle": "5", "ankles": "5", "foot": "5", "feet": "5", "toe": "5",
    "toes": "5", "heel": "5", "shin": "5", "lower leg": "5",
}
PPE = {
    # wording -> the PPE item it names
    "safety glasses": "safety glasses", "glasses": "safety glasses", "goggles": "goggles",
    "face shield": "face shield", "hard hat": "hard hat", "helmet": "hard hat", "gloves": "gloves",
    "glove": "gloves", "hearing protection": "hearing protection", "ear plugs": "hearing protection",
    "earplugs": "hearing protection", "respirator": "respirator", "dust mask": "respirator",
    "harness": "fall protection harness", "lanyard": "fall protection harness",
    "fall protection": "fall protection harness", "safety shoes": "safety footwear",
    "steel-toe boots": "safety footwear", "steel toe boots": "safety footwear", "safety boots": "safety footwear",
    "vest": "high-visibility vest", "apron": "apron", "sleeves": "cut sleeves",
}
# fmt: on
INJURIES = (
    r"injur(?:y|ies|ed|ing)",
    r"hurt",
    r"cuts?",
    r"lacerat\w*",
    r"fractur\w*",
    r"broke",
    r"broken",
    r"burn(?:s|ed|t)?",
    r"bruis\w*",
    r"contusions?",
    r"sprain\w*",
    r"strain(?:s|ed)?",
    r"amputat\w*",
    r"crush(?:ed|ing)",
    r"sever(?:ed|ing)",
    r"punctur\w*",
    r"bleed\w*",
    r"bled",
    r"stitch(?:es)?",
    r"dislocat\w*",
    r"concussion",
    r"wound(?:s|ed)?",
    r"pain(?:s|ful)?",
    r"swollen",
    r"swelling",
    r"abrasions?",
    r"scrap(?:e|es|ed)",
    r"blisters?",
    r"electrocut\w*",
    r"shock(?:ed)?",
    r"hospitali[sz]\w*",
    r"first aid",
    r"treated",
    r"killed",
    r"died",
    r"fatal\w*",
    r"unconscious",
    r"passed out",
    r"degloved?",
    r"avulsions?",
    r"torn",
    r"tore",
    r"ruptur\w*",
    r"hernia\w*",
    r"pinched",
    r"smashed",
    r"stung",
    r"bitten",
)
"""Words that state an injury (regular expressions of whole words): a nature of injury or a part of body is sure only
when the text states one (`service`), since the model learnt from injury reports alone and is as sure of a nature for
"slipped on oil" as for "cut his hand"."""
UNHURT_WORDS = re.compile(r"(?<![\w-])(?:uninjured|unhurt|unharmed|no harm done)(?![\w-])", re.I)
"""Words that say nobody was hurt in themselves (`Extraction.unhurt`)."""
NEGATION_CUE = re.compile(
    r"\b(?:not|no one|nobody|none|no|without|never|didn't|did not|wasn't|weren't|failed to|instead of)\b"
    r"|\b(?:removed|took off|taken off)\s+(?=(?:his|her|their|my|its)\b)",
    re.I,
)
"""A negation: taking something off only of one's own ("removed his gloves"; "removed the die" is using it)."""
# fmt: off
NEGATION_FILLERS = frozenset({
    "a", "an", "the", "any", "his", "her", "their", "my", "its", "required", "proper", "appropriate", "was", "were",
    "got", "is", "are", "been", "being", "be", "to", "wear", "wearing", "worn", "use", "using", "used", "put",
    "putting", "on", "have", "having", "had", "or", "and", "nor",
})
# fmt: on
"""Words that may stand between a negation and what it negates ("not wearing his", "without the", "nobody was")."""
CLAUSE_END = re.compile(r"[.;,:!?]|\bbut\b", re.I)
NEGATED_AFTER = re.compile(r"^\s+(?:was|were|is|are)\s+(?:not|never)\s+(?:worn|on|used|in place|available)\b", re.I)
"""A negation just after a thing ("his gloves were not worn", "the hoist was not used")."""


def negated(text: str, start: int, end: int, kind: re.Pattern[str]) -> bool:
    """Whether the words at `start:end` are negated: the nearest negation before them in their clause with nothing
    between but `NEGATION_FILLERS` and other words of the same `kind` ("not wearing ear plugs or steel toe boots",
    "without the hoist", "nobody was hurt"; not "did not see the forklift", "not wearing gloves but had glasses on"),
    or a negation just after them. One rule for PPE not worn, equipment not used and injuries denied."""
    before = text[max(0, start - 80) : start]
    clause = before[max((m.end() for m in CLAUSE_END.finditer(before)), default=0) :]
    cues = list(NEGATION_CUE.finditer(clause))
    if cues:
        between = kind.sub(" ", clause[cues[-1].end() :]).lower().split()
        if all(word in NEGATION_FILLERS for word in between):
            return True
    return bool(NEGATED_AFTER.search(text[end : end + 30]))


UNHURT = re.compile(
    r"\b(?:no|not|without)\s+(?:any\s+)?(?:injury|injuries|harm|damage)\s+(?:to|on)\s+"
    r"(?:(?:the|his|her|their|my|a|an|left|right|both)\s+)*(?:[a-z]+\s+)?$",
    re.I,
)
"""A body part said to be unhurt just before it, perhaps one word between as `SIDE` allows ("no injury to his
left hand", "no injury to his left index finger"): not a body part hurt."""
SIDE = re.compile(r"\b(left|right|both)\s+(?:[a-z]+\s+)?$", re.I)
"""A side just before a body part, perhaps one word between ("left index finger")."""
OWNER = re.compile(r"\b(his|her|their|my|lower|upper|mid)\s+$", re.I)
AMBIGUOUS_PARTS = frozenset({"back"})
"""Body-part words that are also everyday words ("went back"): found only after a possessive or lower/upper."""
LENGTH = re.compile(
    r"(\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|several|few))[\s-]*$", re.I
)
LENGTH_PARTS = frozenset({"foot", "feet"})
"""Body-part words that are also lengths ("fell 10 feet", "a 6-foot ladder"): not a body part after a number."""
SHIFTS = {"first": "1", "1st": "1", "day": "1", "second": "2", "2nd": "2", "third": "3", "3rd": "3", "night": "3"}

_CLOCK = re.compile(
    r"\b(?:at|around|about|approximately|approx\.?)?\s*"
    r"(?P<h>[01]?\d|2[0-3])(?::(?P<m>[0-5]\d))?\s*(?P<ap>a\.?m\.?|p\.?m\.?)(?![a-z])"
    r"|\b(?P<h24>[01]\d|2[0-3]):?(?P<m24>[0-5]\d)\s*(?:hours|hrs)\b"
    r"|\b(?P<hc>[01]?\d|2[0-3]):(?P<mc>[0-5]\d)\b",
    re.I,
)
_DATE = re.compile(
    r"\b(?P<iso>\d{4}-\d{2}-\d{2})\b|\b(?P<m>1[0-2]|0?[1-9])/(?P<d>3[01]|[12]\d|0?[1-9])(?:/(?P<y>\d{4}))?\b"
)
_RELATIVE_DAYS = {"today": 0, "this morning": 0, "this afternoon": 0, "tonight": 0, "yesterday": -1, "last night": -1}
_SHIFT = re.compile(r"\b(first|1st|second|2nd|third|3rd|day|night)\s+shift\b", re.I)


@dataclass(frozen=True)
class Mention:
    """One thing found in the text: what it is (`value`), the words it was found in and where."""

    value: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class BodyPart(Mention):
    side: str | None = None
    part_division: str = ""


@dataclass(frozen=True)
class PpeMention(Mention):
    worn: bool = True


@dataclass(frozen=True)
class Place:
    """A place of the plant a narrative may name: a workcenter's code and name."""

    code: str
    name: str | None = None


@dataclass(frozen=True)
class Extraction:
    """Everything found in one narrative (each list in text order)."""

    when: datetime | None = None
    """When it happened, only when the text gives a clock time (a day alone is `day`, never made a midnight)."""
    when_text: str | None = None
    day: date | None = None
    """The day it happened when the text names one ("this morning", "yesterday", "3/14") or a clock time implies it."""
    shift: str | None = None
    where: list[Mention] = field(default_factory=list)
    equipment: list[Mention] = field(default_factory=list)
    equipment_not_used: list[Mention] = field(default_factory=list)
    """Equipment the text says was not used ("without the hoist"): `negated`, as PPE not worn."""
    body_parts: list[BodyPart] = field(default_factory=list)
    ppe: list[PpeMention] = field(default_factory=list)
    injuries: list[Mention] = field(default_factory=list)
    """The words that state an injury (`INJURIES`, not negated): none in "slipped on oil" or "nobody hurt"."""
    unhurt: list[Mention] = field(default_factory=list)
    """The words that say nobody was hurt ("nobody hurt", "no injuries", "uninjured")."""


def _phrases(words: Iterable[str]) -> re.Pattern[str]:
    """Whole-word, case-insensitive alternatives, longest first (so "press brake" wins over "press")."""
    ordered = sorted({w.lower() for w in words}, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in ordered) + r")(?![\w-])", re.I)


_EQUIPMENT = _phrases(EQUIPMENT)
_BODY = _phrases(BODY_PARTS)
_PPE = _phrases(PPE)
_INJURY = re.compile(r"(?<![\w-])(" + "|".join(INJURIES) + r")(?![\w-])", re.I)


def _matches(pattern: re.Pattern[str], text: str) -> list[re.Match[str]]:
    return list(pattern.finditer(text))


def _places(text: str, places: Sequence[Place]) -> list[Mention]:
    names: dict[str, str] = {}
    for place in places:
        for wording in (place.code, place.name):
            if wording and len(wording) >= 2:
                names.setdefault(wording.lower(), place.code)
    if not names:
        return []
    found: dict[str, Mention] = {}
    for match in _matches(_phrases(names), text):
        code = names[match.group(1).lower()]
        found.setdefault(code, Mention(code, match.group(0), match.start(), match.end()))
    return sorted(found.values(), key=lambda mention: mention.start)


def _clock(text: str) -> tuple[time, str] | None:
    match = _CLOCK.search(text)
    if match is None:
        return None
    if match.group("h") is not None:
        hour, minute = int(match.group("h")), int(match.group("m") or 0)
        if hour > 12:
            return None
        pm = match.group("ap").lower().startswith("p")
        hour = hour % 12 + (12 if pm else 0)
    elif match.group("h24") is not None:
        hour, minute = int(match.group("h24")), int(match.group("m24"))
    else:
        hour, minute = int(match.group("hc")), int(match.group("mc"))
    return time(hour, minute), match.group(0).strip()


def _day(text: str, reported: datetime) -> tuple[date, str] | None:
    match = _DATE.search(text)
    if match is not None:
        if match.group("iso"):
            try:
                return date.fromisoformat(match.group("iso")), match.group(0)
            except ValueError:
                return None
        year = int(match.group("y") or reported.year)
        try:
            day = date(year, int(match.group("m")), int(match.group("d")))
        except ValueError:
            return None
        if match.group("y") is None and day > reported.date():
            day = day.replace(year=year - 1)  # "3/14" written in January means last year's
        return day, match.group(0)
    lowered = text.lower()
    for words, offset in _RELATIVE_DAYS.items():
        if re.search(rf"\b{words}\b", lowered):
            return reported.date() + timedelta(days=offset), words
    return None


def _when(text: str, reported: datetime) -> tuple[datetime | None, date | None, str | None]:
    """The incident's time in the report's zone when the text gives a clock time, the day it names or implies, and
    the words they were read from; Nones when it says neither.

    A clock time alone is on the report's day, or the day before when that would be in the future. A day without a
    clock time ("this morning", "last night") has no time: a midnight would be made up (ux_s14 #16: "this morning"
    was dated 00:00, the third shift's, and offered to Plex as such)."""
    day, clock = _day(text, reported), _clock(text)
    if day is None and clock is None:
        return None, None, None
    words = " ".join(part[1] for part in (day, clock) if part)
    if clock is None:
        return None, day[0] if day else None, words
    when = datetime.combine(day[0] if day else reported.date(), clock[0], tzinfo=reported.tzinfo)
    if day is None and when > reported:
        when -= timedelta(days=1)
    return when, when.date(), words


def extract(narrative: str, reported: datetime, places: Sequence[Place] = ()) -> Extraction:
    """What the narrative says about when, where, equipment, body parts and PPE; `reported` (aware) is
    when the report was made, the reference for "yesterday" or a bare clock time."""
    when, day, when_text = _when(narrative, reported)
    shift_match = _SHIFT.search(narrative)
    where = _places(narrative, places)
    equipment: dict[str, Mention] = {}
    equipment_not_used: dict[str, Mention] = {}
    for match in _matches(_EQUIPMENT, narrative):
        value = match.group(1).lower()
        if any(place.start <= match.start() < place.end for place in where):
            continue  # a word of a workcenter's name ("Press 4") is the place, not equipment
        found = equipment_not_used if negated(narrative, match.start(), match.end(), _EQUIPMENT) else equipment
        found.setdefault(value, Mention(value, match.group(0), match.start(), match.end()))
    ppe_spans = [(match.start(), match.end()) for match in _matches(_PPE, narrative)]
    body_parts = []
    for match in _matches(_BODY, narrative):
        value = match.group(1).lower()
        before = narrative[max(0, match.start() - 12) : match.start()]
        everyday = value in AMBIGUOUS_PARTS and not OWNER.search(before)
        if everyday or (value in LENGTH_PARTS and LENGTH.search(before)):
            continue
        if any(start <= match.start() < end for start, end in ppe_spans):
            continue  # a word of a PPE item ("face shield", "ear plugs", "steel toe boots") is PPE, not a body part
        if UNHURT.search(narrative[max(0, match.start() - 40) : match.start()]):
            continue
        side = SIDE.search(narrative[max(0, match.start() - 20) : match.start()])
        body_parts.append(
            BodyPart(
                value,
                match.group(0),
                match.start(),
                match.end(),
                side.group(1).lower() if side else None,
                BODY_PARTS[value],
            )
        )
    ppe: dict[str, PpeMention] = {}
    for match in _matches(_PPE, narrative):
        item = PPE[match.group(1).lower()]
        worn = not negated(narrative, match.start(), match.end(), _PPE)
        ppe.setdefault(item, PpeMention(item, match.group(0), match.start(), match.end(), worn))
    injuries = [
        (
            Mention(match.group(1).lower(), match.group(0), match.start(), match.end()),
            negated(narrative, match.start(), match.end(), _INJURY),
        )
        for match in _matches(_INJURY, narrative)
    ]
    unhurt = [Mention(m.group(0).lower(), m.group(0), m.start(), m.end()) for m in _matches(UNHURT_WORDS, narrative)]
    return Extraction(
        when=when,
        when_text=when_text,
        day=day,
        shift=SHIFTS[shift_match.group(1).lower()] if shift_match else None,
        where=where,
        equipment=sorted(equipment.values(), key=lambda m: m.start),
        equipment_not_used=[
            m for key, m in sorted(equipment_not_used.items(), key=lambda item: item[1].start) if key not in equipment
        ],
        body_parts=body_parts,
        ppe=sorted(ppe.values(), key=lambda m: m.start),
        injuries=[mention for mention, denied in injuries if not denied],
        unhurt=sorted([mention for mention, denied in injuries if denied] + unhurt, key=lambda m: m.start),
    )
