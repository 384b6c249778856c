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
  recipients) by `person`, amounts of money (`is_money_key`) as "$1,250.24", lists and mappings
  spelled out, Plex ids left out (below). `reading_order` puts a start before its end.

Parts, jobs, operations, workcenters and skills are named by their codes (job number, operation code,
workcenter code, skill code), which their producers put beside the Plex ids in notes, evidence and
payloads. The ids stay in the audit; a person never reads them as text: `split_ids` sets aside every
value under a Plex-id key (`is_id_key`: `workcenter_id`, `segment`, `duplicate_of`, ...) or shaped like
one (`looks_like_id`: a UUID, a `resource:<uuid>` record key), and the pages show those only in a small
"Plex ids" detail (`PLEX_IDS_CLASS`), where a supervisor can copy one to find the record in Plex.
`producer` names what made a suggestion without the hash of its model version.
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
    {
        "employee_id",
        "supervisor_id",
        "escalation_supervisor_id",
        "from_supervisor_id",
        "decided_by",
        "actor",
        "proposed_by",
    }
)
"""Keys whose value is a person's id: shown as the person."""
PLEX_ID_KEYS = frozenset(
    {
        "workcenter",
        "job_operation",
        "part",
        "segment",
        "duplicate_of",
        "duplicateOf",
        "overlaps",
        "overlapsWith",
        "also_overlaps",  # an entry overlapping several: the further ones (validation.checks.structural)
        "alsoOverlapsWith",
        "required_at",
        "renewed_by",
        "record",
        "record_key",
        "removes",  # a crew removal's accepted assignment (its item id): the item page names and links the seat
    }
)
"""Keys whose value is a Plex id (or a record key) although their name does not end in `_id`/`_ids`."""
MODEL_INPUTS = frozenset(
    {
        "geofence_ratio",
        "device_unusual",
        "biometric_low",
        "no_badge_in",
        "badge_elsewhere",
        "no_workcenter_login",
        "mobile",
        "signal_count",
        "read_beside_another",
    }
)
"""A buddy punch's signals as the scorer reads them (`validation.checks.buddy`): the note says each in words ("on a
clock this employee rarely uses, biometric match 0.37"), so no page shows them as numbers (ux_s17 L5: "Biometric low
0.634" beside the note's "biometric match 0.37"); the audit keeps them."""
SUPERSEDED_BY = {"missing_skills": "missing_skill_codes"}
"""A key whose value (Plex ids) another key gives as codes: shown only when the codes are missing."""
PLEX_IDS_CLASS = "plex-ids"
"""The class of the one element of a page that may show Plex ids (a collapsed `<details>`)."""
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_VERSION_HASH = re.compile(r"-(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b|-\d{9,}\b")
TIME_FORMAT = "%a %Y-%m-%d %H:%M %Z"
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
UTC_ZONE = ZoneInfo("UTC")


LABELS = {
    "job_no": "Job",
    "operation_code": "Operation",
    "workcenter_code": "Workcenter",
    "workcenter_codes": "Workcenters",
    "required_at_codes": "Required at",
    "skill_code": "Skill",
    "missing_skill_codes": "Missing skills",
    "history_shifts": "Shifts in their history",
    # cross-training (skills.publish): the candidate's place, what it takes, who is told
    "rank": "Place among this workcenter's candidates",
    "required": "Skills the workcenter requires",
    "effort_levels": "Training effort, in points (not hours): 1 a skill level to learn, 0.5 a renewal, 2 more for a "
    "new skill outside the skill groups they hold",
    "hours_at_risk_after_cover": "Hours at risk at the workcenter now (its gaps after today's cover, before any "
    "training)",
    "coverage_gain_hours": "Hours of that at-risk work this training would cover (less what their move leaves "
    "uncovered where they are planned)",
    "adjacent": "Only skills close to ones they hold",
    "recipients": "Sent to",
    # certifications (skills.publish)
    "window_days": "Warned this many days before expiry",
    "in_use": "Worked where it is required while lapsed",
    # punch findings (validation.checks): the punch's times as every page says them (ux141 #9: "Clockin")
    "clockin": "Clock-in",
    "clockout": "Clock-out",
    "clockinTime": "Clock-in",
    "clockoutTime": "Clock-out",
    "clockin_time": "Clock-in",
    "minutes_before": "Clock-out before clock-in by (minutes)",
    "hours_overdue": "Hours overdue when found",  # measured to the data's end, not to now (ux_s17 L2)
    "projectedHours": "Hours in the week",  # punched and still scheduled: a finished week's are not "projected"
    "expectedQuantity": "Pieces expected for these hours",
    "week": "Week",
    "punched_hours": "Hours punched",
    "scheduled_remaining_hours": "Hours still scheduled",
    "limit_hours": "Limit (hours)",
    "expected_end": "Shift ended",
    "correction_basis": "Clock-out taken from",
    "continuous_hours": "Hours worked without a break",
    "expected_quantity": "Pieces expected for these hours",
    "ratio_vs_usual": "Output against their usual (times)",
    "history_entries": "Their past entries compared",
    # overtime projections (forecast.records.OvertimeProjection; the forecasts page's words, ux164 #17)
    "iso_week": "Week",
    "week_start": "Week starts",
    "employees": "People in the department",
    "worked_hours": "Hours worked so far",
    "scheduled_hours": "Hours still to come (the shifts left, as each person usually works them)",
    "projected_hours": "Hours expected in the week",
    "projected_overtime_hours": "Overtime hours expected",
    "employees_over_threshold": "People going into overtime",
    "overtime_after_hours": "Overtime after (hours in the week, the plant's policy)",
    "employees_over_limit": "People over the weekly hours limit",
    "last_week_overtime_hours": "Overtime hours last week",
    "forecast_labor_hours": "Hours the week's jobs need (forecast)",
    # certification alerts (skills.publish)
    "blocked": "Scheduled shifts it keeps them from",
    "blocked_shifts": "Scheduled shifts it keeps them from (count)",
    "hours_blocked": "Scheduled hours it keeps them from",
    "hours_at_risk": "Hours of work at risk",
    "logins": "Workcenter logins while it was lapsed",
    "labor_entries": "Labor entries while it was lapsed",
    "labor_hours": "Labor hours while it was lapsed",
}
"""Words for keys a person would not read as they are: those that name things by their codes (the code is
what the row shows) and producers' own field names."""
ROLE_WORDS = {"supervisor": "supervisor", "hr": "HR"}
"""A recipient's role (`skills.publish`) as the page says it."""
_SKILL_LEVEL = re.compile(r"\b([A-Z][A-Z0-9_]*):L(\d+)\b")


NUMBER_FORMATS = {"hours_at_risk_after_cover": "{:.1f}", "coverage_gain_hours": "{:.1f}", "effort_levels": "{:g}"}
"""Keys whose numbers read better otherwise than as the reader's numbers: hours to one decimal, as the note and
the skills page say them (ux_s14 #13: "51.88" under "would cover 21.6 h"), training points as few digits as they
need ("6", "2.5")."""


MONEY_ENDINGS = ("_cost", "Cost")
"""Key endings (or the key `cost`) of amounts of money in the plant's currency: shown "$250.24"."""


def is_money_key(key: str | None) -> bool:
    return key is not None and (key == "cost" or key.endswith(MONEY_ENDINGS))


def reading_order(values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` with each start just before its end (`start`/`end`, `start_time`/`end_time`, `startTime`/
    `endTime`), where it came after it (the audit may keep keys in alphabetical order); the rest as given."""
    keys = list(values)

    def place(key: str) -> float:
        end = key.replace("start", "end").replace("Start", "End")
        return (
            keys.index(end) - 0.5
            if end != key and end in values and keys.index(end) < keys.index(key)
            else keys.index(key)
        )

    return {key: values[key] for key in sorted(keys, key=place)}


UNITS = {"_min": "minutes", "_minutes": "minutes"}
"""Key endings that name a unit: `offset_min` reads "Offset (minutes)", not "Offset min"."""


def field_label(key: str) -> str:
    """`no_badge_in` / `clockoutTime` / `usual_offset_min` -> `No badge in` / `Clock-out` / `Usual offset
    (minutes)`: words for a supervisor."""
    if key in LABELS:
        return LABELS[key]
    end = next((end for end in UNITS if key.endswith(end) and len(key) > len(end)), None)
    stem, unit = (key.removesuffix(end), f" ({UNITS[end]})") if end else (key, "")
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", stem).replace("_", " ").lower()
    return words[:1].upper() + words[1:] + unit


def is_id_key(key: str) -> bool:
    """Whether a key's value is a Plex id (never shown as text); people's ids are shown as the person."""
    if key in PERSON_KEYS:
        return False
    return key in PLEX_ID_KEYS or key.endswith(("_id", "_ids", "Id", "Ids"))


def looks_like_id(value: Any) -> bool:
    """A Plex id by its shape: text holding a UUID (alone or in a record key), or a list of them."""
    if isinstance(value, str):
        return bool(_UUID.search(value))
    if isinstance(value, list | tuple) and value:
        return all(looks_like_id(item) for item in value)
    return False


def split_ids(values: Mapping[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """`values` as (what a person reads, the Plex ids set aside for the "Plex ids" detail). People's ids
    (`PERSON_KEYS`) are read, as the person; a key whose codes stand beside it (`SUPERSEDED_BY`) is
    dropped when they do."""
    shown: dict[str, Any] = {}
    ids: dict[str, Any] = {}
    for key, value in (values or {}).items():
        if SUPERSEDED_BY.get(key) in (values or {}):
            continue
        if key not in PERSON_KEYS and (is_id_key(key) or looks_like_id(value)):  # people are shown by name
            if value not in (None, "", [], {}):
                ids[key] = value
        else:
            shown[key] = value
    return shown, ids


def producer(model_version: str | None) -> str:
    """What made a suggestion, without its version's hash: `scorer-6b2c4bd848+norms-1794286800` ->
    `scorer + norms`; `crew-milp-2026.11` stays; None -> `rules`."""
    if not model_version:
        return "rules"
    return " + ".join(_VERSION_HASH.sub("", part) for part in model_version.split("+"))


def skill_words(text: str) -> str:
    """Skills as the pages say them: `CMM:L1, VISUAL_INSP:L3` (how reports name a required skill) ->
    `CMM level 1, VISUAL_INSP level 3`."""
    return _SKILL_LEVEL.sub(r"\1 level \2", text)


def equipment_words(extraction: Mapping[str, Any]) -> str | None:
    """The equipment an incident's recorded extraction names, as its page and the EHS queue's evidence say it: "die,
    forklift; not used: hoist", "none named; not used: hoist"; None when it names none (ux_s16 #5: equipment the text
    says was not used is not dropped)."""
    used, not_used = (
        [str(m.get("value")) for m in extraction.get(key) or [] if isinstance(m, Mapping)]
        for key in ("equipment", "equipment_not_used")
    )
    if not used and not not_used:
        return None
    return f"{', '.join(used) or 'none named'}; not used: {', '.join(not_used)}" if not_used else ", ".join(used)


def parse_time(value: str) -> datetime | None:
    """The moment an ISO 8601 date-time string names (`Z`, offsets, 7 fraction digits), else None."""
    if not _ISO_TIME.match(value):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def plant_time(moment: datetime, zone: ZoneInfo) -> str:
    """ "Tue 2026-03-03 07:00 EST": `moment` in the plant's zone, with its date and the zone's name."""
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
            return skill_words(value) if moment is None else self.time(moment)
        if isinstance(value, list | tuple):
            return ", ".join(self.value(item, key) for item in value)
        if isinstance(value, Mapping):
            if set(value) == {"role", "id"}:  # a recipient: {"role": "supervisor", "id": "<employee id>"}
                return self.recipient(str(value["role"]), str(value["id"]))
            shown, _ = split_ids({str(k): v for k, v in value.items()})  # nested Plex ids are not read
            return "; ".join(f"{field_label(k)}: {self.value(v, k)}" for k, v in shown.items())
        if isinstance(value, datetime):
            return self.time(value)
        if is_money_key(key) and isinstance(value, int | float) and not isinstance(value, bool):
            return f"${value:,.2f}"
        if key in NUMBER_FORMATS and isinstance(value, int | float) and not isinstance(value, bool):
            return NUMBER_FORMATS[key].format(value)
        return self.scalar(value)

    def recipient(self, role: str, recipient: str) -> str:
        """ "supervisor Carla Okafor (E00002)"; a role's own mailbox ("hr") by the role alone: "HR"."""
        role_words = ROLE_WORDS.get(role, role)
        return role_words if recipient == role else f"{role_words} {self.person(recipient)}"

    def scalar(self, value: Any) -> str:
        """A number, a truth value or null as JSON spells it."""
        return json.dumps(value, sort_keys=True, ensure_ascii=False)


_TOKEN_WITH_DIGIT = re.compile(r"(?<![\w-])[\w-]*\d[\w-]*(?![\w-])")
"""A word holding a digit: what an employee id (a Plex UUID, an employee number) looks like in free text."""


def with_known_people(text: str, reader: Reader) -> str:
    """`text` (a decision's reason, written with ids: "swapped for a21b9e37-... on the crew board") with each id the
    people directory knows replaced by how `reader` names the person (ux141 #12); other words, ids of nobody it
    knows included, stay as written."""
    directory = reader.people.directory
    known = [t for t in dict.fromkeys(_TOKEN_WITH_DIGIT.findall(text)) if directory.person_of(t) is not None]
    return with_people(text, reader, known)


def with_people(text: str, reader: Reader, employee_ids: Iterable[str | None]) -> str:
    """`text` (a note written with ids: the audit keeps ids) with each of these people's ids replaced
    by how `reader` names them."""
    for employee_id in dict.fromkeys(i for i in employee_ids if i):
        if employee_id in text:
            alone = re.compile(rf"(?<![\w-]){re.escape(employee_id)}(?![\w-])")
            text = alone.sub(reader.person(employee_id).replace("\\", "\\\\"), text)
    return text
