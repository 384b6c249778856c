"""Skills, certifications and what workcenters require."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from plexlabor.models.base import PlexModel
from plexlabor.models.types import EmployeeId, PlexDate, RecordId, SkillId, WorkcenterId


class Skill(PlexModel):
    """A skill; skills in one group are adjacent (cheap to cross-train between)."""

    resource = "skills"

    skill_id: SkillId
    skill_code: str
    name: str
    skill_group: str | None = None


class Certification(PlexModel):
    """An employee's certified level in a skill, valid from issue until expiry (if any)."""

    resource = "certifications"

    id: RecordId
    employee_id: EmployeeId
    skill_id: SkillId
    level: int = Field(ge=1, le=5)
    issued_date: PlexDate
    expires_date: PlexDate | None = None

    def valid_on(self, day: date) -> bool:
        """True if the certification is in force on `day`."""
        return self.issued_date <= day and (self.expires_date is None or day <= self.expires_date)


class WorkcenterRequirement(PlexModel):
    """A skill a workcenter requires, at a minimum level."""

    resource = "workcenter-requirements"

    workcenter_id: WorkcenterId
    skill_id: SkillId
    min_level: int = Field(default=1, ge=1, le=5)
    certification_required: bool = True
