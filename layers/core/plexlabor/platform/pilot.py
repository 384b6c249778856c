"""The phased rollout's scope: which findings and suggestions go to someone for a decision.

The brief's rollout starts with one pilot line or shift, the AI advisory only, before automated
flagging is switched on, kind by kind, then plant-wide (`docs/rollout.md`). A `PilotScope` says:

- where: the departments, workcenters and shifts (codes, as Plex spells them; case is ignored) whose
  items may go for review. Empty = the whole plant. Every dimension named must match: departments
  Molding and shifts 1, 2 means Molding's people on shifts 1 and 2. An item the scope cannot place
  (no shift on a department-week projection) is outside a pilot that names that dimension;
- which kinds notify (`REVIEW_KINDS`; empty = all): a punch finding starts an approval and mails the
  supervisor, a recommendation waits in the review queue (`pending_approval`);
- advisory mode: nothing goes for review, nobody is notified; everything is still recorded.

The `NEVER_HELD` kinds always go for review, whatever the scope says.

What is held back is still recorded, as `logged`, with `Hold.payload()` in its audit payload: the
KPIs can count what would have been flagged. Pure: no I/O, no pydantic (`platform.settings.PilotSettings`
reads it from the environment).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

PUNCH_FINDING = "punch_finding"
"""The kind of a punch-validation finding (recommendations carry their own `payload.kind`)."""

REVIEW_KINDS: dict[str, str] = {
    PUNCH_FINDING: "Punch",
    "crew_assignment": "Crew assignment",
    "crew_removal": "Crew removal",
    "crew_unstaffed": "Short seat",
    "certification_expiring": "Certification expiring",
    "certification_lapsed": "Certification lapsed",
    "certification_used_while_lapsed": "Worked on a lapsed certification",
    "cross_training": "Cross-training",
    "labor_variance": "Labor cost variance",
    "overtime_projection": "Overtime projection",
    "incident_coding": "Incident coding",
    "unallocated_time": "Unallocated time",
}
"""Every kind of item a person may be asked to decide, and what a person calls it (the web app's label)."""

NEVER_HELD: dict[str, str] = {
    "crew_removal": "it takes off Plex a seat a supervisor already accepted and always waits for them",
    "incident_coding": "an incident is a safety record: a coding the model was not sure of always reaches the EHS lead",
}
"""The kinds the rollout scope never holds back, whatever the pilot, and why: they always go for review, so
listing one among the kinds that notify would change nothing and is refused (`parse_kinds`)."""

CODE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 _.:/#&+()-]*[A-Za-z0-9_.)#+-])?")
"""A department, workcenter or shift code: letters, digits, inner spaces and `_ . : / # & + ( ) -`."""


def parse_codes(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """`"Molding, Paint"` (or a list of codes) as `("Molding", "Paint")`: blanks dropped, duplicates
    (ignoring case) kept once, order kept. Raises ValueError naming the first item that is not a code."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    codes: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError(f"{item!r} is not a code (a comma-separated list of codes, e.g. 'Molding,Paint')")
        code = item.strip()
        if not code:
            continue
        if not CODE.fullmatch(code):
            raise ValueError(f"{code!r} is not a code (a comma-separated list of codes, e.g. 'Molding,Paint')")
        if code.casefold() not in {c.casefold() for c in codes}:
            codes.append(code)
    return tuple(codes)


def parse_kinds(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """Like `parse_codes`, each a known review kind (`REVIEW_KINDS`, exact spelling) that the scope may hold
    (not one of `NEVER_HELD`)."""
    kinds = parse_codes(value)
    unknown = [kind for kind in kinds if kind not in REVIEW_KINDS]
    if unknown:
        listable = ", ".join(kind for kind in REVIEW_KINDS if kind not in NEVER_HELD)
        raise ValueError(f"unknown kind {unknown[0]!r} (known: {listable})")
    held = [kind for kind in kinds if kind in NEVER_HELD]
    if held:
        problem = (
            f"{held[0]!r} always goes for review, whatever the pilot ({NEVER_HELD[held[0]]}): leave it out of the "
            "kinds that notify"
        )
        if len(held) == len(kinds):  # review_s17 M3: an empty list is every kind notifying, a wider pilot
            problem += (
                "; left out, no kind remains, and no kinds listed means every kind notifies: to notify none but "
                f"the kinds that always go for review ({', '.join(NEVER_HELD)}), turn advisory mode on instead "
                "(plexlabor:advisoryMode true, ADVISORY_MODE)"
            )
        raise ValueError(problem)
    return kinds


class Place(NamedTuple):
    """Where an item is, in the codes a scope names (None: not known)."""

    department: str | None = None
    workcenter: str | None = None
    shift: str | None = None


class Hold(StrEnum):
    """Why an item that would have gone for review was recorded as `logged` instead."""

    OUTSIDE_PILOT = "outside_pilot"
    """Its department, workcenter or shift is not in the pilot: trend data, as outside any pilot."""
    ADVISORY_MODE = "advisory_mode"
    """Inside the pilot, advisory mode is on."""
    KIND_NOT_NOTIFIED = "kind_not_notified"
    """Inside the pilot, its kind is not among the kinds that notify yet."""

    @property
    def advisory(self) -> bool:
        """Inside the pilot: it would have been flagged (what advisory KPIs count)."""
        return self is not Hold.OUTSIDE_PILOT

    def payload(self) -> dict[str, object]:
        """What the held item's audit payload carries: `{"held": <reason>, "advisory": <bool>}`."""
        return {"held": self.value, "advisory": self.advisory}


def _listed(codes: tuple[str, ...], value: str | None) -> bool:
    return not codes or (value is not None and value.casefold() in {code.casefold() for code in codes})


@dataclass(frozen=True)
class PilotScope:
    """Where and what may go for review (see the module docstring). The default: everything, flagged."""

    departments: tuple[str, ...] = ()
    workcenters: tuple[str, ...] = ()
    shifts: tuple[str, ...] = ()
    notify_kinds: tuple[str, ...] = ()
    advisory: bool = False

    @property
    def plant_wide(self) -> bool:
        """No department, workcenter or shift named: every place is covered."""
        return not (self.departments or self.workcenters or self.shifts)

    def covers(self, department: str | None, workcenter: str | None, shift: str | None) -> bool:
        """Whether an item at this place is inside the pilot (every named dimension matches)."""
        return (
            _listed(self.departments, department)
            and _listed(self.workcenters, workcenter)
            and _listed(self.shifts, shift)
        )

    def notifies(self, kind: str) -> bool:
        """Whether an item of `kind` inside the pilot may go for review: never in advisory mode (but
        `NEVER_HELD` kinds always)."""
        return kind in NEVER_HELD or (not self.advisory and (not self.notify_kinds or kind in self.notify_kinds))

    def hold(self, kind: str, place: Place | None = None) -> Hold | None:
        """Why an item of `kind` at `place` (None: not known) that wants review is only recorded;
        None when it goes for review (a `NEVER_HELD` kind always does)."""
        if kind in NEVER_HELD:
            return None
        if not self.covers(*(place or Place())):
            return Hold.OUTSIDE_PILOT
        if self.advisory:
            return Hold.ADVISORY_MODE
        if not self.notifies(kind):
            return Hold.KIND_NOT_NOTIFIED
        return None

    def describe(self) -> str:
        """One line for people, e.g. "Pilot: departments Molding; shifts 1, 2 · advisory: findings are
        recorded, nobody is notified · always for review: crew removal, incident coding" (the last part
        whenever the scope holds anything back)."""
        named = [
            f"{label} {', '.join(codes)}"
            for label, codes in (
                ("departments", self.departments),
                ("workcenters", self.workcenters),
                ("shifts", self.shifts),
            )
            if codes
        ]
        where = f"Pilot: {'; '.join(named)}" if named else "Plant-wide"
        if self.advisory:
            how = "advisory: findings are recorded, nobody is notified"
        elif self.notify_kinds:
            how = f"notifying {', '.join(self.notify_kinds)} only"
        else:
            how = "notifying every kind"
        if self.plant_wide and not self.advisory and not self.notify_kinds:  # holds nothing back
            return f"{where} · {how}"
        always = ", ".join(REVIEW_KINDS[kind].lower() for kind in NEVER_HELD)
        return f"{where} · {how} · always for review: {always}"


PLANT_WIDE = PilotScope()
"""No pilot: every place, every kind, flagged (what runs when no rollout setting is set)."""
