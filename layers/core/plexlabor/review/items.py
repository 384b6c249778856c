"""A suggestion awaiting a decision, whatever produced it, built from its audit event."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from plexlabor.approval.pages import anomaly_label
from plexlabor.audit.events import AuditEvent, AuditEventType
from plexlabor.platform.pilot import PUNCH_FINDING, REVIEW_KINDS

PUNCH = PUNCH_FINDING
INCIDENT_CODING = "incident_coding"
KIND_LABELS = REVIEW_KINDS
"""What a person calls each kind (an unknown kind shows its code)."""


NOTHING_CHANGES = "Nothing changes in Plex: approving confirms the suggestion."
APPROVING_MEANS: dict[str, str] = {
    "crew_unstaffed": (
        "Approving says you have seen that each seat here stays empty and will handle it yourself (overtime, a"
        " transfer, a temporary worker, or the work left undone); nobody is assigned and nothing changes in"
        " Plex. Reject it, with the reason, if a seat is not really short."
    ),
    "overtime_projection": (
        "Approving says you accept this projection and will act on it (plan the overtime, or follow the"
        " suggestion beside it); no hours are booked and nothing changes in Plex. Reject it, with the reason,"
        " if the projection is wrong."
    ),
    "labor_variance": (
        "Approving says the variance is real and you will follow it up (the standard, the routing or the"
        " crew); nothing changes in Plex. Reject it, with the reason, if the hours are explained."
    ),
    "certification_expiring": (
        "Approving says you will arrange the renewal before it lapses; nothing is booked and nothing changes"
        " in Plex. Reject it, with the reason, if no renewal is needed."
    ),
    "certification_lapsed": (
        "Approving says you will have it renewed, or keep the person off the work that needs it, until it"
        " is; nothing changes in Plex. Reject it, with the reason, if the certification is valid."
    ),
    "certification_used_while_lapsed": (
        "Approving confirms the person worked on a lapsed certification and that you will follow it up;"
        " nothing changes in Plex. Reject it, with the reason, if the record is wrong."
    ),
    "cross_training": (
        "Approving says you will plan this training; nothing is booked and nothing changes in Plex. Reject"
        " it, with the reason, if the training is not wanted."
    ),
}
"""What approving means, in plain words, for the kinds whose approval changes nothing in Plex (an
approval of these records the decision, takes the item off the queue and teaches the model)."""


def type_label(value: str) -> str:
    """What a person calls a kind or a punch finding's anomaly type: the one source of these words for the
    queue's rows, chips and filters, the item page and the KPIs ("Short seat", "Cross-training", "Early
    clock out")."""
    return KIND_LABELS.get(value) or anomaly_label(value)


GROUP_LABELS = {"crew_unstaffed": "Short seats"}
"""What a group of items of a kind is called (`review.groups`)."""

Severity = Literal["low", "medium", "high"]
SEVERITY_WEIGHT: dict[str, float] = {"low": 1.0, "medium": 2.0, "high": 3.0}


class ReviewItem(BaseModel):
    """One open suggestion, as the queue and its pages show it."""

    model_config = ConfigDict(frozen=True)

    item_id: str
    kind: str
    type: str
    """The anomaly type of a punch finding, else the kind."""
    record_key: str
    note: str
    confidence: float
    severity: Severity
    created_at: datetime
    model_version: str | None
    employee_id: str | None
    supervisor_id: str | None
    department: str | None
    workcenter: str | None
    shift: str | None
    day: date | None
    evidence: dict[str, Any]
    proposed: dict[str, Any] | None
    """The change approving would make (a suggested correction, an assignment), if any."""
    reported_by: str | None = None
    """Who reported it (an incident: the person who filed the report)."""
    escalated_to: str | None = None
    """Who the item was escalated to (the `escalated` event's recipient: the supervisor's own supervisor),
    once it was; they see and decide it as its supervisor does."""
    escalated_at: datetime | None = None
    """When it was escalated (the `escalated` event's time)."""
    escalated_from: str | None = None
    """Whose decision it waited for before it was escalated (the `escalated` event's `from_supervisor_id`)."""
    members: tuple[ReviewItem, ...] = ()
    """A group's items (`review.groups`: the short seats of one workcenter shift, shown and decided as one item);
    empty for any other item."""

    @property
    def kind_label(self) -> str:
        """The kind's label; a group's ("Short seats")."""
        if self.members:
            return GROUP_LABELS.get(self.kind, type_label(self.kind))
        return type_label(self.kind)

    @property
    def approving_means(self) -> str:
        """What approving this item means when it changes nothing in Plex (advice, alerts)."""
        return APPROVING_MEANS.get(self.kind, NOTHING_CHANGES)

    @property
    def type_label(self) -> str:
        """The anomaly type of a punch finding in words, else the kind's label; a group's says how many seats it
        holds ("Short seats (3)")."""
        if self.members:
            return f"{self.kind_label} ({self.evidence.get('seats')})"
        return type_label(self.type)

    @property
    def confidence_words(self) -> str:
        """What the queue's row and the item page show after the severity: the confidence ("56%"), except
        for kinds whose `confidence` is only a rank weight set by rules, not a doubt (`skills.publish`): an
        expiring certification says when it expires (the rules are sure of the date), a cross-training
        suggestion the at-risk hours it covers."""
        if self.kind == "certification_expiring" and (expires := _day(self.evidence.get("expires"))):
            return f"expires {expires:%a %Y-%m-%d}"
        gain = self.evidence.get("coverage_gain_hours")
        if self.kind == "cross_training" and isinstance(gain, int | float):
            return f"would cover {gain:.1f} h at risk"
        if self.kind == INCIDENT_CODING:  # no figure when nothing was proposed (ux_s14 #8: "0%" read as "wrong")
            return _incident_confidences(self.evidence) or "nothing proposed"
        return f"{self.confidence:.0%}"

    @property
    def rank(self) -> float:
        """Severity × confidence: what the queue sorts by, highest first."""
        return SEVERITY_WEIGHT[self.severity] * self.confidence


def _incident_confidences(evidence: dict[str, Any]) -> str | None:
    """An incident coding's two confidences, labelled: "event 64%, group 29%" (the event division's, which decides
    whether it is coded automatically, and its group's; ux164 #16: one unlabelled figure stood beside another in the
    note); None without the model's coding."""
    confidence = {c.get("field"): c.get("confidence") for c in evidence.get("coding") or [] if isinstance(c, dict)}
    event, group = confidence.get("event_division"), confidence.get("event_group")
    if not isinstance(event, int | float):
        return None
    return f"event {event:.0%}" + (f", group {group:.0%}" if isinstance(group, int | float) else "")


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _day(value: Any) -> date | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _timeline_day(evidence: dict[str, Any]) -> Any:
    """A punch finding's work day: the day of the employee's timeline the finding was drawn on."""
    timeline = evidence.get("timeline")
    return timeline.get("day") if isinstance(timeline, dict) else None


def _severity(value: Any) -> Severity:
    return value if value in SEVERITY_WEIGHT else "medium"  # type: ignore[return-value]


def item_from_event(event: AuditEvent) -> ReviewItem | None:
    """The review item an opening audit event (a finding or a recommendation) stands for, else None."""
    if event.finding_id is None or event.event_type not in (AuditEventType.FINDING, AuditEventType.RECOMMENDATION):
        return None
    payload = event.payload
    found = payload.get("evidence")
    evidence: dict[str, Any] = found if isinstance(found, dict) else {}
    punch = event.event_type is AuditEventType.FINDING
    kind = PUNCH if punch else str(payload.get("kind") or "suggestion")
    return ReviewItem(
        item_id=event.finding_id,
        kind=kind,
        type=str(payload.get("anomaly_type") or kind),
        record_key=event.record_key,
        note=str(payload.get("note") or kind),
        confidence=float(payload.get("confidence", 1.0)),
        severity=_severity(payload.get("severity")),
        created_at=event.occurred_at,
        model_version=event.model_version,
        employee_id=event.employee_id,
        supervisor_id=event.supervisor_id,
        department=_text(payload.get("department") or evidence.get("department")),
        workcenter=_text(
            payload.get("workcenter_code") or evidence.get("workcenter_code") or evidence.get("workcenter")
        ),
        shift=_text(payload.get("shift_code") or evidence.get("shift") or evidence.get("shift_code")),
        day=_day(
            payload.get("plan_day")
            or evidence.get("date")
            or _timeline_day(evidence)
            or payload.get("week_start")
            or payload.get("as_of")
        ),
        evidence=evidence if punch else {k: v for k, v in payload.items() if k not in ("note", "kind")},
        proposed=payload.get("suggested_correction") if punch else _proposed(payload),
        reported_by=event.actor if kind == INCIDENT_CODING else None,
    )


def _proposed(payload: dict[str, Any]) -> dict[str, Any] | None:
    if payload.get("kind") in ("crew_assignment", "crew_removal"):  # a removal: the seat it takes off Plex
        keys = ("segment", "workcenter_code", "shift_code", "start", "end", "hours")
        return {key: payload[key] for key in keys if key in payload}
    if payload.get("kind") == "unallocated_time" and payload.get("labor_entry"):
        keys = ("job_no", "operation_no", "workcenter_code", "start", "end", "minutes")
        return {key: payload.get(key) for key in keys}
    if payload.get("kind") == "unallocated_time" and payload.get("indirect_entry"):  # coded by hand to a code
        return {key: payload.get(key) for key in ("indirect_code", "start", "end", "minutes")}
    return None
