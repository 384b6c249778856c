"""Lightweight records the engine works on, read from the pydantic models (or Plex-shaped dicts, parsed by them).

The engine runs on a whole plant in batch and on one punch in real time; both go through these
slotted classes (epoch seconds, no pydantic on the hot loop) so that they run the same code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

from plexlabor.models import (
    BadgeSwipe,
    LaborEntry,
    PlexModel,
    ShiftAssignment,
    TimeClockEntry,
    WorkcenterEvent,
    record_key,
)

if TYPE_CHECKING:
    from plexlabor.plex.plain import PlainRow


def epoch(value: str | datetime | float | None) -> float | None:
    """Epoch seconds of a Plex date string or an aware datetime (or of a plain row's date: epoch seconds
    already); a time without a zone is refused (Python would read it in the machine's own zone)."""
    if value is None or isinstance(value, float):
        return value
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        raise ValueError(f"time without a zone: {value.isoformat()} (Plex times are UTC, ending in Z)")
    return value.timestamp()


ModelT = TypeVar("ModelT", bound=PlexModel)


def _model(item: dict[str, Any] | ModelT, model: type[ModelT]) -> ModelT:
    return item if isinstance(item, model) else model.from_plex(item)  # type: ignore[arg-type]


def _epoch(value: datetime | None) -> float | None:
    return None if value is None else value.timestamp()


# Each kind's `plain`: the fields of every plain row picked by one C call, and the records made in one list
# comprehension (a call per row, with a lookup per field, was a fifth of making the records).
_PUNCH_ROW = itemgetter(
    "id",
    "employeeId",
    "clockinTime",
    "clockoutTime",
    "createdDate",
    "source",
    "clockinDeviceId",
    "clockinLatitude",
    "clockinLongitude",
    "biometricScore",
)
_SCHEDULED_ROW = itemgetter("employeeId", "scheduledStart", "scheduledEnd", "workDate", "status", "workcenterId")


def _key_prefix(model: type[PlexModel]) -> str:
    """What `record_key` puts before a record's id, for keys made by concatenation."""
    prefix = record_key(model.resource, "")
    assert record_key(model.resource, "id") == prefix + "id", "record_key is no longer resource + ':' + id"
    return prefix


def _epoch_if_time(value: object) -> object:
    return value.timestamp() if isinstance(value, datetime) else value


class _Keyed:
    """A record made of its key, its id and then its model's `FIELDS` in that order, times as epoch seconds:
    `read` takes them from a model, `plain` the same fields from plain rows (where times are epoch seconds)."""

    __slots__ = ()
    MODEL: ClassVar[type[PlexModel]]
    FIELDS: ClassVar[tuple[str, ...]]
    """The model's attribute names, in the order of the record's fields after `key` and `id`."""

    if TYPE_CHECKING:

        def __init__(self, *values: Any) -> None: ...

    @classmethod
    def read(cls, item: dict[str, Any] | PlexModel) -> Self:
        record = _model(item, cls.MODEL)
        values = (_epoch_if_time(getattr(record, name)) for name in cls.FIELDS)
        record_id: str = record.id  # type: ignore[attr-defined]  # every MODEL of a keyed record has an id
        return cls(record_key(cls.MODEL.resource, record_id), record_id, *values)

    @classmethod
    def plain(cls, rows: Iterable[PlainRow]) -> list[Self]:
        """From plain rows (`plexlabor.plex.plain`): the records `read` makes from their models."""
        key = _key_prefix(cls.MODEL)
        fields = itemgetter("id", *(cls.MODEL.model_fields[name].alias for name in cls.FIELDS))
        return [cls(key + values[0], *values) for values in map(fields, rows)]


@dataclass(slots=True)
class Punch:
    key: str
    id: str
    employee: str
    t_in: float
    t_out: float | None
    created: float
    source: str
    device: str | None
    lat: float | None
    lon: float | None
    biometric: float | None

    @classmethod
    def read(cls, item: dict[str, Any] | TimeClockEntry) -> Punch:
        entry = _model(item, TimeClockEntry)
        t_in = entry.clockin_time.timestamp()
        return cls(
            record_key(TimeClockEntry.resource, entry.id),
            entry.id,
            entry.employee_id,
            t_in,
            _epoch(entry.clockout_time),
            _epoch(entry.created_date) or t_in,
            entry.source,
            entry.clockin_device_id,
            entry.clockin_latitude,
            entry.clockin_longitude,
            entry.biometric_score,
        )

    @classmethod
    def plain(cls, rows: Iterable[PlainRow]) -> list[Punch]:
        """From plain rows (`plexlabor.plex.plain`): the records `read` makes from their models."""
        key = _key_prefix(TimeClockEntry)
        return [
            cls(key + id_, id_, employee, t_in, t_out, created or t_in, source, device, lat, lon, biometric)
            for id_, employee, t_in, t_out, created, source, device, lat, lon, biometric in map(_PUNCH_ROW, rows)
        ]


@dataclass(slots=True)
class Scheduled:
    employee: str
    start: float
    end: float
    work_date: date
    working: bool
    workcenter: str | None
    swapped_from: float | None = None  # worked another of the plant's shifts: the start first scheduled

    @classmethod
    def read(cls, item: dict[str, Any] | ShiftAssignment) -> Scheduled:
        assignment = _model(item, ShiftAssignment)
        return cls(
            assignment.employee_id,
            assignment.scheduled_start.timestamp(),
            assignment.scheduled_end.timestamp(),
            assignment.work_date,
            assignment.status == "Scheduled",
            assignment.workcenter_id,
        )

    @classmethod
    def plain(cls, rows: Iterable[PlainRow]) -> list[Scheduled]:
        return [
            cls(employee, start, end, work_date, status == "Scheduled", workcenter)
            for employee, start, end, work_date, status, workcenter in map(_SCHEDULED_ROW, rows)
        ]


@dataclass(slots=True)
class Labor(_Keyed):
    MODEL = LaborEntry
    FIELDS = ("employee_id", "workcenter_id", "job_operation_id", "start_time", "end_time", "quantity")

    key: str
    id: str
    employee: str
    workcenter: str
    job_operation: str
    start: float
    end: float | None
    quantity: float


@dataclass(slots=True)
class WcEvent(_Keyed):
    MODEL = WorkcenterEvent
    FIELDS = ("workcenter_id", "event_type", "event_time", "employee_id")

    key: str
    id: str
    workcenter: str
    kind: str
    t: float
    employee: str | None

    def row(self) -> EventRow:
        """The event as `event_rows` gives it."""
        return self.t, self.kind, self.workcenter, self.employee, self.id

    @classmethod
    def of_row(cls, row: EventRow) -> WcEvent:
        """The record `plain` or `read` makes of the event an `EventRow` holds."""
        t, kind, workcenter, employee, event_id = row
        return cls(_EVENT_KEY + event_id, event_id, workcenter, kind, t, employee)


EventRow = tuple[float, str, str, str | None, str]
"""A workcenter event as the index pairs them: (time, kind, workcenter, employee, id). A `WcEvent` is made only
for each run's start (the runs keep it): one for each of a plant's 240,000 events, logins and logouts included,
was 10 % of making and indexing its records (docs/validation.md section 4)."""
_EVENT_KEY = _key_prefix(WorkcenterEvent)
_EVENT_ROW = itemgetter("eventTime", "eventType", "workcenterId", "employeeId", "id")


def event_rows(rows: Iterable[Any], plain: bool) -> list[EventRow]:
    """Each workcenter event's `EventRow`, in the order given: from plain rows (`plain`: picked by one C call
    per row), else from models or dicts parsed by `WcEvent.read`."""
    return list(map(_EVENT_ROW, rows)) if plain else [event.row() for event in map(WcEvent.read, rows)]


@dataclass(slots=True)
class Swipe(_Keyed):
    MODEL = BadgeSwipe
    FIELDS = ("employee_id", "building_code", "swipe_time", "direction")

    key: str
    id: str
    employee: str
    building: str
    t: float
    direction: str


@dataclass(slots=True)
class Session:
    """An operator's stay at a workcenter, from login to logout (open while `end` is None).

    `closed_by`, for a login never logged out: the next login at that workcenter (anyone's) or of that
    operator (anywhere), whichever came first; a login cannot outlast it (`checks.base.session_end`)."""

    employee: str
    workcenter: str
    start: float
    end: float | None
    closed_by: float | None = None
