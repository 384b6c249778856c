"""Extraction from narratives: when, where (the plant's workcenters), equipment, body parts, PPE."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from plexlabor.incidents.extraction import Place, extract

REPORTED = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
PLACES = (Place("PRESS4", "Press 4"), Place("ASSY-1", "Assembly"), Place("WELD2", None))
TEXT = (
    "At about 10:30 am on second shift, an operator at Press 4 in Assembly caught his left index finger in the "
    "press brake die. He was not wearing gloves but had safety glasses on."
)


def test_a_full_narrative() -> None:
    found = extract(TEXT, REPORTED, PLACES)
    assert found.when == datetime(2026, 12, 4, 10, 30, tzinfo=UTC)
    assert found.when_text == "about 10:30 am"
    assert found.shift == "2"
    assert [(m.value, m.text) for m in found.where] == [("PRESS4", "Press 4"), ("ASSY-1", "Assembly")]
    assert [m.value for m in found.equipment] == ["press brake", "die"]  # "Press" of "Press 4" is the place
    assert [(b.value, b.side, b.part_division) for b in found.body_parts] == [("finger", "left", "4")]
    assert [(p.value, p.worn) for p in found.ppe] == [("gloves", False), ("safety glasses", True)]
    assert TEXT[found.where[0].start : found.where[0].end] == "Press 4"


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("Yesterday at 2315 hours a worker fell.", datetime(2026, 12, 3, 23, 15, tzinfo=UTC)),
        ("On 11/28 at 7 pm a worker fell.", datetime(2026, 11, 28, 19, 0, tzinfo=UTC)),
        ("On 12/20 a worker fell.", None),  # a day without a time (below)
        ("At 16:45 a worker fell.", datetime(2026, 12, 3, 16, 45, tzinfo=UTC)),  # later than the report: yesterday
        ("A worker fell from the dock.", None),
        ("At 13 pm something odd happened.", None),
    ],
)
def test_when(text: str, when: datetime | None) -> None:
    assert extract(text, REPORTED).when == when


@pytest.mark.parametrize(
    ("text", "day", "words"),
    [
        ("Oil on the floor by the CNC-01 chip conveyor this morning, I slipped.", date(2026, 12, 4), "this morning"),
        ("Last night a pallet fell off the rack.", date(2026, 12, 3), "last night"),
        ("On 12/20 a worker fell.", date(2025, 12, 20), "12/20"),  # not in the future
        ("On 2026-12-01 a worker fell.", date(2026, 12, 1), "2026-12-01"),
    ],
)
def test_a_day_without_a_clock_time_is_a_day_never_a_midnight(text: str, day: date, words: str) -> None:
    # ux_s14 #16: "this morning" was dated 00:00 (the third shift's), shown so and offered to Plex
    found = extract(text, REPORTED)
    assert (found.when, found.day, found.when_text) == (None, day, words)


def test_a_clock_time_gives_its_day_too() -> None:
    found = extract("Yesterday at 2315 hours a worker fell.", REPORTED)
    assert (found.when, found.day) == (datetime(2026, 12, 3, 23, 15, tzinfo=UTC), date(2026, 12, 3))


def test_when_keeps_the_reports_zone() -> None:
    eastern = timezone(timedelta(hours=-5))
    found = extract("This morning at 6:10 am a pallet fell.", REPORTED.astimezone(eastern))
    assert found.when == datetime(2026, 12, 4, 6, 10, tzinfo=eastern)


def test_where_matches_codes_and_names_as_whole_words_only() -> None:
    found = extract("Sparks at weld2 reached the Assemblyline and Assembly.", REPORTED, PLACES)
    assert [m.value for m in found.where] == ["WELD2", "ASSY-1"]
    assert extract("Nothing here.", REPORTED, ()).where == []


def test_body_parts_sides_and_everyday_words() -> None:
    found = extract("He went back to the line; later his lower back and right knee hurt, and both eyes.", REPORTED)
    assert [(b.value, b.side) for b in found.body_parts] == [("back", None), ("knee", "right"), ("eyes", "both")]
    assert [b.part_division for b in found.body_parts] == ["3", "5", "1"]


def test_lengths_are_not_feet() -> None:
    found = extract("He fell 10 feet off a 6-foot ladder, then two feet more, and hurt his right foot.", REPORTED)
    assert [(b.value, b.side) for b in found.body_parts] == [("foot", "right")]


def test_ppe_negations_stay_in_their_clause() -> None:
    found = extract("She removed her face shield. She wore a hard hat, and was without a harness.", REPORTED)
    assert [(p.value, p.worn) for p in found.ppe] == [
        ("face shield", False),
        ("hard hat", True),
        ("fall protection harness", False),
    ]
    assert extract("No injuries; a near miss by a forklift.", REPORTED).ppe == []
    after = extract("His gloves were not worn; the goggles were on.", REPORTED)
    assert [(p.value, p.worn) for p in after.ppe] == [("gloves", False), ("goggles", True)]


def test_each_equipment_once_longest_wording_first() -> None:
    found = extract("The forklift hit the conveyor; the forklift then hit a drill press.", REPORTED)
    assert [m.value for m in found.equipment] == ["forklift", "conveyor", "drill press"]


@pytest.mark.parametrize(
    ("text", "parts", "ppe"),
    [
        (
            "I had gloves on but no face shield and a chip hit my left eye.",
            [("eye", "left")],
            [("gloves", True), ("face shield", False)],
        ),
        (
            "Working without gloves and not wearing ear plugs or steel toe boots, he cut his right hand; "
            "there was no injury to his left hand.",
            [("hand", "right")],
            [("gloves", False), ("hearing protection", False), ("safety footwear", False)],
        ),
        ("He was not wearing a face shield.", [], [("face shield", False)]),
        ("He burned his right wrist; no injury to his left index finger.", [("wrist", "right")], []),
    ],
)
def test_negated_ppe_is_ppe_not_worn_and_no_body_part(
    text: str, parts: list[tuple[str, str]], ppe: list[tuple[str, bool]]
) -> None:
    # a body-part word inside a PPE item ("face shield", "ear plugs", "steel toe boots") or said to be unhurt
    # is not a part hurt; the item itself is PPE not worn
    found = extract(text, REPORTED)
    assert [(b.value, b.side) for b in found.body_parts] == parts
    assert [(p.value, p.worn) for p in found.ppe] == ppe
