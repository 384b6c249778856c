"""The incident trends page's data: incident_trends' newest report, kept per warm container, shaped for
`/incidents/trends` (`webapp.incidents`).

incident_trends leaves its report under `reports/incidents/` (`incidents.trends`: `latest.json` pointing
at `<as_of>.json`). `IncidentTrendsReports.current()` reads the pointer at most every `ttl_s` seconds and
the report only when the pointer names another one, checked and validated once; a page request never
recomputes a rate. Rates per workcenter, shift and category are no one's personal data: the EHS lead,
admins, planners and supervisors see the whole plant (`TrendsScope`).

`trend_chart` is the weekly chart's data, the numbers the page's table shows too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from plexlabor.incidents.trends import IncidentTrends, read_trends
from plexlabor.platform.artifacts import ReportPointer
from plexlabor.review.queue import Role
from plexlabor.webapp.latest import LatestReport
from plexlabor.webapp.viewer import Reach


@dataclass(frozen=True)
class TrendsIndex:
    pointer: ReportPointer
    trends: IncidentTrends


class IncidentTrendsReports(LatestReport[TrendsIndex]):
    """The newest incident trends of one store (rooted at `reports/incidents/`), kept between requests."""

    what = "incident trends report"

    def read(self, pointer: ReportPointer) -> TrendsIndex:
        return TrendsIndex(pointer, read_trends(self.store, pointer))


class TrendsScope(Reach):
    """The EHS lead, admins, planners and supervisors see the plant's incident rates; nobody else."""

    plant_wide_roles = frozenset({Role.EHS, Role.ADMIN, Role.PLANNER, Role.SUPERVISOR})


def trend_chart(trends: IncidentTrends) -> dict[str, Any]:
    """Per ISO week: injuries and near misses (bars), the injury rate per 200,000 hours and the overtime
    hours (lines); a week without hours has no rate (null: a gap in the line)."""
    return {
        "weeks": [week.key for week in trends.weekly],
        "injuries": [week.injuries for week in trends.weekly],
        "near_misses": [week.near_misses for week in trends.weekly],
        "injury_rate": [week.injury_rate for week in trends.weekly],
        "overtime": [week.overtime_hours for week in trends.weekly],
    }
