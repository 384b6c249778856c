"""What the norms and the checks both ask for is worked out once, and again when what it came from changed."""

from __future__ import annotations

import math
from zoneinfo import ZoneInfo

import pytest
from plant_builder import PlantBuilder

from plexlabor.validation.data import PlantData
from plexlabor.validation.norms import RecentShift, compute_norms, employee_norms, productivity_ratio, recent_shifts
from plexlabor.validation.records import Labor, Punch
from plexlabor.validation.shifts import Broken, employee_days, employee_problems


def _plant() -> PlantData:
    data = PlantData(tz=ZoneInfo("UTC"), as_of=0.0)
    data.operations["op"] = ("part", "10", "job")
    data.rates[("part", "10", "wc")] = (10.0, 1.0)  # 10 pieces an hour
    return data


def test_an_entry_made_after_another_was_dropped_gets_its_own_ratio() -> None:
    data = _plant()
    for pieces in range(10, 210, 10):  # each entry dropped before the next is made: an id may come back
        entry = Labor("labor-entries:1", "1", "E1", "wc", "op", 0.0, 3600.0, float(pieces))
        assert productivity_ratio(data, entry) == pytest.approx(math.log(pieces / 10))
        assert productivity_ratio(data, entry) == pytest.approx(math.log(pieces / 10))  # kept


def test_setup_hours_are_never_taken_from_what_was_kept() -> None:
    data = _plant()
    entry = Labor("labor-entries:1", "1", "E1", "wc", "op", 0.0, 2 * 3600.0, 10.0)
    assert productivity_ratio(data, entry) == pytest.approx(math.log(0.5))
    assert productivity_ratio(data, entry, 1.0) == pytest.approx(0.0)


def _punch(punch_id: str, t_in: float) -> Punch:
    return Punch(
        f"time-clock-entries:{punch_id}", punch_id, "E1", t_in, t_in + 8 * 3600, t_in, "Device", None, None, None, None
    )


def test_structural_problems_follow_punches_added_to_the_same_list() -> None:
    data = _plant()
    data.punches["E1"] = [_punch("a", 1000.0)]
    assert employee_problems(data, "E1") == {}
    data.punches["E1"].append(_punch("b", 1030.0))  # a repeat of the first, 30 s later
    assert {key: problem.kind for key, problem in employee_problems(data, "E1").items()} == {"b": Broken.DUPLICATE}


def test_a_persons_norms_are_kept_with_the_norms_they_came_from() -> None:
    data = PlantBuilder(weeks=3).employee("E1").build()
    first = compute_norms(data)
    assert employee_norms(data, first, "E1") == first.for_employee("E1", "MOLD", data.employees["E1"].role)
    later = compute_norms(data, until=data.as_of - 7 * 86400)  # other norms: the person's made again from them
    assert employee_norms(data, later, "E1") == later.for_employee("E1", "MOLD", data.employees["E1"].role)
    assert employee_norms(data, later, "E1") != employee_norms(data, first, "E1")


def test_the_recent_shifts_the_norms_made_are_read_only_for_the_same_days() -> None:
    data = PlantBuilder(weeks=3).employee("E1").build()
    compute_norms(data)
    days = employee_days(data, "E1")
    assert recent_shifts(data, "E1", days) == [RecentShift.of(day) for day in days]
    later = days[1:]  # another set of days (a slice's): not what the norms made theirs from
    assert recent_shifts(data, "E1", later) == [RecentShift.of(day) for day in later]
