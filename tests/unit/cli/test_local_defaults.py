"""`plexlabor local up` as a person uses it: the poller fired by hand without a window reads the plant's last
day; the console has one readable line per handler call."""

from __future__ import annotations

from datetime import datetime, timedelta

from plexlabor.plant import PlantFolder
from plexlabor_dev.local.cli import describe_invocation
from plexlabor_dev.local.invoker import Invocation
from plexlabor_dev.local.runtime import LocalRuntime


def test_the_poller_fired_without_a_window_reads_the_plants_last_day(labelled_plant: PlantFolder) -> None:
    # A generated plant's data ends in the past: "since the cursor, until now" would find nothing
    runtime = LocalRuntime(plant_dir=labelled_plant.path)
    end = labelled_plant.meta().end

    detail = runtime.default_detail("punch_poller")

    assert datetime.fromisoformat(detail["until"]) == end
    assert datetime.fromisoformat(detail["since"]) == end - timedelta(days=1)
    assert runtime.default_detail("norms_refresh") == {}  # other schedules: the event's own time
    assert LocalRuntime().default_detail("punch_poller") == {}  # no plant folder: a real Plex, its "now"


def test_local_up_prints_one_readable_line_per_handler_call() -> None:
    ok = Invocation("punch_validator", "sqs", "r-1", started=0.0, seconds=0.42, records=5)
    failed = Invocation("plex_writeback", "sqs", "r-2", started=0.0, seconds=1.5, error="PlexError: 503", records=1)
    tick = Invocation("punch_poller", "schedule", "r-3", started=0.0, seconds=0.8)

    lines = [describe_invocation(call) for call in (ok, failed, tick)]

    assert lines[0].split()[1:] == ["punch_validator", "sqs", "5", "record(s)", "0.42", "s", "ok"]
    assert lines[1].endswith("1.50 s  error: PlexError: 503")
    assert lines[2].split()[1:] == ["punch_poller", "schedule", "0.80", "s", "ok"]
    assert all("{" not in line for line in lines)  # no JSON on the console
