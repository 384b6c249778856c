"""Editing a punch finding's suggested correction before approving: plant time in, Plex UTC out."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from plexlabor.approval.errors import DecisionFormError
from plexlabor.review.edits import editable_fields, edited_correction

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
