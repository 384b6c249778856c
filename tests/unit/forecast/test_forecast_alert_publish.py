"""publish_run: the overtime projections worth acting on become recommendations, once each (audit.publish_once)."""

from __future__ import annotations

from datetime import UTC, datetime

from plexlabor.audit import AuditEventType, AuditStatus, InMemoryAuditStore
from plexlabor.forecast.records import OvertimeProjection, VarianceAlert
from plexlabor.forecast.service import OVERTIME_VERSION, ForecastRun, publish_run
from plexlabor.forecast.settings import ForecastSettings
from plexlabor.platform.pilot import PLANT_WIDE, PilotScope
from tests.unit.forecast.conftest import AS_OF, make_forecast

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
        AuditStatus.PENDING_APPROVAL,  # by default it waits in the review queue
        OVERTIME_VERSION,
    )
    assert event.payload["suggestion"] == "move two people from PAINT"


def _alert(job_operation_id: str, workcenter_code: str, department: str) -> VarianceAlert:
    forecast = make_forecast(
        job_operation_id=job_operation_id,
        workcenter_id=f"WC-{workcenter_code}",
        workcenter_code=workcenter_code,
        department=department,
    )
    return VarianceAlert(forecast=forecast, over_hours=2.0, over_pct=0.25, drivers=[], supervisor_id=None, note="n")


def _held(scope: PilotScope, alert_status: str = "pending_approval") -> dict[str, tuple[str, object, object]]:
    """Each published recommendation's (status, held, advisory), by record key, under `scope`."""
    run = ForecastRun(
        AS_OF,
        "v1",
        None,
        None,
        None,
        [],
        [_alert("OP-1", "MLD-01", "MOLD"), _alert("OP-2", "ASM-01", "ASSY")],
        [_projection("ASSY", 20.0, "move two people from PAINT")],
        {},
    )
    store = InMemoryAuditStore()
    publish_run(run, store, NOW, ForecastSettings(alert_status=alert_status), scope)  # type: ignore[arg-type]
    events = [
        e for key in ("job-operations:OP-1", "job-operations:OP-2", "departments:ASSY") for e in store.history(key)
    ]
    return {e.record_key: (e.status.value, e.payload.get("held"), e.payload.get("advisory")) for e in events}


def test_the_pilot_scope_holds_back_alerts_that_would_wait_for_a_decision() -> None:
    pending = ("pending_approval", None, None)
    outside = ("logged", "outside_pilot", False)

    assert set(_held(PLANT_WIDE).values()) == {pending}
    assert _held(PilotScope(departments=("MOLD",))) == {
        "job-operations:OP-1": pending,
        "job-operations:OP-2": outside,
        "departments:ASSY": outside,
    }
    by_workcenter = _held(PilotScope(workcenters=("ASM-01",)))
    assert by_workcenter["job-operations:OP-2"] == pending
    assert by_workcenter["departments:ASSY"] == outside  # a department-week has no workcenter
    assert set(_held(PilotScope(shifts=("1",))).values()) == {outside}  # nor a shift
    assert set(_held(PilotScope(advisory=True)).values()) == {("logged", "advisory_mode", True)}
    kinds = _held(PilotScope(notify_kinds=("overtime_projection",)))
    assert kinds["departments:ASSY"] == pending
    assert kinds["job-operations:OP-1"] == ("logged", "kind_not_notified", True)


def test_alerts_logged_by_their_setting_carry_no_hold() -> None:
    assert set(_held(PilotScope(advisory=True), "logged").values()) == {("logged", None, None)}
