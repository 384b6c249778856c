"""The default schedules in another plant's time zone (review_infra_s17 #9).

EventBridge rules run in UTC, and the specs' expressions (`infra/function_specs.py`) are UTC times chosen for a plant
in US Eastern time (`DEFAULTS_ZONE`): norms_refresh at 07:00 UTC is 02:00 in Detroit. In Berlin it would be 08:00,
after the day shift started. `zone_advice` tells the deployer at synth (`python infra/app.py`) how far off the plant's
zone is and which `plexlabor:schedules` (UTC) runs the jobs at the same plant-local times, in standard time: the plant
and US Eastern change to summer time on different dates, so in between they run an hour off.

Not EventBridge Scheduler's schedule time zone: its target receives the input the schedule gives, not the
"Scheduled Event" envelope the handlers parse and the local runtime sends (`infra/constructs/schedules.py`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from infra.constants import CTX_SCHEDULES

DEFAULTS_ZONE = "America/New_York"
"""The zone the default schedules were chosen for."""
CRON = re.compile(
    r"cron\((?P<minute>\d{1,2}) (?P<hours>\d{1,2}(?:[-,]\d{1,2})*) "
    r"(?P<dom>\S+) (?P<month>\S+) (?P<dow>\S+) (?P<year>\S+)\)"
)
DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
MINUTES_A_DAY = 24 * 60


def standard_offset_minutes(zone: str, year: int = 2026) -> int:
    """The zone's offset from UTC in standard time (the smaller of January's and July's), in minutes."""
    offsets = []
    for month in (1, 7):
        offset = datetime(year, month, 15, 12, tzinfo=UTC).astimezone(ZoneInfo(zone)).utcoffset()
        assert offset is not None
        offsets.append(int(offset.total_seconds()) // 60)
    return min(offsets)


def _hours(field: str) -> list[int] | None:
    """`9-23`, `1,5` or `7` as hours; None for anything else."""
    hours: list[int] = []
    for part in field.split(","):
        low, _, high = part.partition("-")
        first, last = int(low), int(high or low)
        if not 0 <= first <= last <= 23:
            return None
        hours += range(first, last + 1)
    return hours


def _compact(hours: list[int]) -> str:
    """Sorted hours as EventBridge's list of ranges: [0, 1, 2, 23] -> `0-2,23`."""
    runs: list[list[int]] = []
    for hour in sorted(hours):
        if runs and hour == runs[-1][-1] + 1:
            runs[-1].append(hour)
        else:
            runs.append([hour])
    return ",".join(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)


def shifted(expression: str, minutes: int) -> str | None:
    """`expression` moved by `minutes`: a cron of a fixed minute at some hours of every day (`* * ? *`), or of one
    named weekday (`? * MON *`, the day moved with it); None for a rate, any other cron, or a weekly one whose hours
    would fall on two days."""
    found = CRON.fullmatch(expression)
    hours = _hours(found["hours"]) if found else None
    if found is None or hours is None:
        return None
    daily = (found["dom"], found["month"], found["dow"], found["year"]) == ("*", "*", "?", "*")
    weekly = (found["dom"], found["month"], found["year"]) == ("?", "*", "*") and found["dow"] in DAYS
    if not (daily or weekly):
        return None
    times = [hour * 60 + int(found["minute"]) + minutes for hour in hours]
    days = {time // MINUTES_A_DAY for time in times}
    if weekly and len(days) > 1:
        return None
    dow = found["dow"] if daily else DAYS[(DAYS.index(found["dow"]) + days.pop()) % 7]
    minute = times[0] % 60
    hours_text = _compact(sorted({time % MINUTES_A_DAY // 60 for time in times}))
    return f"cron({minute} {hours_text} {found['dom']} {found['month']} {dow} {found['year']})"


def zone_advice(zone: str | None, defaults: Mapping[str, str]) -> list[str]:
    """Warnings when the plant's zone is not US Eastern's offset: `defaults` (function -> the spec's expression in
    force, no override) moved to the same plant-local times, as a `plexlabor:schedules` value to deploy with."""
    if zone is None:
        return []
    minutes = standard_offset_minutes(DEFAULTS_ZONE) - standard_offset_minutes(zone)
    if minutes == 0:
        return []
    moved = {name: shifted(expression, minutes) for name, expression in sorted(defaults.items())}
    suggested = {name: expression for name, expression in moved.items() if expression is not None}
    by_hand = sorted(name for name, expression in moved.items() if expression is None and "cron(" in defaults[name])
    ahead = f"{abs(minutes) / 60:g} hours {'ahead of' if minutes < 0 else 'behind'}"
    lines = [
        f"[app] WARNING: the default schedules are UTC times chosen for US Eastern; {zone} is {ahead} it in standard "
        f"time, so they run at other times of the plant's day. For the same plant-local times deploy with "
        f"-c {CTX_SCHEDULES}='{json.dumps(suggested, separators=(',', ':'))}' (docs/deployment.md, {CTX_SCHEDULES})"
    ]
    if by_hand:
        lines.append(f"[app] WARNING: move these schedules by hand for {zone}: {', '.join(by_hand)}")
    return lines
