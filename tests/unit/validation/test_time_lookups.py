"""The checks' lookups by time answer exactly what a scan of the whole history answers.

`SessionSpans.between` (workcenter logins overlapping a span, asked for every worked day) and
`PlantData.downtime_during` (a workcenter's downtime overlapping a labor entry) skip what cannot
overlap; these tests compare them with the plain scan on random histories, open logins included
(closed where `session_end` closes them; here, 12 h after the login).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from plexlabor.validation.checks.base import SessionSpans
from plexlabor.validation.data import PlantData
from plexlabor.validation.records import Session, epoch

HOUR = 3600.0


def _logins(rng: random.Random, count: int) -> list[Session]:
    """Logins in start order, as PlantData keeps them: mostly a few hours, some long, some never closed."""
    sessions, t = [], 0.0
    for _ in range(count):
        t += rng.uniform(0, 6 * HOUR)
        length = rng.choice([rng.uniform(0, 9 * HOUR), rng.uniform(0, 60 * HOUR)])
        sessions.append(Session("E1", "WC1", t, None if rng.random() < 0.05 else t + length))
    return sessions


def _closed(session: Session) -> float:
    return session.end if session.end is not None else session.start + 12 * HOUR


def test_logins_between_are_the_ones_a_scan_finds_in_the_same_order() -> None:
    rng = random.Random(7)
    for _ in range(200):
        sessions = _logins(rng, rng.randint(0, 40))
        spans = SessionSpans(sessions, _closed)
        horizon = sessions[-1].start + 10 * HOUR if sessions else HOUR
        for _ in range(20):
            low = rng.uniform(-HOUR, horizon)
            high = low + rng.choice([0.0, rng.uniform(0, 12 * HOUR)])
            scan = [s for s in sessions if s.start <= high and _closed(s) >= low]
            assert spans.between(low, high) == scan
            assert all(spans.end_of(s) == _closed(s) for s in scan)


def test_a_login_never_closed_runs_only_until_it_is_closed_not_to_the_extract() -> None:
    sessions = [Session("E1", "WC1", 0.0, None), Session("E1", "WC1", HOUR, 2 * HOUR)]
    spans = SessionSpans(sessions, _closed)
    assert spans.between(100 * HOUR, 101 * HOUR) == []
    assert spans.between(11 * HOUR, 11 * HOUR) == [sessions[0]]
    assert spans.between(1.5 * HOUR, 1.5 * HOUR) == sessions


def test_downtime_during_a_span_is_what_a_scan_finds_in_the_same_order() -> None:
    rng = random.Random(11)
    data = PlantData(tz=ZoneInfo("America/Detroit"), as_of=1000 * HOUR)
    t = 0.0
    for _ in range(300):
        t += rng.uniform(0, 5 * HOUR)
        data.downtime["WC1"].append((t, t + rng.choice([rng.uniform(0, HOUR), rng.uniform(0, 30 * HOUR)]), None))
    for _ in range(500):
        start = rng.uniform(-HOUR, t + HOUR)
        end = start + rng.uniform(0, 10 * HOUR)
        scan = [d for d in data.downtime["WC1"] if d[0] < end and d[1] > start]
        assert data.downtime_during("WC1", start, end) == scan
    assert data.downtime_during("WC-none", 0.0, t) == []


def test_a_time_without_a_zone_is_refused_not_read_in_the_machines_zone() -> None:
    assert epoch("2026-11-10T06:00:00.0000000Z") == datetime(2026, 11, 10, 6, tzinfo=UTC).timestamp()
    with pytest.raises(ValueError, match="time without a zone: 2026-11-10T06:00:00"):
        epoch("2026-11-10T06:00:00")


@pytest.mark.parametrize(
    "zone",
    [
        "America/Chicago",
        "America/St_Johns",
        "Asia/Kathmandu",
        "Australia/Lord_Howe",
        "Pacific/Chatham",
        "America/Santiago",
        "UTC",
    ],
)
def test_a_local_date_is_the_zones_own_around_midnights_and_both_dst_nights(zone: str) -> None:
    """`local_date` keeps each quarter hour's date; it must answer what `fromtimestamp` answers, every
    minute and next to each quarter-hour boundary of 2026's DST nights and of ordinary midnights
    (zones with half- and quarter-hour offsets, and Lord Howe's half-hour DST, included)."""
    tz = ZoneInfo(zone)
    data = PlantData(tz=tz, as_of=0.0)
    start = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    hours = [start + h * HOUR for h in range(365 * 24)]
    changes = [
        t
        for t, after in pairwise(hours)
        if tz.utcoffset(datetime.fromtimestamp(t, UTC)) != tz.utcoffset(datetime.fromtimestamp(after, UTC))
    ]
    assert len(changes) == (0 if zone in ("UTC", "Asia/Kathmandu") else 2)
    days = [datetime(2026, 3, 2, tzinfo=tz).timestamp(), datetime(2026, 7, 15, tzinfo=tz).timestamp()]
    for around in [*changes, *days]:
        for step in range(-26 * 60, 26 * 60):
            t = around + step * 60.0
            for moment in (t, t + 0.4, t - 1e-7, t - 4e-7, t + 29.9999996):
                assert data.local_date(moment) == datetime.fromtimestamp(moment, tz).date(), (zone, moment)
