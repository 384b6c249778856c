"""The main menu: the pages a viewer may open, each by the rule the page itself applies, so nobody is shown a
link that only leads to "this page is not for you"."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from plexlabor.review.queue import Viewer
from plexlabor.webapp.allocation import AllocationScope
from plexlabor.webapp.analytics import AnalyticsScope
from plexlabor.webapp.forecasts import ForecastScope
from plexlabor.webapp.incidenttrends import TrendsScope
from plexlabor.webapp.skillviews import CertificationScope, Scope
from plexlabor.webapp.viewer import COPILOT_ASKERS, CREW_ROLES


@dataclass(frozen=True)
class Entry:
    page: str
    """The page's name, as its template is rendered with (`page=`)."""
    path: str
    label: str
    opens: Callable[[Viewer], bool]


MENU = (
    Entry("queue", "/queue", "Review queue", lambda viewer: viewer.decides),
    Entry("kpis", "/kpis", "KPIs", lambda viewer: viewer.decides),
    Entry("skills", "/skills", "Skill coverage", lambda viewer: Scope.of(viewer).allowed),
    Entry("certifications", "/certifications", "Certifications", lambda viewer: CertificationScope.of(viewer).allowed),
    Entry("forecasts", "/forecasts", "Forecasts", lambda viewer: ForecastScope.of(viewer).allowed),
    Entry("crew", "/crew", "Crew board", lambda viewer: bool(viewer.roles & CREW_ROLES)),
    Entry("analytics", "/analytics", "Scores", lambda viewer: AnalyticsScope.of(viewer).allowed),
    Entry("allocation", "/allocation", "Allocation", lambda viewer: AllocationScope.of(viewer).allowed),
    Entry("incident_list", "/incidents", "Incidents", lambda viewer: True),  # all for the EHS lead, else one's own
    Entry("incidents", "/incidents/new", "Report an incident", lambda viewer: True),
    Entry("copilot", "/copilot", "Copilot", lambda viewer: bool(viewer.roles & COPILOT_ASKERS)),
    Entry("trends", "/incidents/trends", "Incident trends", lambda viewer: TrendsScope.of(viewer).allowed),
)


def menu_for(viewer: Viewer) -> list[Entry]:
    """The entries of the pages this viewer may open, in menu order."""
    return [entry for entry in MENU if entry.opens(viewer)]


def landing(viewer: Viewer) -> str:
    """Where the review queue, which signing in goes to, sends a person who decides nothing: the copilot for
    those who ask it, else the incident form (open to everyone signed in)."""
    return "/copilot" if viewer.roles & COPILOT_ASKERS else "/incidents/new"
