"""How a web page shows evidence values: the approval display's reading (people, times, recipients,
nested Plex ids left out) with the page's own leaves (plant time without the zone, two decimals)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from plexlabor.approval.directory import PeopleDisplay
from plexlabor.approval.display import field_label
from plexlabor.webapp.app import PageReader

DETROIT = ZoneInfo("America/Detroit")


def test_a_utc_time_on_whole_seconds_is_shown_in_plant_time() -> None:
    # Given Plex times with and without seven fraction digits (the web app once showed `...:00Z` raw)
    shown = PageReader(DETROIT)

    # Then each reads as plant time, without the zone (the page names it once)
    assert shown.value("2026-11-02T12:00:00Z") == "Mon 2026-11-02 07:00"
    assert shown.value("2026-11-02T12:00:10.1234560Z") == "Mon 2026-11-02 07:00"
    assert shown.value("2026-11-02T07:00:00-05:00", "start") == "Mon 2026-11-02 07:00"


def test_numbers_lists_and_recipients_read_as_words() -> None:
    shown = PageReader(DETROIT, PeopleDisplay(), frozenset({"admin"}))

    assert shown.value(0.123456) == "0.12"
    assert shown.value(True) == "yes" and shown.value(False) == "no"  # truth values in words (ux104 #10)
    assert shown.value([1, 2.5]) == "1, 2.50"
    assert shown.value({"role": "supervisor", "id": "E1"}) == "supervisor E1"
    assert shown.value({"hours": 7.25, "workcenter_id": "9474031b-7f26-444b-9828-9fcd59a54a7b"}) == "Hours: 7.25"
    assert shown.value("E7", "employee_id") == "E7"


def test_a_key_naming_its_unit_reads_as_words_with_the_unit() -> None:
    # ux104 #10: "Offset min -58.80", "Grace min 7", "History shifts 59" read as internal field names
    assert (
        field_label("offset_min") == "Offset (minutes)" and field_label("usual_spread_min") == "Usual spread (minutes)"
    )
    assert (
        field_label("overlap_minutes") == "Overlap (minutes)"
        and field_label("history_shifts") == "Shifts in their history"
    )
    assert field_label("clockoutTime") == "Clock-out" and field_label("no_badge_in") == "No badge in"
