"""Cross-training recommendations: adjacency, current level, history, quality, and honest coverage gain."""

from __future__ import annotations

from plexlabor.skills.engine import assess_skills
from tests.unit.skills.skills_builder import SkillsBuilder


def _gap_plant() -> SkillsBuilder:
    """W needs SK-B L1 (group G1) on Monday's and Tuesday's 1st shift; nobody is planned there."""
    plant = SkillsBuilder().skill("SK-A", "G1").skill("SK-B", "G1").skill("SK-X", "G2")
    plant.workcenter("W", {"SK-B": 1}, code="ASM-01").workcenter("IDLE")
    for day in (0, 1):
        plant.op("W", day=day, hours=8)
    return plant


def _spare(plant: SkillsBuilder, person: str, days: tuple[int, ...] = (0, 1)) -> None:
    plant.employee(person)
    for day in days:
        plant.plan(person, day=day, workcenter="IDLE")


def test_cross_training_prefers_adjacent_skills() -> None:
    # Given two spare operators on the gap shifts: E9 holds SK-A (same group as SK-B), E1 holds SK-X
    plant = _gap_plant()
    for person, skill in (("E9", "SK-A"), ("E1", "SK-X")):
        _spare(plant, person)
        plant.cert(person, skill, 2)
    # When
    [recommendation] = assess_skills(plant.build()).training
    # Then the adjacent one comes first, although its id sorts last and the gains are equal
    first, second = recommendation.candidates
    assert (first.employee_id, first.adjacent, first.training, first.effort_levels) == (
        "E9",
        True,
        ["B level 1 (new; an adjacent skill)"],  # in words (ux113 L19)
        1.0,
    )
    assert (second.employee_id, second.adjacent, second.effort_levels) == ("E1", False, 3.0)
    assert first.reason.startswith("train for B level 1 (new; an adjacent skill);")
    assert first.coverage_gain_hours == second.coverage_gain_hours == 16.0
    assert first.score > second.score
    assert recommendation.workcenter_code == "ASM-01" and recommendation.required == ["B:L1"]


def test_a_level_upgrade_and_a_renewal_cost_less_than_a_new_skill() -> None:
    plant = _gap_plant()
    plant.workcenter("W", {"SK-B": 2}, code="ASM-01")  # now L2
    plant.data.requirements = [r for r in plant.data.requirements if r.min_level == 2]
    _spare(plant, "NEW")
    plant.cert("NEW", "SK-A", 1)
    _spare(plant, "UPG")
    plant.cert("UPG", "SK-B", 1)
    _spare(plant, "REN")
    plant.cert("REN", "SK-B", 2, expires=-3)
    plant.cert("REN", "SK-A", 1)
    [recommendation] = assess_skills(plant.build()).training
    assert [(c.employee_id, c.effort_levels, c.training) for c in recommendation.candidates] == [
        ("REN", 0.5, ["B level 2 (renewal)"]),
        ("UPG", 1.0, ["B level 2 (from level 1)"]),
        ("NEW", 2.0, ["B level 2 (new; an adjacent skill)"]),
    ]


def test_coverage_gain_counts_only_the_gap_shifts_the_person_works() -> None:
    plant = _gap_plant()
    _spare(plant, "BOTH")
    _spare(plant, "MONDAY", days=(0,))
    _spare(plant, "OFF", days=())
    for person in ("BOTH", "MONDAY", "OFF"):
        plant.cert(person, "SK-A", 1)
    [recommendation] = assess_skills(plant.build()).training
    assert {c.employee_id: c.coverage_gain_hours for c in recommendation.candidates} == {"BOTH": 16.0, "MONDAY": 8.0}


def test_someone_needed_at_home_gains_only_what_moving_them_would_net() -> None:
    # Given HOME has 3 h of work and one qualified operator, E1; W's gap is 8 h
    plant = _gap_plant().skill("SK-H", "G1").workcenter("HOME", {"SK-H": 1})
    plant.employee("E1").cert("E1", "SK-H", 1)
    plant.cert("E1", "SK-A", 1)
    plant.plan("E1", day=0, workcenter="HOME")
    plant.op("HOME", day=0, hours=3)
    [recommendation] = assess_skills(plant.build()).training
    [candidate] = recommendation.candidates
    assert candidate.employee_id == "E1" and candidate.coverage_gain_hours == 5.0  # 8 h covered, 3 h uncovered


def test_history_at_similar_workcenters_and_a_good_scrap_record_break_the_tie() -> None:
    plant = _gap_plant().workcenter("SIB", {"SK-B": 1}, department="ASSY")
    plant.data.workcenters["W"] = plant.data.workcenters["W"].__class__("W", "ASM-01", "ASSY", "B1")
    for person in ("E1", "E2", "E3"):
        _spare(plant, person)
        plant.cert(person, "SK-A", 1)
    for day in range(-10, -5):  # 80 h at a sibling workcenter each for E3 and E2
        plant.labor("E3", "SIB", day=day, hours=16, quantity=200)
        plant.labor("E2", "SIB", day=day, hours=16, quantity=200)
        plant.labor("E1", "IDLE", day=day, hours=16, quantity=200)  # unrelated history
    plant.scrap("E2", "SIB", 10)  # 1% scrap where the others have none
    [recommendation] = assess_skills(plant.build()).training
    ranked = [c.employee_id for c in recommendation.candidates]
    assert ranked == ["E3", "E2", "E1"]
    e3 = recommendation.candidates[0]
    assert (e3.history_hours_similar, e3.history_hours_here, e3.scrap_rate) == (80.0, 0.0, 0.0)
    assert "80 h at this or similar workcenters" in e3.reason
    assert recommendation.candidates[1].scrap_rate == 0.01


def test_no_recommendation_where_training_cannot_help() -> None:
    # W requires nothing certified: anyone may work there, so its gap is a staffing problem
    plant = SkillsBuilder().workcenter("W").workcenter("IDLE")
    plant.op("W", day=0)
    assert assess_skills(plant.build()).training == []


def test_already_qualified_people_are_cover_not_trainees() -> None:
    plant = _gap_plant()
    _spare(plant, "Q")
    plant.cert("Q", "SK-B", 1)
    report = assess_skills(plant.build())
    assert [g.cover for g in report.gaps] == [["Q"], ["Q"]] and report.training == []
