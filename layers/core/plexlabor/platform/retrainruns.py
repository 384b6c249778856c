"""The last run of a weekly retrain, kept beside the models of its family (ux164 #14).

scorer_retrain (`learning.service`) and incident_retrain (`incidents.retrain`) each put `runs/last.json` in
their registry's store (`models/scorer/`, `models/incidents/`) on every run, trained or not: when, the
outcome, how many decisions or corrections it counted and how many it needs. The KPI page reads it, so a
plant in its first weeks sees the run scheduled and skipping, not "No retrain has run yet". Here, below both
capabilities (they may not import each other), so both write the same record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from plexlabor.platform.artifacts import ArtifactError, ArtifactStore
from plexlabor.platform.modelregistry import LAST_RUN_KEY
from plexlabor.platform.observability import logger

SCORER_MODELS_PREFIX = "models/scorer/"
INCIDENT_MODELS_PREFIX = "models/incidents/"
"""The registries' prefixes (`validation.registry.SCORER_PREFIX`, `incidents.registry.PREFIX`; a test keeps them
equal), named here too so the web app finds the records without importing the incident coder (scikit-learn)."""
Outcome = Literal["too_few", "unchanged", "promoted", "shadow"]
"""Not trained (too few to learn from); trained, but the same as a stored model; trained and put in force;
trained and kept as a shadow."""


class RetrainRun(BaseModel):
    """One retrain run's outcome (counts only, no ids of people)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    at: AwareDatetime
    outcome: Outcome
    counted: int
    """Decisions (the scorer) or corrections (the incident coder) the run read."""
    needed: int
    """How many it needs to train at all."""
    unit: Literal["decision", "correction"]
    version: str | None = None
    """The model it trained, when it trained one."""

    @property
    def trained(self) -> bool:
        return self.outcome != "too_few"


def record_run(store: ArtifactStore, run: RetrainRun) -> None:
    """Put `run` as the family's last run (the previous one is replaced; the bucket keeps its versions)."""
    store.put(LAST_RUN_KEY, (run.model_dump_json(indent=1) + "\n").encode(), "application/json")


UNREADABLE = (ArtifactError, ValidationError)
"""What `read_last_run` raises when the record cannot be read."""


def read_last_run(store: ArtifactStore) -> RetrainRun | None:
    """The family's last run; None when none was recorded (`UNREADABLE` when it cannot be read)."""
    raw = store.get(LAST_RUN_KEY)
    return None if raw is None else RetrainRun.model_validate_json(raw)


def last_run(store: ArtifactStore) -> RetrainRun | None:
    """The family's last run; None when none was recorded or it cannot be read (logged: a page still shows)."""
    try:
        return read_last_run(store)
    except UNREADABLE as error:
        logger.warning("the last retrain run cannot be read", error=str(error))
        return None


@dataclass(frozen=True)
class RetrainRuns:
    """Where the KPI page reads each family's last run (stores rooted at the registries' prefixes; read through
    `webapp.kpireads.KpiRuns`, kept per warm container)."""

    scorer: ArtifactStore
    incidents: ArtifactStore

    def stores(self) -> dict[str, ArtifactStore]:
        """Each family's store, by the name the KPI page shows it under."""
        return {"scorer": self.scorer, "incidents": self.incidents}
