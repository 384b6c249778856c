"""A timeline's local times, written from a quarter hour's text, are what `datetime.isoformat` writes."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from plexlabor.validation.data import PlantData
from plexlabor.validation.timeline import _Clock

ZONES = ("America/Chicago", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kathmandu", "Asia/Kolkata", "UTC")


@pytest.mark.parametrize("zone", ZONES)
def test_local_times_match_isoformat_over_dst_nights_and_odd_offsets(zone: str) -> None:
    tz = ZoneInfo(zone)
    clock = _Clock(PlantData(tz=tz, as_of=0.0))
    rng = random.Random(zone)
    begin = datetime(2025, 1, 1, tzinfo=UTC).timestamp()
    moments = [begin + rng.uniform(0, 2 * 365 * 86400) for _ in range(5000)]
    # every second around each change of offset in those two years, and the half seconds round() decides
    changes = [
        t
        for t in range(int(begin), int(begin) + 2 * 365 * 86400, 900)
        if datetime.fromtimestamp(t, tz).utcoffset() != datetime.fromtimestamp(t + 900, tz).utcoffset()
    ]
    moments += [c + d + half for c in changes for d in range(-5, 905) for half in (0.0, 0.5)]
    for t in moments:
        assert clock.at(t) == datetime.fromtimestamp(round(t), tz).isoformat(), t


def test_the_quarters_are_kept_with_the_data() -> None:
    data = PlantData(tz=ZoneInfo("America/Chicago"), as_of=0.0)
    _Clock(data).at(1_760_000_000.0)
    assert data.memo["timeline.quarters"]


@pytest.mark.parametrize("zone", ("America/Chicago", "Europe/Amsterdam"))
def test_offsets_off_the_quarter_hour_are_written_as_isoformat_writes_them(zone: str) -> None:
    """Before standard time (Chicago's local mean time -5:50:36 until 1883; Amsterdam +0:19:32 until 1937)."""
    tz = ZoneInfo(zone)
    clock = _Clock(PlantData(tz=tz, as_of=0.0))
    rng = random.Random(1)
    begin = datetime(1880, 1, 1, tzinfo=UTC).timestamp()
    for t in (begin + rng.uniform(0, 3 * 365 * 86400) for _ in range(2000)):
        assert clock.at(t) == datetime.fromtimestamp(round(t), tz).isoformat(), t
