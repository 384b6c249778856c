"""How scorer_retrain is wired: its settings, its dependencies, and building them from the environment.

Configuration (environment, read once per environment by `dependencies`):
- `AUDIT_TABLE_NAME` (required): the decisions are read from it, the verdicts appended to it;
- the registry (`ArtifactSettings`): `ARTIFACTS_BUCKET_NAME` (S3, under `models/scorer/`, the salts
  under `models/scorer-salt/`) or `PLEXLABOR_ARTIFACTS_DIR` (a folder); one of them is required;
- `SCORER_PLANT`: the plant this deployment serves (rows are segmented and salted by it); unset, the
  stack's stage (`PLEXLABOR_STAGE`, which the stack gives every function: one stack per plant), else `plant`;
- `SCORER_LOOKBACK_DAYS` (182), `SCORER_MAX_DECISIONS` (20000): how far back and how many decisions
  of each verdict are read;
- the plant's policy (`PolicySettings`: `VALIDATION_POLICY`, optional), of which its `review_threshold` (0.7): the
  gate and the cuts judge a candidate and the model in force by what each would send to review at the threshold
  punch_validator routes at (review_s17 M2: always 0.7 before);
- the promotion gate (`promotion.GateSettings`): `SCORER_RECALL_TOLERANCE` (0.02),
  `SCORER_HOLDOUT_FRACTION` (0.25), `SCORER_MIN_HOLDOUT` (30), `SCORER_MIN_TRAINING` (50),
  `SCORER_MAX_AGREEMENT_DROP` (0.10);
- the plant's cuts (`cuts.CutSettings`): `SCORER_CUT_MISS_COST` (4.0), and for a type's review threshold
  `SCORER_CUT_MIN_DECISIONS` (10: fewer decisions of the type sent, no threshold), `SCORER_CUT_MIN_BELOW` (10)
  and `SCORER_THRESHOLD_PRECISION` (0.95: the threshold rises until its upheld findings reach it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import Field

from plexlabor.audit.store import AuditStore
from plexlabor.learning.cuts import CutSettings
from plexlabor.learning.promotion import GateSettings
from plexlabor.platform import env
from plexlabor.platform.artifacts import ArtifactSettings, ArtifactStore, InMemoryArtifactStore
from plexlabor.platform.clock import utc_now
from plexlabor.platform.errors import ConfigurationError
from plexlabor.platform.settings import PerEnvironment
from plexlabor.validation.policy import PolicySettings
from plexlabor.validation.registry import SALT_PREFIX, SCORER_PREFIX, ModelRegistry

ACTOR = "scorer_retrain"
PLANT_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
LOOKBACK_DAYS = 182
MAX_DECISIONS = 20_000
"""How far back, and how many decisions of each verdict, a retrain reads by default."""


class RetrainSettings(ArtifactSettings, PolicySettings):
    audit_table_name: str = Field(alias=env.AUDIT_TABLE_NAME)
    scorer_plant: str | None = Field(default=None, pattern=PLANT_NAME, alias="SCORER_PLANT")
    stage: str | None = Field(default=None, pattern=PLANT_NAME, alias=env.STAGE)

    @property
    def plant(self) -> str:
        """`SCORER_PLANT`, else the stack's stage (one stack per plant: the stack sets `PLEXLABOR_STAGE`)."""
        return self.scorer_plant or self.stage or "plant"

    lookback_days: int = Field(default=LOOKBACK_DAYS, ge=7, le=730, alias="SCORER_LOOKBACK_DAYS")
    max_decisions: int = Field(default=MAX_DECISIONS, ge=100, le=200_000, alias="SCORER_MAX_DECISIONS")
    tolerance: float = Field(default=GateSettings.tolerance, ge=0, le=0.5, alias="SCORER_RECALL_TOLERANCE")
    holdout_fraction: float = Field(default=GateSettings.holdout_fraction, gt=0, lt=1, alias="SCORER_HOLDOUT_FRACTION")
    min_holdout: int = Field(default=GateSettings.min_holdout, ge=1, alias="SCORER_MIN_HOLDOUT")
    min_training: int = Field(default=GateSettings.min_training, ge=1, alias="SCORER_MIN_TRAINING")
    max_agreement_drop: float = Field(
        default=GateSettings.max_agreement_drop, ge=0, le=1, alias="SCORER_MAX_AGREEMENT_DROP"
    )
    cut_min_decisions: int = Field(default=CutSettings.min_decisions, ge=1, alias="SCORER_CUT_MIN_DECISIONS")
    cut_min_below: int = Field(default=CutSettings.min_below, ge=1, alias="SCORER_CUT_MIN_BELOW")
    cut_miss_cost: float = Field(default=CutSettings.miss_cost, ge=0, le=100, alias="SCORER_CUT_MISS_COST")
    threshold_precision: float = Field(
        default=CutSettings.threshold_precision, gt=0, le=1, alias="SCORER_THRESHOLD_PRECISION"
    )

    @property
    def gate(self) -> GateSettings:
        return GateSettings(
            tolerance=self.tolerance,
            holdout_fraction=self.holdout_fraction,
            min_holdout=self.min_holdout,
            min_training=self.min_training,
            max_agreement_drop=self.max_agreement_drop,
            review_threshold=self.validation_policy.review_threshold,
        )

    @property
    def cuts(self) -> CutSettings:
        return CutSettings(self.cut_min_decisions, self.cut_min_below, self.cut_miss_cost, self.threshold_precision)


@dataclass
class Dependencies:
    audit: AuditStore
    registry: ModelRegistry
    plant: str = "plant"
    gate: GateSettings = field(default_factory=GateSettings)
    cuts: CutSettings = field(default_factory=CutSettings)
    lookback_days: int = LOOKBACK_DAYS
    max_decisions: int = MAX_DECISIONS
    clock: Callable[[], datetime] = utc_now
    actor: str = ACTOR
    salts: ArtifactStore = field(default_factory=InMemoryArtifactStore)
    """Where each plant's pseudonymisation salt is kept (`models/scorer-salt/`, apart from the registry)."""


def build(settings: RetrainSettings) -> Dependencies:
    """The real adapters (clients are created on first use)."""
    from plexlabor.audit.dynamodb import DynamoDbAuditStore

    store, salts = settings.artifact_store(SCORER_PREFIX), settings.artifact_store(SALT_PREFIX)
    if store is None or salts is None:
        raise ConfigurationError(f"scorer_retrain needs {env.ARTIFACTS_BUCKET_NAME} or {env.ARTIFACTS_DIR}")
    return Dependencies(
        audit=DynamoDbAuditStore(settings.audit_table_name),
        registry=ModelRegistry(store),
        plant=settings.plant,
        gate=settings.gate,
        cuts=settings.cuts,
        lookback_days=settings.lookback_days,
        max_decisions=settings.max_decisions,
        salts=salts,
    )


dependencies = PerEnvironment(RetrainSettings, build)
