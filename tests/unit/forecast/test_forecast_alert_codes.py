"""A variance alert's note names the job operation as people do: job number, operation code, workcenter code."""

from __future__ import annotations

from plexlabor.forecast.alerts import alert_note
from plexlabor.forecast.records import Driver
from tests.unit.forecast.conftest import make_forecast

DRIVERS = [Driver(factor="crew_short", hours=2.5, text="crew 1 person short of the routing's 2 when it starts")]


def test_the_note_names_the_job_number_operation_and_workcenter_code() -> None:
    note = alert_note(make_forecast(job_no="J-4711", workcenter_code="CNC-03"), DRIVERS)
    assert note.startswith("Job J-4711 operation 20 at CNC-03: forecast 12.5 h")


def test_without_a_job_number_or_workcenter_code_the_note_still_shows_no_plex_id() -> None:
    forecast = make_forecast(job_no=None, workcenter_code=None)
    note = alert_note(forecast, DRIVERS)
    assert note.startswith("A job operation 20 at its workcenter: forecast 12.5 h")
    assert not any(plex_id in note for plex_id in (forecast.job_operation_id, forecast.job_id, forecast.workcenter_id))
