"""Who holds which certification on which day, and who is qualified for which workcenter.

Qualification is the validation engine's definition (UNCERTIFIED_OPERATOR): on a given local date an
employee is qualified for a workcenter when, for every certification-required requirement of it,
they hold a certification of that skill valid that day (issued <= day <= its last valid day: the expiry
date, or the day before where the plant's `certification_expiry` is `first_invalid_day`) at or above the
minimum level. `Qualification` delegates that test to `plexlabor.validation.data.PlantData.certified`
so the two cannot drift; it adds a cache keyed on the workcenter's requirement signature (many
workcenters share one), which is what makes a 5,000-person plant cheap.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Any

from plexlabor.skills.data import CertRecord, SkillsInput
from plexlabor.validation.data import PlantData

Signature = tuple[tuple[str, int], ...]
"""A workcenter's certification-required (skill, minimum level) pairs, sorted."""


def _expiry_key(cert: CertRecord) -> tuple[date, str]:
    return (cert.expires or date.max, cert.id)


class CertIndex:
    """Certifications per (employee, skill), with the lookups compliance needs."""

    def __init__(self, certifications: list[CertRecord]) -> None:
        self.by_pair: dict[tuple[str, str], list[CertRecord]] = defaultdict(list)
        for cert in certifications:
            self.by_pair[(cert.employee_id, cert.skill_id)].append(cert)
        for certs in self.by_pair.values():
            certs.sort(key=lambda c: (c.issued, c.id))

    def best_valid(self, employee: str, skill: str, day: date) -> CertRecord | None:
        """The valid certification with the highest level on `day` (then the latest expiry, then id)."""
        valid = [c for c in self.by_pair.get((employee, skill), ()) if c.valid_on(day)]
        return max(valid, key=lambda c: (c.level, *_expiry_key(c)), default=None)

    def valid_level(self, employee: str, skill: str, day: date) -> int:
        best = self.best_valid(employee, skill, day)
        return best.level if best else 0

    def blocking(self, employee: str, skill: str, level: int, day: date) -> CertRecord | None:
        """The certification whose lapse leaves `employee` without `skill` at `level` on `day`.

        The latest-expiring one at or above `level` that had expired before `day`; None when the
        employee never held the skill at that level before `day` (not certified, rather than lapsed).
        Only meaningful when the employee lacks a valid one on `day`.
        """
        expired = [
            c
            for c in self.by_pair.get((employee, skill), ())
            if c.level >= level and c.last_valid is not None and c.last_valid < day and c.issued <= day
        ]
        return max(expired, key=_expiry_key, default=None)

    def blockers(
        self, employee: str, skills: Iterable[str], qualification: Qualification, workcenter_id: str, day: date
    ) -> list[CertRecord | None]:
        """`blocking` for each of `skills` at the level `workcenter_id` requires (None: never certified)."""
        return [
            self.blocking(employee, skill, qualification.required_level(workcenter_id, skill), day) for skill in skills
        ]

    def successor(self, cert: CertRecord, after: date) -> CertRecord | None:
        """The first certification of the same skill at or above `cert`'s level valid on a day after
        `cert` expired and no later than `after` (a renewal, on time or late)."""
        if cert.expires is None:
            return None
        renewals = [
            c
            for c in self.by_pair.get((cert.employee_id, cert.skill_id), ())
            if c.id != cert.id
            and c.level >= cert.level
            and c.issued <= after
            and (c.expires is None or c.expires > cert.expires)
        ]
        return min(renewals, key=lambda c: (c.issued, c.id), default=None)


class Qualification:
    """`missing(employee, workcenter, day)`: the certification-required skills an employee lacks there."""

    def __init__(self, data: SkillsInput) -> None:
        rows: dict[str, list[dict[str, Any]]] = {
            "workcenter-requirements": [
                {
                    "workcenterId": r.workcenter_id,
                    "skillId": r.skill_id,
                    "minLevel": r.min_level,
                    "certificationRequired": r.certification_required,
                }
                for r in sorted(
                    data.requirements,
                    key=lambda r: (r.workcenter_id, r.skill_id, r.min_level, r.certification_required),
                )
            ],
            "certifications": [
                {
                    "employeeId": c.employee_id,
                    "skillId": c.skill_id,
                    "level": c.level,
                    "issuedDate": c.issued.isoformat(),
                    # the last valid day: `PlantData.certified` then reads it as its default, the expiry date's
                    # meaning already applied (`CertRecord.expiry`)
                    "expiresDate": c.last_valid.isoformat() if c.last_valid else None,
                }
                for c in sorted(data.certifications, key=lambda c: c.id)
            ],
        }
        as_of = datetime.combine(data.as_of, time(0), data.tz).astimezone(UTC).timestamp()
        self.plant = PlantData.build(rows, data.timezone, as_of)
        self._signatures: dict[str, Signature] = {}
        self._representative: dict[Signature, str] = {}
        self._cache: dict[tuple[str, Signature, date], tuple[str, ...]] = {}
        self._levels: dict[tuple[str, date], dict[str, int]] = {}
        self._holders: dict[date, dict[str, dict[str, int]]] = {}
        self._qualified: dict[tuple[Signature, date], frozenset[str]] = {}

    def signature(self, workcenter: str) -> Signature:
        sig = self._signatures.get(workcenter)
        if sig is None:
            sig = tuple(sorted(set(self.plant.requirements.get(workcenter, ()))))
            self._signatures[workcenter] = sig
            self._representative.setdefault(sig, workcenter)
        return sig

    def required_level(self, workcenter: str, skill: str) -> int:
        """The highest minimum level a certification-required requirement of the workcenter sets."""
        return max((lv for s, lv in self.signature(workcenter) if s == skill), default=0)

    def levels(self, employee: str, day: date) -> dict[str, int]:
        """Skill -> highest level of a certification valid on `day` (an index of `PlantData.certified`'s
        test: a requirement (skill, level) is met exactly when this level is >= it)."""
        key = (employee, day)
        found = self._levels.get(key)
        if found is None:
            found = {}
            for skill, level, issued, expires in self.plant.certifications.get(employee, ()):
                if issued <= day and (expires is None or day <= expires) and level > found.get(skill, 0):
                    found[skill] = level
            self._levels[key] = found
        return found

    def holders(self, day: date) -> dict[str, dict[str, int]]:
        """Skill -> employee -> highest level valid on `day`."""
        found = self._holders.get(day)
        if found is None:
            found = {}
            for employee, held in self.plant.certifications.items():
                for skill, level, issued, expires in held:
                    if issued <= day and (expires is None or day <= expires):
                        by_employee = found.setdefault(skill, {})
                        if level > by_employee.get(employee, 0):
                            by_employee[employee] = level
            self._holders[day] = found
        return found

    def qualified_set(self, sig: Signature, day: date) -> frozenset[str]:
        """Employees meeting every requirement of a non-empty signature on `day`."""
        key = (sig, day)
        found = self._qualified.get(key)
        if found is None:
            holders = self.holders(day)
            people: set[str] | None = None
            for skill, level in sig:
                meets = {e for e, held in holders.get(skill, {}).items() if held >= level}
                people = meets if people is None else people & meets
            found = self._qualified[key] = frozenset(people or ())
        return found

    def qualified(self, employee: str, workcenter: str, day: date) -> bool:
        sig = self.signature(workcenter)
        return not sig or employee in self.qualified_set(sig, day)

    def missing(self, employee: str, workcenter: str, day: date) -> tuple[str, ...]:
        """The skills `PlantData.certified` reports missing (empty when qualified)."""
        if self.qualified(employee, workcenter, day):
            return ()
        sig = self.signature(workcenter)
        key = (employee, sig, day)
        found = self._cache.get(key)
        if found is None:
            found = tuple(dict.fromkeys(self.plant.certified(employee, self._representative[sig], day)))
            self._cache[key] = found
        return found
