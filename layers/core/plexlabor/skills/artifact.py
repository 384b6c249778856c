"""The skills report as an artifact: what skills_daily leaves in the artifacts bucket for the dashboards.

Keys, under `reports/skills/` of the bucket (the prefix skills_daily may write and web_app read):
- `<as_of>.json`: the `SkillsArtifact` of that day (the whole `SkillsReport`, each coverage row with
  who is qualified, on leave and blocked by which certification, plus the codes, departments and
  supervisors the pages group and scope by); a re-run the same day replaces it;
- `latest.json`: the `ReportPointer` to the newest one (its key, sha256 and size), written last, so a
  reader never sees a pointer to a half-written report.

Ids, numbers and codes only: no names, no e-mail addresses, no badges (the pages name people through
the people directory, as each reader's role allows). Readers check the sha256 the pointer gives.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from plexlabor.platform.artifacts import (
    ArtifactStore,
    ReportPointer,
    read_model,
    store_report,
)
from plexlabor.skills.data import SkillsInput
from plexlabor.skills.report import SkillsReport

REPORT_PREFIX = "reports/skills/"
"""Where skills reports live in the artifacts bucket (infra grants it by this prefix)."""
SCHEMA_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WorkcenterRef(_Model):
    code: str
    department: str | None
    building: str | None
    required: list[str] = Field(description="certification-required skills as CODE:Lmin")


class ShiftRef(_Model):
    id: str
    code: str
    start: str = Field(description="local start time, HH:MM")


class EmployeeRef(_Model):
    department: str | None
    supervisor_id: str | None
    active: bool = True


class SkillsArtifact(_Model):
    schema_version: int = SCHEMA_VERSION
    generated_at: datetime
    report: SkillsReport
    workcenters: dict[str, WorkcenterRef]
    shifts: list[ShiftRef] = Field(description="in the order of their start time")
    skills: dict[str, str] = Field(description="skill id -> code")
    employees: dict[str, EmployeeRef]

    @property
    def as_of(self) -> date:
        return self.report.as_of


def build_artifact(report: SkillsReport, data: SkillsInput, generated_at: datetime) -> SkillsArtifact:
    """The artifact of a report and the snapshot it was assessed from."""
    required: dict[str, set[tuple[str, int]]] = {}
    for r in data.requirements:
        if r.certification_required:
            required.setdefault(r.workcenter_id, set()).add((r.skill_id, r.min_level))
    workcenters = {
        wc.id: WorkcenterRef(
            code=wc.code,
            department=wc.department,
            building=wc.building,
            required=[data.skill_label(skill, level) for skill, level in sorted(required.get(wc.id, ()))],
        )
        for wc in sorted(data.workcenters.values(), key=lambda w: w.id)
    }
    shifts = [
        ShiftRef(id=s.id, code=s.code, start=s.start.strftime("%H:%M"))
        for s in sorted(data.shifts.values(), key=lambda s: (s.start, s.code, s.id))
    ]
    employees = {
        e.id: EmployeeRef(department=e.department, supervisor_id=e.supervisor_id, active=e.active)
        for e in sorted(data.employees.values(), key=lambda e: e.id)
    }
    return SkillsArtifact(
        generated_at=generated_at,
        report=report,
        workcenters=workcenters,
        shifts=shifts,
        skills={s.id: s.code for s in sorted(data.skills.values(), key=lambda s: s.id)},
        employees=employees,
    )


def report_key(as_of: date) -> str:
    return f"{as_of.isoformat()}.json"


def store_artifact(store: ArtifactStore, artifact: SkillsArtifact) -> ReportPointer:
    """Write the day's report, then point `latest.json` at it; the pointer written."""
    body = artifact.model_dump_json().encode()
    return store_report(store, report_key(artifact.as_of), body, artifact.as_of, artifact.generated_at, SCHEMA_VERSION)


def read_artifact(store: ArtifactStore, pointer: ReportPointer) -> SkillsArtifact:
    """The report a pointer names, checked against its sha256 and validated whole."""
    return read_model(store, pointer, SkillsArtifact, "a skills report")
