"""A small skills report with something on every page: a gap for want of certification, one for a
lapsed certification, one on leave, an expiring certification that blocks planned work, and
cross-training candidates; two departments (MOLD: WC-10, ASSY: WC-20)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from plexlabor.platform.artifacts import ArtifactStore, ReportPointer
from plexlabor.skills.artifact import SkillsArtifact, build_artifact, store_artifact
from plexlabor.skills.data import SkillsInput
from plexlabor.skills.engine import assess_skills
from tests.unit.skills.skills_builder import SkillsBuilder

GENERATED_AT = datetime(2026, 11, 23, 9, tzinfo=UTC)
DEPARTMENTS = {"E1": "MOLD", "E2": "MOLD", "E3": "MOLD", "E4": "ASSY"}


def small_plant() -> SkillsInput:
    plant = SkillsBuilder().skill("SK-A", "G1").skill("SK-B", "G1")
    plant.workcenter("W", {"SK-A": 2}, code="WC-10", department="MOLD")
    plant.workcenter("V", {"SK-B": 1}, code="WC-20", department="ASSY")
    for employee in DEPARTMENTS:
        plant.employee(employee)
    plant.cert("E1", "SK-A", 2, expires=3)  # C0001: expires Thursday, blocks Saturday's work at W
    plant.cert("E2", "SK-A", 1)  # below W's level
    plant.cert("E3", "SK-A", 2)
    plant.cert("E4", "SK-B", 1, issued=-400, expires=-10)  # C0004: lapsed, blocks Tuesday at V
    plant.plan("E1", day=0, workcenter="W").plan("E2", day=0, workcenter="W")
    plant.plan("E3", day=0, workcenter="W", leave=True)
    plant.plan("E1", day=5, workcenter="W").plan("E4", day=1, workcenter="V").plan("E2", day=1, workcenter="V")
    plant.op("W", day=0, hours=8, crew=2)
    plant.op("W", day=5, hours=6)
    plant.op("V", day=1, hours=7)
    data = plant.build()
    data.employees = {k: replace(v, department=DEPARTMENTS[k]) for k, v in data.employees.items()}
    return data


def small_artifact() -> SkillsArtifact:
    data = small_plant()
    return build_artifact(assess_skills(data), data, GENERATED_AT)


def stored_report(store: ArtifactStore) -> ReportPointer:
    return store_artifact(store, small_artifact())
