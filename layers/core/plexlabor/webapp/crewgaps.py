"""What the crew plans leave empty, for the skill coverage page (ux_s14 #1).

Skill coverage counts a person qualified at a workcenter when they hold its certifications (`docs/skills.md`,
"Qualified"), for every shift of its 14 days. The crew planner, for the days it planned, also asks who can do the
setup, the rest rule between shifts and the hours caps (`crew.pairs.compile_problem`, on a problem built from that
day's schedules): a shift can have "3 qualified of 2 seats" and still seats that no one may take. Those rules are not
copied here: where a crew plan exists, the coverage page shows the seats it left empty and why, as the crew board
reads them (`webapp.crewboard.read_board`: the live `crew_unstaffed` suggestions), and links the board.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlencode

from plexlabor.audit.store import AuditStore
from plexlabor.review.items import ReviewItem
from plexlabor.review.queue import Viewer
from plexlabor.webapp.crewboard import BOARD_DAYS, LIVE, board_reader, read_board

GapKey = tuple[str, date, str]
"""(workcenter code, day, shift code): a workcenter shift as the crew board names it."""


@dataclass(frozen=True)
class PlanGap:
    """The crew plan's empty seats at one workcenter in one shift: how many, and the suggestions that say why."""

    seats: int
    items: tuple[ReviewItem, ...]

    @property
    def words(self) -> str:
        return f"crew plan: {self.seats} seat{'' if self.seats == 1 else 's'} empty"


@dataclass(frozen=True)
class PlanGaps:
    """The crew plans of the days asked for, as far as the viewer sees them."""

    planned: frozenset[tuple[date, str]] = frozenset()
    """The (day, shift code) pairs with a crew plan."""
    gaps: dict[GapKey, PlanGap] = field(default_factory=dict)

    def of(self, key: GapKey) -> PlanGap | None:
        """The plan's empty seats there; None when there are none or no plan (`has_plan` tells which)."""
        return self.gaps.get(key)

    def has_plan(self, day: date, shift: str) -> bool:
        return (day, shift) in self.planned


def board_link(day: date, shift: str, workcenter: str) -> str:
    """The crew board of that shift, narrowed to the workcenter (path and query, without the stage's base)."""
    return f"/crew?{urlencode({'day': day.isoformat(), 'shift': shift, 'wc': workcenter})}"


def plan_gaps(store: AuditStore, viewer: Viewer, today: date, now: datetime, asked: Iterable[date]) -> PlanGaps:
    """The empty seats of the crew plans of the `asked` days the viewer sees (`read_board` with the viewer: the
    board's own rule), read through the container's `board_reader` (kept as the board keeps them; at most
    `BOARD_DAYS` days, the first ones)."""
    wanted = set(asked)
    reader = board_reader(store)
    days = sorted({s.day for s in reader.planned(today, now) if s.day in wanted and s.seen_by(viewer)})
    planned: set[tuple[date, str]] = set()
    seats: dict[GapKey, int] = defaultdict(int)
    items: dict[GapKey, list[ReviewItem]] = defaultdict(list)
    for day in days[:BOARD_DAYS]:
        board = read_board(reader.day(day, now), day, viewer, now)
        for shift, segments in board.shifts.items():
            planned.add((day, shift))
            for segment in segments:
                for seat in segment.short:
                    if seat.state in LIVE:
                        key = (segment.workcenter, day, shift)
                        seats[key] += seat.seats
                        items[key].append(seat.item)
    return PlanGaps(frozenset(planned), {key: PlanGap(n, tuple(items[key])) for key, n in seats.items()})
