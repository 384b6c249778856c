"""Every kind's event says which department it is about, or names a person the queue places (ux_s13 #2): a labor
variance's event named its workcenter but not the department the forecast knew, so the queue's Department filter
dropped it and no department's supervisor saw it."""

from __future__ import annotations

from datetime import UTC, datetime

from plexlabor.audit import AuditStatus
from plexlabor.forecast.alerts import alert_event
from plexlabor.forecast.records import Driver, OperationForecast, VarianceAlert
from plexlabor.review.items import item_from_event
from plexlabor.review.queue import Role, Viewer

AS_OF = datetime(2026, 12, 4, 23, 0, tzinfo=UTC)


def _variance(department: str | None) -> VarianceAlert:
    forecast = OperationForecast(
        as_of=AS_OF,
        job_operation_id="JO-1",
        job_id="J-1",
        job_no="J100014",
        part_id="P-1",
        part_family="SHAFTS",
        operation_no=10,
        operation_code="10",
        workcenter_id="WC-ID-2",
        workcenter_code="CNC-02",
        department=department,
        scheduled_start=None,
        quantity=40,
        standard_hours=4.0,
        p10_hours=4.5,
        p50_hours=6.0,
        p90_hours=7.5,
        labor_rate=24.0,
        cost_p10=108.0,
        cost_p50=144.0,
        cost_p90=180.0,
        variance_pct=0.5,
        crew_source="scheduled",
        method="model",
        model_version="forecast-1",
    )
    driver = Driver(factor="crew_pace", hours=2.0, text="the crew works slower here")
    return VarianceAlert(
        forecast=forecast, over_hours=2.0, over_pct=0.5, drivers=[driver], supervisor_id="E0001", note="Job J100014"
    )


def test_a_labor_variance_is_about_its_workcenters_department() -> None:
    item = item_from_event(alert_event(_variance("MACH"), AS_OF, AuditStatus.PENDING_APPROVAL))
    assert item is not None and item.department == "MACH"
    machining = Viewer("E0300", frozenset({Role.SUPERVISOR}), frozenset({"MACH"}))
    assert machining.may_see(item)
    unknown = item_from_event(alert_event(_variance(None), AS_OF, AuditStatus.PENDING_APPROVAL))
    assert unknown is not None and unknown.department is None
