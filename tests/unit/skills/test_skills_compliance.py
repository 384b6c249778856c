"""Certification compliance on hand-built plants: expiring, lapsed, blocked work, use while lapsed."""

from __future__ import annotations

from datetime import time

from plexlabor.skills.engine import assess_skills, skill_matrix
from tests.unit.skills.skills_builder import SkillsBuilder, day_of


def _plant() -> SkillsBuilder:
    return SkillsBuilder().skill("SK-A", "G1").workcenter("W", {"SK-A": 2}).employee("E1", supervisor="SUP9")


def test_a_certification_expiring_tomorrow_blocks_the_day_after_not_today_or_tomorrow() -> None:
    # Given E1's only SK-A certification is valid through tomorrow, and E1 is planned at W every day
    plant = _plant()
    cert = plant.cert("E1", "SK-A", 2, expires=1)
    for day in (0, 1, 2):
        plant.plan("E1", day=day, workcenter="W")
        plant.op("W", day=day, hours=8)
    # When
    report = assess_skills(plant.build())
    # Then it is expiring in the 30-day window and blocks exactly the day-after-tomorrow shift
    [alert] = report.expiring
    assert (alert.certification_id, alert.kind, alert.days_to_expiry, alert.window_days) == (cert, "expiring", 1, 30)
    assert alert.supervisor_id == "SUP9" and alert.required_at == ["W"]
    assert [(b.work_date, b.shift_code, b.workcenter_id) for b in alert.blocked] == [(day_of(2), "1", "W")]
    assert (alert.hours_blocked, alert.hours_at_risk) == (8.0, 8.0)
    assert [(g.work_date, g.cause) for g in report.gaps] == [(day_of(2), "lapsed_certification")]
    assert report.gaps[0].unqualified[0].lapsed_certification_ids == [cert]
    assert report.totals.expiring_blocking == 1


def test_a_renewal_issued_before_the_expiry_is_not_an_expiry_nor_a_lapse() -> None:
    plant = _plant()
    plant.cert("E1", "SK-A", 2, issued=-400, expires=1)
    plant.cert("E1", "SK-A", 2, issued=-5, expires=360)  # renewed early
    plant.cert("E1", "SK-A", 2, issued=-800, expires=-20)  # an older cycle, renewed before it lapsed
    for day in (0, 2, 5):
        plant.plan("E1", day=day, workcenter="W")
        plant.op("W", day=day)
    plant.labor("E1", "W", day=-15)
    report = assess_skills(plant.build())
    assert report.expiring == [] and report.lapsed == [] and report.gaps == []
    assert report.lapse_uses == [] and report.uncertified_uses == []


def test_expiring_windows_are_30_60_90_days() -> None:
    plant = _plant()
    ids = [plant.cert("E1", f"SK-{n}", 1, expires=days) for n, days in enumerate((0, 30, 31, 60, 61, 90, 91))]
    report = assess_skills(plant.build())
    assert [(a.certification_id, a.window_days) for a in sorted(report.expiring, key=lambda a: a.expires)] == [
        (ids[0], 30),
        (ids[1], 30),
        (ids[2], 60),
        (ids[3], 60),
        (ids[4], 90),
        (ids[5], 90),
    ]
    assert report.totals.expiring == {"30": 2, "60": 2, "90": 2}


def test_a_lower_level_renewal_still_expires_the_higher_level() -> None:
    plant = _plant()
    high = plant.cert("E1", "SK-A", 3, expires=3)
    plant.cert("E1", "SK-A", 1, issued=-1, expires=400)
    plant.plan("E1", day=4, workcenter="W")
    plant.op("W", day=4)
    [alert] = assess_skills(plant.build()).expiring
    assert alert.certification_id == high and len(alert.blocked) == 1


def test_a_lapsed_certification_used_in_labor_entries_is_reported() -> None:
    # Given SK-A lapsed ten days ago, not renewed; E1 kept working at W (two labor entries, a login)
    plant = _plant()
    cert = plant.cert("E1", "SK-A", 2, expires=-10)
    first = plant.labor("E1", "W", day=-5, hours=4)
    second = plant.labor("E1", "W", day=-5, hours=3, at=time(10, 30))
    plant.login("E1", "W", day=-4)
    plant.labor("E1", "W", day=-12, hours=8)  # before the lapse: fine
    plant.plan("E1", day=1, workcenter="W")
    plant.op("W", day=1, hours=6)
    # When
    report = assess_skills(plant.build())
    # Then the use while lapsed is listed with its records, and the lapse blocks tomorrow's shift
    [use] = report.lapse_uses
    assert (use.certification_id, use.employee_id, use.still_lapsed, use.renewed_by) == (cert, "E1", True, None)
    assert use.labor_entry_ids == sorted([first, second]) and use.labor_hours == 7.0 and use.logins == 1
    assert (use.first_day, use.last_day, use.workcenter_ids) == (day_of(-5), day_of(-4), ["W"])
    [alert] = report.lapsed
    assert (alert.certification_id, alert.kind, alert.days_to_expiry, alert.in_use) == (cert, "lapsed", -10, True)
    assert [b.work_date for b in alert.blocked] == [day_of(1)] and alert.hours_at_risk == 6.0


def test_a_late_renewal_ends_the_lapse_but_the_use_in_between_is_reported() -> None:
    plant = _plant()
    cert = plant.cert("E1", "SK-A", 2, expires=-10)
    renewal = plant.cert("E1", "SK-A", 2, issued=-3, expires=700)
    entry = plant.labor("E1", "W", day=-6)
    plant.labor("E1", "W", day=-2)  # renewed by then
    report = assess_skills(plant.build())
    [use] = report.lapse_uses
    assert (use.certification_id, use.still_lapsed, use.renewed_by, use.renewed_on) == (
        cert,
        False,
        renewal,
        day_of(-3),
    )
    assert use.labor_entry_ids == [entry]
    assert report.lapsed == []  # renewed: not a current lapse


def test_work_by_someone_never_certified_is_an_uncertified_use_not_a_lapse() -> None:
    plant = _plant().employee("E2", supervisor="SUP2")
    plant.cert("E2", "SK-A", 1, expires=-10)  # held, but never at the required level 2
    entry = plant.labor("E2", "W", day=-3)
    report = assess_skills(plant.build())
    assert report.lapse_uses == []
    [use] = report.uncertified_uses
    assert (use.employee_id, use.supervisor_id, use.workcenter_id, use.skill_id, use.min_level) == (
        "E2",
        "SUP2",
        "W",
        "SK-A",
        2,
    )
    assert use.labor_entry_ids == [entry]


def test_a_lapsed_certification_nobody_needs_is_not_reported() -> None:
    plant = _plant()
    plant.cert("E1", "SK-Z", 1, expires=-30)
    assert assess_skills(plant.build()).lapsed == []


def test_workcenters_without_certification_required_need_no_certificate() -> None:
    plant = SkillsBuilder().skill("SK-A").workcenter("W", {"SK-A": 3}, certification_required=False)
    plant.employee("E1").plan("E1", day=0, workcenter="W")
    plant.op("W", day=0)
    plant.labor("E1", "W", day=-1)
    report = assess_skills(plant.build())
    assert report.gaps == [] and report.uncertified_uses == []


def test_the_skill_matrix_shows_the_valid_level_or_the_lapse() -> None:
    plant = _plant().skill("SK-B", "G1").skill("SK-C", "G2")
    plant.cert("E1", "SK-A", 1, issued=-300, expires=60)
    best = plant.cert("E1", "SK-A", 3, issued=-10, expires=None)
    lapsed = plant.cert("E1", "SK-B", 2, issued=-500, expires=-1)
    future = plant.cert("E1", "SK-C", 1, issued=5, expires=400)
    cells = {c.skill_id: c for c in skill_matrix(plant.build())}
    assert (cells["SK-A"].status, cells["SK-A"].level, cells["SK-A"].certification_id) == ("valid", 3, best)
    assert cells["SK-A"].expires is None and cells["SK-A"].days_to_expiry is None
    assert (cells["SK-B"].status, cells["SK-B"].level, cells["SK-B"].certification_id) == ("lapsed", None, lapsed)
    assert cells["SK-B"].days_to_expiry == -1
    assert (cells["SK-C"].status, cells["SK-C"].certification_id) == ("not_yet_valid", future)
