"""The scores report as an artifact: what analytics_nightly leaves in the artifacts bucket for the web app.

Keys, under `reports/analytics/` of the bucket (the prefix analytics_nightly may write and web_app read):
`<as_of>.json`, the `AnalyticsArtifact` of the window ending that day (a re-run the same day replaces
it), and `latest.json`, the `ReportPointer` to the newest one, written last
(`plexlabor.platform.artifacts.store_report`). Ids, employee numbers, departments and numbers only: no
names (the page names people as each viewer's role allows). Readers check the pointer's sha256.
"""

from __future__ import annotations

from pydantic import Field

from plexlabor.analytics.report import ScoresReport
from plexlabor.platform.artifacts import ArtifactStore, ReportPointer, WeeksReport, read_model, store_weeks_report

REPORT_PREFIX = "reports/analytics/"
"""Where scores reports live in the artifacts bucket (infra grants it by this prefix)."""
SCHEMA_VERSION = 1


class AnalyticsArtifact(WeeksReport):
    schema_version: int = SCHEMA_VERSION
    report: ScoresReport
    crew_of: dict[str, str] = Field(default_factory=dict)
    """Operator's employee id -> their crew's key (the supervisor's id, `-` for none), as scored."""


def store_artifact(store: ArtifactStore, artifact: AnalyticsArtifact) -> ReportPointer:
    """Write the day's report, then point `latest.json` at it; the pointer written."""
    return store_weeks_report(store, artifact)


def read_artifact(store: ArtifactStore, pointer: ReportPointer) -> AnalyticsArtifact:
    """The report a pointer names, checked against its sha256 and validated whole."""
    return read_model(store, pointer, AnalyticsArtifact, "a scores report")
