"""The norms work out every labor entry's productivity ratio at once, screening out the entries no downtime can
reach (`norms._measure_ratios`): each ratio is the one the entry's own downtime gives, at every edge."""

from __future__ import annotations

import math
from zoneinfo import ZoneInfo

import pytest

from plexlabor.validation.data import PlantData
from plexlabor.validation.norms import compute_norms, productivity_ratio
from plexlabor.validation.records import Labor

HOUR = 3600.0


def _plant() -> PlantData:
    data = PlantData(tz=ZoneInfo("UTC"), as_of=100 * HOUR)
    data.operations["op"] = ("part", "10", "job")
    data.rates[("part", "10", "wc")] = (10.0, 1.0)  # 10 pieces an hour
    data.downtime["wc"] = [
        (10 * HOUR, 40 * HOUR, None),  # the machine down a day and more: every later stop lies inside it
        (11 * HOUR, 11.5 * HOUR, "E1"),
        (50 * HOUR, 50.5 * HOUR, "E2"),  # another operator's
        (60 * HOUR, 60.5 * HOUR, "E1"),
    ]
    return data


@pytest.mark.parametrize(
    ("start", "end", "productive_hours"),
    [
        (0.0, 2 * HOUR, 2.0),  # before any downtime
        (8 * HOUR, 10 * HOUR, 2.0),  # ends as the long stop begins
        (35 * HOUR, 38 * HOUR, 0.0),  # inside the long stop, after the shorter ones ended: not measurable
        (39 * HOUR, 42 * HOUR, 2.0),  # the long stop's last hour
        (40 * HOUR, 42 * HOUR, 2.0),  # starts as the long stop ends
        (49 * HOUR, 52 * HOUR, 3.0),  # over another operator's downtime: not theirs to lose
        (59 * HOUR, 62 * HOUR, 2.5),  # over their own
    ],
)
def test_each_ratio_leaves_out_the_downtime_that_reaches_the_entry(
    start: float, end: float, productive_hours: float
) -> None:
    data = _plant()
    entry = Labor("labor-entries:1", "1", "E1", "wc", "op", start, end, 20.0)
    data.labor["E1"] = [entry]
    compute_norms(data)  # works out every entry's ratio and keeps it
    expected = math.log(20.0 / (productive_hours * 10)) if productive_hours * 10 >= 1 else None
    assert productivity_ratio(data, entry) == (pytest.approx(expected) if expected is not None else None)
