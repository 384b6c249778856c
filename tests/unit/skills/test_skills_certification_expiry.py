"""A plant whose certification expiry date is the first day it is no longer valid (`certification_expiry`:
`first_invalid_day`, `plexlabor:validationPolicy`): skills reads it as the validation engine does, so a
certification expiring today is lapsed today on the skills pages, in compliance and in qualification."""

from __future__ import annotations

from datetime import UTC, datetime

from plexlabor.models.skills import CertificationExpiry
from plexlabor.plex.snapshot import PlexSnapshot
from plexlabor.skills.certs import Qualification
from plexlabor.skills.data import from_snapshot
from plexlabor.skills.engine import assess_skills, skill_matrix
from plexlabor.skills.wiring import SkillsDailySettings
from plexlabor.validation.data import PlantData
from tests.unit.skills.skills_builder import AS_OF, TIMEZONE, SkillsBuilder, day_of


def _expiring_today(expiry: CertificationExpiry) -> tuple[SkillsBuilder, str]:
    plant = SkillsBuilder(expiry=expiry).skill("SK-A", "G1").workcenter("W", {"SK-A": 2}).employee("E1")
    cert = plant.cert("E1", "SK-A", 2, expires=0)
    plant.plan("E1", day=0, workcenter="W")
    plant.op("W", day=0, hours=8)
    return plant, cert


def test_a_certification_expiring_today_is_lapsed_today_where_the_expiry_date_is_the_first_invalid_day() -> None:
    plant, cert = _expiring_today("first_invalid_day")
    data = plant.build()
    [cell] = skill_matrix(data)
    assert (cell.status, cell.level, cell.expires) == ("lapsed", None, AS_OF)  # the date shown is Plex's
    assert Qualification(data).missing("E1", "W", AS_OF) == ("SK-A",)
    report = assess_skills(data)
    assert report.expiring == [] and [a.certification_id for a in report.lapsed] == [cert]
    assert [(g.work_date, g.cause) for g in report.gaps] == [(AS_OF, "lapsed_certification")]


def test_by_default_a_certification_is_valid_on_its_expiry_date() -> None:
    plant, cert = _expiring_today("last_valid_day")
    data = plant.build()
    [cell] = skill_matrix(data)
    assert (cell.status, cell.level, cell.days_to_expiry) == ("valid", 2, 0)
    assert Qualification(data).missing("E1", "W", AS_OF) == ()
    report = assess_skills(data)
    assert [(a.certification_id, a.window_days) for a in report.expiring] == [(cert, 30)] and report.gaps == []


def test_skills_and_the_validation_engine_agree_on_each_day_around_the_expiry() -> None:
    expiries: tuple[CertificationExpiry, ...] = ("last_valid_day", "first_invalid_day")
    for expiry in expiries:
        plant, _ = _expiring_today(expiry)
        qualification = Qualification(plant.build())
        rows = {
            "workcenter-requirements": [{"workcenterId": "W", "skillId": "SK-A", "minLevel": 2}],
            "certifications": [
                {
                    "employeeId": "E1",
                    "skillId": "SK-A",
                    "level": 2,
                    "issuedDate": "2025-01-01",
                    "expiresDate": "2026-11-23",
                }
            ],
        }
        engine = PlantData.build(rows, TIMEZONE, datetime(2026, 11, 30, tzinfo=UTC).timestamp())
        for offset in (-1, 0, 1):
            day = day_of(offset)
            assert qualification.missing("E1", "W", day) == tuple(engine.certified("E1", "W", day, expiry=expiry)), (
                expiry,
                day,
            )


def test_the_expiry_dates_meaning_comes_from_the_plants_policy_and_reaches_each_certification() -> None:
    settings = SkillsDailySettings.from_env(
        {
            "AUDIT_TABLE_NAME": "audit",
            "PLEXLABOR_PLANT_DIR": "/nowhere",
            "VALIDATION_POLICY": '{"certification_expiry": "first_invalid_day"}',
        }
    )
    assert settings.validation_policy.certification_expiry == "first_invalid_day"
    snapshot = PlexSnapshot.from_rows(
        {
            "certifications": [
                {
                    "id": "C1",
                    "employeeId": "E1",
                    "skillId": "SK-A",
                    "level": 2,
                    "issuedDate": "2025-01-01",
                    "expiresDate": AS_OF.isoformat(),
                }
            ]
        },
        TIMEZONE,
    )
    data = from_snapshot(snapshot, AS_OF, certification_expiry=settings.validation_policy.certification_expiry)
    [cert] = data.certifications
    assert (cert.expires, cert.last_valid, cert.valid_on(AS_OF)) == (AS_OF, day_of(-1), False)
    assert from_snapshot(snapshot, AS_OF).certifications[0].valid_on(AS_OF)
