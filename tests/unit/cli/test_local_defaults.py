"""`plexlabor local up` as a person uses it: the poller fired by hand without a window reads the plant's last
day, the other schedules run as of the plant's end; the console has one readable line per handler call."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from plexlabor.allocation.nightly import AllocationNightlyDetail
from plexlabor.analytics.nightly import AnalyticsNightlyDetail
from plexlabor.crew.replanning import CallOffDetail
from plexlabor.crew.service import CrewPlannerDetail
from plexlabor.forecast.nightly import ForecastDetail
from plexlabor.incidents.nightly import IncidentTrendsDetail
from plexlabor.intake.nightly import NightlyDetail
from plexlabor.plant import PlantFolder
from plexlabor.skills.service import SkillsDailyDetail
from plexlabor_dev.local.cli import describe_invocation
from plexlabor_dev.local.invoker import Invocation
from plexlabor_dev.local.runtime import AS_OF_PLANT_END, LocalRuntime


def test_the_poller_fired_without_a_window_reads_the_plants_last_day(labelled_plant: PlantFolder) -> None:
    # A generated plant's data ends in the past: "since the cursor, until now" would find nothing
    runtime = LocalRuntime(plant_dir=labelled_plant.path)
    end = labelled_plant.meta().end

    detail = runtime.default_detail("punch_poller")

    assert datetime.fromisoformat(detail["until"]) == end
    assert datetime.fromisoformat(detail["since"]) == end - timedelta(days=1)
    assert LocalRuntime().default_detail("punch_poller") == {}  # no plant folder: a real Plex, its "now"


def test_schedules_fired_without_a_body_run_as_of_the_plants_end(labelled_plant: PlantFolder) -> None:
    # "Today" has no data on a generated plant: every schedule that runs as of a moment takes its end
    runtime = LocalRuntime(plant_dir=labelled_plant.path)
    meta = labelled_plant.meta()
    last_day = (meta.end - timedelta(microseconds=1)).astimezone(ZoneInfo(meta.timezone)).date().isoformat()

    assert runtime.default_detail("crew_planner") == {"date": last_day}
    assert runtime.default_detail("skills_daily") == {"as_of": last_day}
    assert runtime.default_detail("allocation_nightly") == {"day": last_day}
    assert runtime.default_detail("forecast_nightly") == {"as_of": meta.end.isoformat()}
    assert runtime.default_detail("crew_call_offs") == {"as_of": meta.end.isoformat()}  # ux119 #13: not the wall clock
    assert runtime.default_detail("review_sweep") == {}  # not about a moment of the plant: its own time
    assert LocalRuntime().default_detail("skills_daily") == {}


def test_each_default_detail_is_one_its_function_accepts(labelled_plant: PlantFolder) -> None:
    runtime = LocalRuntime(plant_dir=labelled_plant.path)
    models: dict[str, type[BaseModel]] = {
        "norms_refresh": NightlyDetail,
        "forecast_nightly": ForecastDetail,
        "crew_planner": CrewPlannerDetail,
        "skills_daily": SkillsDailyDetail,
        "allocation_nightly": AllocationNightlyDetail,
        "analytics_nightly": AnalyticsNightlyDetail,
        "incident_trends": IncidentTrendsDetail,
        "crew_call_offs": CallOffDetail,
    }
    assert set(models) == set(AS_OF_PLANT_END)
    for function, model in models.items():
        parsed = model.model_validate(runtime.default_detail(function))
        assert any(value is not None for value in parsed.model_dump().values()), function


def test_local_up_prints_one_readable_line_per_handler_call() -> None:
    ok = Invocation("punch_validator", "sqs", "r-1", started=0.0, seconds=0.42, records=5)
    failed = Invocation("plex_writeback", "sqs", "r-2", started=0.0, seconds=1.5, error="PlexError: 503", records=1)
    tick = Invocation("punch_poller", "schedule", "r-3", started=0.0, seconds=0.8)

    lines = [describe_invocation(call) for call in (ok, failed, tick)]

    assert lines[0].split()[1:] == ["punch_validator", "sqs", "5", "record(s)", "0.42", "s", "ok"]
    assert lines[1].endswith("1.50 s  error: PlexError: 503")
    assert lines[2].split()[1:] == ["punch_poller", "schedule", "0.80", "s", "ok"]
    assert all("{" not in line for line in lines)  # no JSON on the console


def test_starting_the_local_runtime_imports_no_handler_observability() -> None:
    # platform.observability makes Powertools' logger and metrics at import, from the environment of the
    # moment: imported by the runtime before a handler runs, they keep no namespace and every handler's
    # metrics flush then fails ("Must contain a metric namespace": make demo's poll crashed so)
    code = (
        "import sys, plexlabor_dev.local.runtime, plexlabor_dev.local.stack, plexlabor_dev.demo; "
        "print(sorted(m for m in sys.modules if m.startswith('plexlabor.platform.observability')))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert found.stdout.strip() == "[]"
