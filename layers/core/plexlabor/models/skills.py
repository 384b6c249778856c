"""Skills, certifications and what workcenters require."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from pydantic import Field

from plexlabor.models.base import PlexModel
from plexlabor.models.types import EmployeeId, PlexDate, RecordId, SkillId, WorkcenterId

CertificationExpiry = Literal["last_valid_day", "first_invalid_day"]
"""What a certification's expiry date is at a plant (`plexlabor.validation.policy.PunchPolicy.certification_expiry`):
the last day it is valid, or the first day it no longer is."""


def last_valid_day(expires: date | None, expiry: CertificationExpiry = "last_valid_day") -> date | None:
    """The last day a certification expiring on `expires` is valid, as the plant reads its expiry date (None: it
    never expires). Every capability that asks whether a certification is valid on a day asks this."""
    if expires is None or expiry == "last_valid_day":
        return expires
    return expires - timedelta(days=1)


def valid_on(issued: date, expires: date | None, day: date, expiry: CertificationExpiry = "last_valid_day") -> bool:
    """True if a certification issued on `issued` and expiring on `expires` is in force on `day`."""
    last = last_valid_day(expires, expiry)
    return issued <= day and (last is None or day <= last)


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

    def valid_on(self, day: date, expiry: CertificationExpiry = "last_valid_day") -> bool:
        """True if the certification is in force on `day` (`expiry`: what its expiry date is at the plant)."""
        return valid_on(self.issued_date, self.expires_date, day, expiry)


class WorkcenterRequirement(PlexModel):
    """A skill a workcenter requires, at a minimum level."""

    resource = "workcenter-requirements"

    workcenter_id: WorkcenterId
    skill_id: SkillId
    min_level: int = Field(default=1, ge=1, le=5)
    certification_required: bool = True
