"""The allocation page's data: allocation_nightly's newest report, kept per warm container, what one
viewer sees of it, and the job-code guidance the review queue shows beside timecards.

allocation_nightly leaves its report under `reports/allocation/` (`allocation.artifact`: `latest.json`
pointing at `<day>.json`). `AllocationReports.current()` reads the pointer at most every `ttl_s` seconds
and the report only when the pointer names another one; a page request never reallocates.

Who sees what (`AllocationScope`): admins, planners and HR see the whole plant (cost, payroll and job
cost are theirs to plan and check); supervisors see the people and workcenters of their departments,
which is where they can act on unallocated time and misapplied job codes. Anyone else gets a 403.
Job costs and shift totals pool departments, so only plant-wide viewers see them.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from pydantic import ValidationError

from plexlabor.allocation.artifact import AllocationArtifact, WorkcenterRef, read_artifact
from plexlabor.allocation.coding import Coded, codings
from plexlabor.allocation.misapplication import Guidance
from plexlabor.allocation.nightly import KIND, suggestion_event
from plexlabor.allocation.report import EmployeeRow, JobCost, Suggestion
from plexlabor.approval.display import Reader
from plexlabor.approval.pages import closing_event
from plexlabor.audit.events import AuditEvent, AuditEventType, AuditStatus
from plexlabor.audit.store import AuditStore
from plexlabor.platform.artifacts import ArtifactError, ReportPointer
from plexlabor.review.items import ReviewItem, item_from_event
from plexlabor.review.queue import Role, Viewer
from plexlabor.webapp.latest import LatestReport
from plexlabor.webapp.viewer import Reach

logger = logging.getLogger(__name__)

OFTEN_MISAPPLIED = 3
"""The queue names a job code beside a timecard only when at least this many of its entries in the guidance weeks
were misapplied (`often_misapplied`; ux_s13 #1: "often misapplied" stood beside 0 of 4 and 1 % predicted) ..."""
OFTEN_SHARE = 0.10
"""... and they are at least this share of its entries there."""
ROWS = 50
"""Rows per table: the page stays small whatever the plant's size."""
GUIDANCE_ROWS = 10
"""Combinations shown on the page (the issue's precision@10 is measured on these)."""


@dataclass
class AllocationIndex:
    """One stored allocation report, indexed for the page and the queue."""

    pointer: ReportPointer
    artifact: AllocationArtifact
    guidance_at: dict[str, list[Guidance]] = field(default_factory=dict)
    """Workcenter code -> its combinations in the stored guidance, best first."""

    @classmethod
    def of(cls, artifact: AllocationArtifact, pointer: ReportPointer) -> AllocationIndex:
        at: dict[str, list[Guidance]] = defaultdict(list)
        for row in artifact.guidance:
            at[_code(artifact, row.workcenter_id)].append(row)
        return cls(pointer, artifact, dict(at))


class AllocationReports(LatestReport[AllocationIndex]):
    """The newest allocation report of one store (rooted at `reports/allocation/`), kept between requests."""

    what = "allocation report"

    def read(self, pointer: ReportPointer) -> AllocationIndex:
        return AllocationIndex.of(read_artifact(self.store, pointer), pointer)

    def of_day(self, day: date) -> AllocationArtifact | None:
        """The report of a plant-local day (the one an unallocated-time item comes from): the newest when it is that
        day's, else its `<day>.json` read now; None when none is stored or it cannot be read (logged)."""
        index = self.current().index
        if index is not None and index.artifact.day == day:
            return index.artifact
        try:
            raw = self.store.get(f"{day.isoformat()}.json")
            return None if raw is None else AllocationArtifact.model_validate_json(raw)
        except (ArtifactError, ValidationError) as error:
            logger.warning("allocation report of a day unreadable", extra={"day": day.isoformat(), "error": str(error)})
            return None


class AllocationScope(Reach):
    """Admins, planners and HR see the whole plant; supervisors their departments."""

    plant_wide_roles = frozenset({Role.ADMIN, Role.PLANNER, Role.HR})


def _code(artifact: AllocationArtifact, workcenter_id: str) -> str:
    ref = artifact.workcenters.get(workcenter_id)
    return ref.code if ref else workcenter_id


def _department(refs: dict[str, WorkcenterRef], workcenter_id: str) -> str | None:
    ref = refs.get(workcenter_id)
    return ref.department if ref else None


@dataclass(frozen=True)
class GuidanceRow:
    guidance: Guidance
    workcenter: str
    department: str | None


CodedBy = dict[str, Coded]
"""Suggestion id -> its standing coding (`allocation.coding.codings`)."""


@dataclass(frozen=True)
class StretchRow:
    """An unallocated stretch on the page: its item in the review queue, whether this viewer decides it (while it
    waits) or may open it, and what became of it since the night's report (ux_s13 #8: a coded stretch still offered
    "Decide")."""

    suggestion: Suggestion
    item_id: str
    decides: bool
    may_open: bool = False
    """Whether the viewer may open its item (and its coding's): the review queue's rule, waiting or closed."""
    coded: Coded | None = None
    """Its coding by hand (`codings`: standing, or expired)."""
    closing: AuditEvent | None = None
    """Its decision or closing, when no coding stands."""


@dataclass(frozen=True)
class AllocationView:
    """What one viewer sees of the day."""

    paid: int
    unallocated: int
    employees: list[EmployeeRow]
    """Employees in reach with unallocated minutes, most first."""
    suggestions: list[StretchRow]
    """Each decided in the review queue by the person's supervisor (or an admin); read-only for the others."""
    departments: dict[str, tuple[int, int, float]]
    """Department -> (paid, unallocated minutes, unallocated cost)."""
    shifts: dict[str, tuple[int, int, float]]
    jobs: list[JobCost]
    guidance: list[GuidanceRow]
    """The best-ranked combinations in reach that are `often_misapplied` (ux_s14 #12: ten rows all at the plant's
    0.6 %, some 0 of 4, read as a ranking of misapplied codes)."""
    trend: list[GuidanceRow]
    """The trend log's combinations (low-confidence job-code findings), ranked the same way."""


def _stretch_row(
    artifact: AllocationArtifact, suggestion: Suggestion, viewer: Viewer, since: list[AuditEvent], coded_by: CodedBy
) -> StretchRow:
    """The stretch with its item id, whether `viewer` decides it (the review queue's own rule on its item) and what
    became of it in `since` (its kind's events since the night's report): coded by hand (`coded_by`: `codings` of
    them), or decided or closed."""
    event = suggestion_event(artifact.day, suggestion, artifact.generated_at, AuditStatus.PENDING_APPROVAL)
    item = item_from_event(event)
    may_open = item is not None and viewer.may_see(item)
    coded = coded_by.get(event.event_id)
    closing = None if coded and coded.stands else closing_event(since, event.event_id)
    open_now = (coded is None or not coded.stands) and closing is None  # an expired coding leaves it to decide
    return StretchRow(suggestion, event.event_id, open_now and may_open and viewer.decides, may_open, coded, closing)


def allocation_view(
    index: AllocationIndex, scope: AllocationScope, viewer: Viewer, since: list[AuditEvent] | None = None
) -> AllocationView:
    """The tables of the page for this viewer (each at most `ROWS` long); `since`: the stretches' events since the
    night's report (`stretch_events`), which say which were coded or decided."""
    report, artifact = index.artifact.report, index.artifact
    since = since or []
    coded_by = codings(since)
    people = [row for row in report.employees if scope.sees(row.department)]

    def in_reach(rows: list[Guidance]) -> list[GuidanceRow]:
        refs = artifact.workcenters
        shown = [GuidanceRow(g, _code(artifact, g.workcenter_id), _department(refs, g.workcenter_id)) for g in rows]
        return [row for row in shown if scope.sees(row.department)][:GUIDANCE_ROWS]

    return AllocationView(
        paid=sum(row.paid for row in people),
        unallocated=sum(row.unallocated for row in people),
        employees=sorted((r for r in people if r.unallocated), key=lambda r: (-r.unallocated, r.employee_no))[:ROWS],
        suggestions=[
            _stretch_row(artifact, s, viewer, since, coded_by)
            for s in sorted(
                (s for s in report.suggestions if scope.sees(s.department)), key=lambda s: (-s.minutes, s.employee_no)
            )[:ROWS]
        ],
        departments={
            name: (share.paid, share.unallocated, share.unallocated_cost)
            for name, share in report.departments.items()
            if scope.sees(name)
        },
        shifts={k: (s.paid, s.unallocated, s.unallocated_cost) for k, s in report.shifts.items()}
        if scope.plant_wide
        else {},
        jobs=report.jobs[:ROWS] if scope.plant_wide else [],
        guidance=in_reach([g for g in artifact.guidance if often_misapplied(g)]),
        trend=in_reach(artifact.trend),
    )


def coding_of(audit: AuditStore, item: ReviewItem, closing: AuditEvent) -> Coded | None:
    """The standing coding of a closed unallocated-time item, read from its record's history (the coding is an item of
    its own); None for another kind, or one closed otherwise than rejected for its coding."""
    if item.kind != KIND or closing.status is not AuditStatus.REJECTED:
        return None
    return codings(audit.history(item.record_key)).get(item.item_id)


def coded_words(coded: Coded, reader: Reader) -> str:
    """How a coded suggestion's page says what happened (ux_s13 #8: it read "Rejected by ..."): "Coded by hand by
    Carla Okafor (E00002) on … to job J100037 op 20 at ASM-02: written to Plex." """
    who, when = reader.person(coded.event.actor), reader.time(coded.event.occurred_at)
    return f"Coded by hand by {who} on {when} to {coded.to()}: {coded.state()}."


STRETCH_EVENTS = 5_000
"""At most this many events of the stretches are read per page (newest first): a night's codings and decisions."""


def stretch_events(audit: AuditStore, index: AllocationIndex) -> list[AuditEvent]:
    """The unallocated-time events from the report's day on (the stretches, their codings, decisions, expiries and
    write-backs; from the day before in UTC, whatever the plant's zone, so a report made again later misses none): one
    read of the kind index, the newest `STRETCH_EVENTS`, oldest first. plex_writeback's `writeback_failed` names the
    coding's kind (since 2026-12-06), so the kind index holds it; only a coding approved with neither a write nor a
    failure there (on its way, or refused by a plex_writeback before then, whose failure names no kind) has its own
    events read (one read of the finding index each; review_s14 #6: a refused coding read "on its way to Plex" for
    ever)."""
    since = datetime.combine(index.artifact.day - timedelta(days=1), time.min, tzinfo=UTC)
    newest = audit.by_kind(KIND, since=since, limit=STRETCH_EVENTS, newest_first=True)
    unsettled = [c.event.event_id for c in codings(newest).values() if c.approval and not c.written and not c.failed]
    failures = [
        e for item in unsettled for e in audit.for_finding(item) if e.event_type is AuditEventType.WRITEBACK_FAILED
    ]
    return sorted(newest + failures, key=lambda e: e.occurred_at)


def job_code(g: Guidance) -> str:
    """A job code as people read it in Plex: the job number(s) and operation, then the part's family, e.g.
    "job J101057 op 10 (BRACKETS)"; never a Plex id (a report from before job numbers: the family only)."""
    family = g.part_family or "part"
    if not g.job_nos:
        return f"{family} op {g.operation_code}"
    jobs = f"job {g.job_nos[0]}" if len(g.job_nos) == 1 else f"jobs {', '.join(g.job_nos)}"
    return f"{jobs} op {g.operation_code} ({family})"


def often_misapplied(g: Guidance) -> bool:
    """Whether a combination's own record says its job code is often misapplied: at least `OFTEN_MISAPPLIED` of its
    entries in the guidance weeks, and at least `OFTEN_SHARE` of them (its rank alone is no evidence: the plant's
    most likely combination may be misapplied 1 time in 100)."""
    return g.misapplied >= OFTEN_MISAPPLIED and g.misapplied >= OFTEN_SHARE * g.entries


def often_rule(weeks: int) -> str:
    """`often_misapplied` in words, as the queue's line and the page state it."""
    return (
        f"{OFTEN_MISAPPLIED} or more of a code's entries, and at least {OFTEN_SHARE:.0%} of them, misapplied in the "
        f"last {weeks} weeks"
    )


def queue_guidance(index: AllocationIndex | None, items: list[ReviewItem]) -> dict[str, str]:
    """Item id -> a line on the job codes most often misapplied at the item's workcenter (and shift, when
    the item names one), for the timecards the review queue shows, naming only combinations `often_misapplied`
    and saying that rule; items elsewhere get none."""
    if index is None:
        return {}
    weeks = index.artifact.guidance_weeks
    rule = f"Job codes often misapplied here ({often_rule(weeks)}): "
    lines = {}
    for item in items:
        rows = [
            g
            for g in index.guidance_at.get(item.workcenter or "", [])
            if (item.shift is None or g.shift == item.shift) and often_misapplied(g)
        ][:2]
        if rows:
            lines[item.item_id] = rule + "; ".join(
                f"{job_code(g)} on shift {g.shift}, {100 * g.predicted_rate:.1f} % predicted for this week "
                f"({_ordinal(g.rank)} highest in the plant; {g.misapplied} of its {g.entries} entries in the last "
                f"{weeks} weeks were misapplied)"  # 3 or more: `often_misapplied`
                for g in rows
            )
    return lines


def _ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
