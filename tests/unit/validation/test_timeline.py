"""The day timeline a finding carries: the employee's schedule, punches, breaks, badge swipes, workcenter
sessions, machine runs and labor, and their usual clock-in / clock-out, on hand-built plants.

The plant is in America/Detroit (EST, -05:00, after 2026-11-01); times come back plant-local with offset.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from plant_builder import EARLY_BIRD, TUESDAY, TZ, PlantBuilder, local, minutes

from plexlabor.models import record_key
from plexlabor.validation.data import PlantData
from plexlabor.validation.norms import Norms, compute_norms
from plexlabor.validation.timeline import LANE_LIMIT, LANES, MAX_WINDOW, breaks, build_timeline

WEEKS = 8
WEDNESDAY = TUESDAY + timedelta(days=1)
SUNDAY = date(2026, 11, 15)
DST_SATURDAY = date(2026, 10, 31)  # clocks go back at 02:00 on Sunday 2026-11-01


def timeline_of(data: PlantData, norms: Norms, employee: str, key: str) -> dict[str, Any]:
    built = build_timeline(data, norms, employee, key)
    assert built is not None
    return built.to_json()


def to_the_second(moment: datetime) -> str:
    return datetime.fromtimestamp(round(moment.timestamp()), TZ).isoformat()


def built(plant: PlantBuilder) -> tuple[PlantData, Norms]:
    data = plant.build()
    return data, compute_norms(data)


def test_a_normal_day_shows_every_lane_in_plant_time_and_points_at_the_record() -> None:
    # Given a 1st-shift operator, 30 min late on Tuesday, otherwise a normal day
    plant = PlantBuilder(weeks=WEEKS).employee("E1")
    day = plant.work_day("E1", TUESDAY, clock_in=30)
    data, norms = built(plant)
    # When the timeline of Tuesday's first punch is built
    timeline = timeline_of(data, norms, "E1", day.first_key)
    # Then the window runs from 4 h before the 06:00 shift to 4 h after its 14:30 end, in EST
    assert timeline["day"] == "2026-11-17" and timeline["zone"] == "America/Detroit"
    assert timeline["window"] == ["2026-11-17T02:00:00-05:00", "2026-11-17T18:30:00-05:00"]
    assert timeline["shift"] == {"start": "2026-11-17T06:00:00-05:00", "end": "2026-11-17T14:30:00-05:00"}
    # and each lane holds that day's records, the break being the gap between the two punches
    assert [(p["in"][11:16], p["out"][11:16]) for p in timeline["punches"]] == [("06:30", "10:15"), ("10:45", "14:33")]
    assert [(b["start"][11:16], b["end"][11:16]) for b in timeline["breaks"]] == [("10:15", "10:45")]
    assert [(s["at"][11:16], s["direction"], s["building"]) for s in timeline["swipes"]] == [
        ("06:24", "In", "B1"),
        ("14:35", "Out", "B1"),
    ]
    assert [(s["workcenter"], s["login"][11:16], s["logout"][11:16]) for s in timeline["sessions"]] == [
        ("WC1", "06:34", "10:13"),
        ("WC1", "10:47", "14:30"),
    ]
    assert [(r["workcenter"], r["start"][11:16], r["end"][11:16]) for r in timeline["runs"]] == [
        ("WC1", "06:39", "10:08"),
        ("WC1", "10:52", "14:25"),
    ]
    assert [e["id"] for e in timeline["labor"]] == day.labor
    # each place by the codes people know (the Plex ids kept for the audit)
    assert {s["workcenter_code"] for s in timeline["sessions"] + timeline["runs"]} == {"WC1"}
    labor = {(e["workcenter_code"], e["job_no"], e["operation_code"]) for e in timeline["labor"]}
    assert labor == {("WC1", "J1", "10")}
    # and the record is the first punch
    assert timeline["record"] == {"key": day.first_key, "lane": "punches", "index": 0}
    assert timeline["punches"][0]["id"] == day.entries[0]
    assert "dropped" not in timeline


def test_an_overnight_shift_belongs_to_the_day_it_starts() -> None:
    # Given a 3rd-shift operator (22:30 to 07:00, break 02:30 to 03:00), Tuesday night's shift
    plant = PlantBuilder(weeks=WEEKS).employee("E1", shift="3rd")
    day = plant.work_day("E1", TUESDAY, clock_in=0, clock_out=0)
    data, norms = built(plant)
    # When the timeline of the entry after the break (Wednesday 03:00) is built
    timeline = timeline_of(data, norms, "E1", day.last_key)
    # Then it is Tuesday's day, from 18:30 Tuesday to 11:00 Wednesday, with both halves of the shift
    assert timeline["day"] == "2026-11-17"
    assert timeline["window"] == ["2026-11-17T18:30:00-05:00", "2026-11-18T11:00:00-05:00"]
    assert timeline["shift"] == {"start": "2026-11-17T22:30:00-05:00", "end": "2026-11-18T07:00:00-05:00"}
    assert [(p["in"], p["out"]) for p in timeline["punches"]] == [
        ("2026-11-17T22:30:00-05:00", "2026-11-18T02:30:00-05:00"),
        ("2026-11-18T03:00:00-05:00", "2026-11-18T07:00:00-05:00"),
    ]
    assert timeline["breaks"] == [{"start": "2026-11-18T02:30:00-05:00", "end": "2026-11-18T03:00:00-05:00"}]
    assert timeline["record"] == {"key": day.last_key, "lane": "punches", "index": 1}
    # and Monday night's shift (ended 07:00 Tuesday) and Wednesday night's (from 22:30) stay out
    assert len(timeline["sessions"]) == 2 and len(timeline["swipes"]) == 2


def test_times_carry_the_offset_of_their_moment_across_the_end_of_daylight_saving_time() -> None:
    # Given a night shift from Saturday 22:30 EDT to Sunday 07:00 EST (the night is an hour longer)
    plant = PlantBuilder(weeks=WEEKS).employee("E1", shift="3rd")
    day = plant.work_day("E1", DST_SATURDAY, clock_in=0, clock_out=0)
    data, norms = built(plant)
    # When its timeline is built
    timeline = timeline_of(data, norms, "E1", day.first_key)
    # Then each time has its own offset
    assert timeline["window"] == ["2026-10-31T18:30:00-04:00", "2026-11-01T11:00:00-05:00"]
    assert timeline["punches"][0]["in"] == "2026-10-31T22:30:00-04:00"
    assert timeline["punches"][-1]["out"] == "2026-11-01T07:00:00-05:00"


def test_a_day_with_no_schedule_spans_its_punches_and_has_no_norm_band() -> None:
    # Given Tuesday worked without a shift assignment (clock-in 06:10, clock-out 14:40)
    plant = PlantBuilder(weeks=WEEKS).employee("E1")
    day = plant.work_day("E1", TUESDAY, clock_in=10, clock_out=10, schedule=False)
    data, norms = built(plant)
    # When the timeline of its last punch is built
    timeline = timeline_of(data, norms, "E1", day.last_key)
    # Then the window is the punches' span with an hour either side, and there is no shift to compare with
    assert timeline["day"] == "2026-11-17"
    assert timeline["window"] == ["2026-11-17T05:10:00-05:00", "2026-11-17T15:40:00-05:00"]
    assert timeline["shift"] is None and timeline["norm"] is None
    assert len(timeline["punches"]) == 2 and len(timeline["breaks"]) == 1
    assert timeline["record"] == {"key": day.last_key, "lane": "punches", "index": 1}


def test_a_missed_clock_out_shows_an_open_punch_and_no_break_after_it() -> None:
    # Given Tuesday's last entry left open (the badge-out still shows when they left)
    plant = PlantBuilder(weeks=WEEKS).employee("E1")
    day = plant.work_day("E1", TUESDAY, clock_in=0, clock_out=0, missed_clock_out=True)
    data, norms = built(plant)
    # When the open entry's timeline is built
    timeline = timeline_of(data, norms, "E1", day.last_key)
    # Then the entry has no clock-out, the break before it shows, and the window is the schedule's
    assert [p["out"] for p in timeline["punches"]] == ["2026-11-17T10:15:00-05:00", None]
    assert [(b["start"][11:16], b["end"][11:16]) for b in timeline["breaks"]] == [("10:15", "10:45")]
    assert timeline["window"] == ["2026-11-17T02:00:00-05:00", "2026-11-17T18:30:00-05:00"]
    assert timeline["swipes"][-1]["at"] == "2026-11-17T14:32:00-05:00"
    assert timeline["record"]["index"] == 1


def test_the_norm_band_is_the_employees_usual_clock_in_and_out_that_day() -> None:
    # Given an operator who always clocks in about 20 min early and out about 2 min late
    plant = PlantBuilder(weeks=WEEKS).employee("E1", habit=EARLY_BIRD)
    day = plant.work_day("E1", TUESDAY, clock_in=0)
    data, norms = built(plant)
    own = norms.for_employee("E1", "MOLD")
    assert own.start is not None and own.end is not None
    # When Tuesday's timeline is built
    band = timeline_of(data, norms, "E1", day.first_key)["norm"]
    # Then the band is the median ± spread of the norms, placed on Tuesday's 06:00 start and 14:30 end
    shift_start, shift_end = local(TUESDAY, "06:00"), local(TUESDAY, "14:30")
    for name, norm, anchor in (("in", own.start, shift_start), ("out", own.end, shift_end)):
        assert band[name]["usual"] == to_the_second(anchor + minutes(norm.median))
        assert band[name]["from"] == to_the_second(anchor + minutes(norm.median - norm.sigma))
        assert band[name]["to"] == to_the_second(anchor + minutes(norm.median + norm.sigma))
        assert (band[name]["median_min"], band[name]["spread_min"]) == (round(norm.median, 1), round(norm.sigma, 1))
        assert band[name]["shifts"] == norm.count == 40 and band[name]["basis"] == "own"
    assert band["in"]["usual"] == "2026-11-17T05:40:00-05:00"


def test_a_new_hires_band_is_the_departments_habit() -> None:
    # Given E3, hired with no history, next to an operator usually 2 min early
    plant = PlantBuilder(weeks=WEEKS).employee("E1").employee("E3", history=False)
    day = plant.work_day("E3", TUESDAY, clock_in=30)
    data = plant.build()
    norms = compute_norms(data, until=local(TUESDAY, "00:00").timestamp())
    # When E3's timeline is built
    band = timeline_of(data, norms, "E3", day.first_key)["norm"]
    # Then the band is the department's, resting on none of E3's own shifts
    assert band["in"]["usual"] == "2026-11-17T05:58:00-05:00"
    assert (band["in"]["shifts"], band["in"]["basis"]) == (0, "department")


def test_labor_entries_and_badge_swipes_are_records_too() -> None:
    # Given a normal Tuesday and, on Wednesday, a badge-in with no punch at all
    plant = PlantBuilder(weeks=WEEKS).employee("E1")
    tuesday = plant.work_day("E1", TUESDAY)
    wednesday = plant.work_day("E1", WEDNESDAY, clock_in=0, punched=False)
    data, norms = built(plant)
    # When the timelines of Tuesday's second labor entry and Wednesday's badge-in are built
    labor = timeline_of(data, norms, "E1", tuesday.labor_keys[1])
    swipe_key = record_key("badge-swipes", wednesday.swipes[0])
    swipe = timeline_of(data, norms, "E1", swipe_key)
    # Then each points at its own lane, and Wednesday has swipes, sessions and runs but no punches
    assert labor["record"] == {"key": tuesday.labor_keys[1], "lane": "labor", "index": 1}
    assert swipe["record"] == {"key": swipe_key, "lane": "swipes", "index": 0}
    assert swipe["day"] == "2026-11-18" and swipe["punches"] == [] and swipe["breaks"] == []
    assert swipe["sessions"] and swipe["runs"]


def test_no_timeline_for_a_record_the_employee_does_not_have() -> None:
    plant = PlantBuilder(weeks=WEEKS).employee("E1").employee("E2")
    day = plant.work_day("E1", TUESDAY)
    run = plant.run("WC1", local(TUESDAY, "18:00"), local(TUESDAY, "19:00"))
    data, norms = built(plant)

    assert build_timeline(data, norms, "E2", day.first_key) is None
    assert build_timeline(data, norms, "E1", record_key("workcenter-events", run or "")) is None
    assert build_timeline(data, norms, "E1", "time-clock-entries:nope") is None


def test_lanes_are_bounded_and_keep_the_record() -> None:
    # Given a day with 150 two-minute machine runs at the operator's workcenter and 60 re-punches
    plant = PlantBuilder(weeks=WEEKS).employee("E1")
    day = plant.work_day("E1", TUESDAY, clock_in=0)
    for i in range(150):
        plant.run("WC1", local(TUESDAY, "06:40") + minutes(3 * i), local(TUESDAY, "06:42") + minutes(3 * i))
    repunches = [plant.punch("E1", local(TUESDAY, "11:00") + minutes(i), None) for i in range(60)]
    data, norms = built(plant)
    # When the timeline of the last re-punch is built
    key = record_key("time-clock-entries", repunches[-1] or "")
    timeline = timeline_of(data, norms, "E1", key)
    # Then no lane holds more than LANE_LIMIT items, the cut is counted, and the record is kept
    assert all(len(timeline[lane]) <= LANE_LIMIT for lane in LANES)
    assert timeline["dropped"] == {"punches": 12, "runs": 102}
    assert timeline["punches"][timeline["record"]["index"]]["id"] == repunches[-1]
    assert day.entries[0] not in [p["id"] for p in timeline["punches"]]  # the farthest from the record went
    # and the whole timeline stays small (the audit event's cap is 300 KB)
    assert len(json.dumps(timeline, separators=(",", ":"))) < 40_000


def test_a_schedule_keyed_wrong_gives_a_window_of_at_most_a_day() -> None:
    plant = PlantBuilder(weeks=WEEKS).employee("E1")
    day = plant.work_day("E1", TUESDAY, clock_in=0)
    plant.edit("shift-assignments", f"E1-{TUESDAY.isoformat()}-sa", scheduledEnd="2026-11-20T19:30:00.0000000Z")
    data, norms = built(plant)

    timeline = timeline_of(data, norms, "E1", day.first_key)

    assert timeline["window"] == ["2026-11-17T02:00:00-05:00", "2026-11-18T02:00:00-05:00"]
    assert MAX_WINDOW == 24 * 3600


@pytest.mark.parametrize("shift", ["1st", "3rd"])
def test_the_real_time_slice_gives_the_batch_timeline_at_the_edge_of_the_week(shift: str) -> None:
    # Given a shift worked on Sunday (for the 3rd shift, ending Monday 07:00, in the next ISO week)
    plant = PlantBuilder(weeks=WEEKS).employee("E1", shift=shift)
    day = plant.work_day("E1", SUNDAY, clock_in=0, clock_out=0)
    data, norms = built(plant)
    for key, entry_id in zip(day.entry_keys, day.entries, strict=True):
        # When each entry's timeline is built from the whole plant and from its real-time slice
        at = plant.time_clock_entry(entry_id).clockin_time.timestamp()
        whole = timeline_of(data, norms, "E1", key)
        sliced = timeline_of(data.slice_for("E1", at), norms, "E1", key)
        # Then they are the same, and Sunday's day
        assert sliced == whole and whole["day"] == "2026-11-15"


@pytest.mark.parametrize(
    ("entries", "gaps"),
    [  # (clock-in, clock-out) in seconds
        ([(0, 1000), (1300, 2000)], [(1000, 1300)]),
        ([(0, 1000), (300, 1000), (1300, 2000)], [(1000, 1300)]),  # a repeat leaves no gap of its own
        ([(0, 1000), (500, 1500), (1800, 2000)], [(1500, 1800)]),  # an overlap neither
        ([(0, None), (1300, 2000), (3000, 4000)], [(2000, 3000)]),  # after an open entry the gap is unknown
        ([(0, 1000), (1059, 2000)], []),  # shorter than a minute: a re-punch
        ([(0, -500), (1000, 2000)], [(0, 1000)]),  # out before in: the gap starts at its clock-in
    ],
    ids=["gap", "repeat", "overlap", "open", "re-punch", "out-before-in"],
)
def test_breaks_are_the_gaps_the_punches_leave(
    entries: list[tuple[float, float | None]], gaps: list[tuple[float, float]]
) -> None:
    assert breaks(entries) == gaps
