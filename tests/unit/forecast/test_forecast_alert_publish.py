"""publish_run: the overtime projections worth acting on become recommendations, once each (audit.publish_once)."""

from __future__ import annotations

from datetime import UTC, datetime

from plexlabor.audit import AuditEventType, AuditStatus, InMemoryAuditStore
from plexlabor.forecast.records import OvertimeProjection
from plexlabor.forecast.service import OVERTIME_VERSION, ForecastRun, publish_run
from plexlabor.forecast.settings import ForecastSettings

AS_OF = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 21, 8, 5, tzinfo=UTC)


def _projection(department: str, overtime_hours: float, suggestion: str | None) -> OvertimeProjection:
    return OvertimeProjection(
        as_of=AS_OF,
        department=department,
        iso_week="2026-W47",
        week_start=datetime(2026, 11, 16, 5, 0, tzinfo=UTC),
        employees=12,
        worked_hours=300.0,
        scheduled_hours=200.0,
        projected_hours=500.0,
        projected_overtime_hours=overtime_hours,
        employees_over_threshold=3,
        employees_over_limit=0,
        overtime_cost=None,
        last_week_overtime_hours=None,
        forecast_labor_hours=None,
        causes=["three people are scheduled past 40 h"],
        suggestion=suggestion,
    )


def _run(*overtime: OvertimeProjection) -> ForecastRun:
    return ForecastRun(AS_OF, "v1", None, None, None, [], [], list(overtime), {})


def test_projections_worth_acting_on_are_published_once_and_a_refused_id_is_counted() -> None:
    # Given one department-week over the threshold with a suggestion, one under it, one without a
    # suggestion, and one whose department the audit table refuses as a record key (whitespace)
    run = _run(
        _projection("ASSY", 20.0, "move two people from PAINT"),
        _projection("MACH", 2.0, "move one person"),
        _projection("MOLD", 20.0, None),
        _projection("Final Assembly", 20.0, "move one person"),
    )
    store = InMemoryAuditStore()
    # When the run is published twice
    first = publish_run(run, store, NOW, ForecastSettings())
    again = publish_run(run, store, NOW, ForecastSettings())
    # Then one recommendation is recorded, once; the refused one is counted, not raised
    assert first.as_dict() == {"published": 1, "already_published": 0, "invalid": 1}
    assert again.as_dict() == {"published": 0, "already_published": 1, "invalid": 1}
    [event] = store.history("departments:ASSY")
    assert (event.event_type, event.status, event.model_version) == (
        AuditEventType.RECOMMENDATION,
        AuditStatus.LOGGED,
        OVERTIME_VERSION,
    )
    assert event.payload["suggestion"] == "move two people from PAINT"
