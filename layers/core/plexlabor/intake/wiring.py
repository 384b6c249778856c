"""How the scheduled intake functions are wired: their dependencies, and building them from the environment.

- `punch_poller`: `PollerDependencies`, built from `PollerSettings` by `poller_dependencies`;
- `norms_refresh` (and `validation_backfill`): `NormsRefreshDependencies`, built from `NormsRefreshSettings` by
  `norms_refresh_dependencies`; their sweep and shards score with the scorer in force, as punch_validator does
  (`plexlabor.validation.registry.scorer_in_force`).
The settings models (their variables documented there) are `plexlabor.intake.settings`. Each
`*_dependencies` is built on first use and rebuilt only if a variable its settings read changes.
Importing this module loads no AWS SDK and no numeric stack, and nothing of the validation engine
(punch_poller's cold start): adapters and the nightly job's collaborators load when built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from plexlabor.intake.cursor import CursorStore
from plexlabor.intake.poller import PollPolicy
from plexlabor.intake.queue import PunchQueue
from plexlabor.intake.settings import NormsRefreshSettings, PollerSettings
from plexlabor.platform.clock import utc_now
from plexlabor.platform.settings import PerEnvironment
from plexlabor.plex.port import LaborDataPort

if TYPE_CHECKING:  # the nightly job's types: not loaded on punch_poller's cold start
    from plexlabor.audit.validations import ValidationCounter
    from plexlabor.intake.norms_store import NormsStore
    from plexlabor.intake.recording import FindingRecorder
    from plexlabor.platform.artifacts import ArtifactStore
    from plexlabor.validation.engine import ValidationEngine
    from plexlabor.validation.policy import ValidationPolicy
    from plexlabor.validation.registry import ScorerLoader

NORMS_REFRESH_ACTOR = "norms_refresh"
"""Who the sweep's findings are recorded by in the audit trail."""


@dataclass(frozen=True)
class PollerDependencies:
    source: LaborDataPort
    cursors: CursorStore
    queue: PunchQueue
    policy: PollPolicy = field(default_factory=PollPolicy)
    clock: Callable[[], datetime] = utc_now


def build_poller(settings: PollerSettings) -> PollerDependencies:
    """The real adapters (clients are created on first use)."""
    from plexlabor.intake.aws import DynamoDbCursorStore, SqsPunchQueue
    from plexlabor.plex.sources import open_labor_source_from_aws

    return PollerDependencies(
        source=open_labor_source_from_aws(settings).port,
        cursors=DynamoDbCursorStore(settings.state_table_name),
        queue=SqsPunchQueue(settings.punch_queue_url),
        policy=PollPolicy(
            lookback=timedelta(hours=settings.lookback_hours),
            overlap=timedelta(seconds=settings.overlap_s),
            labor_window=timedelta(hours=settings.labor_window_hours),
        ),
    )


poller_dependencies = PerEnvironment(PollerSettings, build_poller)


@dataclass
class NormsRefreshDependencies:
    source: LaborDataPort
    timezone: str
    norms_store: NormsStore
    recorder: FindingRecorder
    history: timedelta = timedelta(weeks=26)
    sweep_window: timedelta = timedelta(days=2)
    engine: ValidationEngine = field(default_factory=lambda: _validation_engine())
    clock: Callable[[], datetime] = utc_now
    counter: ValidationCounter | None = None
    """Where the sweep counts the records no validator counted (the state table); None: not counted."""
    extracts: ArtifactStore | None = None
    """Where the backfill keeps each slice's extract (`intake.backfill`); None: its shards read Plex."""
    scorer: ScorerLoader | None = None
    """The scorer model in force and its shadow (`plexlabor.validation.registry.scorer_in_force`, as punch_validator's),
    given to `engine` once per sweep and per backfill shard; None: `engine`'s own."""

    def score_with_model_in_force(self) -> str:
        """Have `engine` score with the model in force (when a scorer is wired); the version it scores with."""
        return (self.scorer.score_with(self.engine) if self.scorer is not None else self.engine.model).version


def _validation_engine(policy: ValidationPolicy | None = None) -> ValidationEngine:
    """The engine of the plant's policy (`VALIDATION_POLICY`); None: the default policy."""
    from plexlabor.validation.engine import EngineSettings, ValidationEngine
    from plexlabor.validation.policy import ValidationPolicy

    return ValidationEngine(settings=EngineSettings.of(policy or ValidationPolicy()))


def build_norms_refresh(settings: NormsRefreshSettings) -> NormsRefreshDependencies:
    """The real adapters (clients are created on first use)."""
    from plexlabor.audit.dynamodb import DynamoDbValidationCounter
    from plexlabor.intake.aws import S3NormsStore
    from plexlabor.intake.backfill import EXTRACTS_PREFIX
    from plexlabor.intake.recording import PlantPlaces, build_recorder
    from plexlabor.platform.s3artifacts import S3ArtifactStore
    from plexlabor.plex.sources import open_labor_source_from_aws
    from plexlabor.validation.registry import scorer_in_force

    source = open_labor_source_from_aws(settings)
    return NormsRefreshDependencies(
        source=source.port,
        timezone=source.timezone,
        norms_store=S3NormsStore(settings.artifacts_bucket_name),
        recorder=build_recorder(settings, NORMS_REFRESH_ACTOR, PlantPlaces(source.port)),
        history=timedelta(weeks=settings.history_weeks),
        sweep_window=timedelta(days=settings.sweep_days),
        engine=_validation_engine(settings.validation_policy),
        counter=DynamoDbValidationCounter(settings.state_table_name) if settings.state_table_name else None,
        extracts=S3ArtifactStore(settings.artifacts_bucket_name, EXTRACTS_PREFIX),  # the backfill's only
        scorer=scorer_in_force(settings.artifacts_bucket_name, settings.scorer_max_age_s),
    )


norms_refresh_dependencies = PerEnvironment(NormsRefreshSettings, build_norms_refresh)
