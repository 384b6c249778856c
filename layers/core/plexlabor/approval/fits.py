"""Whether a punch correction fits the record it corrects, as the finding saw it (ux_s17 H1: a clock-out typed
before the clock-in went to Plex).

`fits_record` is what an edit on the review queue's item page must pass (`review.edits`), and
`check_suggestion` what approving a suggestion unchanged must pass, wherever it is approved (the item page, a
bulk approval, the mailed link: `CallbackService`): a suggestion queued before the validator stopped making
impossible ones (e58ef886: a missed punch on a clock that ran off got a clock-out equal to its own clock-in)
is refused, asking for the value to be typed, rather than written to Plex.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from plexlabor.approval.corrections import updates_fields
from plexlabor.approval.display import field_label, parse_time, plant_time
from plexlabor.approval.errors import DecisionFormError
from plexlabor.validation.findings import Finding

CLOCK_IN, CLOCK_OUT, PAID_START, PAID_END, BREAK = (
    "clockinTime",
    "clockoutTime",
    "paidStartTime",
    "paidEndTime",
    "deductBreakMinutes",
)

Span = tuple[datetime, datetime | None]
"""A time-clock entry's clock-in and clock-out (None: still open)."""


@dataclass(frozen=True)
class RecordTimes:
    """The record a correction edits, as the finding saw it: its clock-in and clock-out (None when not known)
    and the person's other entries around it."""

    clock_in: datetime | None
    clock_out: datetime | None
    others: Sequence[Span] = ()


def record_times(evidence: Mapping[str, Any]) -> RecordTimes:
    """The record's times from a finding's evidence: its timeline's punches (the record and its neighbours),
    else the evidence's own `clockin` / `clockout`."""
    timeline = evidence.get("timeline")
    if isinstance(timeline, Mapping):
        record, punches = timeline.get("record"), timeline.get("punches")
        index = record.get("index") if isinstance(record, Mapping) and record.get("lane") == "punches" else None
        if isinstance(punches, list) and isinstance(index, int) and 0 <= index < len(punches):
            spans = [_span(entry) for entry in punches]
            own = spans[index]
            if own is not None:
                others = [span for i, span in enumerate(spans) if i != index and span is not None]
                return RecordTimes(own[0], own[1], others)
    return RecordTimes(moment_of(evidence.get("clockin")), moment_of(evidence.get("clockout")))


def moment_of(value: Any) -> datetime | None:
    return parse_time(value) if isinstance(value, str) else None


def _span(entry: Any) -> Span | None:
    start = moment_of(entry.get("in")) if isinstance(entry, Mapping) else None
    return None if start is None else (start, moment_of(entry.get("out")))


def fits_record(
    edited: Mapping[str, Any],
    changed: Sequence[str],
    record: RecordTimes,
    zone: ZoneInfo,
    longest: timedelta | None,
) -> None:
    """Refuse (DecisionFormError, naming the field) an edited value of `changed` that the record cannot hold:
    the entry's clock-in before its clock-out, at most `longest` (None: any length), clear of the person's entries
    before and after it; paid times within the entry, in order; a break shorter than the entry."""
    start = moment_of(edited.get(CLOCK_IN)) or record.clock_in
    end = moment_of(edited.get(CLOCK_OUT)) or record.clock_out

    def refuse(key: str, problem: str) -> NoReturn:
        raise DecisionFormError(f"{field_label(key)}: {problem}")

    def at(moment: datetime) -> str:
        return plant_time(moment, zone)

    moved = [key for key in (CLOCK_OUT, CLOCK_IN) if key in changed]
    if moved and start is not None and end is not None:
        if end <= start:
            refuse(moved[0], f"the clock-out {at(end)} must come after the clock-in {at(start)}")
        if longest is not None and end - start > longest:
            hours = (end - start) / timedelta(hours=1)
            limit = longest / timedelta(hours=1)
            refuse(moved[0], f"the entry {at(start)}–{at(end)} would last {hours:.1f} h, more than {limit:g} h")
    _clear_of_neighbours(record, start if CLOCK_IN in changed else None, end if CLOCK_OUT in changed else None, at)
    paid = {key: moment_of(edited.get(key)) for key in (PAID_START, PAID_END)}
    for key, moment in paid.items():
        if key not in changed or moment is None:
            continue
        if start is not None and moment < start:
            refuse(key, f"give a time within the entry, not before its clock-in {at(start)}")
        if end is not None and moment > end:
            refuse(key, f"give a time within the entry, not after its clock-out {at(end)}")
    first, last = paid[PAID_START], paid[PAID_END]
    if first is not None and last is not None and last <= first and {PAID_START, PAID_END} & set(changed):
        refuse(
            PAID_END if PAID_END in changed else PAID_START, f"the paid end must come after the paid start {at(first)}"
        )
    minutes = edited.get(BREAK)
    if BREAK in changed and isinstance(minutes, int | float) and start is not None and end is not None:
        length = (end - start) / timedelta(minutes=1)
        if minutes >= length:
            refuse(BREAK, f"give fewer minutes than the entry lasts ({length:.0f} min, {at(start)}–{at(end)})")


def _clear_of_neighbours(
    record: RecordTimes, start: datetime | None, end: datetime | None, at: Callable[[datetime], str]
) -> None:
    """Refuse a moved clock-out that runs into the person's next entry, or a moved clock-in into the one before
    (both of the record's own clock-in's neighbours, as the finding's timeline holds them)."""
    own = record.clock_in
    if own is None:
        return
    if end is not None:
        later = [other for other, _ in record.others if own < other < end]
        if later:
            raise DecisionFormError(
                f"{field_label(CLOCK_OUT)}: the person's next entry starts at {at(min(later))}; give a time at or "
                "before it"
            )
    if start is not None:
        earlier = [other_end or other for other, other_end in record.others if other < own]
        overlapped = [finish for finish in earlier if finish > start]
        if overlapped:
            raise DecisionFormError(
                f"{field_label(CLOCK_IN)}: the person's entry before ends at {at(max(overlapped))}; give a time at or "
                "after it"
            )


TYPE_IT = (
    "approving the suggestion as it stands would write that to Plex; type the value the record should hold on the "
    "suggestion's page in the review queue and approve that, or reject the suggestion"
)
"""What a refused unchanged suggestion asks of the supervisor (after the field and the problem)."""


def check_suggestion(finding: Finding, zone: ZoneInfo, correction: Mapping[str, Any] | None = None) -> None:
    """Refuse (DecisionFormError, naming the field) approving a punch finding's correction, the suggested one or
    `correction` as edited, when the record cannot hold it: `fits_record` on every field it sets. The entry's
    length is not judged here: the validator suggested it under the plant's policy, and an edit's length is judged
    with that policy on the item page (`review.edits`). Advice (no fields of the record set) is not checked."""
    approved = correction or finding.suggested_correction
    if not approved or not updates_fields(approved, finding.record_key):
        return
    try:
        fits_record(approved, list(approved), record_times(finding.evidence), zone, None)
    except DecisionFormError as error:
        raise DecisionFormError(f"{error}: {TYPE_IT}") from None
