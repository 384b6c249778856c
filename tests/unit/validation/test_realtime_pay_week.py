"""The real-time slice holds the record's pay week (docs audit s17 H1): with Sunday-to-Saturday pay weeks configured,
a punch validated after its week (an edit, a replay) is judged on its whole pay week, as the nightly sweep judges it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from plant_builder import PlantBuilder
from test_engine_policy import sunday_to_saturday_week

from plexlabor.intake.context import week_window
from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.engine import EngineSettings, ValidationEngine
from plexlabor.validation.norms import compute_norms
from plexlabor.validation.policy import Weekday, read_policy

SUNDAY: Weekday = "sunday"


@pytest.mark.parametrize(
    ("week_starts", "found"), [(SUNDAY, ["2026-11-08"]), ("monday", [])], ids=["pay-week", "iso-week"]
)
def test_a_sunday_punch_validated_in_real_time_counts_its_whole_sunday_pay_week(
    week_starts: Weekday, found: list[str]
) -> None:
    # Given 55.1 h from Sunday 8 to Friday 13 November, Sunday pay weeks, and the whole week in the plant's data
    plant = PlantBuilder(weeks=8).employee("E1")
    days = sunday_to_saturday_week(plant)
    data = plant.build()
    engine = ValidationEngine(settings=EngineSettings.of(read_policy({"pay_week_starts": "sunday"})))
    record = plant.time_clock_entry(days[0].entries[0])
    # When Sunday's clock-in is validated in real time on the slice cut from the week's first day (or the ISO week's)
    slice_ = data.slice_for("E1", record.clockin_time.timestamp(), week_starts)
    findings = engine.realtime(record, slice_, compute_norms(data))
    # Then the pay week's slice sees the 55.1 h week over the limit, as the batch does; the ISO slice stops on Tuesday
    assert [f.evidence["week"] for f in findings if f.anomaly_type == AnomalyType.EXCESSIVE_OVERTIME] == found


def test_the_batch_context_reads_a_records_pay_week_and_a_day_either_side() -> None:
    zone = ZoneInfo("America/Detroit")
    sunday = datetime(2026, 11, 8, 6, 0, tzinfo=zone)
    low, high = week_window(sunday, zone, SUNDAY)
    assert (low.astimezone(zone), high.astimezone(zone)) == (
        datetime(2026, 11, 7, tzinfo=zone),  # Saturday
        datetime(2026, 11, 16, tzinfo=zone),  # the Monday after the pay week's Saturday
    )
    # Monday, the default, is the ISO week's window as before
    iso_low, _ = week_window(sunday, zone)
    assert iso_low == datetime(2026, 11, 2, tzinfo=zone).astimezone(UTC) - timedelta(days=1)
    assert week_window(sunday + timedelta(days=6), zone, SUNDAY) == (low, high)  # its Saturday: the same window
