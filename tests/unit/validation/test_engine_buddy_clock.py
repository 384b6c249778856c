"""Buddy punches at one clock seconds apart (issue 11 section 3): a badge read within seconds of another
employee's at the same clock is one more signal in the buddy-punch score of someone who already shows a
sign of not being there; a queue's spacing is not, and it never makes a suspect on its own."""

from __future__ import annotations

from datetime import timedelta

from plant_builder import TUESDAY, PlantBuilder, plex_time

from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.findings import Finding
from plexlabor.validation.norms import compute_norms

A = AnomalyType


def at_the_clock(
    engine: ValidationEngine, seconds: float, badge_in: bool, device: str = "CLK-1"
) -> tuple[list[Finding], list[str]]:
    """E1 and E2 share clock CLK-1; on Tuesday E2's clock-in is read `seconds` after E1's (E2's break at
    another time) and E2 never logs in at the workcenter, and badges in at the door or not. The buddy-punch
    findings (at trend confidence or more), and E2's entries."""
    plant = PlantBuilder(weeks=8).employee("E1", device=device).employee("E2", device=device)
    first = plant.work_day("E1", TUESDAY)
    second = plant.work_day("E2", TUESDAY, badge_in=badge_in, login_gap=None, break_at=("10:20", "10:50"))
    read = first.clock_in + timedelta(seconds=seconds)
    plant.edit("time-clock-entries", second.entries[0], clockinTime=plex_time(read))
    data = plant.build()
    findings = [f for f in engine.batch(data, compute_norms(data)) if f.anomaly_type == A.BUDDY_PUNCH]
    return findings, second.entry_keys


def test_a_read_seconds_after_a_colleagues_adds_weight_to_other_signs(engine: ValidationEngine) -> None:
    # Given E2 with no badge-in and no login, read 1.5 s after E1 at their clock, or 5 s after (a queue)
    close, keys = at_the_clock(engine, 1.5, badge_in=False)
    queue, _ = at_the_clock(engine, 5.0, badge_in=False)
    # Then 1.5 s apart is one more signal in the same score: E2's entries (only: E1 shows no sign of absence)
    # rise from under the trend threshold to review with the two other signs (the scorer trained on plants whose
    # buddy punches are read at a colleague's clock weighs it so: 0.72; the one trained before, 0.50) ...
    assert {f.record_key for f in close} == set(keys) and queue == []
    assert all(0.7 <= f.confidence < 0.8 and f.route == "review" for f in close)
    assert close[0].evidence["beside"] == {"clock": "CLK-1", "seconds_apart": 1.5}
    assert close[0].evidence["signal_count"] == 3
    # ... and the note says so, without naming the other employee
    assert "read 1.5 s from another employee's badge at CLK-1" in close[0].note
    assert "E1" not in close[0].note


def test_a_read_seconds_apart_alone_makes_no_suspect(engine: ValidationEngine) -> None:
    # Given E2 read 1.5 s after E1 at their clock, but badged in at the door and logged in as usual
    findings, _ = at_the_clock(engine, 1.5, badge_in=True)
    # Then nobody is a buddy-punch candidate
    assert findings == []


def test_punches_seconds_apart_on_the_phone_app_are_no_signal(engine: ValidationEngine) -> None:
    # Given the same day punched on the phone app (every mobile punch shares its device), 1.5 s apart
    close, _ = at_the_clock(engine, 1.5, badge_in=False, device="MOB-1")
    # Then it is not one hand at one clock: no finding reaches the trend threshold
    assert close == []
