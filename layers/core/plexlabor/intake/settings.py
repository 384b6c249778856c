"""Each intake function's configuration: one pydantic model of its environment variables.

The mechanism (`EnvSettings`, `PerEnvironment`) and the shared fragments are `plexlabor.platform.settings`;
the variable names are `plexlabor.platform.env`.
"""

from __future__ import annotations

from pydantic import Field

from plexlabor.platform import env
from plexlabor.platform.settings import ApprovalStartSettings, EnvSettings, PlexSourceSettings
from plexlabor.plex.reference_cache import REFERENCE_MAX_AGE_S
from plexlabor.validation.exploration import DEFAULT_SHARE
from plexlabor.validation.policy import PolicySettings


class WebhookSettings(EnvSettings):
    punch_queue_url: str = Field(alias=env.PUNCH_QUEUE_URL)
    hmac_secret_arn: str = Field(alias=env.WEBHOOK_HMAC_SECRET_ARN)
    replay_window_s: int = Field(default=300, ge=1, le=3600, alias="WEBHOOK_REPLAY_WINDOW_SECONDS")
    secret_max_age_s: int = Field(default=300, ge=0, alias="WEBHOOK_SECRET_MAX_AGE_SECONDS")
    state_table_name: str | None = Field(default=None, alias=env.STATE_TABLE_NAME)
    """Where each delivery's signature is used once (`intake.api.delivery_nonce`); unset = no replay ledger."""


class PollerSettings(PlexSourceSettings):
    state_table_name: str = Field(alias=env.STATE_TABLE_NAME)
    punch_queue_url: str = Field(alias=env.PUNCH_QUEUE_URL)
    lookback_hours: float = Field(default=24.0, gt=0, le=24 * 31, alias="POLL_LOOKBACK_HOURS")
    """First run (no cursor yet): how far back the first poll reaches."""
    overlap_s: int = Field(default=300, ge=0, le=24 * 3600, alias="POLL_OVERLAP_SECONDS")
    """Each poll re-reads this much before the cursor, for records that become visible late."""
    labor_window_hours: float = Field(default=24.0, gt=0, le=24 * 14, alias="POLL_LABOR_WINDOW_HOURS")
    """Labor entries have no modified filter: entries started this long before the cursor are re-read
    and those changed since it (modifiedDate, else end, else start) are enqueued."""


class RecordingSettings(ApprovalStartSettings):
    """A function that records findings (`intake.recording.build_recorder`): the audit table, and how
    their approvals start."""

    audit_table_name: str = Field(alias=env.AUDIT_TABLE_NAME)


class ScorerSettings(EnvSettings):
    """A function that scores findings with the scorer in force (`plexlabor.validation.registry.scorer_in_force`)."""

    scorer_max_age_s: int = Field(default=600, ge=0, alias="SCORER_MAX_AGE_SECONDS")
    """How long a warm container keeps the scorer model in force before re-reading the registry's pointer."""


class ValidatorSettings(PlexSourceSettings, RecordingSettings, PolicySettings, ScorerSettings):
    idempotency_table_name: str = Field(alias=env.IDEMPOTENCY_TABLE_NAME)
    artifacts_bucket_name: str | None = Field(default=None, alias=env.ARTIFACTS_BUCKET_NAME)
    """Where the nightly job stores norms and the scorer's registry is (`models/scorer/`); unset = norms
    computed from each batch's context, the packaged scorer model."""
    idempotency_expires_s: int = Field(default=14 * 24 * 3600, ge=60, alias="IDEMPOTENCY_EXPIRES_SECONDS")
    norms_max_age_s: int = Field(default=600, ge=0, alias="NORMS_MAX_AGE_SECONDS")
    scorer_exploration_share: float = Field(default=DEFAULT_SHARE, ge=0, le=0.5, alias="SCORER_EXPLORATION_SHARE")
    """The share of what the model in force stops sending (and the packaged scorer sends) sent for review all the
    same, drawn at random (`plexlabor.validation.exploration`); 0: none."""
    reference_max_age_s: int = Field(default=int(REFERENCE_MAX_AGE_S), ge=0, alias="REFERENCE_MAX_AGE_SECONDS")
    """How long a warm validator keeps reference data (employees, routings, certifications...)."""
    state_table_name: str | None = Field(default=None, alias=env.STATE_TABLE_NAME)
    """Where validated records are counted for the KPI page; unset = not counted."""


class NormsRefreshSettings(PlexSourceSettings, RecordingSettings, PolicySettings, ScorerSettings):
    artifacts_bucket_name: str = Field(alias=env.ARTIFACTS_BUCKET_NAME)
    """Where the norms are stored and the scorer's registry is (`models/scorer/`)."""
    history_weeks: int = Field(default=26, ge=1, le=104, alias="NORMS_HISTORY_WEEKS")
    sweep_days: float = Field(default=2.0, gt=0, le=14, alias="SWEEP_DAYS")
    state_table_name: str | None = Field(default=None, alias=env.STATE_TABLE_NAME)
    """Where the sweep counts the records no validator counted (KPI page); unset = not counted."""
