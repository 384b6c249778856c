"""Logging an incident or near miss: code it, extract what the text says, record it, and send the codes
the model is not sure of to the EHS lead's review queue; their corrections become training data.

`log_incident(deps, report, reporter)` is the capability's `run`: the narrative is coded (OIICS, with calibrated
confidences: `classifier`) and read (`extraction`); one `recommendation` audit event of kind `incident_coding`
records it all. Auto-coded incidents are recorded as `logged` (filled in, nothing to decide); the others as
`pending_approval`, which puts them in the review queue whatever the rollout scope (an incident is a safety record:
`platform.pilot.NEVER_HELD`).
Without a model every incident goes for review. The incident's id is stable over (reporter, narrative, time, and the
kind, workcenter, department, shift and job chosen), so a form sent twice records one incident. A resend that
changes one of those is the reporter's correction: a report of its own that replaces the earlier live one of the
same text and time (`earlier_reports`; payload `replaces`), which is closed as superseded once the resend is
recorded (an `expired` event naming it, `audit.events.replaced`): it leaves the EHS queue, and its page refuses any
decision (`replacement`). A report sent from the form's "Correct this report" names the report it corrects
(`corrects`): that one, the sender's own (`corrected_report`), is the one it replaces, whatever its text, time and
age (review_s16 #4: a time with seconds, a narrative whose line endings the browser changed, or a report older than
`RESEND_WINDOW` matched nothing, so the copy became a second live report); the same rules apply to it (decided,
withdrawn, replaced) as to a match of the same text and time. The closing takes the earlier report's next answer id
(`withdrawal.answer_id`), as a decision and a withdrawal do, so of a resend, a withdrawal and a decision of the same
report at the same moment the audit store's conditional write records one answer (`close_replaced`); a resend that
finds the report withdrawn already is refused (`ResendRefused`), nothing recorded. A report the EHS lead (or the
queue) decided is never replaced: the resend is recorded as a report of its own asking the EHS lead to correct it
(payload `asks_to_correct`; ux_s13 #16), as a withdrawal is refused once decided; its codes are not confirmed while
that report stands (`decided_standing`).

`correct_codes` is the EHS lead's answer on the incident's page: the codes as they should be and what
the text says as they confirm it (`read_confirmation`; an approval of the coding, with both); she may
correct it later (a new decision, the newest holds, the trail kept), and each is written to Plex by
plex_writeback (`approval.recommendations.incident_record`). `corrected_reports` turns
decided incidents back into coded reports, the training rows `plexlabor incidents train` reads
(`reports.write_coded_reports`).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from plexlabor.approval.messages import Decision
from plexlabor.approval.recommendations import INCIDENT_CODING, INCIDENT_FIELDS, OCCURRED_UNKNOWN
from plexlabor.audit import ApprovalAction, AuditEvent, AuditEventType, AuditStatus, AuditStore
from plexlabor.audit.errors import AuditConflictError
from plexlabor.audit.events import SUPERSEDED_BY, expiry_event, recommendation_event, replaced, stable_event_id
from plexlabor.audit.publish import append_once
from plexlabor.incidents.extraction import Extraction, Place, extract
from plexlabor.incidents.kindindex import counted, incident_outcomes, outcomes, stands
from plexlabor.incidents.oiics import FIELD_LABELS, FIXED_TITLES, INJURY_ONLY, code_problem, coded_words, event_words
from plexlabor.incidents.oiics import Field as Coded
from plexlabor.incidents.reports import CodedReport
from plexlabor.incidents.withdrawal import answer_id, called_back, closing_words, withdrawal
from plexlabor.models import Employee, Shift, Workcenter
from plexlabor.platform.clock import outside_dates, utc_now
from plexlabor.platform.kept import Kept
from plexlabor.platform.pilot import PilotScope
from plexlabor.platform.text import ReadableText
from plexlabor.plex.jobs import PlexJobs
from plexlabor.plex.port import LaborDataPort

if TYPE_CHECKING:
    from plexlabor.incidents.classifier import Classification, IncidentClassifier

logger = logging.getLogger(__name__)

RECORD_PREFIX = "incident:"
NO_MODEL = "none"
MAX_NARRATIVE_CHARS = 5000


class IncidentReport(BaseModel):
    """What a person reports (the form, `POST /incidents`); who reports it comes from their sign-in."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    narrative: ReadableText = Field(
        min_length=10, max_length=MAX_NARRATIVE_CHARS, description="What happened, in words"
    )
    kind: Literal["injury", "near_miss"] = Field(default="injury", description="An injury or a near miss")
    occurred_at: datetime | None = Field(
        default=None, description="When it happened; without a zone it is the plant's local time"
    )
    workcenter_code: str | None = Field(
        default=None, max_length=64, description="One of the plant's workcenter codes (else 400)"
    )
    department: str | None = Field(default=None, max_length=64, description="One of the plant's departments (else 400)")
    shift_code: str | None = Field(
        default=None, max_length=32, description="One of the plant's shift codes, when its shifts are known (else 400)"
    )
    job_no: str | None = Field(default=None, max_length=64)

    @field_validator("occurred_at")
    @classmethod
    def _plausible(cls, value: datetime | None) -> datetime | None:
        if value is not None and (problem := outside_dates(value)):
            raise ValueError(problem)
        return value


CHOSEN_FIELDS = {"workcenter_code": "workcenter", "department": "department", "shift_code": "shift"}
"""The report's fields chosen from the plant's own values (`PlantChoices`), and what a person calls each."""


@dataclass(frozen=True)
class PlantChoices:
    """The plant's workcenters, departments and shifts a report may name; an empty list is not known here
    (that field is then taken as typed). Offered by the form, checked by incident_log, so a typed "cnc 4"
    cannot become a workcenter of its own in the trends."""

    workcenters: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    shifts: tuple[tuple[str, str], ...] = ()
    """(shift code, its name)."""
    places: tuple[Place, ...] = ()
    """The active workcenters' codes and names, for "where" in a narrative (`extraction`): read with the
    choices, so a workcenter added in Plex is found in the text once it is offered by the form."""

    @classmethod
    def of(
        cls, workcenters: Iterable[Workcenter], employees: Iterable[Employee], shifts: Iterable[Shift]
    ) -> PlantChoices:
        """The active workcenters, the plant's departments (those of its active employees, as Plex gives
        them, and of its active workcenters: shipping or maintenance may have people but no workcenter),
        and the shifts (codes in order); when the shift list is not read, the shifts its active employees
        work (named by code), so a report's shift is still checked against what is known."""
        active = [w for w in workcenters if w.active]
        people = [e for e in employees if e.status == "Active"]
        departments = {e.department_code for e in people if e.department_code}
        departments |= {w.department_code for w in active if w.department_code}
        named = {(s.shift_code, s.name) for s in shifts}
        worked = {(e.default_shift_code, f"Shift {e.default_shift_code}") for e in people if e.default_shift_code}
        return cls(
            workcenters=tuple(sorted(w.workcenter_code for w in active)),
            departments=tuple(sorted(departments)),
            shifts=tuple(sorted(named or worked)),
            places=tuple(Place(w.workcenter_code, w.name) for w in active),
        )

    def known(self, name: str) -> tuple[str, ...]:
        values = {"workcenter_code": self.workcenters, "department": self.departments}
        return values.get(name, tuple(code for code, _ in self.shifts) if name == "shift_code" else ())

    def spelled(self, name: str, value: str) -> str:
        """`value` of the chosen field `name` as the plant spells it (letter case aside), or as typed when the
        plant's values are not known here; ValueError naming the problem when the plant has no such value."""
        known = self.known(name)
        if not known:
            return value
        found = {k.casefold(): k for k in known}.get(value.casefold())
        if found is None:
            raise ValueError(f"not a {CHOSEN_FIELDS[name]} of this plant: choose one from the list")
        return found

    def fit(self, report: IncidentReport) -> tuple[IncidentReport, list[tuple[str, str]]]:
        """The report with each chosen field spelled as the plant spells it, and each field whose value the
        plant does not know, with the problem."""
        spelled: dict[str, str] = {}
        unknown = []
        for name in CHOSEN_FIELDS:
            value = getattr(report, name)
            if value is None:
                continue
            try:
                spelled[name] = self.spelled(name, value)
            except ValueError as error:
                unknown.append((name, str(error)))
        return report.model_copy(update=spelled), unknown


class KeptPlantChoices(Kept[PlantChoices]):
    """The plant's values as `read` last gave them, kept by `platform.kept.Kept`'s rule: read again once
    `KEEP_S` old, so a workcenter added in Plex is offered by the form and accepted by incident_log within the
    hour; a read that fails (Plex slow or down) keeps the last values (none at first: the fields are then
    typed) and is tried again after `REST_S`."""

    KEEP_S: ClassVar[float] = 3600.0
    REST_S: ClassVar[float] = 300.0

    def __init__(self, read: Callable[[], PlantChoices], clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(read, "plant values for incidents", self.KEEP_S, self.REST_S, clock)

    def __call__(self) -> PlantChoices:  # type: ignore[override]  # never None: typed fields until a read
        return super().__call__() or PlantChoices()


def readable_shifts(port: LaborDataPort) -> list[Shift]:
    """The plant's shifts, or none when they cannot be read (they come from a data source that may not be
    set up: a report's shift is then checked against the shifts the plant's people work, `PlantChoices.of`;
    logged as a warning)."""
    try:
        return port.shifts()
    except Exception as error:
        logger.warning(
            "shifts not read: a report's shift is checked against the shifts employees work",
            extra={"reason": str(error)},
        )
        return []


class CodingOut(BaseModel):
    field: str
    label: str
    code: str
    title: str
    confidence: float
    confident: bool


class LoggedIncident(BaseModel):
    """The answer: the incident's id, whether its codes were filled in or wait for review, and why."""

    incident_id: str
    status: Literal["auto_coded", "pending_review"]
    """`pending_review`: in the EHS lead's review queue, whatever the rollout scope (`platform.pilot.NEVER_HELD`)."""
    duplicate: bool = False
    """The same report was already recorded (a form sent twice): this is that incident."""
    replaces: list[str] = Field(default_factory=list)
    """The reporter's earlier reports of the same text and time this one corrects: withdrawn, no longer decided."""
    asks_to_correct: list[str] = Field(default_factory=list)
    """The reporter's earlier reports of the same text and time the EHS lead decided already: they stand as decided,
    and this one asks the EHS lead to correct them (ux_s13 #16)."""
    recording_unused: bool = False
    """A recording came with typed text but no transcription is configured: the text was recorded without it."""
    job_unchecked: bool = False
    """Plex's jobs could not be read (slow or down): the job was recorded as typed, not checked."""
    model_version: str
    codes: list[CodingOut]
    extraction: dict[str, Any]


@dataclass
class IncidentDeps:
    audit: AuditStore
    classifier: IncidentClassifier | None
    """The model, when fixed; `in_force` (when given) is asked instead on every report."""
    places: Sequence[Place] = ()
    """Fixed places for "where" (`extraction`; a test's); none: the plant's as last read (`plant_choices`)."""
    scope: PilotScope = field(default_factory=PilotScope)
    """The rollout scope in force, shown on a refused form's page as on every web app page (`webapp.incidentform`).
    It holds back no incident (`platform.pilot.NEVER_HELD`): `log_incident` does not read it."""
    zone: tzinfo = UTC
    """The plant's time zone: "at 10:30" in a narrative is plant time."""
    clock: Callable[[], datetime] = utc_now
    in_force: Callable[[], IncidentClassifier | None] | None = None
    """The model in force now (`registry.ModelInForce.current`: a promoted retrained model, else the packaged one)."""
    transcribe: Callable[[bytes, str], str] | None = None
    """A recording (bytes, media format) to text (`transcribe.AwsTranscriber.transcribe`); None: not configured."""
    plant_choices: Callable[[], PlantChoices] = PlantChoices
    """The plant's workcenters, departments and shifts a report may name now (`KeptPlantChoices`)."""
    jobs: PlexJobs | None = None
    """The jobs a report may name, as the copilot checks them (`plex.jobs`); None: any (no Plex to read them from)."""


REPORTED_FIELDS = ("kind", "workcenter_code", "department", "shift_code", "job_no")
"""What the reporter chose beside the text: a report sent again with one of these changed is a correction,
recorded as a report of its own (the EHS lead sees both), not lost on the first."""


def incident_id(reporter: str, report: IncidentReport, received_at: datetime) -> str:
    """Stable over reporter, narrative, time (the stated time, else the minute it was received) and the
    fields the reporter chose (`REPORTED_FIELDS`): the same form sent twice is one incident."""
    moment = report.occurred_at.isoformat() if report.occurred_at else _minute(received_at)
    chosen = (str(getattr(report, name) or "") for name in REPORTED_FIELDS)
    digest = hashlib.sha256("\x1f".join((reporter, report.narrative, moment, *chosen)).encode()).hexdigest()
    return "inc-" + digest[:20]


def _minute(received_at: datetime) -> str:
    """The minute a report without a stated time was received: its time (`incident_id`, `same_report`)."""
    return received_at.strftime("%Y-%m-%dT%H:%M")


RESEND_WINDOW = timedelta(days=30)
"""How long after a report its reporter's corrected resend still replaces it (`earlier_reports`)."""
CLOCK_SKEW = timedelta(minutes=5)
"""How far ahead of incident_log's clock a report's time may be (a tablet's clock runs a little fast): so a report
of a time was recorded at the earliest this long before it."""
REPLACE_READ_LIMIT = 20_000
"""At most this many incident events are read to find the report a resend replaces (a plant's month holds hundreds)."""


def same_report(opening_event: AuditEvent, reporter: str, report: IncidentReport, received_at: datetime) -> bool:
    """Whether an incident's opening is `reporter`'s report of the same text for the same time: the time they
    stated (the same instant), else, neither stating one, the same minute received (as `incident_id` has it)."""
    recorded = opening_event.payload.get("incident") or {}
    if opening_event.actor != reporter or recorded.get("narrative") != report.narrative:
        return False
    stated = recorded.get("occurred_at")
    if report.occurred_at is None or stated is None:
        return (
            report.occurred_at is None and stated is None and _minute(opening_event.occurred_at) == _minute(received_at)
        )
    return datetime.fromisoformat(stated) == report.occurred_at


def earlier_reports(
    audit: AuditStore, reporter: str, report: IncidentReport, received_at: datetime, replacement: str | None = None
) -> list[str]:
    """The ids of `reporter`'s live reports (not replaced) of the same text and time (`same_report`) recorded in the
    last `RESEND_WINDOW`, oldest first: what a resend with a corrected field replaces (ux136 #3: the wrong first
    report stayed live, and the EHS lead confirmed it). One that `replacement` closed already counts as live (the
    report sent again after its opening's write was lost: it still names what it replaced)."""
    if report.occurred_at is None:  # the same minute received: only it is read
        since = received_at.replace(second=0, microsecond=0)
    else:  # not before the stated time (less the skew a report may have), nor before the window
        since = max(received_at - RESEND_WINDOW, report.occurred_at - CLOCK_SKEW)
    events = audit.by_kind(INCIDENT_CODING, since=since, limit=REPLACE_READ_LIMIT)
    gone = {  # withdrawn ones are not replaced again
        event.finding_id
        for event in events
        if called_back(event) and (replacement is None or event.payload.get(SUPERSEDED_BY) != replacement)
    }
    return [
        str(event.finding_id)
        for event in events
        if event.event_type is AuditEventType.RECOMMENDATION
        and event.finding_id not in gone
        and same_report(event, reporter, report, received_at)
    ]


CLOSE_ATTEMPTS = 5
"""How often a resend's closing reads the earlier report again after a decision took the id it meant to take."""


class ResendRefused(Exception):
    """A corrected resend not recorded: the earlier report it replaces was closed a moment before (withdrawn, set
    aside, or replaced by another resend); the message says what happened first."""


def superseding_event(earlier_id: str, replacement_id: str, reporter: str, at: datetime) -> AuditEvent:
    """Closes the undecided earlier report `replacement_id` corrects: the `expired` event the queue reads as replaced,
    not run out (`audit.events.replaced`), so the earlier leaves the EHS queue and no page offers to decide it. Its id
    is the earlier report's next answer (`withdrawal.answer_id`: its first decision's): a withdrawal, a setting aside or
    a decision made at the same moment takes the same id, so only one of them is recorded."""
    return expiry_event(
        RECORD_PREFIX + earlier_id,
        earlier_id,
        occurred_at=at,
        actor=reporter,
        payload={"kind": INCIDENT_CODING, SUPERSEDED_BY: replacement_id},
    ).model_copy(update={"event_id": answer_id(earlier_id, None)})


def _own_events(audit: AuditStore, earlier_id: str) -> list[AuditEvent]:
    return [e for e in audit.history(RECORD_PREFIX + earlier_id) if e.finding_id == earlier_id]


def _first_in_the_way(own: Sequence[AuditEvent], replacement_id: str) -> AuditEvent | None:
    closing = next((e for e in own if called_back(e)), None)
    if closing is not None:
        return None if closing.payload.get(SUPERSEDED_BY) == replacement_id else closing
    return next((e for e in reversed(own) if e.event_type is AuditEventType.DECISION), None)


def in_the_way(audit: AuditStore, earlier_id: str, replacement_id: str) -> AuditEvent | None:
    """What keeps `replacement_id` from replacing `earlier_id`, first recorded: a closing (a withdrawal, a setting
    aside, another corrected report; not `replacement_id`'s own), or the EHS lead's (or the queue's) decision of it,
    which a resend never replaces (ux_s13 #16: a shift typo undid a confirmed report; the resend asks the EHS lead to
    correct it instead, `asks_to_correct`), as a withdrawal is refused once decided (`withdrawal.refusal`); None when
    nothing does."""
    return _first_in_the_way(_own_events(audit, earlier_id), replacement_id)


def close_replaced(
    audit: AuditStore, earlier_id: str, replacement_id: str, reporter: str, at: datetime
) -> AuditEvent | None:
    """Close `earlier_id` as replaced by `replacement_id` (`superseding_event`); None when it is closed so (now or
    before), else what stands in the way (`in_the_way`). A decision recorded at the same moment takes the closing's
    id. Called once `replacement_id` is recorded (`log_incident`, review_s14 L1): a closing never names a report that
    is not."""
    for _ in range(CLOSE_ATTEMPTS):
        own = _own_events(audit, earlier_id)
        if any(called_back(e) or e.event_type is AuditEventType.DECISION for e in own):
            return _first_in_the_way(own, replacement_id)
        if append_once(audit, superseding_event(earlier_id, replacement_id, reporter, at)):
            return None
    raise AuditConflictError(answer_id(earlier_id, None), RECORD_PREFIX + earlier_id)


def closed_words(closing: AuditEvent, zone: tzinfo) -> str:
    """What closed a report, and when: "replaced by your corrected report inc-… at …", "withdrawn by … at …: why"."""
    at = closing.occurred_at.astimezone(zone).strftime("%a %Y-%m-%d %H:%M")
    if replaced(closing):
        return f"replaced by your corrected report {closing.payload.get(SUPERSEDED_BY)} at {at}"
    words = closing_words(closing)
    return f"{words[0].lower()}{words[1:]} at {at}: {(withdrawal(closing) or {}).get('reason')}"


def closed_first_words(closing: AuditEvent, zone: tzinfo, corrects: str | None = None) -> str:
    """What closed a report before a resend could replace it, as its reporter is told (`ResendRefused`); `corrects`:
    the report they chose to correct ("Correct this report"), which may have been closed long before."""
    if corrects is not None:
        return (
            f"Not recorded: the report you are correcting was {closed_words(closing, zone)}, so nothing is left to "
            "correct. Send this one as a new report to record it as a report of its own."
        )
    return (
        f"Not recorded: your earlier report of the same text and time was {closed_words(closing, zone)}, a moment "
        "before this one came. Send it again to record it as a report of its own."
    )


class CorrectionRefused(Exception):
    """A report sent to correct a named one (`log_incident(corrects=...)`, the form's "Correct this report") that it
    may not correct: no such report (404), or someone else's (403); nothing recorded. The message says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def corrected_report(audit: AuditStore, corrects: str, reporter: str) -> AuditEvent:
    """The report `reporter` chose to correct (`corrects`, its id), or CorrectionRefused: a report is corrected by
    the person who sent it only (as only they are offered "Correct this report"; the EHS lead corrects its codes on
    its page)."""
    found = opening(audit, corrects)
    if found is None:
        raise CorrectionRefused(404, f"There is no report {corrects} to correct.")
    if found.actor != reporter:
        raise CorrectionRefused(
            403,
            "The report you are correcting was sent by someone else, and only the person who sent a report can "
            "correct it: send yours as a new report to record it as a report of its own.",
        )
    return found


def replacement(audit: AuditStore, identifier: str) -> AuditEvent | None:
    """The event that closed the incident because the reporter's corrected report replaced it (its payload's
    `superseded_by` names that report), or None while it is the live report."""
    events = audit.history(RECORD_PREFIX + identifier)
    return next((e for e in events if e.finding_id == identifier and replaced(e)), None)


GROUP_TITLES = "group_titles"
"""The coding payload's key for the titles of the event groups the model in force knew (code: title)."""


def stated(of: Coded, code: str, found: Extraction) -> bool:
    """Whether the text states what a code only for an injury (`INJURY_ONLY`) says: a nature of injury needs an injury
    stated (`Extraction.injuries`) or a body part hurt, a part of body a body part of that division. The model learnt
    from injury reports only (OSHA's), so its confidence in these assumes an injury: "slipped on oil" was a traumatic
    injury to the upper extremities, "sure" (ux_s16 #5)."""
    if of is Coded.NATURE_DIVISION:
        return bool(found.injuries or (found.body_parts and not found.unhurt))
    if of is Coded.PART_DIVISION:
        return any(part.part_division == code for part in found.body_parts)
    return True


def _codes(result: Classification | None, near_miss: bool, found: Extraction) -> list[CodingOut]:
    """The model's codings, those OIICS codes only for an injury left out of a near miss (`INJURY_ONLY`) and sure only
    when the text states them (`stated`)."""
    if result is None:
        return []
    return [
        CodingOut(
            field=c.field.value,
            label=FIELD_LABELS[c.field],
            code=c.code,
            title=c.title,
            confidence=c.confidence,
            confident=c.confident and stated(c.field, c.code, found),
        )
        for c in result.codings.values()
        if not (near_miss and c.field in INJURY_ONLY)
    ]


UNHURT_INJURY = "the text says nobody was hurt: a near miss?"


def says_unhurt(report: IncidentReport, found: Extraction) -> bool:
    """A report sent as an injury whose text says nobody was hurt and states no injury ("hose burst …, nobody hurt"):
    the kind and the text disagree, so it is not auto-coded: the EHS lead checks it (the model learnt from injury
    reports only, and the reporter may have left the kind at injury)."""
    return report.kind == "injury" and bool(found.unhurt) and not found.injuries


def _note(report: IncidentReport, codes: list[CodingOut], auto: bool, unhurt: bool = False) -> str:
    """The queue's note: what happened in the event group's words. No figure: the queue names the event's and the
    group's confidences beside it, each labelled (`review.items.ReviewItem.confidence_words`; ux164 #16: the note's
    "29% sure", the group's, stood beside the column's "64%", the division's)."""
    what = "Injury" if report.kind == "injury" else "Near miss"
    if not codes:
        return f"{what}: no coding model in force; code it"
    division = next(c for c in codes if c.field == Coded.EVENT_DIVISION.value)
    group = next(c for c in codes if c.field == Coded.EVENT_GROUP.value)
    event = event_words(division.code, group.code, group.title, group_sure=group.confident)
    unsure = [Coded(c.field) for c in codes if not c.confident]
    ask = coded_words(unsure).lower() if auto else f"check the codes: {UNHURT_INJURY}" if unhurt else "check the codes"
    return f"{what}: {event}; {ask}"


def log_incident(
    deps: IncidentDeps,
    report: IncidentReport,
    reporter: str,
    *,
    job_unchecked: bool = False,
    corrects: str | None = None,
) -> LoggedIncident:
    """Code, read and record one report (see the module docstring); `job_unchecked`: its job was taken as typed
    (Plex's jobs could not be read), kept with it for the EHS lead to check; `corrects`: the id of the reporter's
    report this one corrects (the form's "Correct this report"), replaced whatever its text and time
    (`corrected_report`: CorrectionRefused for someone else's); without it, their report of the same text and time."""
    now = deps.clock()
    if corrects is not None:
        corrected_report(deps.audit, corrects, reporter)
    if report.occurred_at is not None and report.occurred_at.tzinfo is None:
        report = report.model_copy(update={"occurred_at": report.occurred_at.replace(tzinfo=deps.zone)})
    places = deps.places or deps.plant_choices().places
    found = extract(report.narrative, (report.occurred_at or now).astimezone(deps.zone), places)
    classifier = deps.in_force() if deps.in_force is not None else deps.classifier
    result = classifier.classify(report.narrative) if classifier else None
    codes = _codes(result, report.kind == "near_miss", found)
    unhurt = says_unhurt(report, found)
    auto = bool(result and result.auto_coded) and not unhurt
    status = AuditStatus.LOGGED if auto else AuditStatus.PENDING_APPROVAL  # never held: `platform.pilot.NEVER_HELD`
    identifier = incident_id(reporter, report, now)
    earlier, decided = _earlier_standing(deps, reporter, report, identifier, now, corrects)
    version = classifier.version if classifier else NO_MODEL
    extraction = _jsonable(asdict(found))
    payload: dict[str, Any] = {
        "kind": INCIDENT_CODING,
        "note": _note(report, codes, auto, unhurt),
        "confidence": codes[0].confidence if codes else 0.0,
        "severity": "high" if report.kind == "injury" else "medium",
        "incident": report.model_dump(mode="json"),
        "codes": {c.field: c.code for c in codes},
        "coding": [c.model_dump() for c in codes],
        # The coding model's event group titles (33 in the packaged model, 1.5 KB of JSON): the page titles a group
        # the EHS lead chose over the proposal with them. Kept here, not in a file beside the model: the web app
        # loads no model and the model in force may be a promoted retrained one; these are the coding model's own.
        GROUP_TITLES: dict(result.group_titles) if result else {},
        "auto_coded": auto,
        "text_says_unhurt": unhurt,
        "not_applicable": [of.value for of in INJURY_ONLY] if report.kind == "near_miss" else [],
        "extraction": extraction,
        "workcenter_code": report.workcenter_code,
        "department": report.department,
        "shift_code": report.shift_code,
        "as_of": (report.occurred_at or now).astimezone(deps.zone).date().isoformat(),
        "replaces": earlier,
        "asks_to_correct": decided,
        **({"corrects": corrects} if corrects is not None else {}),  # named, not matched: its page says so
        "job_unchecked": job_unchecked,
    }
    event = recommendation_event(
        RECORD_PREFIX + identifier,
        identifier,
        status=status,
        occurred_at=now,
        actor=reporter,
        model_version=version,
        payload=payload,
    )
    # Recorded before it closes what it replaces (review_s14 L1): a write that fails in between leaves the earlier
    # report live beside it, never closed as replaced by a report that is not recorded.
    fresh = append_once(deps.audit, event)
    if not fresh:  # the same report again: what it replaced (or asked to correct) when first recorded
        first = (opening(deps.audit, identifier) or event).payload
        earlier, decided = list(first.get("replaces") or []), list(first.get("asks_to_correct") or [])
    earlier, decided_meanwhile = _close_earlier(deps, earlier, identifier, reporter, now)
    decided = [*decided, *(i for i in decided_meanwhile if i not in decided)]
    return LoggedIncident(
        incident_id=identifier,
        status="auto_coded" if auto else "pending_review",
        duplicate=not fresh,
        replaces=earlier,
        asks_to_correct=decided,
        job_unchecked=job_unchecked,
        model_version=version,
        codes=codes,
        extraction=extraction,
    )


def _earlier_standing(
    deps: IncidentDeps,
    reporter: str,
    report: IncidentReport,
    identifier: str,
    now: datetime,
    corrects: str | None = None,
) -> tuple[list[str], list[str]]:
    """The reports `identifier` replaces (read, nothing closed yet: `_close_earlier` closes them once it is recorded),
    with the decided ones it asks the EHS lead to correct instead: the report `corrects` names, else the reporter's
    live reports of the same text and time (`earlier_reports`); the same report sent again names what it named when
    first recorded; ResendRefused when each was closed first by something else (nothing left to replace or correct)."""
    recorded = opening(deps.audit, identifier)
    if recorded is not None:
        named = [str(earlier) for earlier in recorded.payload.get("replaces") or []]
        return named, [str(decided) for decided in recorded.payload.get("asks_to_correct") or []]
    if corrects is not None:  # named by the reporter: no text, time or RESEND_WINDOW to match (review_s16 #4)
        found = [corrects] if corrects != identifier else []
    else:
        found = [i for i in earlier_reports(deps.audit, reporter, report, now, identifier) if i != identifier]
    first = {i: c for i in found if (c := in_the_way(deps.audit, i, identifier)) is not None}
    decided = [i for i, c in first.items() if c.event_type is AuditEventType.DECISION]
    closed = [c for i, c in first.items() if i not in decided]
    if closed and len(closed) == len(found):  # nothing left to replace: the reporter is told what came first
        raise ResendRefused(closed_first_words(closed[0], deps.zone, corrects))
    return [i for i in found if i not in first], decided


def _close_earlier(
    deps: IncidentDeps, named: Sequence[str], identifier: str, reporter: str, now: datetime
) -> tuple[list[str], list[str]]:
    """Close the reports the recorded `identifier` names as replaced (again, if a closing was lost) and say which it
    replaced, with those the EHS lead decided meanwhile (it asks her to correct them instead); one closed meanwhile by
    something else (a withdrawal, a setting aside) it replaces not: it is a report of its own beside it."""
    first = {i: c for i in named if (c := close_replaced(deps.audit, i, identifier, reporter, now)) is not None}
    decided = [i for i, c in first.items() if c.event_type is AuditEventType.DECISION]
    return [i for i in named if i not in first], decided


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value.isoformat() if isinstance(value, datetime | date) else value


def opening(audit: AuditStore, identifier: str) -> AuditEvent | None:
    """The incident's recorded event, or None when there is no such incident."""
    events = audit.history(RECORD_PREFIX + identifier)
    return next((e for e in events if e.payload.get("kind") == INCIDENT_CODING and e.finding_id == identifier), None)


def decisions_of(audit: AuditStore, identifier: str) -> list[AuditEvent]:
    """The incident's decisions, oldest first: a queue rejection, the EHS lead's confirmation, her corrections."""
    events = audit.history(RECORD_PREFIX + identifier)
    return [e for e in events if e.event_type is AuditEventType.DECISION and e.finding_id == identifier]


def decision_of(audit: AuditStore, identifier: str) -> AuditEvent | None:
    """The incident's newest decision (the one that holds), or None."""
    decisions = decisions_of(audit, identifier)
    return decisions[-1] if decisions else None


def _named(event: AuditEvent, key: str) -> list[str]:
    """The reports the resend `event` names under `key` (`replaces`, `asks_to_correct`)."""
    return [str(report) for report in event.payload.get(key) or []]


def _as_they_stand(event: AuditEvent, own: Mapping[str, Sequence[AuditEvent]]) -> tuple[list[str], list[str]]:
    """`what_it_replaces` from the own events of each report `event` names as replaced (`own`, read once)."""
    identifier = str(event.finding_id)
    replaces, asked = [], _named(event, "asks_to_correct")
    for earlier in _named(event, "replaces"):
        stands_in_the_way = _first_in_the_way(own[earlier], identifier)
        if stands_in_the_way is None:
            replaces.append(earlier)
        elif stands_in_the_way.event_type is AuditEventType.DECISION and earlier not in asked:
            asked.append(earlier)
    return replaces, asked


def what_it_replaces(audit: AuditStore, event: AuditEvent) -> tuple[list[str], list[str]]:
    """The reports the resend `event` records replaces, and the decided ones it asks the EHS lead to correct, as they
    stand: one it names as replaced that the EHS lead decided before its closing was written (it is recorded first:
    `log_incident`) is one it asks her to correct; one withdrawn or set aside meanwhile it replaces not."""
    return _as_they_stand(event, {earlier: _own_events(audit, earlier) for earlier in _named(event, "replaces")})


def decided_standing(audit: AuditStore, event: AuditEvent) -> list[str]:
    """The decided reports this resend asks the EHS lead to correct (`what_it_replaces`) that still stand by the rule
    the trends and training rows count by (`kindindex.stands`: not withdrawn, set aside or replaced, or the older of
    two set aside as each other's duplicates): while one does, this report is the same event, and its codes are not
    confirmed (review_s14 L13: confirming it wrote a second incident record of that event to Plex, while the trends
    count one). Each named report's record is read once, and the report one was set aside as a duplicate of once."""
    named = dict.fromkeys([*_named(event, "replaces"), *_named(event, "asks_to_correct")])
    own = {report: _own_events(audit, report) for report in named}
    _, asked = _as_they_stand(event, own)
    events = [e for report in asked for e in own[report]]
    partners = {str(o.duplicate_of) for o in outcomes(events).values() if o.duplicate_of is not None} - set(asked)
    for partner in partners:
        events += own[partner] if partner in own else _own_events(audit, partner)
    found = outcomes(events)
    return [decided for decided in asked if stands(decided, found)]


class CodeCorrectionError(ValueError):
    """Corrected codes that cannot be OIICS codes; the message names the field."""


def read_codes(form: Mapping[str, str], near_miss: bool = False) -> dict[str, str]:
    """The codes a correction form sends (`code.<field>`), each checked (CodeCorrectionError names it); a
    near miss has none of `INJURY_ONLY` (not applicable: not read)."""
    codes = {of: (form.get(f"code.{of.value}") or "").strip() for of in Coded if not (near_miss and of in INJURY_ONLY)}
    division = codes[Coded.EVENT_DIVISION]
    for of, code in codes.items():
        problem = code_problem(of, code, division)
        if problem:
            raise CodeCorrectionError(f"{FIELD_LABELS[of]}: {problem}")
    return {of.value: code for of, code in codes.items()}


MAX_CONFIRMED_CHARS = 200
CONFIRMED_VIA = "incident_page"
"""A decision made on the incident's page (codes and fields confirmed): the only kind written to Plex."""


def confirmation_defaults(event: AuditEvent, zone: tzinfo) -> dict[str, str]:
    """What the incident's page offers the EHS lead to confirm: the form's fields, else what the text says."""
    incident = event.payload.get("incident") or {}
    found = event.payload.get("extraction") or {}
    when = incident.get("occurred_at") or found.get("when")
    where = [m["value"] for m in found.get("where") or []]
    parts = [" ".join(filter(None, (b.get("side"), b["value"]))) for b in found.get("body_parts") or []]
    return {
        "occurred_at": datetime.fromisoformat(when).astimezone(zone).strftime("%Y-%m-%dT%H:%M") if when else "",
        "workcenter_code": incident.get("workcenter_code") or (where[0] if where else ""),
        "shift_code": incident.get("shift_code") or found.get("shift") or "",
        "equipment": ", ".join(m["value"] for m in found.get("equipment") or []),
        "body_parts": ", ".join(parts),
        "ppe_not_worn": ", ".join(p["value"] for p in found.get("ppe") or [] if not p.get("worn", True)),
        OCCURRED_UNKNOWN: "",
    }


def part_from_text(event: AuditEvent) -> tuple[str, str] | None:
    """The part of body division the code form pre-selects from the text, with the words read ("eye"): where the model
    was not sure of its own part code and every body part the text names (`extraction.body_parts`) is of one division
    that is not the model's (ux_s17 L7: "Hot chip went into my eye" was offered 8 Multiple body parts, 48 %, beside
    "Body parts: eye"). None otherwise: a sure model, parts of several divisions (8 is then right), or none named. The
    EHS lead still confirms it; the model's proposal stays beside it."""
    payload = event.payload
    proposed = next((c for c in payload.get("coding") or [] if c.get("field") == Coded.PART_DIVISION.value), None)
    if proposed is not None and proposed.get("confident"):
        return None
    parts = [p for p in (payload.get("extraction") or {}).get("body_parts") or [] if p.get("part_division")]
    divisions = {str(p["part_division"]) for p in parts}
    if len(divisions) != 1 or divisions == {(payload.get("codes") or {}).get(Coded.PART_DIVISION.value)}:
        return None
    return divisions.pop(), ", ".join(dict.fromkeys(str(p["value"]) for p in parts))


CONFIRMED_LABELS = {
    "occurred_at": "When it happened",
    "workcenter_code": "Where (workcenter)",
    "shift_code": "Shift",
    "equipment": "Equipment",
    "body_parts": "Body parts",
    "ppe_not_worn": "PPE not worn",
}
"""Each of `INCIDENT_FIELDS` as the incident page's form labels it (a refusal names the field so)."""


TIME_NEEDED = (
    "an injury's record needs the time it happened (OSHA's 300 log and 301 form ask for the date of injury): enter "
    "it, or tick “not known” to record that it is not known"
)
"""Why confirming an injury without a time is refused (ux_s17 M6: it was written to Plex with no time, unexplained)."""


def read_confirmation(
    form: Mapping[str, str], zone: tzinfo, now: datetime, choices: PlantChoices | None = None, *, injury: bool = False
) -> dict[str, str]:
    """The fields the EHS lead confirmed (`confirm.<field>`), each checked (CodeCorrectionError names
    it): when as a plant-local date and time, never later than now; the workcenter and shift the plant's
    own (`choices`, when known); the others plain text. The time it happened may be confirmed as not known
    (`confirm.occurred_at_unknown`, then `OCCURRED_UNKNOWN` "yes" and no time); an `injury` needs one or the other."""
    confirmed = {name: (form.get(f"confirm.{name}") or "").strip() for name in INCIDENT_FIELDS}
    for name, value in confirmed.items():
        if len(value) > MAX_CONFIRMED_CHARS:
            raise CodeCorrectionError(f"{CONFIRMED_LABELS[name]}: at most {MAX_CONFIRMED_CHARS} characters")
        if value and name in CHOSEN_FIELDS:
            try:
                confirmed[name] = (choices or PlantChoices()).spelled(name, value)
            except ValueError as error:
                raise CodeCorrectionError(f"{CONFIRMED_LABELS[name]}: {error}") from None
    when_label = CONFIRMED_LABELS["occurred_at"]
    if confirmed["occurred_at"]:
        try:
            when = datetime.fromisoformat(confirmed["occurred_at"])
        except ValueError:
            raise CodeCorrectionError(f"{when_label}: expected a date and time such as 2026-12-04T10:30") from None
        when = when if when.tzinfo else when.replace(tzinfo=zone)
        if when > now:
            raise CodeCorrectionError(f"{when_label}: later than now")
        confirmed["occurred_at"] = when.isoformat()
    unknown = (form.get(f"confirm.{OCCURRED_UNKNOWN}") or "").strip() == "yes"
    if unknown and confirmed["occurred_at"]:
        raise CodeCorrectionError(f"{when_label}: give the time it happened or tick “not known”, not both")
    if injury and not unknown and not confirmed["occurred_at"]:
        raise CodeCorrectionError(f"{when_label}: {TIME_NEEDED}")
    return confirmed | ({OCCURRED_UNKNOWN: "yes"} if unknown else {})


def correct_codes(
    audit: AuditStore,
    event: AuditEvent,
    codes: Mapping[str, str],
    by: str,
    at: datetime,
    reason: str | None = None,
    confirmed: Mapping[str, str] | None = None,
    replacing: AuditEvent | None = None,
) -> AuditEvent:
    """Record the codes as the EHS lead confirms or corrects them, with what they confirmed of the text: a
    `decision` event (approve, with both as its correction). The first (`replacing` None) has the incident's
    stable decision id (two first answers at once meet the audit's conflict, as in the queue); a later one
    (a correction, or coding an incident rejected in the queue) replaces the decision the EHS lead saw, its
    newest (`replacing`, `decision_of`): a decision of its own, its id stable on the one it replaces
    (`corrects`: two corrections of the same decision at once conflict); the earlier ones stay in the trail. A
    withdrawal takes the same id (`withdrawal.answer_id`), so one made at the same moment conflicts too."""
    changed = sorted(k for k, v in codes.items() if event.payload.get("codes", {}).get(k) != v)
    correction = {**codes, **(confirmed or {})}
    decision = Decision(action=ApprovalAction.APPROVE, reason=reason, supervisor_id=by, correction=correction)
    answer = decision.audit_event(
        record_key=event.record_key,
        item_id=str(event.finding_id),
        employee_id=None,
        model_version=event.model_version,
        occurred_at=at,
        payload={
            "kind": INCIDENT_CODING,
            "via": CONFIRMED_VIA,
            "codes": dict(codes),
            "changed": changed,
            "confirmed": dict(confirmed or {}),
            **({"corrects": replacing.event_id} if replacing is not None else {}),
        },
    )
    answer = answer.model_copy(update={"event_id": answer_id(str(event.finding_id), replacing)})
    audit.append(answer)  # AuditConflictError: another decision, or a withdrawal, took this answer's place first
    return answer


def confirmed_decision(decided: AuditEvent) -> Decision | None:
    """The EHS lead's confirmation as the write-back reads it (codes and fields in its correction), or None
    when the incident was not confirmed on its page (a queue decision confirms codes only: nothing to write)."""
    payload = decided.payload
    if decided.status is not AuditStatus.APPROVED or payload.get("via") != CONFIRMED_VIA:
        return None
    correction = {**(payload.get("codes") or {}), **(payload.get("confirmed") or {})}
    return Decision(
        action=ApprovalAction.APPROVE,
        reason=payload.get("reason"),
        supervisor_id=decided.actor,
        correction=correction,
    )


NOT_QUEUED = "the write-back queue did not take it: send it again"


def record_unqueued(audit: AuditStore, decided: AuditEvent, by: str, at: datetime) -> None:
    """Record that the write-back queue did not take the confirmation `decided` (sent by `by` at `at`): a
    `writeback_failed` of it, so its page and the list say its write failed (send it again), not that it is on its way
    to Plex, and the EHS lead may set the report aside (review_s13 #4: "on its way" refused that for ever). Logged
    when the audit table cannot take it either (the page still says it was not sent)."""
    event = AuditEvent(
        record_key=decided.record_key,
        event_id=stable_event_id(
            str(decided.finding_id), AuditEventType.WRITEBACK_FAILED.value, decided.event_id, at.isoformat()
        ),
        event_type=AuditEventType.WRITEBACK_FAILED,
        status=AuditStatus.WRITE_FAILED,
        occurred_at=at,
        actor=by,
        finding_id=decided.finding_id,
        supervisor_id=by,
        payload={"kind": INCIDENT_CODING, "error": "NotQueued", "message": NOT_QUEUED, "retryable": True},
    )
    try:
        append_once(audit, event)
    except Exception:
        logger.exception("unqueued confirmation not recorded", extra={"incident_id": decided.finding_id})


def training_reports(audit: AuditStore, since: datetime | None = None) -> list[CodedReport]:
    """Every incident the EHS lead decided since `since` as coded reports to train on (`corrected_reports`), read from
    the incidents' own kind index (`kindindex`: never a capped plant-wide status read, review 163 D4); not a report
    its reporter's corrected resend replaced (an injury's codes on what the reporter called a near miss: the live
    report's decision teaches instead), nor one withdrawn or set aside as not an incident or a duplicate, nor a resend
    asking the EHS lead to correct a report she decided while that report stands (`kindindex.counted`: the same event,
    taught by that report's codes once she corrects them; ux_s13 #16)."""
    decided = {
        item: outcome
        for item, outcome in counted(incident_outcomes(audit, since)).items()
        if (approved := outcome.approved) is not None
        and (since is None or approved.occurred_at >= since)  # its newest decision made since then, not a later write
    }
    openings = [
        found
        for item, outcome in decided.items()
        if (found := outcome.opening or opening(audit, item)) is not None  # opened before `since`: its own record
    ]
    return corrected_reports(openings, [outcome.decision for outcome in decided.values() if outcome.decision])


def corrected_reports(openings: Iterable[AuditEvent], decisions: Iterable[AuditEvent]) -> list[CodedReport]:
    """Decided incidents as coded reports to train on: the codes the EHS lead confirmed or corrected
    (an approval from the queue confirms the proposed codes; a rejection teaches nothing: skipped)."""
    answered = {d.finding_id: d for d in decisions if d.status is AuditStatus.APPROVED}
    reports = []
    for event in openings:
        decision = answered.get(event.finding_id)
        if decision is None or event.payload.get("kind") != INCIDENT_CODING:
            continue
        codes = decision.payload.get("codes") or event.payload.get("codes") or {}
        if set(codes) != {of.value for of in Coded}:
            continue  # coded without a model and approved as it stood, or a near miss (no nature, part): not a row
        incident = event.payload.get("incident", {})
        day = str(event.payload.get("as_of") or event.occurred_at.date().isoformat())
        titles = {Coded(k): FIXED_TITLES.get(Coded(k), {}).get(v, "") for k, v in codes.items()}
        reports.append(
            CodedReport(
                str(event.finding_id),
                date.fromisoformat(day),
                str(incident.get("narrative", "")),
                {Coded(k): str(v) for k, v in codes.items()},
                titles,
            )
        )
    return reports
