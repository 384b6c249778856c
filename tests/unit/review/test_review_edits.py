"""Editing a punch finding's suggested correction before approving: plant time in, Plex UTC out."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest

from plexlabor.approval.display import Reader
from plexlabor.approval.errors import DecisionFormError
from plexlabor.approval.fits import record_times
from plexlabor.review.edits import (
    AmbiguousTimeError,
    approved_words,
    editable_fields,
    edited_correction,
)
from plexlabor.validation.policy import PunchPolicy

DETROIT = ZoneInfo("America/Detroit")
SUGGESTED = {"clockoutTime": "2026-03-02T19:07:00.0000000Z", "deductBreakMinutes": 30}


def test_the_form_shows_times_in_plant_time_and_numbers_as_typed() -> None:
    fields = {field.key: field for field in editable_fields(SUGGESTED, DETROIT)}

    assert (fields["clockoutTime"].kind, fields["clockoutTime"].value) == ("time", "2026-03-02T14:07")
    assert fields["clockoutTime"].label == "Clock-out" and fields["clockoutTime"].name == "correction.clockoutTime"
    assert (fields["deductBreakMinutes"].kind, fields["deductBreakMinutes"].value) == ("number", "30")


def test_nothing_changed_is_no_edit() -> None:
    assert edited_correction(SUGGESTED, {}, DETROIT) is None
    assert edited_correction(SUGGESTED, {"correction.clockoutTime": "2026-03-02T14:07"}, DETROIT) is None
    assert edited_correction(None, {"correction.clockoutTime": "2026-03-02T14:07"}, DETROIT) is None


def test_an_edited_time_is_read_in_plant_time_and_written_in_plex_utc() -> None:
    edited = edited_correction(
        SUGGESTED, {"correction.clockoutTime": "2026-03-02T13:30", "correction.deductBreakMinutes": "45"}, DETROIT
    )

    assert edited == {"clockoutTime": "2026-03-02T18:30:00.0000000Z", "deductBreakMinutes": 45}


def test_an_edit_across_the_dst_change_uses_that_days_offset() -> None:
    summer = {"clockoutTime": "2026-07-02T18:07:00.0000000Z"}
    assert edited_correction(summer, {"correction.clockoutTime": "2026-07-02T13:30"}, DETROIT) == {
        "clockoutTime": "2026-07-02T17:30:00.0000000Z"
    }


@pytest.mark.parametrize(
    ("form", "problem"),
    [
        ({"correction.clockoutTime": "tomorrow"}, "Clock-out: give a date and time"),
        ({"correction.deductBreakMinutes": "half an hour"}, "Deduct break minutes: give a number"),
        ({"correction.deductBreakMinutes": "-5"}, "Deduct break minutes: give a number of zero or more"),
        ({"correction.employeeId": "E9"}, "employeeId: the suggestion does not set this field"),
        # a typed year far off (before: 9999 raised OverflowError, a 502; 2062 went to Plex as the clock-out)
        ({"correction.clockoutTime": "9999-12-31T23:59"}, "Clock-out: give a time within 7 days of"),
        ({"correction.clockoutTime": "2062-03-02T14:07"}, "Clock-out: give a time within 7 days of"),
        ({"correction.clockoutTime": "0001-01-01T00:00"}, "Clock-out: give a time within 7 days of"),
        ({"correction.deductBreakMinutes": "1e308"}, "Deduct break minutes: give a number of at most"),
    ],
)
def test_a_bad_edit_is_refused_naming_the_field(form: dict[str, str], problem: str) -> None:
    with pytest.raises(DecisionFormError, match=problem):
        edited_correction(SUGGESTED, form, DETROIT)


# ---- an edit must fit the record (ux_s17 H1: a clock-out typed before the clock-in was written to Plex) ----------
CLOCKED_IN = {"clockin": "2026-03-02T10:20:00.0000000Z"}  # 05:20 EST
MISSED = {"clockoutTime": "2026-03-02T19:42:00.0000000Z"}  # 14:42 EST


def _timeline(*punches: tuple[str, str | None], record: int) -> dict[str, Any]:
    """A finding's timeline with these punches (plant-local ISO times) and the record at index `record`."""
    entries = [{"id": f"T{i}", "in": t_in, "out": t_out} for i, (t_in, t_out) in enumerate(punches)]
    return {"timeline": {"record": {"lane": "punches", "index": record}, "punches": entries}}


def _edit(correction: dict[str, Any], evidence: dict[str, Any], **typed: str) -> dict[str, Any] | None:
    form = {f"correction.{key}": value for key, value in typed.items()}
    return edited_correction(correction, form, DETROIT, record_times(evidence))


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("2026-03-02T05:00", "Clock-out: the clock-out Mon 2026-03-02 05:00 EST must come after the clock-in"),
        ("2026-03-02T05:20", "Clock-out: the clock-out .* must come after the clock-in Mon 2026-03-02 05:20 EST"),
        ("2026-03-03T09:20", "Clock-out: the entry .* would last 28.0 h, more than 16 h"),  # a date a day off
    ],
)
def test_an_edited_clock_out_must_follow_the_clock_in_within_a_shift_length(typed: str, problem: str) -> None:
    with pytest.raises(DecisionFormError, match=problem):
        _edit(MISSED, CLOCKED_IN, clockoutTime=typed)


def test_an_edited_clock_out_within_the_entry_is_taken() -> None:
    assert _edit(MISSED, CLOCKED_IN, clockoutTime="2026-03-02T14:40") == {
        "clockoutTime": "2026-03-02T19:40:00.0000000Z"
    }
    assert _edit(MISSED, CLOCKED_IN, clockoutTime="2026-03-02T21:20") is not None  # 16 h exactly


def test_an_edited_clock_out_may_not_run_into_the_persons_next_entry() -> None:
    day = _timeline(
        ("2026-03-02T05:20:00-05:00", None), ("2026-03-02T18:50:00-05:00", "2026-03-02T23:07:00-05:00"), record=0
    )

    with pytest.raises(
        DecisionFormError, match="Clock-out: the person's next entry starts at Mon 2026-03-02 18:50 EST"
    ):
        _edit(MISSED, day, clockoutTime="2026-03-02T19:00")
    assert _edit(MISSED, day, clockoutTime="2026-03-02T18:50") == {"clockoutTime": "2026-03-02T23:50:00.0000000Z"}


def test_an_edited_clock_in_may_not_pass_the_clock_out_nor_reach_back_into_the_entry_before() -> None:
    suggested = {"clockinTime": "2026-03-02T11:00:00.0000000Z"}  # 06:00 EST
    day = _timeline(
        ("2026-03-01T22:00:00-05:00", "2026-03-02T02:00:00-05:00"),
        ("2026-03-02T06:10:00-05:00", "2026-03-02T14:30:00-05:00"),
        record=1,
    )

    with pytest.raises(DecisionFormError, match="Clock-in: the clock-out Mon 2026-03-02 14:30 EST must come after"):
        _edit(suggested, day, clockinTime="2026-03-02T15:00")
    with pytest.raises(DecisionFormError, match="Clock-in: the person's entry before ends at Mon 2026-03-02 02:00 EST"):
        _edit(suggested, day, clockinTime="2026-03-02T01:30")
    assert _edit(suggested, day, clockinTime="2026-03-02T05:55") == {"clockinTime": "2026-03-02T10:55:00.0000000Z"}


@pytest.mark.parametrize(
    ("suggested", "typed", "problem"),
    [
        (
            {"paidStartTime": "2026-03-02T11:00:00.0000000Z"},
            {"paidStartTime": "2026-03-02T05:00"},
            "Paid start time: .* not before its clock-in",
        ),
        (
            {"paidStartTime": "2026-03-02T11:00:00.0000000Z"},
            {"paidStartTime": "2026-03-02T15:30"},
            "Paid start time: .* not after its clock-out",
        ),
        (
            {"paidEndTime": "2026-03-02T19:00:00.0000000Z"},
            {"paidEndTime": "2026-03-02T16:00"},
            "Paid end time: .* not after its clock-out",
        ),
        (
            {"deductBreakMinutes": 30},
            {"deductBreakMinutes": "600"},
            "Deduct break minutes: give fewer minutes than the entry lasts \\(550 min",
        ),
    ],
)
def test_paid_times_and_a_break_must_fit_in_the_entry(
    suggested: dict[str, Any], typed: dict[str, str], problem: str
) -> None:
    entry = {"clockin": "2026-03-02T11:10:00.0000000Z", "clockout": "2026-03-02T20:20:00.0000000Z"}  # 06:10-15:20 EST

    with pytest.raises(DecisionFormError, match=problem):
        _edit(suggested, entry, **typed)


def test_what_an_approval_set_is_said_beside_what_was_suggested() -> None:
    reader = Reader(zone=DETROIT)

    edited = approved_words(MISSED, {"clockoutTime": "2026-03-02T19:40:00.0000000Z"}, reader)
    assert edited == "Clock-out set to Mon 2026-03-02 14:40 EST (suggested 14:42)"
    assert approved_words(MISSED, None, reader) == "Clock-out set to Mon 2026-03-02 14:42 EST, as suggested"


# ---- the nights the clocks change (review_s17 M4): a typed wall-clock time may name two moments, or none ----------
FALL_BACK_IN = {"clockin": "2026-11-01T06:10:00.0000000Z"}  # 01:10 EST, after the clocks went back
FALL_BACK_OUT = {"clockoutTime": "2026-11-01T06:40:00.0000000Z"}  # 01:40 EST


def test_a_time_shown_twice_is_the_occurrence_that_fits_the_record() -> None:
    # 01:45 EDT (05:45Z) comes before the 01:10 EST clock-in: the clock-out is the second 01:45 (EST)
    assert _edit(FALL_BACK_OUT, FALL_BACK_IN, clockoutTime="2026-11-01T01:45") == {
        "clockoutTime": "2026-11-01T06:45:00.0000000Z"
    }
    # a clock-in at 00:30 EDT: the clock-in moved to 01:20 fits only as its first occurrence, before the 01:05 EST
    # clock-out (its second would come after it)
    evidence = {"clockin": "2026-11-01T04:30:00.0000000Z", "clockout": "2026-11-01T06:05:00.0000000Z"}
    assert _edit({"clockinTime": "2026-11-01T04:30:00.0000000Z"}, evidence, clockinTime="2026-11-01T01:20") == {
        "clockinTime": "2026-11-01T05:20:00.0000000Z"
    }


def test_a_time_shown_twice_that_both_occurrences_fit_is_asked_which() -> None:
    evening = {"clockin": "2026-10-31T22:00:00.0000000Z"}  # 18:00 EDT: either 01:45 ends a fitting entry
    with pytest.raises(AmbiguousTimeError) as refused:
        _edit(FALL_BACK_OUT, evening, clockoutTime="2026-11-01T01:45")

    assert str(refused.value) == (
        "Clock-out: 01:45 on Sun 2026-11-01 comes twice in plant time (the clocks went back that night) and both fit "
        "the entry; choose the first 01:45 (EDT, UTC-4) or the second 01:45 (EST, UTC-5)"
    )
    assert refused.value.choices == {
        "correction.clockoutTime": (
            "occurrence.clockoutTime",
            (("first", "first 01:45 (EDT, UTC-4)"), ("second", "second 01:45 (EST, UTC-5)")),
        )
    }
    form = {"correction.clockoutTime": "2026-11-01T01:45"}
    for chosen, written in (("first", "05:45"), ("second", "06:45")):
        edited = edited_correction(
            FALL_BACK_OUT, {**form, "occurrence.clockoutTime": chosen}, DETROIT, record_times(evening)
        )
        assert edited == {"clockoutTime": f"2026-11-01T{written}:00.0000000Z"}
    # the suggestion as shown (01:40:31 EST, shown 01:40) with its occurrence chosen is no edit
    to_the_second = {"clockoutTime": "2026-11-01T06:40:31.0000000Z"}
    as_shown = {"correction.clockoutTime": "2026-11-01T01:40", "occurrence.clockoutTime": "second"}
    assert edited_correction(to_the_second, as_shown, DETROIT, record_times(evening)) is None
    with pytest.raises(DecisionFormError, match="Clock-out: choose the first 01:45"):
        edited_correction(FALL_BACK_OUT, {**form, "occurrence.clockoutTime": "third"}, DETROIT)


def test_a_time_shown_twice_that_neither_occurrence_fits_is_asked_which() -> None:
    late = {"clockin": "2026-11-01T06:50:00.0000000Z"}  # 01:50 EST: both 01:45s come before it
    with pytest.raises(AmbiguousTimeError, match=r"and neither fits the entry; choose the first 01:45 \(EDT"):
        _edit(FALL_BACK_OUT, late, clockoutTime="2026-11-01T01:45")


def test_a_time_the_clocks_skipped_is_refused_naming_the_field() -> None:
    spring = {"clockoutTime": "2026-03-08T07:40:00.0000000Z"}  # 03:40 EDT
    with pytest.raises(DecisionFormError, match=r"^Clock-out: 02:30 on Sun 2026-03-08 does not exist in plant time"):
        edited_correction(spring, {"correction.clockoutTime": "2026-03-08T02:30"}, DETROIT)
    assert edited_correction(spring, {"correction.clockoutTime": "2026-03-08T03:30"}, DETROIT) == {
        "clockoutTime": "2026-03-08T07:30:00.0000000Z"
    }


def test_the_longest_entry_an_edit_may_make_is_the_policys() -> None:
    sixteen_and_a_half = {"clockoutTime": "2026-03-02T21:50"}  # 05:20 to 21:50 EST
    with pytest.raises(DecisionFormError, match=r"would last 16\.5 h, more than 16 h"):
        _edit(MISSED, CLOCKED_IN, **sixteen_and_a_half)
    form = {"correction.clockoutTime": sixteen_and_a_half["clockoutTime"]}
    longer = PunchPolicy(max_entry_hours=17)
    assert edited_correction(MISSED, form, DETROIT, record_times(CLOCKED_IN), longer) == {
        "clockoutTime": "2026-03-03T02:50:00.0000000Z"
    }
