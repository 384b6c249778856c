"""`PLEXLABOR_JOB_LEAD_DAYS` (issue 16): read with the rest of where labor data comes from, carried by the labor
source to the crew's read; a value that is not a positive number of days is refused, naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from plexlabor.plant import PlantFolder
from plexlabor.platform.errors import ConfigurationError
from plexlabor.platform.settings import DEFAULT_JOB_LEAD_DAYS, PlexSourceSettings
from plexlabor.plex.sources import open_labor_source


def _source(plant: Path, **environ: str) -> float:
    settings = PlexSourceSettings.from_env({"PLEXLABOR_PLANT_DIR": str(plant), **environ})
    lead = open_labor_source(settings, lambda _arn: pytest.fail("no secret is read for a plant folder")).job_lead_days
    return lead


def test_the_lead_reaches_the_labor_source(labelled_plant: PlantFolder) -> None:
    assert _source(labelled_plant.path) == DEFAULT_JOB_LEAD_DAYS == 10
    assert _source(labelled_plant.path, PLEXLABOR_JOB_LEAD_DAYS="21") == 21


@pytest.mark.parametrize("value", ["0", "-3", "ten"])
def test_a_lead_that_is_not_a_positive_number_of_days_is_refused(labelled_plant: PlantFolder, value: str) -> None:
    with pytest.raises(ConfigurationError, match="PLEXLABOR_JOB_LEAD_DAYS"):
        _source(labelled_plant.path, PLEXLABOR_JOB_LEAD_DAYS=value)
