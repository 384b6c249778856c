"""What a person reads about a finding: people by name and number, times in plant time, words for keys.

A `Reader` is one reader's view: the plant's zone, the people display (`directory.PeopleDisplay`) and
the reader's roles. The approval e-mail and link pages are read by a supervisor (the default roles);
the web app builds one per signed-in person.

- `Reader.time`: the plant's local time with its date and zone, "Tue 2026-03-03 07:00 EST". A time
  without an offset is taken to be plant time already.
- `Reader.person`: "Dana Smith (E00042)" where the reader's roles may see names, else "E00042", else
  the id (`PeopleDisplay.label`).
- `Reader.value`: a value of evidence or of a suggested change as words: ISO times (Plex writes UTC,
  often with seven fraction digits) in plant time, people (`PERSON_KEYS`, `{"role": .., "id": ..}`
  recipients) by `person`, lists and mappings spelled out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from plexlabor.approval.directory import PeopleDisplay

SUPERVISOR_READER = frozenset({"supervisor"})
"""Who reads an approval e-mail or link page."""
PERSON_KEYS = frozenset(
    {"employee_id", "supervisor_id", "escalation_supervisor_id", "from_supervisor_id", "decided_by", "actor"}
)
"""Keys whose value is a person's id: shown as the person."""
TIME_FORMAT = "%a %Y-%m-%d %H:%M %Z"
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
UTC_ZONE = ZoneInfo("UTC")


def field_label(key: str) -> str:
    """`no_badge_in` / `clockoutTime` -> `No badge in` / `Clockout time`: words for a supervisor."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", key).replace("_", " ").lower()
    return words[:1].upper() + words[1:]


def parse_time(value: str) -> datetime | None:
    """The moment an ISO 8601 date-time string names (`Z`, offsets, 7 fraction digits), else None."""
    if not _ISO_TIME.match(value):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def plant_time(moment: datetime, zone: ZoneInfo) -> str:
    """"Tue 2026-03-03 07:00 EST": `moment` in the plant's zone, with its date and the zone's name."""
    local = moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)
    return local.strftime(TIME_FORMAT)


@dataclass(frozen=True)
class Reader:
    """One reader's view: the plant's zone, who is named how, and the reader's roles."""

    zone: ZoneInfo = UTC_ZONE
    people: PeopleDisplay = field(default_factory=PeopleDisplay)
    roles: frozenset[str] = SUPERVISOR_READER

    def for_roles(self, roles: Iterable[str]) -> Reader:
        return Reader(self.zone, self.people, frozenset(str(role) for role in roles))

    def person(self, employee_id: str | None, number: str | None = None) -> str:
        return self.people.label(employee_id, self.roles, number=number)

    def time(self, moment: datetime) -> str:
        return plant_time(moment, self.zone)

    def value(self, value: Any, key: str | None = None) -> str:
        """`value` (under `key`, when known) as a person reads it."""
        if isinstance(value, str):
            if key in PERSON_KEYS:
                return self.person(value)
            moment = parse_time(value)
            return value if moment is None else self.time(moment)
        if isinstance(value, list | tuple):
            return ", ".join(self.value(item, key) for item in value)
        if isinstance(value, Mapping):
            if set(value) == {"role", "id"}:  # a recipient: {"role": "supervisor", "id": "<employee id>"}
                return f"{value['role']}: {self.person(str(value['id']))}"
            return "; ".join(f"{field_label(str(k))}: {self.value(v, str(k))}" for k, v in value.items())
        if isinstance(value, datetime):
            return self.time(value)
        return json.dumps(value, sort_keys=True, ensure_ascii=False)


def with_people(text: str, reader: Reader, employee_ids: Iterable[str | None]) -> str:
    """`text` (a note written with ids: the audit keeps ids) with each of these people's ids replaced
    by how `reader` names them."""
    for employee_id in dict.fromkeys(i for i in employee_ids if i):
        if employee_id in text:
            alone = re.compile(rf"(?<![\w-]){re.escape(employee_id)}(?![\w-])")
            text = alone.sub(reader.person(employee_id).replace("\\", "\\\\"), text)
    return text
