"""The forecasts page's data: forecast_nightly's newest run, kept per warm container, and what one viewer sees.

forecast_nightly leaves each run in the artifacts bucket under `models/forecast/` (`forecast.artifacts`:
`latest.json` pointing at `<version>/forecasts.jsonl`, `alerts.jsonl`, `overtime.jsonl`).
`ForecastReports.current()` reads the pointer at most every `ttl_s` seconds (every request while there
is none) and the run's files only when the pointer names another version; they are checked against the
pointer's sha256, validated and sorted once (`ForecastIndex`). A page request does no other I/O and
never recomputes a forecast. When the store fails, the run already held is kept and shown with the
failure; with none held the page says what is missing.

`forecast_view` is pure: the operations a viewer may see (planners and admins the whole plant,
supervisors their departments), a page of them as the interval chart's data and the table's rows, the
variance alerts with their drivers, and the overtime projections per department and ISO week. Jobs,
operations and workcenters are named by their codes, never by Plex ids.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from plexlabor.approval.display import looks_like_id
from plexlabor.forecast.artifacts import read_latest, read_run_file
from plexlabor.forecast.records import OperationForecast, OvertimeProjection, VarianceAlert
from plexlabor.forecast.settings import ForecastSettings
from plexlabor.platform.artifacts import ArtifactError, ArtifactStore
from plexlabor.webapp.latest import Latest
from plexlabor.webapp.viewer import Reach

OPERATIONS_PER_PAGE = 25
"""Job operations per page of the interval chart and its table (a chart row stays readable at 820 px)."""
MEASURES = {"hours": "Labor hours", "cost": "Labor cost"}


def _lines(raw: bytes, model: type[BaseModel], key: str) -> list[Any]:
    try:
        return [model.model_validate_json(line) for line in raw.splitlines() if line.strip()]
    except ValidationError as error:
        raise ArtifactError(f"{key} is not a forecast file: {error.error_count()} problem(s)") from None


@dataclass
class ForecastIndex:
    """One stored forecast run, validated and sorted for the page."""

    pointer: dict[str, Any]
    forecasts: list[OperationForecast]
    alerts: list[VarianceAlert]
    overtime: list[OvertimeProjection]
    positions: dict[str | None, list[int]] = field(default_factory=dict)
    """Per department, where its operations are in `forecasts` (in order): a page never scans them all."""
    totals: dict[str | None, tuple[float, float]] = field(default_factory=dict)
    """Per department, the standard and P50 hours of its operations."""
    departments: list[str] = field(default_factory=list)
    """Every department the run forecasts, sorted: of its job operations, alerts and overtime projections (an
    indirect department such as MAINT or SHIP has overtime but no job operation: ux164 #17)."""

    @classmethod
    def read(cls, store: ArtifactStore, pointer: dict[str, Any]) -> ForecastIndex:
        """The run a pointer names; ArtifactError when a file is missing, altered or not a forecast file."""
        version = str(pointer["version"])
        forecasts = _lines(read_run_file(store, pointer, "forecasts.jsonl"), OperationForecast, version)
        alerts = _lines(read_run_file(store, pointer, "alerts.jsonl"), VarianceAlert, version)
        overtime = _lines(read_run_file(store, pointer, "overtime.jsonl"), OvertimeProjection, version)
        never = datetime.max.replace(tzinfo=None)
        forecasts.sort(
            key=lambda f: (
                (f.scheduled_start.replace(tzinfo=None) if f.scheduled_start else never),
                f.job_no or "",
                f.operation_no,
                f.job_operation_id,
            )
        )
        alerts.sort(key=lambda a: (-a.over_hours, a.forecast.job_operation_id))
        overtime.sort(key=lambda p: (p.iso_week, p.department))
        index = cls(pointer, forecasts, alerts, overtime)
        for position, f in enumerate(forecasts):
            index.positions.setdefault(f.department, []).append(position)
            standard, p50 = index.totals.get(f.department, (0.0, 0.0))
            index.totals[f.department] = (standard + f.standard_hours, p50 + f.p50_hours)
        named = [*index.positions, *(a.forecast.department for a in alerts), *(p.department for p in overtime)]
        index.departments = sorted({d for d in named if d})
        return index

    @property
    def version(self) -> str:
        return str(self.pointer["version"])

    @property
    def as_of(self) -> datetime:
        return datetime.fromisoformat(str(self.pointer["as_of"]))

    @property
    def refreshed_from(self) -> str | None:
        """The nightly run whose model an intraday refresh forecast with; None for the nightly run itself."""
        model = self.pointer.get("model_version")
        return str(model) if model and model != self.version else None

    @property
    def method(self) -> str:
        return str(self.pointer.get("method") or "model")

    @property
    def trained_on(self) -> int:
        return int(self.pointer.get("trained_on") or 0)

    @property
    def model_needs(self) -> int:
        """The finished job operations the run needed to train a model (a run from before it said so: the default)."""
        stored = self.pointer.get("min_training_operations")
        return int(stored) if stored else int(ForecastSettings.model_fields["min_training_operations"].default)

    @property
    def accuracy(self) -> Accuracy | None:
        """How the model in force did on work it did not see, when the run measured it."""
        return Accuracy.of(self.pointer.get("accuracy"))


METHOD_NAMES = {
    "model": "plexlabor's forecast (P50)",
    "standard": "Plex standard hours",
    "operation_median": "median of the operation's earlier runs",
    "seasonal_naive": "the operation's last run",
}
"""The backtest's methods as the page names them, in the order it lists them."""


@dataclass(frozen=True)
class AccuracyRow:
    method: str
    mape: float | None
    coverage: float | None
    mae_hours: float | None


@dataclass(frozen=True)
class Accuracy:
    """`forecast.backtest.accuracy_in_force` as stored in the run's pointer."""

    cutoff: datetime
    weeks: int
    operations: int
    trained_on: int
    rows: list[AccuracyRow]

    @classmethod
    def of(cls, stored: Any) -> Accuracy | None:
        if not isinstance(stored, dict):
            return None
        methods = stored.get("methods") or {}
        rows = [
            AccuracyRow(name, methods[key].get("mape"), methods[key].get("coverage"), methods[key].get("mae_hours"))
            for key, name in METHOD_NAMES.items()
            if key in methods
        ]
        return cls(
            cutoff=datetime.fromisoformat(str(stored["cutoff"])),
            weeks=int(stored["weeks"]),
            operations=int(stored["operations"]),
            trained_on=int(stored["trained_on"]),
            rows=rows,
        )


class ForecastReports(Latest[dict[str, Any], ForecastIndex]):
    """The newest forecast run of one store (rooted at `models/forecast/`), kept between requests."""

    what = "forecast run"

    def read_pointer(self) -> dict[str, Any] | None:
        return read_latest(self.store)

    def read(self, pointer: dict[str, Any]) -> ForecastIndex:
        return ForecastIndex.read(self.store, pointer)


# -- what one viewer sees -----------------------------------------------------------------------------------


class ForecastScope(Reach):
    """What one viewer may see of the forecasts: planners and admins the whole plant."""


def code(value: str | None, missing: str) -> str:
    """A code as people read it; `missing` when there is none or it is a Plex id."""
    return value if value and not looks_like_id(value) else missing


def job_label(f: OperationForecast) -> str:
    return f"{code(f.job_no, 'job without a number')} op {code(f.operation_code, str(f.operation_no))}"


@dataclass(frozen=True)
class OperationRow:
    label: str
    job: str
    operation: str
    workcenter: str
    department: str
    start: datetime | None
    forecast: OperationForecast
    standard_cost: float | None
    over_standard: bool


@dataclass
class ForecastView:
    departments: list[str]
    matching: int
    page: int
    pages: int
    first: int
    rows: list[OperationRow]
    chart: dict[str, Any]
    alerts: list[tuple[OperationRow, VarianceAlert]]
    overtime: list[OvertimeProjection]
    hours: dict[str, float] = field(default_factory=dict)


def _row(f: OperationForecast) -> OperationRow:
    workcenter = code(f.workcenter_code, "—")
    standard_cost = round(f.standard_hours * f.labor_rate, 2) if f.labor_rate is not None else None
    return OperationRow(
        label=f"{job_label(f)} · {workcenter}",
        job=code(f.job_no, "job without a number"),
        operation=code(f.operation_code, str(f.operation_no)),
        workcenter=workcenter,
        department=f.department or "—",
        start=f.scheduled_start.replace(tzinfo=f.scheduled_start.tzinfo or UTC) if f.scheduled_start else None,
        forecast=f,
        standard_cost=standard_cost,
        over_standard=f.p50_hours > f.standard_hours,
    )


def chart_data(rows: list[OperationRow], measure: str) -> dict[str, Any]:
    """The interval chart's data: per row (y index) its label, the P10-P90 band `[p10, p90, y]`, the P50 and
    the standard `[value, y]` (hours, or cost: an operation without a pay rate has no cost point)."""

    def values(row: OperationRow) -> tuple[float | None, float | None, float | None, float | None]:
        f = row.forecast
        if measure == "cost":
            return f.cost_p10, f.cost_p50, f.cost_p90, row.standard_cost
        return f.p10_hours, f.p50_hours, f.p90_hours, f.standard_hours

    points = [values(row) for row in rows]
    return {
        "measure": measure,
        "unit": "$" if measure == "cost" else "h",
        "labels": [row.label for row in rows],
        "band": [[p[0], p[2], i] for i, p in enumerate(points) if p[0] is not None and p[2] is not None],
        "p50": [[p[1], i] for i, p in enumerate(points) if p[1] is not None],
        "standard": [[p[3], i] for i, p in enumerate(points) if p[3] is not None],
    }


def forecast_view(
    index: ForecastIndex, scope: ForecastScope, department: str | None, page: int, measure: str
) -> ForecastView:
    departments = [d for d in index.departments if scope.sees(d)]
    chosen = [d for d in index.positions if scope.sees(d) and (department is None or d == department)]
    if len(chosen) == len(index.positions):
        matching: Sequence[int] = range(len(index.forecasts))
    else:
        matching = list(heapq.merge(*(index.positions[d] for d in chosen)))
    pages = max(1, -(-len(matching) // OPERATIONS_PER_PAGE))
    page = min(max(page, 1), pages)
    first = (page - 1) * OPERATIONS_PER_PAGE
    rows = [_row(index.forecasts[i]) for i in matching[first : first + OPERATIONS_PER_PAGE]]
    alerts = [
        (_row(a.forecast), a)
        for a in index.alerts
        if scope.sees(a.forecast.department) and (department is None or a.forecast.department == department)
    ]
    overtime = [
        p for p in index.overtime if scope.sees(p.department) and (department is None or p.department == department)
    ]
    hours = {
        "standard": round(sum(index.totals[d][0] for d in chosen), 1),
        "p50": round(sum(index.totals[d][1] for d in chosen), 1),
    }
    return ForecastView(
        departments=departments,
        matching=len(matching),
        page=page,
        pages=pages,
        first=first + 1,
        rows=rows,
        chart=chart_data(rows, measure if measure in MEASURES else "hours"),
        alerts=alerts,
        overtime=overtime,
        hours=hours,
    )
