"""What travels on the punch queue, and what the webhook accepts.

One message per Plex record, whichever way it came in (a signed webhook or the poller):

    {"source": "webhook" | "poll",
     "resource": "time-clock-entries" | "labor-entries",
     "record": {<the Plex record, camelCase, as the models write it>},
     "received_at": "2026-11-26T07:31:00.123456Z",
     "known_until": "2026-11-26T07:30:00Z"}          (a poll's `until`; absent from the webhook)

`record` is validated against the resource's model when a message is built or parsed, so a message
that parses is a record the engine can read. Its *version* (when the record last changed) keys the
validator's idempotency: the same record at the same version is validated once however often it
arrives.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal, Self, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    PrivateAttr,
    RootModel,
    Tag,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from plexlabor.audit.events import AuditId, AuditTimestamp
from plexlabor.models import LaborEntry, TimeClockEntry, record_key
from plexlabor.models.types import format_plex_datetime
from plexlabor.platform.clock import EARLIEST_DATE, LATEST_DATE

PunchSource = Literal["webhook", "poll"]
PunchResource = Literal["time-clock-entries", "labor-entries"]
PunchEntry = TimeClockEntry | LaborEntry

RESOURCE_MODELS: dict[str, type[TimeClockEntry] | type[LaborEntry]] = {
    TimeClockEntry.resource: TimeClockEntry,
    LaborEntry.resource: LaborEntry,
}

MAX_WEBHOOK_RECORDS = 100
"""Records one webhook request may carry: 10 SQS batches, well inside the function's 10 s."""


def record_time(entry: PunchEntry) -> datetime:
    """When a record happened: the clock-in of a punch, the start of a labor entry."""
    return entry.clockin_time if isinstance(entry, TimeClockEntry) else entry.start_time


def change_marker(entry: PunchEntry) -> datetime:
    """When a record last changed. A punch: modifiedDate, else createdDate, clock-out, clock-in (the
    poll's own marker, `plexlabor.plex.windows.modified_marker`, not imported: it would pull the
    HTTP client into the webhook). A labor entry: modifiedDate, else its end, else its start."""
    if isinstance(entry, TimeClockEntry):
        return entry.modified_date or entry.created_date or entry.clockout_time or entry.clockin_time
    return entry.modified_date or entry.end_time or entry.start_time


def version_of(entry: PunchEntry) -> str:
    """The record's version marker, in Plex's date format (stable across re-deliveries)."""
    return format_plex_datetime(change_marker(entry))


class PunchVersion(BaseModel):
    """The idempotency key of the validator: one record at one version."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    record_key: str
    version: str


class PunchMessage(BaseModel):
    """One Plex record on the punch queue."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: PunchSource
    resource: PunchResource
    record: dict[str, Any]
    received_at: AuditTimestamp
    known_until: AuditTimestamp | None = None
    """The moment the source's data was read up to (a poll's `until`): the validator judges what is
    missing (a clock-out) as of then, not as of its own clock, so a replay of a past window does not call
    a shift that was still on the floor at `until` a missed punch. None: as of the validator's clock."""

    _entry: PunchEntry | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _record_parses(self) -> Self:
        # PlexDataError is a ValueError naming the resource and the camelCase field.
        self._entry = RESOURCE_MODELS[self.resource].from_plex(self.record)
        return self

    @classmethod
    def of(
        cls, entry: PunchEntry, source: PunchSource, received_at: datetime, known_until: datetime | None = None
    ) -> PunchMessage:
        return cls(
            source=source,
            resource=entry.resource,  # type: ignore[arg-type]
            record=entry.to_plex(),
            received_at=received_at,
            known_until=known_until,
        )

    @property
    def entry(self) -> PunchEntry:
        assert self._entry is not None  # set by the validator
        return self._entry

    @property
    def record_key(self) -> str:
        return record_key(self.resource, self.entry.id)

    @property
    def employee_id(self) -> str:
        return self.entry.employee_id

    @property
    def version(self) -> PunchVersion:
        return PunchVersion(record_key=self.record_key, version=version_of(self.entry))


# ---- the webhook's body ---------------------------------------------------------------------------
def _punch_kind(value: Any) -> str | None:
    """Which kind of record a webhook body holds: a time-clock entry has `clockinTime`, a labor
    entry `startTime` (and `jobOperationId`)."""
    if isinstance(value, TimeClockEntry | LaborEntry):
        return value.resource
    if isinstance(value, dict):
        if "clockinTime" in value or "clockin_time" in value:
            return TimeClockEntry.resource
        if "startTime" in value or "start_time" in value or "jobOperationId" in value:
            return LaborEntry.resource
    return None


DATE_OUT_OF_RANGE = "date_out_of_range"


def plausible_dates(entry: PunchEntry) -> PunchEntry:
    """`entry`, if each of its dates is plausible (EARLIEST_DATE..LATEST_DATE); the error
    names the camelCase field (`ctx.field`) so the sender reads which one."""
    for name, info in type(entry).model_fields.items():
        value = getattr(entry, name)
        if isinstance(value, datetime) and not EARLIEST_DATE <= value < LATEST_DATE:
            raise PydanticCustomError(
                DATE_OUT_OF_RANGE,
                "a date from {earliest} up to (not including) {latest} UTC is expected, not {value}",
                {
                    "field": info.alias or name,
                    "earliest": EARLIEST_DATE.date().isoformat(),
                    "latest": LATEST_DATE.date().isoformat(),
                    "value": value.isoformat(),
                },
            )
    return entry


RECORDABLE_ID: str = next(m.pattern for m in get_args(AuditId)[1:] if getattr(m, "pattern", None))
"""What a webhook punch's `id` and `employeeId` may hold: the audit's own rule for ids and record
keys (`audit.events.AuditId`, read from it: one place). Plex's keys are GUIDs or numbers; an id
outside it would be accepted and then never recorded (found by fuzzing: `employeeId: "'¨"`)."""
RECORDED_IDS = {"id": "id", "employee_id": "employeeId"}
"""The fields the audit records, by attribute and by their name in the body."""
UNRECORDABLE_ID = "unrecordable_id"


def recordable_ids(entry: PunchEntry) -> PunchEntry:
    """`entry`, if its id and employee id can be recorded (`RECORDABLE_ID`); the error names the field."""
    for attribute, field in RECORDED_IDS.items():
        value = getattr(entry, attribute)
        if not re.fullmatch(RECORDABLE_ID, value):
            raise PydanticCustomError(
                UNRECORDABLE_ID,
                "letters, digits and _ . : / + = - only, starting with a letter or digit, not '{value}'",
                {"field": field, "value": value},
            )
    return entry


JSON_TYPE = "json_type"


def exact_json_types(model: type[TimeClockEntry] | type[LaborEntry]) -> Callable[[Any], Any]:
    """A before-validator: each value of a webhook record has the JSON type the OpenAPI document states
    (a number is a number, not `true` or `"12.5"`; a date is a string, not a count of seconds), where
    pydantic's lax mode would convert it and the webhook would accept a body its own document calls
    invalid (found by fuzzing it). pydantic's strict JSON mode decides; only its type errors are
    raised here (naming the field), the rest is left to the usual validation and its messages."""

    def check(value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        try:
            model.model_validate_json(json.dumps(value), strict=True)
        except ValidationError as error:
            wrong = [e for e in error.errors() if str(e["type"]).endswith("_type")]
            if wrong:
                context = {"field": ".".join(map(str, wrong[0]["loc"])), "problem": wrong[0]["msg"]}
                raise PydanticCustomError(JSON_TYPE, "{problem} (JSON type)", context) from None
        return value

    return check


WebhookPunch = Annotated[
    Annotated[
        TimeClockEntry,
        BeforeValidator(exact_json_types(TimeClockEntry)),
        AfterValidator(plausible_dates),
        AfterValidator(recordable_ids),
        Tag(TimeClockEntry.resource),
    ]
    | Annotated[
        LaborEntry,
        BeforeValidator(exact_json_types(LaborEntry)),
        AfterValidator(plausible_dates),
        AfterValidator(recordable_ids),
        Tag(LaborEntry.resource),
    ],
    Discriminator(
        _punch_kind,
        custom_error_type="punch_kind",
        custom_error_message="a punch is a time-clock entry (with clockinTime) or a labor entry (with startTime)",
    ),
]


def _list_bounds(schema: dict[str, Any]) -> None:
    """State the list's size in the JSON schema (OpenAPI `minItems`, `maxItems`): a client generated
    from the document then never sends a list the webhook refuses. (A `Field(min_length=...)` on the
    list would say it too, but Powertools' body parsing then drops all records but the first.)"""
    for branch in schema.get("anyOf", []):
        if branch.get("type") == "array":
            branch.update(minItems=1, maxItems=MAX_WEBHOOK_RECORDS)


class WebhookPunches(RootModel[WebhookPunch | list[WebhookPunch]]):
    """The body of `POST /punches`: one Plex time-clock or labor entry, or a list of 1 to 100."""

    model_config = ConfigDict(json_schema_extra=_list_bounds)

    @model_validator(mode="after")
    def _size(self) -> Self:
        if isinstance(self.root, list) and not 1 <= len(self.root) <= MAX_WEBHOOK_RECORDS:
            raise ValueError(f"a list of punches holds 1 to {MAX_WEBHOOK_RECORDS} records, not {len(self.root)}")
        return self

    @property
    def entries(self) -> list[PunchEntry]:
        return list(self.root) if isinstance(self.root, list) else [self.root]


class WebhookAccepted(BaseModel):
    """The 202 answer: every record now on the queue, by record key."""

    accepted: int
    record_keys: list[str]
    received_at: AuditTimestamp
    duplicate: bool = False
    """The same signed delivery came before (a replay): its records were enqueued then, not again."""


class WebhookError(BaseModel):
    """A 4xx/5xx answer: what is wrong; for a bad body, each field and its problem."""

    message: str
    errors: list[dict[str, str]] = []


def describe_body_errors(errors: list[dict[str, Any]], body: Any) -> list[dict[str, str]]:
    """Pydantic's errors on a webhook body as `{"field": "[1].clockinTime", "problem": ...}`.

    The body is validated against "one record | list of records", and each record against "time-clock
    entry | labor entry": drop the errors of the branch the body's shape did not take, and the
    branch names from each location, so a sender reads the camelCase field it got wrong.
    """
    tags = set(RESOURCE_MODELS)
    wanted_list = isinstance(body, list)
    described: list[dict[str, str]] = []
    for error in errors:
        if error.get("type") == "json_invalid":
            described.append({"field": "(body)", "problem": "not valid JSON"})
            continue
        loc = list(error.get("loc", ()))
        if loc and loc[0] == "body":
            loc = loc[1:]
        if loc and isinstance(loc[0], str) and (loc[0].startswith("list[") or loc[0].startswith("tagged-union[")):
            if loc[0].startswith("list[") != wanted_list:
                continue
            loc = loc[1:]
        if error.get("type") in (DATE_OUT_OF_RANGE, JSON_TYPE, UNRECORDABLE_ID):
            loc.append(str(error.get("ctx", {}).get("field", "")))
        field = ""
        for part in loc:
            if isinstance(part, int):
                field += f"[{part}]"
            elif part and part not in tags:
                field += f".{part}" if field else str(part)
        described.append({"field": field or "(body)", "problem": str(error.get("msg", "invalid"))})
    return described or [{"field": "(body)", "problem": "invalid punch payload"}]
