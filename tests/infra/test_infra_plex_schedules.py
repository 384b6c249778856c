"""The default schedules run one Plex-heavy job at a time (review_infra_s17 #5): each cron-scheduled function that
reads Plex may take its whole timeout before the next one starts. The `rate(...)` pollers (punch_poller,
crew_call_offs, review_sweep) make a few calls a run and are not slotted."""

from __future__ import annotations

import re
from itertools import combinations

from infra.function_specs import FUNCTION_SPECS, PLEX, FunctionSpec

CRON = re.compile(r"cron\((?P<minute>\d+) (?P<hours>[\d,*-]+) (?P<dom>\S+) \* (?P<dow>\S+) \*\)")
DAY_MINUTES = 24 * 60


def _starts(schedule: str) -> list[int]:
    """The minutes of the day a cron expression starts (a weekly one counted every day: it may fall on any)."""
    match = CRON.fullmatch(schedule)
    assert match, f"a cron form this test does not read: {schedule}"
    hours: list[int] = []
    for part in match["hours"].split(","):
        if part == "*":
            hours.extend(range(24))
        elif "-" in part:
            low, high = map(int, part.split("-"))
            hours.extend(range(low, high + 1))
        else:
            hours.append(int(part))
    return [hour * 60 + int(match["minute"]) for hour in hours]


def _busy(spec: FunctionSpec) -> set[int]:
    """Every minute of the day a run may still be going (start to start + timeout, across midnight)."""
    length = -(-spec.timeout_s // 60)
    return {(start + offset) % DAY_MINUTES for start in _starts(spec.schedule or "") for offset in range(length)}


PLEX_CRON_JOBS = [
    spec for spec in FUNCTION_SPECS if spec.schedule and spec.schedule.startswith("cron(") and PLEX in spec.access
]


def test_no_two_plex_reading_cron_jobs_can_run_at_the_same_time() -> None:
    overlaps = {
        (one.name, other.name): sorted(_busy(one) & _busy(other))[:1]
        for one, other in combinations(PLEX_CRON_JOBS, 2)
        if _busy(one) & _busy(other)
    }
    assert overlaps == {}


def test_the_slots_read_as_documented() -> None:
    slots = {spec.name: spec.schedule for spec in PLEX_CRON_JOBS}
    assert slots == {
        "norms_refresh": "cron(0 7 * * ? *)",
        "forecast_nightly": "cron(0 8 * * ? *)",
        "skills_daily": "cron(0 9 * * ? *)",
        "allocation_nightly": "cron(15 9 * * ? *)",
        "forecast_refresh": "cron(30 9-23 * * ? *)",
        "analytics_nightly": "cron(45 9 * * ? *)",
        "incident_trends": "cron(0 10 * * ? *)",
        "crew_planner": "cron(0 20 * * ? *)",
    }
