"""The intraday refresh on one read (`plexlabor.intraday`, `plex.held`): each capability sees exactly the
records its own read returns, the source is read once, and the runs give what the two functions give."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from functions.forecast_nightly import handler as forecast_nightly
from functions.skills_daily import handler as skills_daily
from plexlabor import intraday
from plexlabor.audit import InMemoryAuditStore
from plexlabor.forecast import data as forecast_data
from plexlabor.forecast import wiring as forecast_wiring
from plexlabor.forecast.nightly import ForecastNightlyEvent, refresh
from plexlabor.plant import PlantFolder
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.held import Read, hold
from plexlabor.plex.snapshot import read_snapshot
from plexlabor.plex.sources import LaborSource
from plexlabor.skills import data as skills_data
from plexlabor.skills import wiring as skills_wiring
from tests.support import FakeLambdaContext, load_event

from .conftest import FAST

ZONE = "America/Detroit"
NIGHT, LATER = datetime(2026, 11, 20, 8, tzinfo=UTC), datetime(2026, 11, 20, 17, 30, tzinfo=UTC)
DAY = date(2026, 11, 20)


class CountingFolder(PlantFolderSource):
    """Counts the windowed reads of labor entries (the largest kind both capabilities read)."""

    labor_reads = 0

    def labor_entries(self, begin: datetime, end: datetime) -> Any:
        self.labor_reads += 1
        return super().labor_entries(begin, end)


def _reads() -> list[Read]:
    return [
        Read(forecast_data.REFERENCE, forecast_data.forecast_windows(LATER, FAST)),
        Read(skills_data.REFERENCE, skills_data.skills_windows(DAY, ZONE)),
    ]


def test_each_read_of_the_held_port_is_the_sources_own(labelled_plant: PlantFolder) -> None:
    folder = CountingFolder(labelled_plant.path)
    held = hold(folder, _reads(), ZONE)
    assert folder.labor_reads == 1
    for read, open_jobs_only in zip(_reads(), (False, True), strict=True):
        kwargs: dict[str, Any] = {
            "reference": read.reference,
            "windows": read.windows,
            "timezone": ZONE,
            "open_jobs_only": open_jobs_only,
        }
        assert read_snapshot(held, **kwargs) == read_snapshot(folder, **kwargs)
    assert folder.labor_reads == 3  # the two reads from the source above; none from the held port
    wider = (datetime(2025, 1, 1, tzinfo=UTC), LATER)  # beyond what was read: asked from the source
    assert held.labor_entries(*wider) == folder.labor_entries(*wider)
    assert folder.labor_reads == 5


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_the_intraday_refresh_reads_once_and_refreshes_forecasts_and_coverage(labelled_plant: PlantFolder) -> None:
    folder = CountingFolder(labelled_plant.path)
    source = LaborSource(folder, ZONE)
    forecasts = forecast_wiring.Dependencies(source, InMemoryArtifactStore(), InMemoryAuditStore(), settings=FAST)
    event = load_event("forecast_nightly")
    forecast_nightly.handler(
        {**event, "detail": {"as_of": NIGHT.isoformat()}}, FakeLambdaContext(), dependencies=forecasts
    )
    skills = skills_wiring.Dependencies(source, InMemoryAuditStore(), reports=InMemoryArtifactStore())
    deps = intraday.Dependencies(forecasts, skills)
    request = ForecastNightlyEvent.model_validate({**event, "detail": {"as_of": LATER.isoformat()}})
    folder.labor_reads = 0

    summary = intraday.run(deps, request)

    assert folder.labor_reads == 1  # one read for both
    # the same as the two capabilities on their own reads
    alone = refresh(forecasts, request)
    skills_alone = skills_wiring.Dependencies(source, InMemoryAuditStore(), reports=InMemoryArtifactStore())
    coverage = skills_daily.handler(
        {**load_event("skills_daily"), "detail": {"as_of": DAY.isoformat()}},
        FakeLambdaContext(),
        dependencies=skills_alone,
    )
    same: tuple[str, ...] = (
        "forecasts",
        "forecast_p50_hours",
        "alerts",
        "overtime_projections",
        "projected_overtime_hours",
    )
    same += ("model_version", "trained_on", "method")
    assert {k: summary["forecasts"].get(k) for k in same} == {k: alone.get(k) for k in same}
    assert summary["forecasts"]["forecasts"] > 0 and "train" not in summary["forecasts"]["seconds"]
    totals = ("as_of", "gaps", "hours_at_risk", "lapsed", "expiring", "published")
    assert {k: summary["coverage"].get(k) for k in totals} == {k: coverage.get(k) for k in totals}
    assert summary["coverage"]["gaps"] > 0
    assert skills.reports is not None and skills_alone.reports is not None
