"""A variance alert's note names the job operation as people do: job number, operation code, workcenter code."""

from __future__ import annotations

from datetime import UTC, datetime

from plexlabor.forecast.alerts import alert_note
from plexlabor.forecast.records import Driver, OperationForecast

AS_OF = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
JOB_OPERATION, JOB, WORKCENTER = "5b0e1a85-f8a9-4c1e-9d2b-0b5e1a85f8a9", "0cc41299-6475-4a9a", "9474031b-7f26-444b"


def _forecast(job_no: str | None, workcenter_code: str | None) -> OperationForecast:
    return OperationForecast(
        as_of=AS_OF,
        job_operation_id=JOB_OPERATION,
        job_id=JOB,
        job_no=job_no,
        part_id="569908f6-c030-4b21",
        part_family="Brackets",
        operation_no=20,
        operation_code="20",
        workcenter_id=WORKCENTER,
        workcenter_code=workcenter_code,
        department="MACH",
        scheduled_start=None,
        quantity=500,
        standard_hours=10.0,
        p10_hours=11.0,
        p50_hours=12.5,
        p90_hours=14.0,
        labor_rate=None,
        cost_p10=None,
        cost_p50=None,
        cost_p90=None,
        variance_pct=0.25,
        crew_source="scheduled",
        method="model",
        model_version="forecast-1",
    )


DRIVERS = [Driver(factor="crew_short", hours=2.5, text="crew 1 person short of the routing's 2 when it starts")]


def test_the_note_names_the_job_number_operation_and_workcenter_code() -> None:
    note = alert_note(_forecast("J-4711", "CNC-03"), DRIVERS)
    assert note.startswith("Job J-4711 operation 20 at CNC-03: forecast 12.5 h")


def test_without_a_job_number_or_workcenter_code_the_note_still_shows_no_plex_id() -> None:
    note = alert_note(_forecast(None, None), DRIVERS)
    assert note.startswith("A job operation 20 at its workcenter: forecast 12.5 h")
    assert not any(plex_id in note for plex_id in (JOB_OPERATION, JOB, WORKCENTER))
