"""The local runtime's defaults for schedules fired by hand (`POST /_local/schedules/<function>` without a body)."""

from __future__ import annotations

from datetime import datetime, timedelta

from plexlabor.plant import PlantFolder
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
