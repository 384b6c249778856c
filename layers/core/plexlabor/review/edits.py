"""Editing a suggested correction before approving it, on the review queue's item page.

A supervisor may change the values of a punch finding's suggested correction when approving it
updates fields of the Plex record (e.g. the clock-out time a missed punch proposes), not which fields
it sets; advice (verify an identity, recode a job) is approved or rejected as it stands. Times are
shown and typed in the plant's local time (`datetime-local`, minutes) and written back in Plex's UTC
form; numbers stay numbers. The edited correction travels with the decision (`Decision.correction`)
to the write-back, and the `decision` audit event keeps it beside the suggestion, so the model learns
from the edit too.

An edited time must also fit the record as the finding saw it (`approval.fits`: `RecordTimes`, from its timeline or
its evidence): a clock-out after the clock-in and a clock-in before the clock-out, the entry at most the policy's
`max_entry_hours` long, not running into the person's entry before or after it, paid times within the
entry, a break shorter than the entry (ux_s17 H1: a clock-out typed before the clock-in went to Plex).
Neighbours are those on the finding's timeline (the shift's window, 4 h either side).
A suggestion approved unchanged is checked by the approval itself, from here, a bulk approval or the mailed link
(`approval.fits.check_suggestion`).

A typed time is a plant wall-clock time, so on the nights the clocks change it may name no moment or two
(review_s17 M4): one the clocks skipped (02:30 the night they go forward) is refused, naming the field; one
they show twice (01:45 the night they go back) is the occurrence that fits the record (a clock-out after the
clock-in), and when both fit or neither does the form asks which (`AmbiguousTimeError`: "first 01:45 (EDT,
UTC-4)" or "second 01:45 (EST, UTC-5)", posted as `occurrence.<key>`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import product
from typing import Any, Literal
from zoneinfo import ZoneInfo

from plexlabor.approval.corrections import updates_fields
from plexlabor.approval.display import Reader, field_label, parse_time
from plexlabor.approval.errors import DecisionFormError
from plexlabor.approval.fits import RecordTimes, fits_record, moment_of
from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus
from plexlabor.models.types import format_plex_datetime
from plexlabor.validation.policy import PunchPolicy

FORM_PREFIX = "correction."
"""A form field `correction.<key>` edits the correction's `<key>`."""
LOCAL_MINUTES = "%Y-%m-%dT%H:%M"
"""What a `datetime-local` input sends and shows."""
OCCURRENCE_PREFIX = "occurrence."
"""A form field `occurrence.<key>` says which of the two moments a time typed for `<key>` in the hour the clocks
go back over is: one of `OCCURRENCES`."""
OCCURRENCES = ("first", "second")
"""The first (before the clocks go back: `fold` 0) and the second occurrence of a wall-clock time."""
MAX_TIME_MOVE = timedelta(days=7)
"""How far an edited time may lie from the suggested one: a correction fixes a shift's punch, so a time
further off is a typo (a year typed 2062, or 9999, which would not even convert to Plex's UTC form)."""
MAX_NUMBER = 24 * 60
"""The largest number an edit may set: a day in minutes (the one number a correction sets is
`deductBreakMinutes`, UPDATABLE_FIELDS)."""


class AmbiguousTimeError(DecisionFormError):
    """Edited times the clocks show twice that the record does not settle: the form asks which occurrence
    (`choices`: per form field, the `occurrence.<key>` field and its (value, label) options)."""

    def __init__(self, message: str, choices: Mapping[str, tuple[str, tuple[tuple[str, str], ...]]]) -> None:
        super().__init__(message)
        self.choices = dict(choices)


@dataclass(frozen=True)
class EditableField:
    """One value of a suggested correction, as the item page's form shows it."""

    key: str
    label: str
    kind: Literal["time", "number", "text"]
    value: str

    @property
    def name(self) -> str:
        return FORM_PREFIX + self.key


def _kind(value: Any) -> Literal["time", "number", "text"]:
    if isinstance(value, bool):
        return "text"
    if isinstance(value, int | float):
        return "number"
    return "time" if isinstance(value, str) and parse_time(value) else "text"


def editable_fields(correction: Mapping[str, Any] | None, zone: ZoneInfo) -> list[EditableField]:
    """The correction's values as form fields (times in plant time); none without a correction."""
    fields = []
    for key, value in (correction or {}).items():
        kind = _kind(value)
        if kind == "time":
            moment = parse_time(str(value))
            assert moment is not None
            shown = moment.astimezone(zone).strftime(LOCAL_MINUTES)
        else:
            shown = "" if value is None else str(value)
        fields.append(EditableField(key, field_label(key), kind, shown))
    return fields


def _read(field: EditableField, typed: str, original: Any, zone: ZoneInfo, chosen: str | None) -> tuple[Any, ...]:
    """The typed value as the correction holds it (the original when nothing changed): one, or for a time the clocks
    show twice, not `chosen` by the form, both occurrences."""
    if typed == field.value and chosen is None:
        return (original,)
    if field.kind == "time":
        moments = _local_moments(field, typed, zone, chosen)
        suggested = parse_time(str(original))
        shown = suggested.replace(second=0, microsecond=0) if suggested is not None else None
        # the suggested time as shown, its occurrence chosen, is no edit (compared by difference: PEP 495 makes `==`
        # between zones False for a time in the repeated hour)
        if shown is not None and len(moments) == 1 and not moments[0] - shown:
            return (original,)
        if suggested is not None and abs(moments[0] - suggested) > MAX_TIME_MOVE:
            raise DecisionFormError(
                f"{field.label}: give a time within {MAX_TIME_MOVE.days} days of the suggested {field.value}"
            )
        return tuple(format_plex_datetime(moment) for moment in moments)
    if typed == field.value:
        return (original,)
    if field.kind == "number":
        try:
            number = float(typed)
        except ValueError:
            raise DecisionFormError(f"{field.label}: give a number") from None
        if number < 0 or number != number or number in (float("inf"), float("-inf")):
            raise DecisionFormError(f"{field.label}: give a number of zero or more")
        if number > MAX_NUMBER:
            raise DecisionFormError(f"{field.label}: give a number of at most {MAX_NUMBER}")
        return (int(number) if isinstance(original, int) and number.is_integer() else number,)
    return (typed,)


def _local_moments(field: EditableField, typed: str, zone: ZoneInfo, chosen: str | None) -> tuple[datetime, ...]:
    """The moments a typed plant wall-clock time names: one; or both, in order, when the clocks show it twice and
    the form did not choose; refused when the clocks skipped it."""
    try:
        wall = datetime.strptime(typed, LOCAL_MINUTES)
    except ValueError:
        raise DecisionFormError(f"{field.label}: give a date and time, e.g. 2026-03-02T14:07") from None
    first, second = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return (first,)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:  # in the hour the clocks skip
        skipped = (second.utcoffset() or timedelta()) - (first.utcoffset() or timedelta())
        raise DecisionFormError(
            f"{field.label}: {wall:%H:%M} on {wall:%a %Y-%m-%d} does not exist in plant time (the clocks went "
            f"forward {_hours(skipped)} that night); give the time the clock showed"
        )
    if chosen is None:
        return (first, second)
    if chosen not in OCCURRENCES:
        raise DecisionFormError(f"{field.label}: choose the {' or the '.join(_occurrences(first, second))}")
    return ((first, second)[OCCURRENCES.index(chosen)],)


def _hours(span: timedelta) -> str:
    minutes = round(abs(span) / timedelta(minutes=1))
    return f"{minutes // 60} h" + (f" {minutes % 60} min" if minutes % 60 else "")


def _occurrences(first: datetime, second: datetime) -> tuple[str, str]:
    """The two occurrences' labels: "first 01:45 (EDT, UTC-4)" and "second 01:45 (EST, UTC-5)"."""

    def label(ordinal: str, moment: datetime) -> str:
        return f"{ordinal} {moment:%H:%M} ({moment.tzname()}, {_utc_offset(moment)})"

    return label(OCCURRENCES[0], first), label(OCCURRENCES[1], second)


def _utc_offset(moment: datetime) -> str:
    minutes = round((moment.utcoffset() or timedelta()) / timedelta(minutes=1))
    sign, minutes = ("-" if minutes < 0 else "+"), abs(minutes)
    return f"UTC{sign}{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")


def edited_correction(
    correction: Mapping[str, Any] | None,
    form: Mapping[str, str],
    zone: ZoneInfo,
    record: RecordTimes | None = None,
    policy: PunchPolicy | None = None,
) -> dict[str, Any] | None:
    """The correction as the person edited it, or None when they changed nothing (or there is none).
    A field the form leaves out keeps its suggested value; a field the suggestion has not is refused, and so is
    an edited value that does not fit `record` (`fits_record`, with `policy`'s entry length; default: the default
    policy). A time the clocks show twice is the occurrence that fits `record`, else the one `occurrence.<key>`
    chooses; when both fit, or neither, AmbiguousTimeError asks which."""
    if not correction:
        return None
    unknown = sorted(
        name for name in form if name.startswith(FORM_PREFIX) and name[len(FORM_PREFIX) :] not in correction
    )
    if unknown:
        raise DecisionFormError(f"{unknown[0][len(FORM_PREFIX) :]}: the suggestion does not set this field")
    fields = {field.key: field for field in editable_fields(correction, zone)}
    readings = {
        key: _read(fields[key], form[FORM_PREFIX + key].strip(), value, zone, form.get(OCCURRENCE_PREFIX + key))
        if FORM_PREFIX + key in form
        else (value,)
        for key, value in correction.items()
    }
    candidates = [dict(zip(readings, values, strict=True)) for values in product(*readings.values())]
    if len(candidates) == 1 and candidates[0] == dict(correction):
        return None
    longest = timedelta(hours=(policy or PunchPolicy()).max_entry_hours)

    def check(edited: dict[str, Any]) -> None:
        if record is not None:
            fits_record(edited, [key for key in edited if edited[key] != correction[key]], record, zone, longest)

    if len(candidates) == 1:
        check(candidates[0])  # refuses, naming the field
        return candidates[0]
    fitting = [edited for edited in candidates if _passes(check, edited)]
    if len(fitting) == 1:
        return fitting[0]
    raise _ask_which(fields, readings, fitting or candidates, zone, both_fit=bool(fitting))


def _passes(check: Callable[[dict[str, Any]], None], edited: dict[str, Any]) -> bool:
    try:
        check(edited)
    except DecisionFormError:
        return False
    return True


def _ask_which(
    fields: Mapping[str, EditableField],
    readings: Mapping[str, tuple[Any, ...]],
    candidates: Sequence[Mapping[str, Any]],
    zone: ZoneInfo,
    both_fit: bool,
) -> AmbiguousTimeError:
    """The question for the times of `readings` read twice whose occurrence `candidates` leave open."""
    open_keys = [key for key, values in readings.items() if len(values) > 1 and len({c[key] for c in candidates}) > 1]
    choices, asked = {}, []
    for key in open_keys:
        first, second = (datetime.fromisoformat(value).astimezone(zone) for value in readings[key])
        labels = _occurrences(first, second)
        choices[fields[key].name] = (OCCURRENCE_PREFIX + key, tuple(zip(OCCURRENCES, labels, strict=True)))
        asked.append(
            f"{fields[key].label}: {first:%H:%M} on {first:%a %Y-%m-%d} comes twice in plant time (the clocks went "
            f"back that night) and {'both fit' if both_fit else 'neither fits'} the entry; choose the "
            + " or the ".join(labels)
        )
    return AmbiguousTimeError("; ".join(asked), choices)


def approved_words(suggested: Mapping[str, Any] | None, approved: Mapping[str, Any] | None, reader: Reader) -> str:
    """What an approval set, beside what was suggested, for the flash and the trail (ux_s17 H1: neither said which
    value went to Plex): "Clock-out set to Tue 2026-11-24 14:40 EST (suggested 14:42)", or "…, as suggested"; ""
    for a suggestion with no values."""
    final = {**(suggested or {}), **(approved or {})}
    said = []
    for key, value in final.items():
        now = reader.value(value, key)
        before = (suggested or {}).get(key)
        if before is None or before == value:
            said.append(f"{field_label(key)} set to {now}" + (", as suggested" if before is not None else ""))
            continue
        said.append(f"{field_label(key)} set to {now} (suggested {_as_suggested(before, value, key, reader)})")
    return "; ".join(said)


def _as_suggested(before: Any, value: Any, key: str, reader: Reader) -> str:
    """The suggested value, a time of the same plant day as the approved one by its clock time alone ("14:42")."""
    then, now = (moment_of(v) for v in (before, value))
    if (
        then is not None
        and now is not None
        and then.astimezone(reader.zone).date() == now.astimezone(reader.zone).date()
    ):
        return f"{then.astimezone(reader.zone):%H:%M}"
    return reader.value(before, key)


def decision_values(decision: AuditEvent, reader: Reader) -> str | None:
    """An approval's `approved_words` when it set fields of the record (a punch correction, as the supervisor
    edited it or as suggested); None for a rejection, advice, or any other decision."""
    payload = decision.payload
    suggested, edited = payload.get("suggested_correction"), payload.get("correction")
    if decision.event_type is not AuditEventType.DECISION or decision.status is not AuditStatus.APPROVED:
        return None
    if not isinstance(suggested, Mapping) or not updates_fields(edited or suggested, decision.record_key):
        return None
    return approved_words(suggested, edited if isinstance(edited, Mapping) else None, reader)
