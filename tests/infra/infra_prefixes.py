"""What the infra tests expect, written once: the artifact bucket prefixes functions are granted (`prefix*`), and
the wildcard key patterns (`GRANTED_PATTERNS`)."""

from __future__ import annotations

from infra.constants import (
    ALLOCATION_REPORTS_PREFIX,
    ANALYTICS_REPORTS_PREFIX,
    BACKFILL_PREFIX,
    INCIDENT_MODELS_PREFIX,
    INCIDENT_REPORTS_PREFIX,
    NORMS_PREFIX,
    SCORER_MODELS_PREFIX,
    SCORER_SALT_PREFIX,
    SKILLS_REPORTS_PREFIX,
)
from plexlabor.copilot import INDEX_PREFIX as COPILOT_INDEX_PREFIX
from plexlabor.copilot import PROCEDURES_PREFIX as COPILOT_PROCEDURES_PREFIX
from plexlabor.crew.snapshots import PREFIX as CREW_KEPT_PREFIX
from plexlabor.forecast.artifacts import PREFIX as FORECAST_PREFIX
from plexlabor.incidents.transcribe import AUDIO_PREFIX as RECORDINGS_PREFIX
from plexlabor.incidents.transcribe import TRANSCRIPT_PREFIX

GRANTED_PREFIXES = (
    NORMS_PREFIX,
    BACKFILL_PREFIX,
    FORECAST_PREFIX,
    SKILLS_REPORTS_PREFIX,
    ANALYTICS_REPORTS_PREFIX,
    ALLOCATION_REPORTS_PREFIX,
    INCIDENT_REPORTS_PREFIX,
    INCIDENT_MODELS_PREFIX,
    SCORER_MODELS_PREFIX,
    SCORER_SALT_PREFIX,
    COPILOT_INDEX_PREFIX,
    COPILOT_PROCEDURES_PREFIX,
    RECORDINGS_PREFIX,  # incident_log
    TRANSCRIPT_PREFIX,
    CREW_KEPT_PREFIX,  # crew_replan
)
"""Artifact bucket prefixes whose objects some function reads or writes (`prefix*` in its policy); web_app's reads of
the retrains' last runs name their key (`runs/last.json`), no wildcard."""
GRANTED_PATTERNS = (*(f"{prefix}*" for prefix in GRANTED_PREFIXES), f"{SCORER_MODELS_PREFIX}*/model.json")
"""Every wildcard key pattern of the bucket in a policy: the prefixes, and the scorer's models of any version, which
the functions that score findings read (test_infra_scorer_reads)."""
