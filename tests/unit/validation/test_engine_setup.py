"""Setup in labor (issue 11): where the plant logs setup inside the first labor on a job operation
(`PunchPolicy.setup_in_labor`), that entry's lower output is not improbable; a later entry with the same
output is, and so is the first where setup is logged apart (the default)."""

from __future__ import annotations

from datetime import date

import pytest
from plant_builder import JOB, PART, PlantBuilder, local

from plexlabor.models import record_key
from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.engine import EngineSettings, ValidationEngine
from plexlabor.validation.norms import compute_norms
from plexlabor.validation.policy import PunchPolicy

A = AnomalyType
FIRST_SATURDAY, SECOND_SATURDAY = date(2026, 11, 7), date(2026, 11, 14)


@pytest.fixture(scope="module")
def engine() -> ValidationEngine:
    return ValidationEngine(settings=EngineSettings(policy=PunchPolicy(setup_in_labor=True)))


def with_new_operation(setup_hours: float) -> PlantBuilder:
    """E1's plant with a job operation JO3 (PART-1 op 10 at WC1, whose routing takes `setup_hours` of setup)."""
    plant = PlantBuilder(weeks=8).employee("E1")
    for row in plant.rows["approved-workcenters"]:
        if (row["partId"], row["workcenterId"]) == (PART, "WC1"):
            row["setupHours"] = setup_hours
    plant.rows["job-operations"].append(
        {"id": "JO3", "jobId": JOB, "partId": PART, "operationNo": 10, "operationCode": "10", "workcenterId": "WC1",
         "quantity": 1000, "standardHours": 18}
    )  # fmt: skip
    return plant


@pytest.mark.parametrize(("first", "improbable"), [(True, False), (False, True)], ids=["first-entry", "later-entry"])
def test_the_first_labor_on_an_operation_may_include_its_setup(
    engine: ValidationEngine, first: bool, improbable: bool
) -> None:
    # Given 150 pieces in 4 h on JO3 (60/h standard: 240 in 4 h, 150 in the 2.5 h left after a 1.5-h setup),
    # on its first entry, or after an earlier entry at the standard
    plant = with_new_operation(setup_hours=1.5)
    if not first:
        plant.labor("E1", local(FIRST_SATURDAY, "06:00"), local(FIRST_SATURDAY, "10:00"), 240, job_operation="JO3")
    entry = plant.labor(
        "E1", local(SECOND_SATURDAY, "06:00"), local(SECOND_SATURDAY, "10:00"), 150, job_operation="JO3"
    )
    assert entry is not None
    data = plant.build()
    # When the engine validates the plant
    flagged = {f.record_key for f in engine.batch(data, compute_norms(data)) if f.anomaly_type == A.IMPROBABLE_DURATION}
    # Then the first entry is read as setup plus run; a later one is 1.6x less output than usual
    assert flagged == ({record_key("labor-entries", entry)} if improbable else set())


@pytest.mark.parametrize(
    ("setup_hours", "setup_in_labor"), [(0.0, True), (1.5, False)], ids=["no-setup-on-the-routing", "logged-apart"]
)
def test_the_first_entry_is_improbable_when_no_setup_can_be_in_it(setup_hours: float, setup_in_labor: bool) -> None:
    plant = with_new_operation(setup_hours=setup_hours)
    entry = plant.labor(
        "E1", local(SECOND_SATURDAY, "06:00"), local(SECOND_SATURDAY, "10:00"), 150, job_operation="JO3"
    )
    data = plant.build()
    engine = ValidationEngine(settings=EngineSettings(policy=PunchPolicy(setup_in_labor=setup_in_labor)))
    flagged = {f.record_key for f in engine.batch(data, compute_norms(data)) if f.anomaly_type == A.IMPROBABLE_DURATION}
    assert flagged == {record_key("labor-entries", entry)}  # type: ignore[arg-type]
