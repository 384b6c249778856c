"""A review world shared by the review, web app and sign-in tests: open findings and recommendations, and
their closing, in the audit fakes of `approval_fakes.World`; the web app's dependencies on them, and a
web_app event."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from functions.web_app import handler as web_app
from plexlabor.approval.messages import Stage
from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus
from plexlabor.audit.events import recommendation_event
from plexlabor.intake.recording import finding_event as recorded_finding_event
from plexlabor.review.decisions import ReviewService
from plexlabor.review.queue import ReviewQueue, Role, Viewer
from plexlabor.validation.findings import Finding
from plexlabor.webapp.app import Dependencies
from tests.support import FakeLambdaContext, load_event
from tests.unit.approval.approval_fakes import World, make_finding, make_request, notice

ZONE = ZoneInfo("America/Detroit")
ADMIN = Viewer("A0001", frozenset({Role.ADMIN}))
PLANNER = Viewer("P0001", frozenset({Role.PLANNER}))
HR = Viewer("H0001", frozenset({Role.HR}))
"""Viewers who see their role's items plant-wide (no department)."""
CREW: dict[str, Any] = {
    "workcenter_code": "WC-10",
    "shift_code": "1",
    "plan_day": "2026-03-04",
    "start": "2026-03-04T06:00:00+00:00",
    "hours": 8.0,
}
"""A crew assignment's payload, as crew.publish writes it (crew_assignment)."""


def open_finding(world: World, finding: Finding, supervisor_id: str = "E0001") -> AuditEvent:
    """The finding's audit event as the validator records a review-routed one."""
    event = recorded_finding_event(
        finding, AuditStatus.PENDING_APPROVAL, world.clock(), "punch_validator", supervisor_id
    )
    world.audit.append(event)
    return event


def punch_record(finding_id: str) -> str:
    """The punch a test finding is about: its record key from the finding id's last four characters."""
    return f"time-clock-entries:{finding_id[-4:]}"


def finding_event(world: World, finding_id: str, *, confidence: float, severity: str) -> AuditEvent:
    """An open punch finding with this id, confidence and severity (record key from the id)."""
    record = punch_record(finding_id)
    return open_finding(
        world, make_finding(finding_id=finding_id, confidence=confidence, severity=severity, record_key=record)
    )


def notified_finding(world: World, finding_id: str) -> None:
    """The approval of finding `finding_id` (on `punch_record`) sent to its supervisor: the task token held."""
    world.notified(notice(make_request(make_finding(finding_id=finding_id, record_key=punch_record(finding_id)))))


def escalated_finding(world: World, finding_id: str, boss: str = "E0100") -> None:
    """The approval of finding `finding_id` (on `punch_record`) sent to its supervisor, then escalated to `boss`
    (task token "task-2")."""
    request = make_request(
        make_finding(finding_id=finding_id, record_key=punch_record(finding_id)), escalation_supervisor_id=boss
    )
    world.notified(notice(request), notice(request, Stage.ESCALATED, token="task-2"))


def awaiting_decision(finding_id: str) -> World:
    """A world with one open punch finding (confidence 0.93, high severity) whose approval was sent."""
    world = World()
    finding_event(world, finding_id, confidence=0.93, severity="high")
    notified_finding(world, finding_id)
    return world


def recommendation(
    world: World,
    item_id: str,
    kind: str,
    *,
    record_key: str | None = None,
    note: str | None = None,
    status: AuditStatus = AuditStatus.PENDING_APPROVAL,
    **payload: Any,
) -> AuditEvent:
    """A recommendation of `kind` with this id (on record `jobs:<id>` unless given), open unless `status` says
    otherwise (`LOGGED`: recorded without a decision), as a capability appends it. `payload` adds to its kind and
    note, but for `supervisor_id` and `employee_id`: the event's."""
    supervisor_id, employee_id = payload.pop("supervisor_id", None), payload.pop("employee_id", None)
    event = recommendation_event(
        record_key or f"jobs:{item_id}",
        item_id,
        status=status,
        occurred_at=world.clock(),
        actor="crew_planner",
        model_version="crew-1",
        payload={"kind": kind, "note": note or f"{kind} note", **payload},
        supervisor_id=supervisor_id,
        employee_id=employee_id,
    )
    world.audit.append(event)
    return event


def crew_assignment(world: World, item_id: str = "crew-0001", **fields: Any) -> AuditEvent:
    """An open crew assignment with the payload CREW; `fields` as for `recommendation`."""
    return recommendation(world, item_id, "crew_assignment", **(CREW | fields))


def closed(
    world: World, item_id: str, status: AuditStatus = AuditStatus.APPROVED, record_key: str | None = None
) -> None:
    """Another writer closes the item (on record `jobs:<id>` unless given): a decision from the mailed link,
    or the sweep's expiry."""
    kind = AuditEventType.EXPIRED if status is AuditStatus.EXPIRED else AuditEventType.DECISION
    world.audit.append(
        AuditEvent(
            record_key=record_key or f"jobs:{item_id}",
            event_type=kind,
            status=status,
            occurred_at=world.clock(),
            actor="E0100",
            finding_id=item_id,
            supervisor_id="E0100",
        )
    )


def web_deps(world: World) -> Dependencies:
    """The web app's dependencies on the world's fakes, in plant time (the approvals' too, as `build` wires them)."""
    queue = ReviewQueue(world.audit, clock=world.clock)
    callback = replace(world.callback, zone=ZONE)
    return Dependencies(ReviewService(queue, world.audit, callback, world.writebacks, world.clock), ZONE)


def web_event(
    method: str,
    path: str,
    *,
    query: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    authorizer: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """web_app's canonical event for `method path` on the `dev` stage."""
    event = load_event("web_app")
    event["httpMethod"] = event["requestContext"]["httpMethod"] = method
    event["path"] = path
    event["requestContext"]["path"] = f"/dev{path}"
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in (query or {}).items()} or None
    event["body"] = urlencode(form, doseq=True) if form is not None else None
    event["requestContext"]["authorizer"] = authorizer
    return event


def call_web(
    deps: Dependencies, method: str, path: str, claims: dict[str, Any] | None, context: Any = None, **request: Any
) -> dict[str, Any]:
    """web_app's answer to `method path` (`request`: web_event's query and form) from a person signed in with
    `claims` (None: nobody signed in), on `deps`."""
    event = web_event(method, path, authorizer=None if claims is None else {"claims": claims}, **request)
    return web_app.handler(event, context or FakeLambdaContext(), dependencies=deps)
