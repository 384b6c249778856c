"""What approving an item does in Plex, in the configured write mode: the one wording of that fact, for the
web app's item page ("If you approve") and the mailed link's confirmation ("Approved").

The write itself is `approval.writeback` through `plex.writeback.PlexWriter`: in `dry_run` nothing is sent;
in `custom_object` every write is a record of a custom object (a field update or a new labor entry becomes a
suggestion naming it); in `direct` a field update and a labor entry go to their Plex resource, while a
suggestion and a crew assignment are custom-object records in either mode (`approval.corrections`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any, Literal

from plexlabor.approval.corrections import updates_fields
from plexlabor.approval.recommendations import CREW_ASSIGNMENT, CREW_REMOVAL, UNALLOCATED_TIME
from plexlabor.platform.pilot import PUNCH_FINDING
from plexlabor.plex.settings import WriteMode

Write = Literal["field_update", "suggestion", "labor_entry", "indirect_record", "crew_record", "crew_withdrawal"]

WOULD_SEND: dict[Write, str] = {
    "field_update": "the values below for the Plex record",
    "suggestion": "a suggestion for a person or a Process Flow",
    "labor_entry": "a new labor entry",
    "indirect_record": "a record of the time on the indirect code",
    "crew_record": "the assignment record",
    "crew_withdrawal": "the assignment's record marked withdrawn",
}
SENT: dict[tuple[Write, WriteMode], str] = {
    ("field_update", "direct"): (
        "Written to the Plex record itself (the write mode is direct): it gets the values below; the previous "
        "values are kept so it can be reverted."
    ),
    ("field_update", "custom_object"): (
        "Recorded in Plex as a suggestion to set the values below (the suggestions custom object), for a person "
        "or a Process Flow to apply; no value of the Plex record changes until then."
    ),
    ("labor_entry", "direct"): (
        "Written to Plex as a new labor entry (the write mode is direct); what Plex held for that time is kept. "
        "plexlabor does not delete it again: to undo it, remove the entry in Plex."
    ),
    ("labor_entry", "custom_object"): (
        "Recorded in Plex as a suggestion to add this labor entry (the suggestions custom object), for a person "
        "or a Process Flow to apply; no labor entry is added until then."
    ),
}
"""What a write does, where it depends on the write mode."""
RECORDED: dict[Write, str] = {
    "suggestion": (
        "Recorded in Plex as a suggestion (the suggestions custom object) for a person or a Process Flow to act "
        "on; no value of the Plex record changes."
    ),
    "indirect_record": (
        "Recorded in Plex as indirect labor (a record of the suggestions custom object, action indirect-labor-entry) "
        "for a person or a Process Flow to enter: Plex has no public write of indirect labor. plexlabor does not "
        "delete it again."
    ),
    "crew_record": (
        "Recorded in Plex as an assignment (the crew assignments custom object) for the shift to act on; "
        "reverting it records it withdrawn."
    ),
    "crew_withdrawal": (
        "Recorded in Plex as the assignment withdrawn (the crew assignments custom object): the person is taken off "
        "the seat; rejecting keeps the assignment."
    ),
}
"""What a write does that is a custom-object record in `custom_object` and `direct` mode alike."""
CREW_WRITES: dict[str, Write] = {CREW_ASSIGNMENT: "crew_record", CREW_REMOVAL: "crew_withdrawal"}
"""The crew kinds' writes: an accepted assignment's record, a removal's record of it withdrawn."""


FINDING_MEANS: dict[str, str] = {
    "EXCESSIVE_OVERTIME": (
        "An overtime projection has nothing to correct: approving confirms that this week comes to more hours than "
        "the limit as projected below, so that the rest of the week is planned (shorter or fewer shifts, or the "
        "overtime agreed); no hours are changed. Reject it, with the reason, if the projection is wrong."
    ),
    "OVERLAPPING_ENTRIES": (
        "Approving confirms that this entry overlaps the one or ones the note names, for someone to put the times "
        "right in Plex (shorten or delete one of them); no time is changed here. Reject it, with the reason, if "
        "the times are as worked or were already put right."
    ),
    "IMPROBABLE_DURATION": (
        "Approving confirms that the hours and pieces below do not fit together, for someone to check the entry "
        "(the hours, the quantity or the job); no value of the entry changes. Reject it, with the reason, if the "
        "entry is right."
    ),
}
"""What approving a punch finding means where its suggestion is a figure, not a correction (the projection or the
expected quantity it was measured against): the words of the link page and the item page (ux164 #11: "Suggested
correction: Projected hours 63.0")."""
OVERTIME_WEEK_ENDED = (
    "Approving confirms the week went over the limit ({hours:.1f} h against {limit:g} h), for payroll and the "
    "overtime record; no hours are changed. Reject it, with the reason, if the hours are wrong."
)
"""What approving an overtime finding means once its week has ended: nothing is left to plan (ux_s16 #6)."""


def finding_means(
    anomaly_type: str, evidence: Mapping[str, Any] | None = None, today: date | None = None
) -> str | None:
    """What approving a punch finding of `anomaly_type` means, where its suggestion corrects nothing; else None. An
    overtime finding whose pay week (`evidence["week"]`) ended before `today` (plant date) is a record of the week,
    not a projection to plan by."""
    if anomaly_type == "EXCESSIVE_OVERTIME" and evidence is not None and today is not None:
        start = week_start(evidence.get("week"))
        if start is not None and today >= start + timedelta(days=7):
            hours = float(evidence.get("punched_hours", 0)) + float(evidence.get("scheduled_remaining_hours", 0))
            return OVERTIME_WEEK_ENDED.format(hours=hours, limit=float(evidence.get("limit_hours", 0)))
    return FINDING_MEANS.get(anomaly_type)


def week_start(week: object) -> date | None:
    """The first day of a pay week as the overtime check names it (`validation.checks.hours.pay_week`): ISO
    "2026-W48" (its Monday) or the first day itself, "2026-11-15"; None for anything else."""
    if not isinstance(week, str):
        return None
    try:
        return date.fromisoformat(f"{week}-1" if "-W" in week else week)
    except ValueError:
        return None


def plex_write(kind: str, record_key: str, correction: Mapping[str, Any] | None) -> Write | None:
    """The write an approval of this item makes (`approval.corrections.plan_correction` for a punch
    finding), None when it writes nothing (advice, alerts; unallocated time with no job to charge)."""
    if kind == PUNCH_FINDING:
        return "field_update" if updates_fields(correction, record_key) else "suggestion"
    if kind == UNALLOCATED_TIME:  # coded by hand to an indirect code (`allocation.coding`), or a job's labor entry
        return None if not correction else "indirect_record" if correction.get("indirect_code") else "labor_entry"
    return CREW_WRITES.get(kind)


def plex_effect(kind: str, record_key: str, correction: Mapping[str, Any] | None, mode: WriteMode) -> str | None:
    """What approving the item does in Plex in `mode`, in words; None when it writes nothing."""
    write = plex_write(kind, record_key, correction)
    if write is None:
        return None
    if mode == "dry_run":
        return (
            f"Nothing reaches Plex: the write mode is dry run, so what would be sent ({WOULD_SEND[write]}) is "
            "kept in the audit table only."
        )
    return RECORDED.get(write) or SENT[(write, mode)]


def expired_effect(kind: str, record_key: str, correction: Mapping[str, Any] | None) -> str:
    """What an item that expired undecided means for Plex: nothing was written, whatever the write mode."""
    write = plex_write(kind, record_key, correction)
    if write == "field_update":
        return (
            "Nothing was written to Plex: the record still holds the values the finding flagged. Correct it in "
            "Plex by hand if it is wrong."
        )
    if write == "suggestion":
        return "Nothing was written to Plex: no suggestion record was made. Follow it up in Plex by hand if needed."
    if write is not None:
        return f"Nothing was written to Plex ({WOULD_SEND[write]} was not sent). Enter it in Plex by hand if needed."
    return "Nothing changes in Plex (approving would not have changed it either); nobody followed it up here."
