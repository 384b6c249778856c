"""Editing a suggested correction before approving it, on the review queue's item page.

A supervisor may change the values of a punch finding's suggested correction when approving it
updates fields of the Plex record (e.g. the clock-out time a missed punch proposes), not which fields
it sets; advice (verify an identity, recode a job) is approved or rejected as it stands. Times are
shown and typed in the plant's local time (`datetime-local`, minutes) and written back in Plex's UTC
form; numbers stay numbers. The edited correction travels with the decision (`Decision.correction`)
to the write-back, and the `decision` audit event keeps it beside the suggestion, so the model learns
from the edit too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from plexlabor.approval.display import field_label, parse_time
from plexlabor.approval.errors import DecisionFormError
from plexlabor.models.types import format_plex_datetime

FORM_PREFIX = "correction."
"""A form field `correction.<key>` edits the correction's `<key>`."""
LOCAL_MINUTES = "%Y-%m-%dT%H:%M"
"""What a `datetime-local` input sends and shows."""
MAX_TIME_MOVE = timedelta(days=7)
"""How far an edited time may lie from the suggested one: a correction fixes a shift's punch, so a time
further off is a typo (a year typed 2062, or 9999, which would not even convert to Plex's UTC form)."""
MAX_NUMBER = 24 * 60
"""The largest number an edit may set: a day in minutes (the one number a correction sets is
`deductBreakMinutes`, UPDATABLE_FIELDS)."""


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


def _read(field: EditableField, typed: str, original: Any, zone: ZoneInfo) -> Any:
    """The typed value as the correction holds it; the original when nothing changed."""
    if typed == field.value:
        return original
    if field.kind == "time":
        try:
            local = datetime.strptime(typed, LOCAL_MINUTES).replace(tzinfo=zone)
        except ValueError:
            raise DecisionFormError(f"{field.label}: give a date and time, e.g. 2026-03-02T14:07") from None
        suggested = parse_time(str(original))
        if suggested is not None and abs(local - suggested) > MAX_TIME_MOVE:
            raise DecisionFormError(
                f"{field.label}: give a time within {MAX_TIME_MOVE.days} days of the suggested {field.value}"
            )
        return format_plex_datetime(local)
    if field.kind == "number":
        try:
            number = float(typed)
        except ValueError:
            raise DecisionFormError(f"{field.label}: give a number") from None
        if number < 0 or number != number or number in (float("inf"), float("-inf")):
            raise DecisionFormError(f"{field.label}: give a number of zero or more")
        if number > MAX_NUMBER:
            raise DecisionFormError(f"{field.label}: give a number of at most {MAX_NUMBER}")
        return int(number) if isinstance(original, int) and number.is_integer() else number
    return typed


def edited_correction(
    correction: Mapping[str, Any] | None, form: Mapping[str, str], zone: ZoneInfo
) -> dict[str, Any] | None:
    """The correction as the person edited it, or None when they changed nothing (or there is none).
    A field the form leaves out keeps its suggested value; a field the suggestion has not is refused."""
    if not correction:
        return None
    unknown = sorted(
        name for name in form if name.startswith(FORM_PREFIX) and name[len(FORM_PREFIX) :] not in correction
    )
    if unknown:
        raise DecisionFormError(f"{unknown[0][len(FORM_PREFIX) :]}: the suggestion does not set this field")
    fields = {field.key: field for field in editable_fields(correction, zone)}
    edited = {
        key: _read(fields[key], form[FORM_PREFIX + key].strip(), value, zone) if FORM_PREFIX + key in form else value
        for key, value in correction.items()
    }
    return None if edited == dict(correction) else edited
