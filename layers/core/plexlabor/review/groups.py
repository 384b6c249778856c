"""Short seats grouped per workcenter shift: one queue item for the seats a crew plan leaves empty at one workcenter in
one shift of one day, acknowledged (or rejected) once.

Why: the crew planner publishes one `crew_unstaffed` suggestion per short segment (`crew.publish`), so a shift with
empty seats at a workcenter put one queue item per job operation before the supervisor, each acknowledged alone with
the same words. The audit keeps them one per seat (each seat's suggestion and its
decision on its job operation's record, `job-operations:<id>`), and the crew board marks each seat as before; the
queue shows them as one item (`grouped`), whose id names the workcenter shift (`group_id`), and a decision of that
item is the same decision of each of its seats still open (`review.decisions.ReviewService.decide`). A seat's own page
and its decision stay as they were (a mailed link, the board's older links).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from urllib.parse import quote, unquote

from plexlabor.approval.pages import closing_event
from plexlabor.audit.events import AuditEvent, AuditEventType
from plexlabor.review.items import SEVERITY_WEIGHT, ReviewItem

GROUPED_KIND = "crew_unstaffed"
"""The kind grouped: short seats (approve = acknowledged: nothing goes to Plex)."""
PREFIX = "short-seats"
SEPARATOR = "~"
"""Between the id's parts; never in a part (`_part`)."""
ESCAPE = "_"
"""Begins a character of a code escaped in the id (`_part`), as `%` does in a URL."""

GROUP_KEY = "group"
"""In the payload of a seat's decision made with its group: the group's id (its decisions are one action of their
reviewer, `review.kpis`; review_s16 #8)."""

GroupKey = tuple[date, str, str]
"""(day, shift code, workcenter code)."""


def _part(code: str) -> str:
    """A plant code as a part of a group id: URL-quoted (UTF-8), with `_` in place of `%` and `_`, `~` quoted too, so
    the id is one URL path segment of unreserved characters put in a path as it is ("ASM/4 #B" -> "ASM_2F4_20_23B";
    "WC-10" unchanged). Why not `quote` alone: a group id is put in paths by every page that links an item, unquoted,
    and a `%` in it would have to be quoted again there (review_s16 #2: a code with `/`, `#` or a space gave 404)."""
    quoted = quote(code, safe="").replace(ESCAPE, "%5F").replace(SEPARATOR, "%7E")
    return quoted.replace("%", ESCAPE)


def _codes(part: str) -> tuple[str, ...]:
    """The plant codes a part of a group id may hold, the likelier first: the code `_part` wrote, and the part as it
    is, which ids made before b1d2c0f8 held (review2_s16 #5: "WC_10" read as "WC\x10", "ASM_LINE" as "ASM%LINE").
    The part is read as it is when it is no part `_part` writes ("ASM_LINE") or when `_part`'s code would hold a
    control character ("WC_10"), which no plant code does; it stays the second reading when both are plausible
    ("LINE_20": "LINE " or "LINE_20"; `ReviewQueue.group` takes the reading that has seats)."""
    code = unquote(part.replace(ESCAPE, "%"))
    if code == part or _part(code) != part:
        return (part,)
    return (code, part) if code.isprintable() else (part, code)


def group_id(key: GroupKey) -> str:
    """The group's item id: "short-seats~2026-12-08~2~ASM-04" (the codes as `_part` writes them)."""
    day, shift, workcenter = key
    return SEPARATOR.join((PREFIX, day.isoformat(), _part(shift), _part(workcenter)))


def group_keys(item_id: str) -> list[GroupKey]:
    """The workcenter shifts a group id may name (`_codes`), the likelier first; none for any other id (a seat's own,
    a finding's). One but for an id made before b1d2c0f8 whose codes hold `_`."""
    parts = item_id.split(SEPARATOR)
    if len(parts) != 4 or parts[0] != PREFIX or not all(parts[1:]):
        return []
    try:
        day = date.fromisoformat(parts[1])
    except ValueError:
        return []
    return [(day, shift, workcenter) for shift in _codes(parts[2]) for workcenter in _codes(parts[3])]


def group_key(item_id: str) -> GroupKey | None:
    """The workcenter shift a group id names (the likeliest of `group_keys`); None for any other id."""
    keys = group_keys(item_id)
    return keys[0] if keys else None


def key_of(item: ReviewItem) -> GroupKey | None:
    """The group a short seat belongs to; None for any other item (or a seat that names no day, shift or workcenter:
    shown alone, as before)."""
    if item.kind != GROUPED_KIND or item.members or item.day is None or not item.shift or not item.workcenter:
        return None
    return item.day, item.shift, item.workcenter


def group_of(item: ReviewItem) -> str | None:
    """The id of the group a short seat belongs to (the crew board's "Decide it" leads there); None otherwise."""
    key = key_of(item)
    return None if key is None else group_id(key)


def seats_of(item: ReviewItem) -> int:
    """The seats a short-seat suggestion (or a group) says stay empty."""
    if item.members:
        return sum(seats_of(member) for member in item.members)
    seats = item.evidence.get("seats")
    return seats if isinstance(seats, int) and seats > 0 else 1


def decided_seats(item: ReviewItem, shown: Iterable[str] = ()) -> int:
    """The seats a decision of a group decides: those of its seats the page showed (`shown`, ids), else all."""
    listed = set(shown)
    return sum(seats_of(member) for member in item.members if not listed or member.item_id in listed)


def seats_at(seats: int, key: GroupKey) -> str:
    """A group's seats as a decision's words name them: "the 2 seats at CNC-03, shift 2" ("the seat at ..." for one;
    ux_verify_s16 D: a 2-seat group was told "the seat stays empty")."""
    _, shift, workcenter = key
    return (
        f"the {seats} seats at {workcenter}, shift {shift}" if seats > 1 else f"the seat at {workcenter}, shift {shift}"
    )


def group_item(key: GroupKey, members: Sequence[ReviewItem]) -> ReviewItem:
    """The queue item of a workcenter shift's short seats (`members`, at least one): ranked as its highest-ranked
    seat, found when its first seat was, the seats listed in the order of their start."""
    day, shift, workcenter = key
    ordered = tuple(sorted(members, key=lambda m: (str(m.evidence.get("start") or ""), m.item_id)))
    first = ordered[0]
    seats = sum(seats_of(member) for member in ordered)
    said = "seat stays" if seats == 1 else "seats stay"
    jobs = len(ordered)
    on = "" if jobs == 1 else f" on {jobs} job operations"
    supervisors = {m.supervisor_id for m in ordered}
    departments = {m.department for m in ordered if m.department}
    escalated = next((m for m in ordered if m.escalated_to), None)
    return ReviewItem(
        item_id=group_id(key),
        kind=GROUPED_KIND,
        type=GROUPED_KIND,
        record_key=f"crew-shifts:{day.isoformat()}/{shift}",
        note=f"{seats} {said} empty at {workcenter}, shift {shift}{on}: " + " · ".join(m.note for m in ordered),
        confidence=max(m.confidence for m in ordered),
        severity=max((m.severity for m in ordered), key=lambda s: SEVERITY_WEIGHT[s]),
        created_at=min(m.created_at for m in ordered),
        model_version=first.model_version,
        employee_id=None,
        supervisor_id=supervisors.pop() if len(supervisors) == 1 else None,
        department=departments.pop() if len(departments) == 1 else first.department,
        workcenter=workcenter,
        shift=shift,
        day=day,
        evidence={"seats": seats, "job_operations": jobs},
        proposed=None,
        members=ordered,
        escalated_to=escalated.escalated_to if escalated else None,
        escalated_at=escalated.escalated_at if escalated else None,
        escalated_from=escalated.escalated_from if escalated else None,
    )


def grouped(items: Iterable[ReviewItem]) -> list[ReviewItem]:
    """`items` (ranked) with each workcenter shift's short seats as one group item, where its highest-ranked seat
    was; every other item as it is, in its place."""
    listed = list(items)
    members: dict[GroupKey, list[ReviewItem]] = {}
    for item in listed:
        if (key := key_of(item)) is not None:
            members.setdefault(key, []).append(item)
    shown: list[ReviewItem] = []
    for item in listed:
        key = key_of(item)
        if key is None:
            shown.append(item)
        elif key in members:
            shown.append(group_item(key, members.pop(key)))
    return shown


def group_closing(item: ReviewItem, events: Iterable[AuditEvent]) -> AuditEvent | None:
    """What closed a group whose seats are all closed (`events`: theirs): the latest decision among them (else the
    latest closing), None while one is open or for an item that is no group."""
    if not item.members:
        return None
    closings: dict[str, AuditEvent] = {}
    for event in sorted(events, key=lambda e: e.occurred_at):
        kind = event.event_type
        if event.finding_id and kind in (AuditEventType.DECISION, AuditEventType.EXPIRED):
            known = closings.get(event.finding_id)
            if known is None or known.event_type is not AuditEventType.DECISION:
                closings[event.finding_id] = event
    if any(member.item_id not in closings for member in item.members):
        return None
    decisions = [e for e in closings.values() if e.event_type is AuditEventType.DECISION]
    return max(decisions or closings.values(), key=lambda e: e.occurred_at)


def closing_of(item: ReviewItem, events: Iterable[AuditEvent]) -> AuditEvent | None:
    """What closed an item (`approval.pages.closing_event`), or a group once all its seats are closed
    (`group_closing`); None while it is open."""
    listed = list(events)
    return closing_event(listed, item.item_id) or group_closing(item, listed)
