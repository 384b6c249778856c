"""The reports the dashboards read, as a warm web app keeps them.

skills_daily leaves its report in the artifacts bucket (`plexlabor.skills.artifact`: `latest.json`
pointing at `<as_of>.json`). `SkillsReports.current()` reads the pointer at most every `ttl_s` seconds
(every request while there is none yet, so the first report shows at once) and the report only when
the pointer names another one; the report is parsed and indexed once (`SkillsIndex`), so a page
request does no I/O beyond that pointer and never recomputes anything. Parsing is plain JSON plus
validation of the small parts (codes, bottlenecks, training, certifications: `ArtifactBasics`); the
coverage rows (tens of thousands in a large plant) stay as read, and a row is validated only when a
page shows its detail: the first request after a new report stays short on a small Lambda. When the store fails, the
report already held is kept and shown with the failure (`Loaded.problem`); with none held the page
says what is missing.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from plexlabor.platform.artifacts import ArtifactError, ArtifactSettings, ArtifactStore, ReportPointer, read_checked
from plexlabor.skills.artifact import REPORT_PREFIX, SCHEMA_VERSION, EmployeeRef, ShiftRef, WorkcenterRef
from plexlabor.skills.report import Bottleneck, CertificationAlert, CoverageRow, SkillsTotals, TrainingRecommendation
from plexlabor.webapp.latest import LatestReport

if TYPE_CHECKING:
    from plexlabor.webapp.allocation import AllocationReports
    from plexlabor.webapp.analytics import AnalyticsReports
    from plexlabor.webapp.forecasts import ForecastReports
    from plexlabor.webapp.incidenttrends import IncidentTrendsReports

logger = logging.getLogger(__name__)

CellKey = tuple[str, date, str]
"""(workcenter id, work date, shift id)."""
ReportsT = TypeVar("ReportsT")


class ReportSettings(ArtifactSettings):
    """Where the web app reads reports: `ARTIFACTS_BUCKET_NAME` (its grants cover `reports/skills/`,
    `models/forecast/` and `reports/analytics/`) or `PLEXLABOR_ARTIFACTS_DIR` (a folder); neither: the
    dashboards say no report is configured."""

    def _latest(self, prefix: str, reports: Callable[[ArtifactStore], ReportsT]) -> ReportsT | None:
        """`reports` over the store rooted at `prefix`, or None when neither a bucket nor a folder is set."""
        store = self.artifact_store(prefix)
        return None if store is None else reports(store)

    def skills_reports(self) -> SkillsReports | None:
        return self._latest(REPORT_PREFIX, SkillsReports)

    def forecast_reports(self) -> ForecastReports | None:
        """forecast_nightly's runs (the grant covers `models/forecast/` too), or None when not configured."""
        from plexlabor.forecast.artifacts import PREFIX
        from plexlabor.webapp.forecasts import ForecastReports

        return self._latest(PREFIX, ForecastReports)

    def analytics_reports(self) -> AnalyticsReports | None:
        """analytics_nightly's scores (the grant covers `reports/analytics/` too), or None when not configured."""
        from plexlabor.analytics.artifact import REPORT_PREFIX as ANALYTICS_PREFIX
        from plexlabor.webapp.analytics import AnalyticsReports

        return self._latest(ANALYTICS_PREFIX, AnalyticsReports)

    def allocation_reports(self) -> AllocationReports | None:
        """allocation_nightly's report (the grant covers `reports/allocation/` too), or None when not configured."""
        from plexlabor.allocation.artifact import REPORT_PREFIX as ALLOCATION_PREFIX
        from plexlabor.webapp.allocation import AllocationReports

        return self._latest(ALLOCATION_PREFIX, AllocationReports)

    def incident_trends(self) -> IncidentTrendsReports | None:
        """incident_trends' report (the grant covers `reports/incidents/` too), or None when not configured."""
        from plexlabor.incidents.trends import REPORT_PREFIX as INCIDENTS_PREFIX
        from plexlabor.webapp.incidenttrends import IncidentTrendsReports

        return self._latest(INCIDENTS_PREFIX, IncidentTrendsReports)


class _Basics(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class ReportBasics(_Basics):
    """The parts of a `SkillsReport` the pages read as models (coverage, gaps and matrix left out)."""

    as_of: date
    horizon_days: int
    timezone: str
    totals: SkillsTotals
    bottlenecks: list[Bottleneck]
    expiring: list[CertificationAlert]
    lapsed: list[CertificationAlert]
    training: list[TrainingRecommendation]


class ArtifactBasics(_Basics):
    """A `SkillsArtifact` without its bulk: what is validated when a report is loaded."""

    schema_version: int
    generated_at: datetime
    report: ReportBasics
    workcenters: dict[str, WorkcenterRef]
    shifts: list[ShiftRef]
    skills: dict[str, str]
    employees: dict[str, EmployeeRef]


@dataclass
class SkillsIndex:
    """One skills report, indexed for the pages."""

    artifact: ArtifactBasics
    pointer: ReportPointer
    cells: dict[CellKey, dict[str, Any]] = field(default_factory=dict)
    """The coverage rows as read (each a `CoverageRow`'s JSON, not validated: see `cell`)."""
    causes: dict[CellKey, str] = field(default_factory=dict)
    """Why each gap is short (`Gap.cause`)."""
    risk: dict[str, float] = field(default_factory=dict)
    """Hours at risk per workcenter over the horizon (workcenters with scheduled work only)."""
    ranked: list[str] = field(default_factory=list)
    """Workcenters with work, most hours at risk first (then code, id)."""
    training: dict[str, TrainingRecommendation] = field(default_factory=dict)
    alerts: list[CertificationAlert] = field(default_factory=list)
    """Lapsed and expiring certifications, by expiry (then id)."""

    @classmethod
    def of(cls, raw: bytes, pointer: ReportPointer) -> SkillsIndex:
        """Index a stored `SkillsArtifact` (its JSON); ArtifactError when it is not one."""
        try:
            document = json.loads(raw)
            basics = ArtifactBasics.model_validate(document)
            index = cls(basics, pointer)
            index._index_cells(document["report"]["coverage"], document["report"]["gaps"])
        except (ValueError, KeyError, TypeError) as error:  # a ValidationError is a ValueError
            raise ArtifactError(f"{pointer.key} is not a skills report ({type(error).__name__})") from None
        if basics.schema_version != SCHEMA_VERSION:
            raise ArtifactError(f"{pointer.key} has schema {basics.schema_version}; this app reads {SCHEMA_VERSION}")
        report = basics.report
        index.ranked = sorted(index.risk, key=lambda wc: (-index.risk[wc], index.code(wc), wc))
        index.training = {t.workcenter_id: t for t in report.training}
        index.alerts = sorted([*report.lapsed, *report.expiring], key=lambda a: (a.expires, a.kind, a.certification_id))
        return index

    def _index_cells(self, coverage: list[dict[str, Any]], gaps: list[dict[str, Any]]) -> None:
        days: dict[str, date] = {}

        def key(row: dict[str, Any]) -> CellKey:
            text = row["work_date"]
            day = days.get(text) or days.setdefault(text, date.fromisoformat(text))
            return (row["workcenter_id"], day, row["shift_id"])

        risk: dict[str, float] = defaultdict(float)
        for row in coverage:
            self.cells[key(row)] = row
            risk[row["workcenter_id"]] += float(row["hours_at_risk"])
        self.risk = {wc: round(hours, 2) for wc, hours in risk.items()}
        self.causes = {key(gap): str(gap["cause"]) for gap in gaps}

    def cell(self, key: CellKey) -> CoverageRow | None:
        """One coverage row, validated (None when the report has no work there)."""
        row = self.cells.get(key)
        if row is None:
            return None
        try:
            return CoverageRow.model_validate(row)
        except ValidationError:
            logger.warning("coverage row unreadable", extra={"workcenter_id": key[0]})
            return None

    @property
    def as_of(self) -> date:
        return self.artifact.report.as_of

    def code(self, workcenter_id: str) -> str:
        ref = self.artifact.workcenters.get(workcenter_id)
        return ref.code if ref else workcenter_id

    def department(self, workcenter_id: str) -> str | None:
        ref = self.artifact.workcenters.get(workcenter_id)
        return ref.department if ref else None

    def days(self) -> list[date]:
        report = self.artifact.report
        return [report.as_of + timedelta(days=n) for n in range(report.horizon_days)]

    def columns(self) -> list[tuple[date, ShiftRef]]:
        """Every (day, shift) of the horizon, in time order: the heatmap's columns."""
        return [(day, shift) for day in self.days() for shift in self.artifact.shifts]


class SkillsReports(LatestReport[SkillsIndex]):
    """The newest skills report of one store, kept between requests (`webapp.latest`)."""

    what = "skills report"

    def read(self, pointer: ReportPointer) -> SkillsIndex:
        return SkillsIndex.of(read_checked(self.store, pointer), pointer)
