"""Clock devices that run fast or slow, found by comparing their punches with the badge readers.

Badge readers keep network time; a wall clock may drift by minutes until someone sets it right, and
every punch it records is off by that much (a login 12 min after the true clock-in looks 18 min
after a clock running 6 min slow). The same person's badge-in at the door shortly before a clock-in
gives a lag (punch - badge): the walk from the door, plus the clock's error. Per clock device:

- its usual lag is where most of its days' median lags lie (`_usual`: the walk; a clock keeps time on
  most days, so this needs it to have run off on fewer than half of them);
- each plant-local day with at least `MIN_PAIRS` pairs gets the median lag less the usual one;
- a running median over `FILTER_DAYS` such days keeps the step a clock makes when it starts to run off
  or is set right (a median filter does not smear steps, a mean would) and drops one noisy day;
- `MIN_STRETCH` or more days in a row whose filtered error is at least `MIN_OFFSET` the same way ran off;
  smaller errors, and shorter stretches, are read as 0.

The result is kept as runs (the error from a day on, until the next change), so a clock still off on
the last day the norms saw stays off for the real-time path until the next refresh says otherwise.
Written here because it is a few medians over a plant's pairs; no library models a step signal this
small better than a median filter.

    clocks = ClockOffsets.measure(data)            # in compute_norms, stored with the norms
    punches = clocks.corrected(data, punches)      # copies at true time where a clock ran off
"""

from __future__ import annotations

import statistics
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import groupby
from operator import attrgetter, itemgetter
from typing import Any

from plexlabor.validation.data import PlantData
from plexlabor.validation.records import Punch

CLOCK_TYPES = frozenset({"WallClock", "BiometricClock"})
"""Device types that keep their own time (door readers and phones keep network time)."""
LAG_BEFORE = 30 * 60.0  # a badge-in at most this long before a clock-in ...
LAG_AFTER = 10 * 60.0  # ... or this long after it (a clock running slow) belongs to it
MIN_PAIRS = 5  # a day with fewer badge/punch pairs at a clock says nothing about it
FILTER_DAYS = 5  # the running median's width, in measured days (odd)
MIN_STRETCH = 3  # measured days in a row off the same way, to be a clock running off (not a day's crowd)
MIN_OFFSET = 90.0  # seconds: an error below this is not corrected (the walk itself varies by minutes)
ROUND_TO = 15.0  # seconds: errors are kept to this precision


@dataclass
class ClockOffsets:
    """Per clock device, its error in seconds (positive: running fast) as runs of plant-local days."""

    runs: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    """device -> [(first day's ordinal, error from that day on), ...] in day order; absent: keeps time."""

    def offset(self, device: str | None, day: date) -> float:
        """Seconds the device's clock ran ahead of true time on `day` (0 when unknown or on time)."""
        runs = self.runs.get(device or "")
        if not runs:
            return 0.0
        index = bisect_right(runs, day.toordinal(), key=_FIRST_DAY) - 1
        return runs[index][1] if index >= 0 else 0.0

    def corrected(self, data: PlantData, punches: list[Punch]) -> list[Punch]:
        """The punches at true time: a copy of each recorded by a clock running off (clock-in and clock-out
        corrected by the error of the clock that punched in, on the day of the clock-in), in clock-in order.
        The same list when no clock ran off."""
        if not self.runs:
            return punches
        out = []
        changed = False
        for punch in punches:
            error = self.offset(punch.device, data.local_date(punch.t_in)) if punch.device in self.runs else 0.0
            if error:
                changed = True
                t_out = None if punch.t_out is None else punch.t_out - error
                punch = replace(punch, t_in=punch.t_in - error, t_out=t_out)
            out.append(punch)
        return sorted(out, key=_T_IN) if changed else punches

    # ---- measuring ------------------------------------------------------------------------------
    @classmethod
    def measure(cls, data: PlantData, until: float | None = None) -> ClockOffsets:
        """The clocks' errors from every badge-in / clock-in pair before `until` (default: all)."""
        lags: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
        for employee, punches in data.punches.items():
            for device, day, lag in _pairs(data, employee, punches, until):
                lags[device][day].append(lag)
        runs = {}
        for device, days in lags.items():
            device_runs = _runs(days)
            if device_runs:
                runs[device] = device_runs
        return cls(runs)

    # ---- persistence ----------------------------------------------------------------------------
    def to_json(self) -> dict[str, list[list[Any]]]:
        return {device: [[date.fromordinal(d).isoformat(), s] for d, s in runs] for device, runs in self.runs.items()}

    @classmethod
    def from_json(cls, raw: dict[str, list[list[Any]]] | None) -> ClockOffsets:
        return cls(
            {
                device: [(date.fromisoformat(day).toordinal(), float(seconds)) for day, seconds in runs]
                for device, runs in (raw or {}).items()
            }
        )


def _pairs(data: PlantData, employee: str, punches: list[Punch], until: float | None) -> list[tuple[str, int, float]]:
    """(device, plant-local day ordinal, punch - badge-in seconds) for each clock-in at a clock device with
    the person's badge-in at that device's building just before it (the latest one in the window)."""
    swipes = [s for s in data.swipes.get(employee, ()) if s.direction == "In"]
    if not swipes:
        return []
    times = [s.t for s in swipes]
    found = []
    for punch in punches:
        if punch.source != "Device" or punch.device is None or (until is not None and punch.t_in >= until):
            continue
        kind, building = data.devices.get(punch.device, ("", None))
        if kind not in CLOCK_TYPES:
            continue
        low, high = bisect_left(times, punch.t_in - LAG_BEFORE), bisect_right(times, punch.t_in + LAG_AFTER)
        near = [s for s in swipes[low:high] if building is None or s.building == building]
        if near:
            found.append((punch.device, data.local_date(punch.t_in).toordinal(), punch.t_in - near[-1].t))
    return found


def _runs(days: dict[int, list[float]]) -> list[tuple[int, float]]:
    """A device's error as runs of days (only when it ran off at some point), from its lags per day.

    The running median finds which days ran off and in which direction; each stretch of such days then
    gets one error, the median of all its lags less the usual lag (steadier than any one day's)."""
    measured = sorted(day for day, lags in days.items() if len(lags) >= MIN_PAIRS)
    if not measured:
        return []
    daily = [statistics.median(days[day]) for day in measured]
    usual = _usual(daily)
    errors = [lag - usual for lag in daily]
    half = FILTER_DAYS // 2
    signs = []
    for index in range(len(measured)):
        error = statistics.median(errors[max(0, index - half) : index + half + 1])
        signs.append(0 if abs(error) < MIN_OFFSET else 1 if error > 0 else -1)
    runs: list[tuple[int, float]] = []
    for sign, stretch in groupby(zip(signs, measured, strict=True), key=itemgetter(0)):
        stretch_days = [day for _, day in stretch]
        error = 0.0
        if sign and len(stretch_days) >= MIN_STRETCH:
            error = statistics.median(lag for day in stretch_days for lag in days[day]) - usual
            error = round(error / ROUND_TO) * ROUND_TO if abs(error) >= MIN_OFFSET else 0.0
        if (runs[-1][1] if runs else 0.0) != error:
            runs.append((stretch_days[0], error))
    return runs


def _usual(daily: list[float]) -> float:
    """The clock's usual lag: the median of the shortest half of its days' lags (the "shorth"). A clock keeps
    time on most days; the median of all its lags would lean towards the weeks it ran off, and make the days
    it kept time look off the other way. Written here: five lines, and no library names it."""
    ordered = sorted(daily)
    half = len(ordered) // 2 + 1
    start = min(range(len(ordered) - half + 1), key=lambda i: ordered[i + half - 1] - ordered[i])
    return statistics.median(ordered[start : start + half])


_FIRST_DAY = itemgetter(0)  # a run's first day, for bisect
_T_IN = attrgetter("t_in")
