"""How incident_log is wired: its settings, and its dependencies built once per environment.

Configuration (`IncidentSettings`):
- `AUDIT_TABLE_NAME`: where incidents are recorded (and the review queue reads them);
- where the plant's workcenters and shifts come from (for "where" in the text, and the workcenters,
  departments and shifts a report may name: `PlantChoices`): `PLEXLABOR_PLANT_DIR` or Plex
  (`PLEXLABOR_PLEX_*`, `PLEX_API_KEY_SECRET_ARN`, `PLEXLABOR_TIMEZONE`), places and choices read again
  hourly; when the read fails the incident is still logged, with the places and choices last read (at
  first none: its fields as typed; logged as a warning); the jobs a report may name (`plex.jobs`, as the
  copilot checks them): a job a successful read of the source lacks is refused, while they cannot be read
  (Plex slow or down) it is taken as typed and the reporter told so. Plex is read inside the request with the
  short limits of a read a person waits on (`plex.settings.INTERACTIVE_LIMITS`: one try of 4 s), so a slow
  Plex never holds a report past the function's timeout;
- the rollout scope (`PilotSettings`), only to show it on a refused form's page as every web app page does: it
  holds back no incident (`platform.pilot.NEVER_HELD`);
- `INCIDENT_TRANSCRIBE_LANGUAGE` (e.g. `en-US`) with `ARTIFACTS_BUCKET_NAME`: recorded reports are
  transcribed by Amazon Transcribe (`transcribe`); unset, a recording is refused.

incident_trends (`TrendsSettings`, `trends_dependencies`): `AUDIT_TABLE_NAME` (the incidents), where
labor data comes from (`PlexSourceSettings`, as above), where the report goes (`ArtifactSettings`,
required: `ARTIFACTS_BUCKET_NAME` under `reports/incidents/`, or `PLEXLABOR_ARTIFACTS_DIR`), the plant's policy
(`PolicySettings`: `VALIDATION_POLICY`, optional), of which its `overtime_after_hours` (40): the weekly hours
overtime counts after, as allocation, the forecast and the crew plan count it; the window is 12 weeks unless the
event says otherwise.

The model is the one in force in the registry (`registry`: `models/incidents/latest.json`, when
`ARTIFACTS_BUCKET_NAME` or `PLEXLABOR_ARTIFACTS_DIR` is set), else the one the core layer ships
(`PACKAGED_MODEL`, built by `make incidents-model`); when neither can be loaded every incident goes for
review (logged as a warning).

incident_retrain (`RetrainEnvSettings`, `retrain_dependencies`): `AUDIT_TABLE_NAME` (the corrections in,
the `model` events out) and the artifacts store (required: the registry).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field

from plexlabor.incidents.classifier import IncidentClassifier, version_of
from plexlabor.incidents.errors import IncidentModelError
from plexlabor.incidents.nightly import TrendsDeps
from plexlabor.incidents.registry import PREFIX as MODELS_PREFIX
from plexlabor.incidents.registry import IncidentModels, ModelInForce
from plexlabor.incidents.retrain import RetrainDeps
from plexlabor.incidents.service import IncidentDeps, KeptPlantChoices, PlantChoices, readable_shifts
from plexlabor.incidents.spoken import SpokenReportSettings
from plexlabor.incidents.trends import REPORT_PREFIX
from plexlabor.platform import env
from plexlabor.platform.artifacts import ArtifactSettings, RequiredArtifactSettings
from plexlabor.platform.kept import Kept
from plexlabor.platform.settings import PerEnvironment, PilotSettings, PlexSourceSettings
from plexlabor.plex.jobs import PlexJobs, job_spellings
from plexlabor.validation.policy import PolicySettings

logger = logging.getLogger(__name__)

PACKAGED_MODEL = Path(__file__).with_name("oiics_model.pkl")
"""Trained by `make incidents-model` (git-ignored; `make layers` ships it in the core layer)."""


class IncidentSettings(PlexSourceSettings, PilotSettings, ArtifactSettings, SpokenReportSettings):
    audit_table_name: str = Field(alias=env.AUDIT_TABLE_NAME)


def transcriber(settings: IncidentSettings) -> Callable[[bytes, str], str] | None:
    """Amazon Transcribe through the artifacts bucket, when a language is set and there is a bucket."""
    if not settings.transcribe_language or not settings.artifacts_bucket_name:
        return None
    from plexlabor.incidents.transcribe import AwsTranscriber

    return AwsTranscriber(settings.artifacts_bucket_name, settings.transcribe_language).transcribe


def packaged_classifier(path: Path = PACKAGED_MODEL) -> IncidentClassifier | None:
    """The shipped model, or None (every incident then goes for review) when it is missing or unusable."""
    try:
        return IncidentClassifier.load(path)
    except (OSError, IncidentModelError) as error:
        logger.warning("no incident model in force: every incident goes for review", extra={"reason": str(error)})
        return None


def packaged_version(path: Path = PACKAGED_MODEL) -> str | None:
    """The shipped model's version (`classifier.version_of` its file, which is not unpickled), or None when there
    is none."""
    try:
        return version_of(path.read_bytes())
    except OSError:
        return None


def plant_places(settings: PlexSourceSettings) -> tuple[ZoneInfo, KeptPlantChoices]:
    """The plant's time zone, and its workcenters (code and name, for "where" in the text), departments and
    shifts a report may name, read again hourly (`KeptPlantChoices`); no places and no choices yet (taken
    as typed, tried again after a rest) when they cannot be read."""
    zone = ZoneInfo(settings.timezone or "UTC")
    choices = KeptPlantChoices(read=lambda: _read_plant(settings)[1])
    try:
        zone, first = _read_plant(settings)
    except Exception as error:  # Plex down or misconfigured: log the incident anyway, without places
        logger.warning("workcenters not read: no places for extraction", extra={"reason": str(error)})
        choices.tried_at, choices.failed = choices.clock(), True
        return zone, choices
    choices.last, choices.tried_at = first, choices.clock()
    return zone, choices


def plant_jobs(settings: PlexSourceSettings) -> PlexJobs:
    """The jobs a report may name, read from the labor source on first use (Plex with `INTERACTIVE_LIMITS`: the
    reporter waits) and kept as the copilot keeps them (`plex.jobs`): a job a successful read lacks is refused,
    and while they cannot be read a job is taken as typed."""

    def read() -> dict[str, str]:
        from plexlabor.plex.sources import open_labor_source_from_aws

        with open_labor_source_from_aws(settings, interactive=True) as source:
            return job_spellings(source.port.jobs())

    return PlexJobs(Kept(read, "Plex jobs for incidents"))


def _read_plant(settings: PlexSourceSettings) -> tuple[ZoneInfo, PlantChoices]:
    from plexlabor.plex.sources import open_labor_source_from_aws

    with open_labor_source_from_aws(settings, interactive=True) as source:
        workcenters, employees = source.port.workcenters(), source.port.employees()
        return ZoneInfo(source.timezone), PlantChoices.of(workcenters, employees, readable_shifts(source.port))


def _models(settings: ArtifactSettings) -> IncidentModels | None:
    store = settings.artifact_store(MODELS_PREFIX)
    return IncidentModels(store) if store is not None else None


def build(settings: IncidentSettings) -> IncidentDeps:
    """The real adapters (clients are created on first use)."""
    from plexlabor.audit.dynamodb import DynamoDbAuditStore

    zone, choices = plant_places(settings)
    return IncidentDeps(
        audit=DynamoDbAuditStore(settings.audit_table_name),
        classifier=None,
        in_force=ModelInForce(_models(settings), packaged_classifier).current,
        transcribe=transcriber(settings),
        scope=settings.pilot_scope,
        zone=zone,
        plant_choices=choices,
        jobs=plant_jobs(settings),
    )


dependencies = PerEnvironment(IncidentSettings, build)
"""The dependencies from the environment: built on first use, rebuilt only if a variable it reads changes."""


class TrendsSettings(PlexSourceSettings, RequiredArtifactSettings, PolicySettings):
    audit_table_name: str = Field(alias=env.AUDIT_TABLE_NAME)


def build_trends(settings: TrendsSettings) -> TrendsDeps:
    """incident_trends' adapters (clients are created on first use)."""
    from plexlabor.audit.dynamodb import DynamoDbAuditStore
    from plexlabor.plex.sources import open_labor_source_from_aws

    return TrendsDeps(
        audit=DynamoDbAuditStore(settings.audit_table_name),
        source=open_labor_source_from_aws(settings),
        reports=settings.required_store(REPORT_PREFIX),
        plant=settings.validation_policy.punch,
    )


trends_dependencies = PerEnvironment(TrendsSettings, build_trends)
"""incident_trends' dependencies from the environment, built on first use."""


class RetrainEnvSettings(RequiredArtifactSettings):
    audit_table_name: str = Field(alias=env.AUDIT_TABLE_NAME)


def build_retrain(settings: RetrainEnvSettings) -> RetrainDeps:
    """incident_retrain's adapters (clients are created on first use)."""
    from plexlabor.audit.dynamodb import DynamoDbAuditStore

    models = IncidentModels(settings.required_store(MODELS_PREFIX))
    return RetrainDeps(audit=DynamoDbAuditStore(settings.audit_table_name), models=models, packaged=packaged_classifier)


retrain_dependencies = PerEnvironment(RetrainEnvSettings, build_retrain)
"""incident_retrain's dependencies from the environment, built on first use."""
