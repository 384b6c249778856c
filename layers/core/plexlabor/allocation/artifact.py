"""The allocation report as an artifact: what allocation_nightly leaves in the artifacts bucket for the web app.

Keys, under `reports/allocation/` of the bucket (the prefix allocation_nightly may write and web_app
read): `<day>.json`, the `AllocationArtifact` of that plant-local day (a re-run replaces it), and
`latest.json`, the `ReportPointer` to the newest, written last (`platform.artifacts.store_day_report`).
Ids, employee numbers and codes only: no names. Readers check the pointer's sha256.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from plexlabor.allocation.misapplication import Guidance
from plexlabor.allocation.report import AllocationReport
from plexlabor.platform.artifacts import ArtifactStore, ReportPointer, read_model, store_day_report

REPORT_PREFIX = "reports/allocation/"
"""Where allocation reports live in the artifacts bucket (infra grants it by this prefix)."""
SCHEMA_VERSION = 1


class WorkcenterRef(BaseModel):
    """A workcenter as the page names it, and the department that decides who sees it."""

    model_config = ConfigDict(frozen=True)

    code: str
    department: str | None = None


class AllocationArtifact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: int = SCHEMA_VERSION
    generated_at: datetime
    day: date
    report: AllocationReport
    guidance: list[Guidance] = Field(default_factory=list)
    """Job-code misapplication by shift: the combinations most likely misapplied in the coming week."""
    trend: list[Guidance] = Field(default_factory=list)
    """The trend log (JOB_CODE_MISMATCH findings too uncertain to review) ranked the same way."""
    guidance_weeks: int = 0
    """How many past weeks the guidance was learned from."""
    workcenters: dict[str, WorkcenterRef] = Field(default_factory=dict)
    """Workcenter id -> code and department, for the page (which never shows Plex ids)."""
    indirect_codes: list[str] = Field(default_factory=list)
    """The plant's indirect codes a reviewer may code unallocated time to (`AllocationPolicy.codes`)."""


def store_artifact(store: ArtifactStore, artifact: AllocationArtifact) -> ReportPointer:
    """Write the day's report, then point `latest.json` at it; the pointer written."""
    return store_day_report(store, artifact, artifact.day, artifact.generated_at, SCHEMA_VERSION)


def read_artifact(store: ArtifactStore, pointer: ReportPointer) -> AllocationArtifact:
    """The report a pointer names, checked against its sha256 and validated whole."""
    return read_model(store, pointer, AllocationArtifact, "an allocation report")
