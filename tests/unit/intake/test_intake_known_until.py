"""A poll's messages carry how far the source was read (`known_until`): the validator judges a missing
clock-out as of then, so a replay of a past window does not flag a shift still on the floor at its end."""

from __future__ import annotations

from datetime import timedelta

from plexlabor.intake.messages import PunchMessage
from plexlabor.intake.validator import batch_clock
from plexlabor.models import TimeClockEntry
from tests.unit.intake.test_intake_validator_handler import NOW, findings_in, make_deps, run


def open_at_the_end(plant_source, samples) -> TimeClockEntry:
    """A clock-in of the plant's last night with no clock-out: its shift was on the floor at the end."""
    last_night = [
        entry
        for entry in plant_source.time_clock_entries(samples.end - timedelta(hours=12), samples.end)
        if entry.clockout_time is None
    ]
    assert last_night, "the intake plant ends with a shift on the floor"
    return last_night[0]


def test_a_poll_of_a_past_window_does_not_call_a_shift_still_on_the_floor_a_missed_punch(
    plant_source, samples, audit, approvals
) -> None:
    entry = open_at_the_end(plant_source, samples)
    late = samples.end + timedelta(days=14)  # the validator runs two weeks after the window it replays
    deps = make_deps(plant_source, samples, audit, approvals)
    deps.clock = lambda: late
    # When the poll that read the window up to the plant's end hands the validator the open clock-in
    polled = PunchMessage.of(entry, "poll", late, known_until=samples.end)
    run(deps, [polled.model_dump_json()])
    # Then nothing is missing yet: its shift had not ended when the data was read
    assert [f for f in findings_in(audit) if f.payload.get("anomaly_type") == "MISSED_PUNCH"] == []
    # ...while the same record judged as of the validator's clock (a webhook's) is a missed clock-out
    webhook = PunchMessage.of(entry.model_copy(update={"modified_date": late}), "webhook", late)
    run(deps, [webhook.model_dump_json()])
    assert [f.payload["anomaly_type"] for f in findings_in(audit)] == ["MISSED_PUNCH"]


def test_a_replay_batched_with_the_live_poll_is_still_judged_as_of_its_end(
    plant_source, samples, audit, approvals
) -> None:
    # Given the replayed open clock-in and a record of the live poll in one SQS batch, two weeks later
    entry = open_at_the_end(plant_source, samples)
    late = samples.end + timedelta(days=14)
    deps = make_deps(plant_source, samples, audit, approvals)
    deps.clock = lambda: late
    replayed = PunchMessage.of(entry, "poll", late, known_until=samples.end)
    live = PunchMessage.of(samples.clean.entry, "poll", late, known_until=late)
    run(deps, [replayed.model_dump_json(), live.model_dump_json()])
    # Then the replayed shift is not a missed punch
    assert [f for f in findings_in(audit) if f.payload.get("anomaly_type") == "MISSED_PUNCH"] == []


def test_the_batch_clock_is_the_earliest_poll_horizon_never_past_the_clock() -> None:
    clock = lambda: NOW  # noqa: E731
    polled = [
        PunchMessage.model_validate(
            {
                "source": "poll",
                "resource": "time-clock-entries",
                "record": {"id": f"T{i}", "employeeId": "E1", "clockinTime": "2026-11-20T13:00:00Z"},
                "received_at": NOW,
                "known_until": NOW - timedelta(hours=hours),
            }
        )
        for i, hours in enumerate((30, 6))
    ]
    assert batch_clock(polled, clock)() == NOW - timedelta(hours=30)
    ahead = polled[0].model_copy(update={"known_until": NOW + timedelta(hours=1)})
    assert batch_clock([ahead], clock)() == NOW
    webhook = polled[0].model_copy(update={"known_until": None})
    assert batch_clock([*polled, webhook], clock)() == NOW - timedelta(hours=30)
    assert batch_clock([webhook], clock)() == NOW
    assert batch_clock([], clock)() == NOW
