"""incident_retrain leaves its run's record beside the incident models on every run, trained or not (ux164 #14):
the KPI page says when it last ran, what came of it and how many corrections it counted and needs."""

from __future__ import annotations

from plexlabor.audit import InMemoryAuditStore
from plexlabor.incidents.registry import BASE_ROWS, IncidentModels
from plexlabor.incidents.reports import write_coded_reports
from plexlabor.incidents.retrain import RetrainDeps, run
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.platform.retrainruns import last_run
from tests.unit.incidents.conftest import as_reports, coded_rows
from tests.unit.incidents.test_incident_retrain import NOW, SETTINGS, _corrected, _event


def test_a_run_with_too_few_corrections_records_that_it_ran_and_how_many_it_needs() -> None:
    audit = InMemoryAuditStore()
    _corrected(audit, as_reports(coded_rows(2, seed=5)))
    models = IncidentModels(InMemoryArtifactStore())

    summary = run(RetrainDeps(audit, models, lambda: None, SETTINGS, clock=lambda: NOW), _event())

    assert summary == {"trained": False, "corrections": 2, "needed": 30}
    record = last_run(models.store)
    assert record is not None and not record.trained
    assert (record.at, record.outcome, record.counted, record.needed, record.unit) == (
        NOW,
        "too_few",
        2,
        30,
        "correction",
    )
    assert models.in_force() is None


def test_a_run_that_trains_records_its_verdict_and_the_model() -> None:
    audit = InMemoryAuditStore()
    models = IncidentModels(InMemoryArtifactStore())
    reports = as_reports(coded_rows(260, seed=11))
    models.store.put(BASE_ROWS, write_coded_reports(reports[:200]).encode(), "text/csv")
    _corrected(audit, reports[200:])

    summary = run(RetrainDeps(audit, models, lambda: None, SETTINGS, clock=lambda: NOW), _event(promote=False))

    record = last_run(models.store)
    assert record is not None and record.trained
    assert (record.outcome, record.counted, record.version) == ("shadow", 60, summary["version"])
