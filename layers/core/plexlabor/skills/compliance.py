"""Certification compliance: expiring and lapsed certifications, the planned work they block, and
work already done while a required certification was lapsed.

- Expiring: expires within the largest alert window (default 90 days) from as_of, and no other
  certification of the skill at that level or higher is valid the day after (a renewal issued before
  the expiry is not an expiry). Bucketed 30 / 60 / 90 days. "Expires" and "the day after" go by the last
  valid day: the expiry date, or the day before it where the plant's `certification_expiry` is
  `first_invalid_day` (`CertRecord.last_valid`, the validation engine's reading).
- Lapsed: expired before as_of, no valid certification of the skill at that level or higher on
  as_of, and no later one at that level: the current lapse. Reported when it matters (it blocks
  planned work, was used while lapsed, or a workcenter the employee is home, planned or has worked
  at requires it).
- Blocks: an operator planned (scheduled, not on leave) at a workcenter shift with operations is
  unqualified there on that date (`Qualification`, the validation engine's definition), and for a
  missing skill the blocking certification (`CertIndex.blocking`) is this one.
- Use while lapsed: a labor entry or an operator login in the look-back at a workcenter where, on its
  local date, the operator lacked a required certification (exactly UNCERTIFIED_OPERATOR) that had
  lapsed; when they never held it at that level, it is an uncertified use instead.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from plexlabor.skills.certs import CertIndex, Qualification
from plexlabor.skills.coverage import Coverage
from plexlabor.skills.data import CertRecord, SkillsInput, WorkRecord
from plexlabor.skills.report import (
    BlockedShift,
    CertificationAlert,
    LapseUse,
    UncertifiedUse,
)

DEFAULT_WINDOWS = (30, 60, 90)


@dataclass
class _Uses:
    labor: list[WorkRecord] = field(default_factory=list)
    logins: int = 0
    workcenters: set[str] = field(default_factory=set)
    days: set[date] = field(default_factory=set)

    def add(self, record: WorkRecord, day: date) -> None:
        if record.kind == "labor":
            self.labor.append(record)
        else:
            self.logins += 1
        self.workcenters.add(record.workcenter_id)
        self.days.add(day)

    def report_fields(self) -> dict[str, Any]:
        """The work as a `LapseUse` or `UncertifiedUse` reports it: entries, hours, logins, first and last day."""
        return {
            "labor_entry_ids": sorted(r.id for r in self.labor),
            "labor_hours": round(sum((r.end - r.start) / 3600 for r in self.labor if r.end is not None), 2),
            "logins": self.logins,
            "first_day": min(self.days),
            "last_day": max(self.days),
        }


@dataclass
class Compliance:
    expiring: list[CertificationAlert]
    lapsed: list[CertificationAlert]
    lapse_uses: list[LapseUse]
    uncertified_uses: list[UncertifiedUse]


def compute_compliance(
    data: SkillsInput,
    index: CertIndex,
    qualification: Qualification,
    coverage: Coverage,
    windows: tuple[int, ...] = DEFAULT_WINDOWS,
) -> Compliance:
    windows = tuple(sorted(windows))
    certs = {c.id: c for c in data.certifications}
    blocked = _blocked(data, index, qualification, coverage)
    uses, uncertified = _uses(data, index, qualification)
    places = _places(data)

    def supervisor(employee: str) -> str | None:
        info = data.employees.get(employee)
        return info.supervisor_id if info else None

    def held(cert: CertRecord) -> dict[str, Any]:
        """Whose certification, of which skill and level (the fields alerts and lapse uses share)."""
        return {
            "certification_id": cert.id,
            "employee_id": cert.employee_id,
            "supervisor_id": supervisor(cert.employee_id),
            "skill_id": cert.skill_id,
            "skill_code": data.skill_code(cert.skill_id),
            "level": cert.level,
        }

    def required_at(cert: CertRecord) -> list[str]:
        found = [
            wc
            for wc in places.get(cert.employee_id, ())
            if 0 < qualification.required_level(wc, cert.skill_id) <= cert.level
        ]
        return sorted(found, key=lambda wc: (data.workcenter_code(wc), wc))

    def alert(cert: CertRecord, kind: str, window: int | None) -> CertificationAlert:
        assert cert.expires is not None
        shifts = sorted(blocked.get(cert.id, ()), key=lambda b: (b.work_date, b.shift_id, b.workcenter_id))
        where = required_at(cert)
        return CertificationAlert(
            kind=kind,  # type: ignore[arg-type]
            **held(cert),
            issued=cert.issued,
            expires=cert.expires,
            days_to_expiry=(cert.expires - data.as_of).days,
            window_days=window,
            required_at=where,
            required_at_codes=[data.workcenter_code(wc) for wc in where],
            blocked=shifts,
            hours_blocked=round(sum(b.standard_hours for b in shifts), 2),
            hours_at_risk=round(sum(b.hours_secured_by_renewal for b in shifts), 2),
            in_use=cert.id in uses,
        )

    expiring: list[CertificationAlert] = []
    lapsed: list[CertificationAlert] = []
    horizon = data.as_of + timedelta(days=windows[-1])
    for cert in data.certifications:
        employee = data.employees.get(cert.employee_id)
        last = cert.last_valid  # the expiry date, or the day before it (the plant's `certification_expiry`)
        if last is None or (employee is not None and not employee.active):
            continue
        if data.as_of <= last <= horizon:
            if index.valid_level(cert.employee_id, cert.skill_id, last + timedelta(days=1)) < cert.level:
                days = (last - data.as_of).days
                expiring.append(alert(cert, "expiring", next(w for w in windows if days <= w)))
        elif last < data.as_of and _current_lapse(index, cert, data.as_of):
            item = alert(cert, "lapsed", None)
            if item.blocked or item.in_use or item.required_at:
                lapsed.append(item)

    def rank(a: CertificationAlert) -> tuple[float, float, int, date, str]:
        return (-a.hours_at_risk, -a.hours_blocked, -int(a.in_use), a.expires, a.certification_id)

    expiring.sort(key=rank)
    lapsed.sort(key=rank)

    lapse_uses = []
    for cert_id, used in uses.items():
        cert = certs[cert_id]
        assert cert.expires is not None
        renewal = index.successor(cert, data.as_of)
        lapse_uses.append(
            LapseUse(
                **held(cert),
                expired=cert.expires,
                still_lapsed=renewal is None or not renewal.valid_on(data.as_of),
                renewed_by=renewal.id if renewal else None,
                renewed_on=renewal.issued if renewal else None,
                workcenter_ids=sorted(used.workcenters),
                workcenter_codes=[data.workcenter_code(wc) for wc in sorted(used.workcenters)],
                **used.report_fields(),
            )
        )
    lapse_uses.sort(key=lambda u: (not u.still_lapsed, -u.labor_hours, u.certification_id))

    uncertified_uses = [
        UncertifiedUse(
            employee_id=employee,
            supervisor_id=supervisor(employee),
            workcenter_id=wc,
            skill_id=skill,
            skill_code=data.skill_code(skill),
            min_level=qualification.required_level(wc, skill),
            **used.report_fields(),
        )
        for (employee, wc, skill), used in uncertified.items()
    ]
    uncertified_uses.sort(key=lambda u: (-u.labor_hours, u.employee_id, u.workcenter_id, u.skill_id))
    return Compliance(expiring, lapsed, lapse_uses, uncertified_uses)


def _current_lapse(index: CertIndex, cert: CertRecord, as_of: date) -> bool:
    """Expired, nothing at that level or higher valid on as_of, and no later one at that level."""
    if index.valid_level(cert.employee_id, cert.skill_id, as_of) >= cert.level:
        return False
    assert cert.expires is not None
    return not any(
        other.id != cert.id
        and other.level >= cert.level
        and other.issued <= as_of
        and (other.expires is None or (other.expires, other.id) > (cert.expires, cert.id))
        for other in index.by_pair.get((cert.employee_id, cert.skill_id), ())
    )


def _blocked(
    data: SkillsInput, index: CertIndex, qualification: Qualification, coverage: Coverage
) -> dict[str, list[BlockedShift]]:
    blocked: dict[str, list[BlockedShift]] = defaultdict(list)
    for instance in coverage.instances.values():
        if not instance.unqualified:
            continue
        qualified = len(instance.qualified)
        secured = instance.at_risk(qualified) - instance.at_risk(qualified + 1)
        for employee, missing in instance.unqualified:
            blockers = index.blockers(employee, missing, qualification, instance.workcenter_id, instance.work_date)
            renewable = all(b is not None for b in blockers)
            for cert in blockers:
                if cert is None:
                    continue
                blocked[cert.id].append(
                    BlockedShift(
                        **instance.report_fields(data),
                        shortfall=instance.shortfall,
                        hours_secured_by_renewal=round(secured if renewable else 0.0, 2),
                    )
                )
    return blocked


def _uses(
    data: SkillsInput, index: CertIndex, qualification: Qualification
) -> tuple[dict[str, _Uses], dict[tuple[str, str, str], _Uses]]:
    tz = data.tz
    lapsed: dict[str, _Uses] = defaultdict(_Uses)
    uncertified: dict[tuple[str, str, str], _Uses] = defaultdict(_Uses)
    for record in data.work:
        day = datetime.fromtimestamp(record.start, tz).date()
        for skill in qualification.missing(record.employee_id, record.workcenter_id, day):
            level = qualification.required_level(record.workcenter_id, skill)
            cert = index.blocking(record.employee_id, skill, level, day)
            if cert is not None:
                lapsed[cert.id].add(record, day)
            else:
                uncertified[(record.employee_id, record.workcenter_id, skill)].add(record, day)
    return lapsed, uncertified


def _places(data: SkillsInput) -> dict[str, set[str]]:
    """Workcenters each employee is home at, planned at (horizon) or has worked at (look-back)."""
    places: dict[str, set[str]] = defaultdict(set)
    for employee in data.employees.values():
        if employee.home_workcenter:
            places[employee.id].add(employee.home_workcenter)
    for shift in data.planned:
        if shift.workcenter_id:
            places[shift.employee_id].add(shift.workcenter_id)
    for record in data.work:
        places[record.employee_id].add(record.workcenter_id)
    return places
