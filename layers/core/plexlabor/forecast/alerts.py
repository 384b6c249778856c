"""Variance alerts: upcoming job operations whose P50 exceeds standard by `alert_margin`, with drivers.

A driver is a group of features (the crew's pace, the part operation's record, ...). Its weight is
measured on the model itself: the P50 again with that group set to a neutral value (standard pace,
standard ratio, no downtime beyond the typical, the full crew, a typical run length), and the hours
the P50 drops by are the hours that factor adds. The largest become plain sentences, e.g.
"crew 1 person short of the routing's 2" or "part operation 30 ran 18% over standard on its last 6 runs".
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from plexlabor.audit.events import AuditEvent, AuditStatus, recommendation_event, stable_event_id
from plexlabor.forecast.data import DAY, ForecastData, Operation
from plexlabor.forecast.features import COLUMN, RowContext
from plexlabor.forecast.forecaster import ForecastBatch
from plexlabor.forecast.model import LaborHoursModel
from plexlabor.forecast.records import Driver, OperationForecast, OvertimeProjection, VarianceAlert
from plexlabor.forecast.settings import ForecastSettings
from plexlabor.models import record_key
from plexlabor.platform.pilot import Hold

ACTOR = "forecast_nightly"
MIN_DRIVER_SHARE = 0.02  # of the standard hours
MIN_DRIVER_HOURS = 0.25


@dataclass(frozen=True)
class Explain:
    """What a driver's sentence may use: the feature row, the operation, its crew, the model."""

    row: np.ndarray
    op: Operation
    ctx: RowContext
    wc: str  # the workcenter's code
    settings: ForecastSettings
    model: LaborHoursModel

    def __getitem__(self, feature: str) -> float:
        return float(self.row[COLUMN[feature]])


@dataclass(frozen=True)
class DriverGroup:
    name: str
    neutral: Callable[[np.ndarray, LaborHoursModel], dict[str, float]]
    text: Callable[[Explain], str | None]


def _pct(ratio: float) -> str:
    return f"{abs(ratio - 1):.0%} {'over' if ratio >= 1 else 'under'}"


def _pace_text(e: Explain) -> str | None:
    for column, who in (
        ("start_crew_pace", "the crew scheduled when it starts"),
        ("crew_pace", f"the crew scheduled at {e.wc}"),
        ("home_pace", f"{e.wc}'s regular crew"),
        ("workcenter_pace", e.wc),
    ):
        pace = e[column]
        if not math.isnan(pace):
            return f"{who} works at {pace:.0%} of standard pace (last {e.settings.lookback_weeks} weeks)"
    return None


def _shift_text(e: Explain) -> str | None:
    pace = e["shift_pace"]
    if math.isnan(pace) or e.ctx.start_shift is None:
        return None
    return f"{e.wc} runs at {pace:.0%} of standard pace on shift {e.ctx.start_shift}, when this operation starts"


def _operation_text(e: Explain) -> str | None:
    ratio, runs = e["operation_ratio"], e["operation_runs"]
    if math.isnan(ratio):
        return None
    return f"operation {e.op.operation_code} of this part ran {_pct(ratio)} standard on its last {int(runs)} runs"


def _workcenter_text(e: Explain) -> str | None:
    ratio, runs = e["workcenter_ratio"], e["workcenter_runs"]
    if math.isnan(ratio):
        return None
    weeks = e.settings.lookback_weeks
    return f"operations at {e.wc} finished {_pct(ratio)} standard (median of {int(runs)} in {weeks} weeks)"


def _run_text(e: Explain) -> str | None:
    typical = math.exp(e.model.reference.get("log_standard_hours", math.nan))
    if math.isnan(typical) or e.op.standard_hours >= typical:
        return None
    return (
        f"short run ({e.op.standard_hours:.1f} standard hours, a typical run is {typical:.0f}): setup and the time "
        "booked around the last piece weigh more"
    )


def _downtime_text(e: Explain) -> str | None:
    share = e["downtime_share"]
    if math.isnan(share):
        return None
    return f"{e.wc} lost {share:.0%} of its worked time to downtime (last {e.settings.lookback_weeks} weeks)"


def _short_text(e: Explain) -> str | None:
    short, crew = e["crew_short"], e["crew_size"]
    if math.isnan(short) or short <= 0:
        return None
    people = "person" if round(short) == 1 else "people"
    return f"crew {short:.0f} {people} short of the routing's {crew:.0f} when it starts"


def _tenure_text(e: Explain) -> str | None:
    years = e["crew_tenure_years"]
    return None if math.isnan(years) else f"the planned crew averages {years:.1f} years in the plant"


def _set(**values: float) -> Callable[[np.ndarray, LaborHoursModel], dict[str, float]]:
    return lambda row, model: dict(values)


def _typical(*names: str) -> Callable[[np.ndarray, LaborHoursModel], dict[str, float]]:
    return lambda row, model: {name: model.reference.get(name, math.nan) for name in names}


DRIVER_GROUPS: tuple[DriverGroup, ...] = (
    DriverGroup(
        "crew_pace",
        _set(crew_pace=1.0, start_crew_pace=1.0, home_pace=1.0, workcenter_pace=1.0, shift_pace=1.0),
        _pace_text,
    ),
    DriverGroup(
        "shift",
        lambda row, model: {"shift_pace": row[COLUMN["workcenter_pace"]]},
        _shift_text,
    ),
    DriverGroup("operation_history", _set(operation_ratio=1.0), _operation_text),
    DriverGroup("workcenter_history", _set(workcenter_ratio=1.0), _workcenter_text),
    DriverGroup(
        "run_length",
        _typical("log_standard_hours", "run_hours_per_person", "log_quantity", "setup_share"),
        _run_text,
    ),
    DriverGroup("downtime", _typical("downtime_share"), _downtime_text),
    DriverGroup("crew_short", _set(crew_short=0.0), _short_text),
    DriverGroup("experience", _typical("crew_tenure_years"), _tenure_text),
)


def _supervisor(data: ForecastData, ctx: RowContext) -> str | None:
    votes = Counter(
        person.supervisor_id
        for e in ctx.crew
        if (person := data.people.get(data.employee_ids[e])) is not None and person.supervisor_id
    )
    return votes.most_common(1)[0][0] if votes else None


def variance_alerts(
    data: ForecastData, batch: ForecastBatch, model: LaborHoursModel | None, settings: ForecastSettings
) -> list[VarianceAlert]:
    """Alerts for model forecasts over standard by the margin, each with its main drivers."""
    if model is None:
        return []
    soon = datetime.fromtimestamp(data.data_end + settings.alert_horizon_days * DAY, UTC)
    chosen = [
        i
        for i, f in enumerate(batch.forecasts)
        if f.p50_hours > f.standard_hours * (1 + settings.alert_margin)
        and f.p50_hours - f.standard_hours >= settings.alert_min_hours
        and (f.scheduled_start is None or f.scheduled_start < soon)
    ]
    chosen.sort(key=lambda i: (-(batch.forecasts[i].p50_hours - batch.forecasts[i].standard_hours), i))
    chosen = chosen[: settings.max_alerts]
    if not chosen:
        return []
    # One prediction per (alert, driver group), batched.
    variants = []
    for i in chosen:
        row = batch.X[i]
        for group in DRIVER_GROUPS:
            variant = row.copy()
            for name, value in group.neutral(row, model).items():
                if not math.isnan(value):
                    variant[COLUMN[name]] = value
            variants.append(variant)
    neutral_p50 = model.predict_ratio(np.asarray(variants))[:, 1].reshape(len(chosen), len(DRIVER_GROUPS))
    alerts = []
    for k, i in enumerate(chosen):
        forecast, op, ctx, row = batch.forecasts[i], batch.operations[i], batch.contexts[i], batch.X[i]
        wc = forecast.workcenter_code or "the workcenter"  # people know it by its code, never its Plex id
        drivers = []
        for g, group in enumerate(DRIVER_GROUPS):
            hours = (batch.ratios[i, 1] - neutral_p50[k, g]) * op.standard_hours
            if hours < max(MIN_DRIVER_HOURS, MIN_DRIVER_SHARE * op.standard_hours):
                continue
            text = group.text(Explain(row, op, ctx, wc, settings, model))
            if text:
                drivers.append(Driver(factor=group.name, hours=round(float(hours), 2), text=text))
        drivers.sort(key=lambda d: -d.hours)
        drivers = drivers[: settings.max_drivers]
        over = forecast.p50_hours - forecast.standard_hours
        if not drivers:
            drivers = [
                Driver(
                    factor="combined",
                    hours=round(over, 2),
                    text="no single factor stands out: several small ones add up",
                )
            ]
        alerts.append(
            VarianceAlert(
                forecast=forecast,
                over_hours=round(over, 2),
                over_pct=round(over / forecast.standard_hours, 4),
                drivers=drivers,
                supervisor_id=_supervisor(data, ctx),
                note=alert_note(forecast, drivers),
            )
        )
    return alerts


def alert_note(forecast: OperationForecast, drivers: list[Driver]) -> str:
    """The alert as people read it: the job number, operation code and workcenter code (never Plex ids)."""
    job = f"Job {forecast.job_no}" if forecast.job_no else "A job"
    wc = forecast.workcenter_code or "its workcenter"
    return (
        f"{job} operation {forecast.operation_code} at {wc}: forecast {forecast.p50_hours:.1f} h "
        f"(P10-P90 {forecast.p10_hours:.1f}-{forecast.p90_hours:.1f} h) against {forecast.standard_hours:.1f} h "
        f"standard, {forecast.variance_pct:+.0%}. Drivers: " + "; ".join(d.text for d in drivers) + "."
    )


# ---- audit events ----------------------------------------------------------------------------
def alert_event(
    alert: VarianceAlert, now: datetime, status: AuditStatus, actor: str = ACTOR, *, held: Hold | None = None
) -> AuditEvent:
    """A variance alert; `held`: why the pilot scope recorded it `logged` (added to its payload)."""
    f = alert.forecast
    event_id = stable_event_id("forecast", "labor_variance", f.as_of.date().isoformat(), f.job_operation_id)
    return recommendation_event(
        record_key("job-operations", f.job_operation_id),
        event_id,
        status=status,
        occurred_at=now,
        actor=actor,
        supervisor_id=alert.supervisor_id,
        model_version=f.model_version,
        payload={
            "kind": "labor_variance",
            "as_of": f.as_of.isoformat(),
            "job_id": f.job_id,
            "job_no": f.job_no,
            "operation_code": f.operation_code,
            "workcenter_id": f.workcenter_id,
            "workcenter_code": f.workcenter_code,
            "department": f.department,  # the queue's Department filter and the department's supervisors (ux_s13 #2)
            "scheduled_start": f.scheduled_start.isoformat() if f.scheduled_start else None,
            "standard_hours": f.standard_hours,
            "p10_hours": f.p10_hours,
            "p50_hours": f.p50_hours,
            "p90_hours": f.p90_hours,
            "cost_p50": f.cost_p50,
            "over_hours": alert.over_hours,
            "over_pct": alert.over_pct,
            "drivers": [d.model_dump() for d in alert.drivers],
            "suggestion": f"plan {f.p50_hours:.1f} h (not {f.standard_hours:.1f} h) for this operation",
            "note": alert.note,
            **(held.payload() if held else {}),
        },
    )


def overtime_event(
    projection: OvertimeProjection,
    model_version: str,
    now: datetime,
    status: AuditStatus,
    actor: str = ACTOR,
    *,
    held: Hold | None = None,
) -> AuditEvent:
    """An overtime projection; `held`: why the pilot scope recorded it `logged` (added to its payload)."""
    event_id = stable_event_id(
        "forecast", "overtime", projection.as_of.date().isoformat(), projection.department, projection.iso_week
    )
    causes = "; ".join(projection.causes)
    note = (
        f"{projection.department} {projection.iso_week}: "
        f"{projection.projected_overtime_hours:.1f} h overtime projected "  # one decimal, as the forecasts page
        f"({projection.employees_over_threshold} of {projection.employees} people into overtime). "
        + causes[:1].upper()
        + causes[1:]
        + (f". Suggestion: {projection.suggestion}." if projection.suggestion else "")
    )
    payload = {
        **projection.model_dump(mode="json", exclude={"kind"}),  # its own `kind` ("overtime") is not the review kind
        "kind": "overtime_projection",
        "note": note,
        **(held.payload() if held else {}),
    }
    return recommendation_event(
        record_key("departments", projection.department),
        event_id,
        status=status,
        occurred_at=now,
        actor=actor,
        model_version=model_version,
        payload=payload,
    )
