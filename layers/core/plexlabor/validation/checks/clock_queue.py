"""One person punching several badges: a punch read at a clock seconds after or before another employee's.

At a shift change people queue at the clock, a few seconds apart each (badge, step aside, the next one).
Two reads of different badges closer than `SECONDS_APART`, consecutive at the same time clock (a wall or
biometric clock of the plant's clock devices; never a phone app, which all mobile punches share), look
like one hand holding both. On its own that is not a sign of absence (the other badge's owner may be the one who
was there), so `buddy.buddy_punch` counts it only for a person who already shows another sign of not
being there (no badge-in, a badge elsewhere, no login, an unusual clock, a weak biometric match): as one
more signal in the same score, never a finding of its own.

Batch only in effect: the real-time slice holds one employee's punches, so there no other read is seen.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from operator import attrgetter
from typing import Any

from plexlabor.validation.checks.base import HOUR, EmployeeContext
from plexlabor.validation.records import Punch
from plexlabor.validation.shifts import EmployeeDay

SECONDS_APART = 2.5  # a clock reads one badge at a time: people in a queue are read 3 s or more apart
CLOCK_TYPES = frozenset({"WallClock", "BiometricClock"})
"""Devices that read one badge at a time at one place (a phone app is many people's "device" at once)."""


def read_beside_another(context: EmployeeContext, day: EmployeeDay) -> dict[str, Any] | None:
    """The day's punch read at a clock within `SECONDS_APART` of another employee's read just before or
    after it there (the closest such pair), or None."""
    closest: dict[str, Any] | None = None
    devices = context.data.devices
    for punch in day.punches:
        recorded = _as_recorded(context, punch)
        if not recorded.device or recorded.lat is not None or devices.get(recorded.device, ("",))[0] not in CLOCK_TYPES:
            continue
        gap = _nearest_other_read(context, recorded)
        if gap is not None and gap <= SECONDS_APART and (closest is None or gap < closest["seconds_apart"]):
            closest = {"clock": recorded.device, "seconds_apart": round(gap, 1)}
    return closest


def _as_recorded(context: EmployeeContext, punch: Punch) -> Punch:
    """The punch as its clock read it (the day's punches may be read at true time: `clocks`)."""
    punches = context.punches
    low = bisect_left(punches, punch.t_in - HOUR, key=attrgetter("t_in"))
    high = bisect_right(punches, punch.t_in + HOUR, key=attrgetter("t_in"))
    return next((p for p in punches[low:high] if p.key == punch.key), punch)


def _nearest_other_read(context: EmployeeContext, punch: Punch) -> float | None:
    """Seconds to the other employee's read next to this one at its clock (the person's own repeats skipped)."""
    assert punch.device is not None
    times, whose = context.data.clock_reads(punch.device)
    index = bisect_left(times, punch.t_in)
    gaps = []
    before = index - 1
    while before >= 0 and whose[before] == context.employee:
        before -= 1
    if before >= 0:
        gaps.append(punch.t_in - times[before])
    after = index
    while after < len(times) and whose[after] == context.employee:
        after += 1
    if after < len(times):
        gaps.append(times[after] - punch.t_in)
    return min(gaps, default=None)
