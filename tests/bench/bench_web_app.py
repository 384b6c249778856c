"""The review queue at plant scale (issue 9), run by `make bench` (never by `make test`); it prints its figures.

A queue of 5,000 pending items of every kind, spread over 25 supervisors in 5 departments:
- punch findings: the review findings the validation engine finds on the labelled plant (tests/conftest.py),
  each copied onto new records, employees and confidences, every one with its approval notified (the
  real NotifyService: a signed link, a stored task token, a `notification` audit event);
- recommendations built by the publishers' own event builders (crew.publish, skills.publish,
  forecast.alerts) from generated models: crew assignments, short seats, certification alerts,
  cross-training, labor variances, overtime projections.

Two backends, each in its own world: the in-memory fakes, and the DynamoDB adapters (audit table; state
table: task tokens, link nonces) on moto, which is what the deployed app reads (the status GSI); Step
Functions stays the recording fake. Everything runs in process through the real handler
(`functions.web_app.handler.handler` with injected Dependencies): the local runtime does not serve the
web app yet.

1. Render: GET /queue for an admin (every item) and for one supervisor: 3 warm-up calls, then up to 50
   timed ones, within RENDER_BUDGET_S a series; p50 / p95 / max. The queue is read once in full (the
   first call, printed apart: a new container does it, and a warm one every `ReviewQueue.refresh`); the
   timed calls are warm, each reading what is new since the last. A series that misses the target is
   profiled (cProfile, one call) and its top entries printed (the DynamoDB render always is).
2. Filter + bulk approve 200: an admin filters the queue to punch findings and to crew assignments (two
   GETs), approves the first 100 of each page in one POST each (a form decides one page at most) and
   follows the last 303 back to the queue: the end-to-end time. Every item must have left the queue with
   exactly one decision event.

On DynamoDB the figures held to the targets are `own` time: wall time outside moto (handler, adapters,
botocore), without the network (`Meter` says how moto's time is taken out, also while the bulk decides
on several threads). moto cannot stand in for DynamoDB's speed at this size (the full read's queries take
it minutes; a transaction copies the whole table), so the bulk POST runs on tables holding only its 200
items (`test_review_queue_on_dynamodb` says why that is sound). The requests and bytes per render are
printed: the network's share on AWS comes on top; for the POST it is modelled (a fixed round trip per
request), one decision at a time and BULK_WORKERS at a time, and printed, not asserted.

Asserted, after each table is printed: the targets (render p95 < 300 ms warm, filter + bulk 200 < 5 s)
and the correctness of the bulk decision.
"""

from __future__ import annotations

import copy
import cProfile
import io
import json
import logging
import os
import pstats
import random
import re
import statistics
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast
from zoneinfo import ZoneInfo

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber, MockRawResponse

from functions.web_app.handler import handler
from plexlabor.approval.aws import DynamoDbTaskTokenStore
from plexlabor.approval.callback import CallbackService
from plexlabor.approval.messages import ApprovalNotice, Stage
from plexlabor.approval.notify import NotifyService
from plexlabor.approval.ports import (
    InMemorySupervisorDirectory,
    InMemoryTaskTokenStore,
    RecordingNotifier,
    RecordingTaskCallback,
    RecordingWritebackSender,
    TaskTokenStore,
)
from plexlabor.approval.request import ApprovalRequest
from plexlabor.audit import (
    ApprovalLinkSigner,
    AuditEvent,
    AuditEventType,
    AuditStatus,
    AuditStore,
    InMemoryAuditStore,
    InMemoryLinkNonceStore,
    LinkNonceStore,
)
from plexlabor.audit.dynamodb import (
    DynamoDbAuditStore,
    DynamoDbLinkNonceStore,
    create_audit_table,
    create_state_table,
    event_item,
)
from plexlabor.audit.schema import AUDIT_TABLE, EVENT_GUARD_PREFIX, EVENT_GUARD_SK
from plexlabor.crew.models import CrewAssignment, CrewPlan, UnstaffedSeat
from plexlabor.crew.publish import PlanEvents
from plexlabor.forecast.alerts import alert_event, alert_note, overtime_event
from plexlabor.forecast.records import Driver, OperationForecast, OvertimeProjection, VarianceAlert
from plexlabor.intake.recording import finding_event
from plexlabor.models import record_key
from plexlabor.plant import PlantFolder
from plexlabor.review import decisions
from plexlabor.review.decisions import BULK_WORKERS, ReviewService
from plexlabor.review.items import PUNCH, item_from_event
from plexlabor.review.queue import ReviewQueue, kinds_of
from plexlabor.skills.publish import PublishOptions, report_events
from plexlabor.skills.report import (
    BlockedShift,
    CertificationAlert,
    LapseUse,
    SkillsReport,
    SkillsTotals,
    TrainingCandidate,
    TrainingRecommendation,
)
from plexlabor.validation.data import PlantData
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.findings import Finding, finding_id_for
from plexlabor.validation.norms import compute_norms
from plexlabor.webapp.app import Dependencies
from tests.support import FakeLambdaContext
from tests.unit.approval.approval_fakes import Clock
from tests.unit.review.review_world import web_event
from tests.unit.webapp.viewers import ADMIN

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SEED = 9
MIX: dict[str, int] = {
    PUNCH: 3000,
    "crew_assignment": 700,
    "crew_unstaffed": 150,
    "certification_expiring": 300,
    "certification_lapsed": 150,
    "certification_used_while_lapsed": 50,
    "cross_training": 100,
    "labor_variance": 400,
    "overtime_projection": 150,
}
"""5,000 pending items: how many of each kind built. The printed kinds are what the queue reads from the
payloads: forecast.alerts.overtime_event writes `kind` "overtime" (the projection's own field overrides
"overtime_projection"), so the queue shows that kind unlabelled and planners do not see it."""
DEPARTMENTS = ("MACH", "ASSY", "MOLD", "PAINT", "SHIP")
SUPERVISORS = 25
EMPLOYEES = 1250
WORKCENTERS = 60
SPREAD = timedelta(days=7)
"""Items were opened over the last week."""

WARM_UP = 3
TIMED_CALLS = 50
RENDER_BUDGET_S = 90.0
"""A render series stops after this long, whatever its count (moto is slow)."""
RENDER_P95_MS = 300.0
BULK_ITEMS = 200
BULK_TARGET_S = 5.0
MODELLED_ROUND_TRIP_S = 0.008
"""A DynamoDB request's round trip inside a region, for the modelled POST only (GetItem and Query take a
few ms, a transaction about 10)."""
PROFILE_LINES = 15

KEY = b"bench-signing-key-0123456789abcdef-0123456789"
AUDIT_TABLE_NAME = "plexlabor-audit-bench"
STATE_TABLE_NAME = "plexlabor-state-bench"
_PICK = re.compile(r'name="item" value="([^"]+)"')


# ---- the items --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Person:
    employee_id: str
    supervisor_id: str
    department: str


@dataclass(frozen=True)
class Workcenter:
    workcenter_id: str
    code: str
    department: str


@dataclass(frozen=True)
class Plant:
    supervisors: tuple[Person, ...]
    people: tuple[Person, ...]
    workcenters: tuple[Workcenter, ...]


@dataclass(frozen=True)
class Items:
    """The opening audit events of the 5,000 items, and the approval request of each punch finding."""

    openings: tuple[AuditEvent, ...]
    requests: tuple[ApprovalRequest, ...]
    plant: Plant

    def kinds(self) -> dict[str, int]:
        """How many items of each kind, as the queue reads them (`payload.kind` as the publishers wrote it)."""
        return kinds_of(item for event in self.openings if (item := item_from_event(event)) is not None)

    def supervisor_claims(self) -> dict[str, str]:
        boss = self.plant.supervisors[0]
        return {
            "cognito:username": boss.employee_id,
            "cognito:groups": "supervisor",
            "custom:departments": boss.department,
        }


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128)))


def _plant(rng: random.Random) -> Plant:
    supervisors = tuple(Person(_uuid(rng), "", DEPARTMENTS[number % len(DEPARTMENTS)]) for number in range(SUPERVISORS))
    people = []
    for number in range(EMPLOYEES):
        boss = supervisors[number % SUPERVISORS]
        people.append(Person(_uuid(rng), boss.employee_id, boss.department))
    workcenters = tuple(
        Workcenter(_uuid(rng), f"WC-{101 + number}", DEPARTMENTS[number % len(DEPARTMENTS)])
        for number in range(WORKCENTERS)
    )
    return Plant(supervisors, tuple(people), workcenters)


def _review_findings(folder: PlantFolder) -> list[Finding]:
    data = PlantData.from_folder(folder)
    findings = [f for f in ValidationEngine().batch(data, compute_norms(data)) if f.route == "review"]
    assert len({f.anomaly_type for f in findings}) >= 10, "the labelled plant should show most anomaly types"
    return findings


def _punch_findings(templates: list[Finding], plant: Plant, rng: random.Random) -> list[ApprovalRequest]:
    """MIX[PUNCH] real review findings, each moved onto a new record, employee and confidence."""
    requests = []
    for number in range(MIX[PUNCH]):
        template = templates[number % len(templates)]
        person = rng.choice(plant.people) if template.employee_id else None
        key = record_key(template.record_key.split(":", 1)[0], _uuid(rng))
        finding = template.model_copy(
            update={
                "finding_id": finding_id_for(key, template.anomaly_type),
                "record_key": key,
                "employee_id": person.employee_id if person else None,
                "confidence": round(rng.uniform(0.55, 1.0), 4),
            }
        )
        supervisor = person.supervisor_id if person else rng.choice(plant.supervisors).employee_id
        requests.append(ApprovalRequest(finding=finding, supervisor_id=supervisor, employee_number=f"E{number:05d}"))
    return requests


def _finding_event(request: ApprovalRequest) -> AuditEvent:
    """What intake.recording.FindingRecorder appends for a finding routed to review."""
    return finding_event(request.finding, AuditStatus.PENDING_APPROVAL, NOW, "punch_validator", request.supervisor_id)


def _crew_events(plant: Plant, rng: random.Random) -> list[AuditEvent]:
    day = NOW.date() + timedelta(days=1)
    # The plan fields crew.publish reads; a whole CrewPlan (breakdown, baselines, ...) adds nothing here.
    plan = cast(
        CrewPlan,
        SimpleNamespace(
            day=day,
            shift_codes=("1", "2", "3"),
            solver=SimpleNamespace(status="optimal", proven_gap=0.0031),
            model_version="crew-milp-2026.11",
        ),
    )
    events = []
    for number in range(MIX["crew_assignment"] + MIX["crew_unstaffed"]):
        wc = rng.choice(plant.workcenters)
        shift = str(1 + number % 3)
        start = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=6 + 8 * (number % 3))
        job_operation = _uuid(rng)
        segment = {
            "job_key": f"{job_operation}/{shift}",
            "job_operation_id": job_operation,
            "workcenter_id": wc.workcenter_id,
            "workcenter_code": wc.code,
            "shift_code": shift,
            "start": start,
        }
        if number < MIX["crew_assignment"]:
            person = rng.choice(plant.people)
            hours = rng.choice((4.0, 6.5, 8.0))
            assignment = CrewAssignment(
                **segment,
                end=start + timedelta(hours=hours),
                hours=hours,
                employee_id=person.employee_id,
                supervisor_id=person.supervisor_id,
                value=round(hours * 55 * rng.uniform(0.8, 1.2), 2),
                labor_cost=round(hours * rng.uniform(21, 34), 2),
                fatigue=round(rng.choice((0.0, 0.0, 12.5)), 2),
                changeover=20.0,
                walking=round(rng.uniform(0, 40), 2),
                outside_hours=0.0,
                planned_here=False,
                reasons=(
                    f"certified at {wc.code} (level 3)",
                    f"{rng.randint(92, 118)}% of standard at {wc.code} over 90 days",
                    "frees a seat the current plan leaves short",
                ),
            )
            events.append(PlanEvents(plan, NOW, "crew_planner", "all").assignment(assignment))
        else:
            seat = UnstaffedSeat(
                **segment,
                hours=8.0,
                seats=rng.randint(1, 2),
                cause="too_few_qualified",
                reason=f"2 operators hold the skills {wc.code} requires and both are planned elsewhere",
            )
            events.append(PlanEvents(plan, NOW, "crew_planner", "all").unstaffed(seat))
    return events


def _skills_events(plant: Plant, rng: random.Random) -> list[AuditEvent]:
    as_of = NOW.date()

    def alert(kind: str, days: int) -> CertificationAlert:
        person, wc = rng.choice(plant.people), rng.choice(plant.workcenters)
        blocked = [
            BlockedShift(
                workcenter_id=wc.workcenter_id,
                workcenter_code=wc.code,
                work_date=as_of + timedelta(days=offset),
                shift_id=_uuid(rng),
                shift_code="1",
                operation_ids=[_uuid(rng)],
                standard_hours=7.5,
                shortfall=1,
                hours_secured_by_renewal=7.5,
            )
            for offset in range(rng.randint(0, 3))
        ]
        return CertificationAlert(
            kind="expiring" if days > 0 else "lapsed",
            certification_id=_uuid(rng),
            employee_id=person.employee_id,
            supervisor_id=person.supervisor_id,
            skill_id=_uuid(rng),
            skill_code=rng.choice(("SK-CNC_PROG", "SK-WELD_MIG", "SK-FORKLIFT", "SK-PRESS_SETUP")),
            level=rng.randint(1, 4),
            issued=as_of - timedelta(days=700),
            expires=as_of + timedelta(days=days),
            days_to_expiry=days,
            window_days=min((w for w in (30, 60, 90) if days <= w), default=None) if days > 0 else None,
            required_at=[wc.workcenter_id],
            blocked=blocked,
            hours_blocked=7.5 * len(blocked),
            hours_at_risk=7.5 * len(blocked),
            in_use=False,
        )

    def use() -> LapseUse:
        person = rng.choice(plant.people)
        return LapseUse(
            certification_id=_uuid(rng),
            employee_id=person.employee_id,
            supervisor_id=person.supervisor_id,
            skill_id=_uuid(rng),
            skill_code="SK-WELD_MIG",
            level=2,
            expired=as_of - timedelta(days=40),
            still_lapsed=False,
            renewed_by=_uuid(rng),
            renewed_on=as_of - timedelta(days=5),
            workcenter_ids=[rng.choice(plant.workcenters).workcenter_id],
            labor_entry_ids=[_uuid(rng) for _ in range(12)],
            labor_hours=61.5,
            logins=12,
            first_day=as_of - timedelta(days=38),
            last_day=as_of - timedelta(days=6),
        )

    def training(wc: Workcenter) -> TrainingRecommendation:
        person = rng.choice(plant.people)
        candidate = TrainingCandidate(
            employee_id=person.employee_id,
            supervisor_id=person.supervisor_id,
            training=["SK-PRESS_SETUP:L1->L2"],
            effort_levels=1.0,
            adjacent=True,
            history_hours_here=120.0,
            history_hours_similar=300.0,
            scrap_rate=0.012,
            coverage_gain_hours=rng.uniform(8, 60),
            score=rng.uniform(0.3, 0.9),
            reason="already level 1, 120 h here in 6 months, low scrap",
        )
        return TrainingRecommendation(
            workcenter_id=wc.workcenter_id,
            workcenter_code=wc.code,
            required=["SK-PRESS_SETUP:L2"],
            hours_at_risk_after_cover=45.0,
            candidates=[candidate],
        )

    expiring = [alert("expiring", rng.randint(5, 89)) for _ in range(MIX["certification_expiring"])]
    lapsed = [alert("lapsed", -rng.randint(1, 60)) for _ in range(MIX["certification_lapsed"])]
    uses = [use() for _ in range(MIX["certification_used_while_lapsed"])]
    trainings = [training(plant.workcenters[n % WORKCENTERS]) for n in range(MIX["cross_training"])]
    totals = SkillsTotals(
        employees=EMPLOYEES, certifications=4 * EMPLOYEES, coverage_rows=0, gaps=0, hours_scheduled=0.0,
        hours_at_risk=0.0, hours_at_risk_after_cover=0.0, expiring={"90": len(expiring)}, expiring_blocking=0,
        lapsed=len(lapsed), lapsed_blocking=0, lapse_uses=len(uses), uncertified_uses=0,
        training_recommendations=len(trainings),
    )  # fmt: skip
    report = SkillsReport(
        as_of=as_of, horizon_days=14, lookback_days=90, timezone="America/Detroit", totals=totals, matrix=[],
        coverage=[], gaps=[], bottlenecks=[], skill_bottlenecks=[], expiring=expiring, lapsed=lapsed,
        lapse_uses=uses, uncertified_uses=[], training=trainings,
    )  # fmt: skip
    options = PublishOptions(training_workcenters=len(trainings), training_candidates=1)
    return report_events(report, NOW, options)


def _forecast_events(plant: Plant, rng: random.Random) -> list[AuditEvent]:
    events = []
    for number in range(MIX["labor_variance"]):
        wc = rng.choice(plant.workcenters)
        standard = round(rng.uniform(4, 40), 2)
        p50 = round(standard * rng.uniform(1.15, 1.6), 2)
        forecast = OperationForecast(
            as_of=NOW - timedelta(days=number % 7),
            job_operation_id=_uuid(rng),
            job_id=_uuid(rng),
            job_no=f"J{40000 + number}",
            part_id=_uuid(rng),
            part_family="brackets",
            operation_no=20,
            operation_code="20",
            workcenter_id=wc.workcenter_id,
            workcenter_code=wc.code,
            department=wc.department,
            scheduled_start=NOW + timedelta(days=1 + number % 5),
            quantity=1200.0,
            standard_hours=standard,
            p10_hours=round(p50 * 0.85, 2),
            p50_hours=p50,
            p90_hours=round(p50 * 1.2, 2),
            labor_rate=27.5,
            cost_p10=round(p50 * 0.85 * 27.5, 2),
            cost_p50=round(p50 * 27.5, 2),
            cost_p90=round(p50 * 1.2 * 27.5, 2),
            variance_pct=round(p50 / standard - 1, 4),
            crew_source="scheduled",
            method="model",
            model_version="labor-hours-2026.11",
        )
        drivers = [
            Driver(factor="crew_pace", hours=round((p50 - standard) * 0.6, 2),
                   text=f"the crew scheduled at {wc.code} works at 84% of standard pace (last 12 weeks)"),
            Driver(factor="crew_short", hours=round((p50 - standard) * 0.3, 2),
                   text="crew 1 person short of the routing's 2 when it starts"),
        ]  # fmt: skip
        over = round(p50 - standard, 2)
        variance = VarianceAlert(
            forecast=forecast,
            over_hours=over,
            over_pct=round(over / standard, 4),
            drivers=drivers,
            supervisor_id=rng.choice(plant.supervisors).employee_id,
            note=alert_note(forecast, drivers),
        )
        events.append(alert_event(variance, NOW, AuditStatus.PENDING_APPROVAL))
    for number in range(MIX["overtime_projection"]):
        department = DEPARTMENTS[number % len(DEPARTMENTS)]
        as_of = NOW - timedelta(days=number // len(DEPARTMENTS))
        week_start = datetime.combine(as_of.date() - timedelta(days=as_of.weekday()), datetime.min.time(), UTC)
        year, week, _ = as_of.isocalendar()
        projection = OvertimeProjection(
            as_of=as_of,
            department=department,
            iso_week=f"{year}-W{week:02d}",
            week_start=week_start,
            employees=250,
            worked_hours=6100.0,
            scheduled_hours=4400.0,
            projected_hours=10500.0,
            projected_overtime_hours=round(rng.uniform(60, 400), 1),
            employees_over_threshold=rng.randint(10, 60),
            employees_over_limit=rng.randint(0, 5),
            overtime_cost=18400.0,
            last_week_overtime_hours=240.0,
            forecast_labor_hours=9800.0,
            causes=["two presses down Tuesday pushed work to Saturday", "3 people on leave"],
            suggestion="move 2 of job J41234's operations to next week",
        )
        events.append(overtime_event(projection, "overtime-projection-1", NOW, AuditStatus.PENDING_APPROVAL))
    return events


def _opened(events: list[AuditEvent], rng: random.Random) -> list[AuditEvent]:
    """Each opening event pending a decision, opened at its own moment of the last week (skills publishes
    `logged` today: the queue shows pending items only, so they are opened here as a run with review would)."""
    return [
        AuditEvent.model_validate(
            event.model_dump()
            | {
                "status": AuditStatus.PENDING_APPROVAL,
                "occurred_at": NOW - SPREAD * rng.random() - timedelta(minutes=1),
            }
        )
        for event in events
    ]


@pytest.fixture(scope="module")
def items(labelled_plant: PlantFolder) -> Items:
    rng = random.Random(SEED)
    plant = _plant(rng)
    requests = _punch_findings(_review_findings(labelled_plant), plant, rng)
    recommendations = _crew_events(plant, rng) + _skills_events(plant, rng) + _forecast_events(plant, rng)
    openings = _opened([_finding_event(r) for r in requests] + recommendations, rng)
    assert len(openings) == sum(MIX.values()) == len({e.finding_id for e in openings})
    return Items(tuple(openings), tuple(requests), plant)


# ---- the two backends ---------------------------------------------------------------------------
class RecordingAuditStore(InMemoryAuditStore):
    """The fake, keeping the events in the order they were appended (to load the same ones into DynamoDB)."""

    def __init__(self) -> None:
        super().__init__()
        self.appended: list[AuditEvent] = []

    def append(self, event: AuditEvent) -> None:
        super().append(event)
        self.appended.append(event)


@dataclass
class Meter:
    """The DynamoDB requests moto answered and the time that took; zero on the in-memory fakes.

    moto answers one request at a time (it is not safe to call from several threads at once). Its time is
    each answer's wall time less the CPU time the process spent on its other threads meanwhile: while the
    bulk decides on several threads, the others go on with their own work while one waits for moto, and
    that work is the project's (on one thread, this is the answer's wall time).

    A Query asked again with a later `:since` (each warm render reads each status index from the last
    read's start less the overlap) is answered from moto's complete answer to the earlier one, keeping the
    items at or after the new `:since`: what DynamoDB answers while the table does not change. Any request
    that is not a read forgets those answers. moto scans the whole 16,000-item table for every Query (3 s
    a query here), so this is what lets a render series run its 50 calls.

    `clock()` stands still while moto answers: a profile timed by it shows this process's own work.
    `round_trip_s` adds a modelled network round trip to every request, outside moto's time (so inside
    `own`), slept outside the lock: requests in flight at once wait for it together, as on a network."""

    seconds: float = 0.0
    calls: int = 0
    received: int = 0
    """Response bytes."""
    reused: int = 0
    """Queries answered from an earlier answer."""
    round_trip_s: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    answers: dict[str, tuple[str, AWSResponse, dict[str, Any]]] = field(default_factory=dict)
    """A Query without its `:since` -> that `:since`, moto's complete answer and its body."""
    answering_since: float | None = None

    def reading(self) -> tuple[float, int, int]:
        with self.lock:
            return self.seconds, self.calls, self.received

    def clock(self) -> float:
        paused = self.answering_since
        return (paused if paused is not None else time.perf_counter()) - self.seconds


_READS = frozenset({"Query", "GetItem", "BatchGetItem", "Scan", "DescribeTable"})


def _query(request: Any) -> tuple[str, str, str, dict[str, Any]] | None:
    """A Query from a `:since` on an index sort key, as (the query without `:since`, `:since`, the sort
    key's attribute, the request); None for any other request."""
    asked = json.loads(request.body or b"{}")
    since = asked.get("ExpressionAttributeValues", {}).get(":since", {}).get("S")
    attribute = asked.get("ExpressionAttributeNames", {}).get("#sk")
    if since is None or attribute is None or "ExclusiveStartKey" in asked:
        return None
    rest = json.loads(json.dumps(asked))
    del rest["ExpressionAttributeValues"][":since"]
    return json.dumps(rest, sort_keys=True), since, attribute, asked


def _answer_again(meter: Meter, asked: tuple[str, str, str, dict[str, Any]], url: str) -> AWSResponse | None:
    """The answer to `asked` from a complete answer to the same Query from an earlier `:since`, if any."""
    key, since, attribute, _ = asked
    earlier = meter.answers.get(key)
    if earlier is None or earlier[0] > since:
        return None
    _, response, body = earlier
    items = [item for item in body["Items"] if item[attribute]["S"] >= since]
    raw = json.dumps({**body, "Items": items, "Count": len(items), "ScannedCount": len(items)}).encode()
    headers = {k: v for k, v in response.headers.items() if k.lower() not in ("x-amz-crc32", "content-length")}
    meter.reused += 1
    return AWSResponse(url, response.status_code, headers | {"Content-Length": str(len(raw))}, MockRawResponse(raw))


def _operation(request: Any) -> str:
    target = request.headers.get("X-Amz-Target", b"")
    return (target.decode() if isinstance(target, bytes) else str(target)).rsplit(".", 1)[-1]


@dataclass
class Backend:
    name: str
    audit: AuditStore
    tokens: TaskTokenStore
    nonces: LinkNonceStore
    tasks: RecordingTaskCallback
    clock: Clock
    meter: Meter
    setup_s: float = 0.0

    @property
    def emulated(self) -> bool:
        return self.name != "in_memory"

    def dependencies(self) -> Dependencies:
        callback = CallbackService(
            signer=ApprovalLinkSigner(KEY, clock=self.clock),
            nonces=self.nonces,
            tokens=self.tokens,
            audit=self.audit,
            tasks=self.tasks,
            clock=self.clock,
        )
        queue = ReviewQueue(self.audit, clock=self.clock)
        return Dependencies(
            ReviewService(queue, self.audit, callback, RecordingWritebackSender(), self.clock),
            ZoneInfo("America/Detroit"),
        )


def _in_memory(items: Items) -> Backend:
    """The fakes: every opening event appended, then every punch finding's supervisor notified (the real
    NotifyService, one batch: a signed link, a stored task token and a `notification` event each)."""
    started = time.perf_counter()
    audit, tokens, clock = RecordingAuditStore(), InMemoryTaskTokenStore(), Clock(NOW)
    for event in items.openings:
        audit.append(event)
    directory = InMemorySupervisorDirectory({s.employee_id: "sup@plant.example" for s in items.plant.supervisors})
    notify = NotifyService(
        signer=ApprovalLinkSigner(KEY, clock=clock),
        tokens=tokens,
        audit=audit,
        directory=directory,
        notifier=RecordingNotifier(),
        base_url="https://approvals.example/prod/",
        clock=clock,
    )
    batch = notify.batch()
    for number, request in enumerate(items.requests):
        batch.add(ApprovalNotice(stage=Stage.FIRST, task_token=f"task-{number}", request=request), f"m-{number}")
    assert batch.flush() == []
    backend = Backend("in_memory", audit, tokens, InMemoryLinkNonceStore(), RecordingTaskCallback(), clock, Meter())
    backend.setup_s = time.perf_counter() - started
    return backend


def _guard_item(event: AuditEvent) -> dict[str, Any]:
    """The event-id guard DynamoDbAuditStore.append writes beside each event (schema.AUDIT_TABLE)."""
    return {
        AUDIT_TABLE.partition_key: {"S": EVENT_GUARD_PREFIX + event.event_id},
        AUDIT_TABLE.sort_key: {"S": EVENT_GUARD_SK},
        "target_record_key": {"S": event.record_key},
        "target_event_sk": {"S": event.event_sk},
    }


def _on_dynamodb(client: Any, items: Items, meter: Meter, suffix: str) -> Backend:
    """The DynamoDB adapters on two new tables holding what the fakes hold after `_in_memory(items)`.

    The audit items (each event and its guard, as `append` writes them) are loaded with BatchWriteItem:
    moto copies the whole table on every TransactWriteItems (measured: 5 s and ~60 MB a call at 16,000
    items), so appending them one transaction at a time does not finish. The task tokens go in with the
    adapter's own `save`."""
    memory = _in_memory(items)
    assert isinstance(memory.audit, RecordingAuditStore)
    started = time.perf_counter()
    audit_table, state_table = f"{AUDIT_TABLE_NAME}-{suffix}", f"{STATE_TABLE_NAME}-{suffix}"
    create_audit_table(client, audit_table)
    create_state_table(client, state_table)
    writes = [item for event in memory.audit.appended for item in (event_item(event), _guard_item(event))]
    for start in range(0, len(writes), 25):
        chunk = [{"PutRequest": {"Item": item}} for item in writes[start : start + 25]]
        assert not client.batch_write_item(RequestItems={audit_table: chunk}).get("UnprocessedItems")
    tokens = DynamoDbTaskTokenStore(state_table, client)
    for request in items.requests:
        for pending in memory.tokens.for_finding(request.finding.finding_id):
            tokens.save(pending)
    return Backend(
        "dynamodb",
        DynamoDbAuditStore(audit_table, client=client),
        tokens,
        DynamoDbLinkNonceStore(state_table, client=client),
        RecordingTaskCallback(),
        Clock(memory.clock.now),
        meter,
        setup_s=memory.setup_s + time.perf_counter() - started,
    )


@contextmanager
def _moto() -> Iterator[tuple[Any, Meter]]:
    """moto with dummy credentials, and a meter on every request it answers."""
    meter = Meter()
    answer = BotocoreStubber.__call__

    def metered(stubber: BotocoreStubber, event_name: str, request: Any, **kwargs: Any) -> Any:
        if meter.round_trip_s:
            time.sleep(meter.round_trip_s)
        operation = _operation(request)
        asked = _query(request) if operation == "Query" else None
        with meter.lock:
            started, cpu, own_cpu = time.perf_counter(), time.process_time(), time.thread_time()
            meter.answering_since = started
            if operation not in _READS:
                meter.answers.clear()
            response = _answer_again(meter, asked, request.url) if asked else None
            if response is None:
                response = answer(stubber, event_name, request, **kwargs)
                body = json.loads(response.raw.getvalue()) if asked and response is not None else {}
                if asked and response is not None and response.status_code == 200 and "LastEvaluatedKey" not in body:
                    meter.answers[asked[0]] = (asked[1], response, body)
            others = (time.process_time() - cpu) - (time.thread_time() - own_cpu)
            elapsed = time.perf_counter() - started - max(0.0, others)
            meter.seconds += elapsed
            meter.answering_since = None
            meter.calls += 1
            meter.received += len(response.raw.getvalue()) if response is not None else 0
        return response

    with pytest.MonkeyPatch.context() as patch, mock_aws():
        for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            patch.setenv(variable, "testing")
        patch.delenv("AWS_PROFILE", raising=False)
        patch.setattr(BotocoreStubber, "__call__", metered)
        yield boto3.client("dynamodb", region_name="us-east-1"), meter


# ---- requests through the handler ----------------------------------------------------------------
def _event(
    method: str, path: str, claims: dict[str, str], query: dict[str, str] | None = None, form: Any = None
) -> dict[str, Any]:
    return web_event(method, path, query=query, form=form, authorizer={"claims": claims})


@dataclass(frozen=True)
class Timed:
    """One request: wall and CPU time, and the part of it moto took (with its requests and bytes)."""

    wall_ms: float
    cpu_ms: float
    emulator_ms: float = 0.0
    calls: int = 0
    kb: float = 0.0

    @property
    def own_ms(self) -> float:
        """Wall time outside moto: this process's work (handler, adapters, botocore), with no network."""
        return self.wall_ms - self.emulator_ms


def _call(backend: Backend, deps: Dependencies, event: dict[str, Any]) -> tuple[dict[str, Any], Timed]:
    request = copy.deepcopy(event)
    seconds, calls, size = backend.meter.reading()
    started, started_cpu = time.perf_counter(), time.process_time()
    response = handler(request, FakeLambdaContext("plexlabor-web-app"), dependencies=deps)
    wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    after = backend.meter.reading()
    return response, Timed(
        wall * 1000, cpu * 1000, (after[0] - seconds) * 1000, after[1] - calls, (after[2] - size) / 1024
    )


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass(frozen=True)
class Series:
    label: str
    claims: dict[str, str]
    calls: list[Timed]
    rows: int
    body_kb: float
    emulated: bool
    first: Timed
    """The first warm-up call: on a queue nobody read yet, the read of the whole lookback."""

    @property
    def p95(self) -> float:
        """The figure held to the target: wall time, or wall time outside moto on the DynamoDB backend."""
        return _p([c.own_ms if self.emulated else c.wall_ms for c in self.calls], 0.95)

    def line(self) -> str:
        wall = [c.wall_ms for c in self.calls]
        own = f"{_p([c.own_ms for c in self.calls], 0.95):>8.0f}" if self.emulated else f"{'-':>8}"
        first = self.calls[0]
        return (
            f"  {self.label:<18} {self.rows:>5} {self.body_kb:>7.0f} {len(wall):>3} {statistics.median(wall):>7.0f} "
            f"{_p(wall, 0.95):>7.0f} {max(wall):>7.0f} {_p([c.cpu_ms for c in self.calls], 0.95):>7.0f} {own} "
            f"{first.calls:>5} {first.kb / 1024:>6.1f}"
        )


HEADER = (
    f"  {'GET /queue, warm':<18} {'rows':>5} {'body KB':>7} {'n':>3} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
    f"{'p95 CPU':>7} {'p95 own':>8} {'calls':>5} {'MB in':>6}"
)
LEGEND = (
    "  (ms wall unless said; CPU: this process's CPU time; own: wall outside moto, i.e. handler, adapters and\n"
    "   botocore without the network; calls / MB in: DynamoDB requests and response bytes per render)"
)


def _render_series(label: str, backend: Backend, deps: Dependencies, claims: dict[str, str]) -> Series:
    """Up to WARM_UP warm-up calls, then up to TIMED_CALLS timed ones, all within RENDER_BUDGET_S (at least
    one of each)."""
    event = _event("GET", "/queue", claims)
    deadline = time.perf_counter() + RENDER_BUDGET_S
    warm_up: list[Timed] = []
    for number in range(WARM_UP):
        if number and time.perf_counter() > deadline:
            break
        response, one = _call(backend, deps, event)
        assert response["statusCode"] == 200
        warm_up.append(one)
    body = response["body"]
    timed: list[Timed] = []
    while not timed or (len(timed) < TIMED_CALLS and time.perf_counter() < deadline):
        response, one = _call(backend, deps, event)
        assert response["statusCode"] == 200
        timed.append(one)
    rows, size = len(_PICK.findall(body)), len(body.encode()) / 1024
    return Series(label, claims, timed, rows, size, backend.emulated, warm_up[0])


def _profile(backend: Backend, deps: Dependencies, claims: dict[str, str]) -> str:
    """One render under cProfile (moto's own work left out): the project's functions by cumulative time,
    then every function by its own time."""
    profile = cProfile.Profile(backend.meter.clock)
    event = _event("GET", "/queue", claims)
    profile.enable()
    try:
        _call(backend, deps, event)
    finally:
        profile.disable()
    lines: list[str] = []
    for order, restriction in (("cumulative", r"layers/core/plexlabor|functions/web_app"), ("tottime", r".")):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(restriction, PROFILE_LINES)
        text = out.getvalue()
        table = text[text.index("   ncalls") :] if "   ncalls" in text else text
        lines += [f"    by {order}:"] + ["    " + line for line in table.splitlines() if line.strip()]
    return "\n".join(lines)


# ---- filter + bulk approve ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Bulk:
    steps: dict[str, Timed]
    chosen: list[str]
    location: str

    def seconds(self, emulated: bool) -> float:
        return sum(t.own_ms if emulated else t.wall_ms for t in self.steps.values()) / 1000


def _filter_and_approve(backend: Backend, deps: Dependencies) -> Bulk:
    """An admin filters to punch findings and approves the first 100 of the page in one POST (a form decides
    one page at most), then the same for crew assignments; then the browser follows the last 303 back to the
    queue."""
    steps: dict[str, Timed] = {}
    chosen: list[str] = []
    locations: list[str] = []
    for kind in (PUNCH, "crew_assignment"):
        page, steps[f"GET /queue?kind={kind}"] = _call(backend, deps, _event("GET", "/queue", ADMIN, {"kind": kind}))
        assert page["statusCode"] == 200
        picked = _PICK.findall(page["body"])[: BULK_ITEMS // 2]
        form = {"item": picked, "action": "approve", "reason": ""}
        posted, steps[f"POST /queue ({kind}, {len(picked)} items)"] = _call(
            backend, deps, _event("POST", "/queue", ADMIN, form=form)
        )
        assert posted["statusCode"] == 303, posted.get("body", "")[:500]
        assert posted["multiValueHeaders"]["Location"][0].endswith(f"decided={len(picked)}&failed=0")
        chosen += picked
        locations += posted["multiValueHeaders"]["Location"]
    query = dict(part.split("=", 1) for part in locations[-1].split("?", 1)[1].split("&"))
    after, steps["GET the 303 (the queue again)"] = _call(backend, deps, _event("GET", "/queue", ADMIN, query))
    assert after["statusCode"] == 200
    return Bulk(steps, chosen, locations[-1])


def _check_bulk(backend: Backend, deps: Dependencies, bulk: Bulk, opened: int) -> None:
    """Every chosen item left the queue with exactly one decision (approved, by the admin), and each punch
    finding's workflow was resumed once."""
    assert len(bulk.chosen) == BULK_ITEMS == len(set(bulk.chosen))
    still_open = {item.item_id for item in deps.review.queue.open_items()}
    assert not still_open & set(bulk.chosen)
    assert len(still_open) == opened - BULK_ITEMS
    anew = {item.item_id for item in ReviewQueue(backend.audit, clock=backend.clock).open_items()}
    assert anew == still_open, "a queue reading the whole lookback sees what the warm one kept"
    for item_id in bulk.chosen:
        decisions = [e for e in backend.audit.for_finding(item_id) if e.event_type is AuditEventType.DECISION]
        assert [(e.status, e.actor) for e in decisions] == [(AuditStatus.APPROVED, ADMIN["cognito:username"])], item_id
    assert len(backend.tasks.succeeded) == BULK_ITEMS // 2


def _bulk_subset(items: Items) -> Items:
    """The 200 items the bulk decides on the DynamoDB backend: the punch findings and crew assignments
    the filtered pages show first (highest rank), with their approval requests."""
    ranked = sorted(
        (item for event in items.openings if (item := item_from_event(event)) is not None),
        key=lambda item: (-item.rank, item.created_at, item.item_id),
    )
    chosen = {
        item.item_id
        for kind in (PUNCH, "crew_assignment")
        for item in [i for i in ranked if i.kind == kind][: BULK_ITEMS // 2]
    }
    return Items(
        tuple(e for e in items.openings if e.finding_id in chosen),
        tuple(r for r in items.requests if r.finding.finding_id in chosen),
        items.plant,
    )


def _modelled_post(client: Any, subset: Items, meter: Meter, workers: int) -> Timed:
    """The bulk POST of `subset` on fresh tables, `workers` decisions at a time, with MODELLED_ROUND_TRIP_S
    slept on every DynamoDB request (the GETs before it too, but only the POST is returned)."""
    small = _on_dynamodb(client, subset, meter, f"modelled-{workers}")
    deps = small.dependencies()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(decisions, "BULK_WORKERS", workers)
        meter.round_trip_s = MODELLED_ROUND_TRIP_S
        try:
            bulk = _filter_and_approve(small, deps)
        finally:
            meter.round_trip_s = 0.0
    _check_bulk(small, deps, bulk, len(subset.openings))
    posts = [timed for step, timed in bulk.steps.items() if step.startswith("POST")]
    return Timed(
        *(sum(getattr(t, name) for t in posts) for name in ("wall_ms", "cpu_ms", "emulator_ms", "calls", "kb"))
    )


def _refresh(deps: Dependencies) -> str:
    return f"{deps.review.queue.refresh.total_seconds() / 60:.0f} min"


# ---- printing ------------------------------------------------------------------------------------------
def _print_renders(title: str, items: Items, backend: Backend, series: list[Series]) -> None:
    load = os.getloadavg()[0]
    print(f"\n{title} (load average {load:.1f} on {os.cpu_count()} CPUs)")
    print("  kinds: " + ", ".join(f"{kind} {count}" for kind, count in items.kinds().items()))
    print(f"  setup ({len(items.openings):,} items, {len(items.requests):,} notified): {backend.setup_s:.1f} s")
    print(HEADER)
    for one in series:
        print(one.line() + f"  p95{' own' if one.emulated else ''} < {RENDER_P95_MS:.0f} ms: "
              + ("met" if one.p95 < RENDER_P95_MS else "MISSED"))  # fmt: skip
    print(LEGEND)


def _print_steps(bulk: Bulk) -> None:
    for step, timed in bulk.steps.items():
        moto = (
            f", {timed.calls} DynamoDB requests answered in {timed.emulator_ms:.0f} ms"
            if timed.calls
            else f" ({timed.cpu_ms:.0f} ms CPU)"
        )
        print(f"    {step:<42} {timed.wall_ms:>7.0f} ms wall, {timed.own_ms:>7.0f} ms own{moto}")


def _median(series: Series) -> Timed:
    """The call of a series whose own time is the median."""
    ordered = sorted(series.calls, key=lambda call: call.own_ms)
    return ordered[(len(ordered) - 1) // 2]


def _render_misses(series: list[Series]) -> list[str]:
    return [f"{s.label}: render p95 {s.p95:.0f} ms >= {RENDER_P95_MS:.0f} ms" for s in series if s.p95 >= RENDER_P95_MS]


# ---- the bench -------------------------------------------------------------------------------------
pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")


@pytest.fixture(autouse=True)
def quiet_logs() -> Iterator[None]:
    """The figures, not thousands of log lines (a digest per supervisor, a line per decision)."""
    project = logging.getLogger("plexlabor")
    level = project.level
    project.setLevel(logging.WARNING)
    yield
    project.setLevel(level)


def test_review_queue_on_the_in_memory_fakes(items: Items) -> None:
    backend = _in_memory(items)
    deps = backend.dependencies()
    series = [
        _render_series("admin (all items)", backend, deps, ADMIN),
        _render_series("one supervisor", backend, deps, items.supervisor_claims()),
    ]
    profiles = {s.label: _profile(backend, deps, s.claims) for s in series if s.p95 >= RENDER_P95_MS}
    bulk = _filter_and_approve(backend, deps)
    _check_bulk(backend, deps, bulk, len(items.openings))

    _print_renders(f"Review queue, {len(items.openings):,} pending items, in-memory fakes, in process", items,
                   backend, series)  # fmt: skip
    print(f"  the first render, the whole lookback read (a new container, then every {_refresh(deps)}): "
          f"{series[0].first.wall_ms:.0f} ms wall")  # fmt: skip
    seconds = bulk.seconds(emulated=False)
    verdict = "met" if seconds < BULK_TARGET_S else "MISSED"
    print(f"  filter + bulk approve {BULK_ITEMS}: {seconds:.2f} s end to end (< {BULK_TARGET_S:.0f} s: {verdict})")
    _print_steps(bulk)
    for label, profile in profiles.items():
        print(f"  {label}: one render under cProfile")
        print(profile)

    misses = _render_misses(series)
    if seconds >= BULK_TARGET_S:
        misses.append(f"filter + bulk approve {BULK_ITEMS}: {seconds:.2f} s >= {BULK_TARGET_S:.0f} s")
    assert not misses, "in-memory fakes: " + "; ".join(misses)


def test_review_queue_on_dynamodb(items: Items) -> None:
    """The deployed app's path: the DynamoDB adapters (status GSI reads, transactions) on moto.

    Held to the targets: `own` time, the wall time outside moto (the handler, the adapters, botocore;
    no network; `Meter` says how moto's time is taken out). moto answers every request. The first render
    reads the whole lookback: at this size moto scans, sorts and re-serialises the whole table on every
    query (minutes), which says nothing of DynamoDB; the renders after it read what is new. The bulk POST
    runs on moto, on tables holding only its 200 items (each decision reads and writes by key, so its work
    does not depend on the table's size; moto copies the whole table on every transaction); the GETs
    around it are measured on the 5,000-item tables. Then, not held to a target, the same POST on fresh
    200-item tables with a modelled round trip on every DynamoDB request, one decision at a time and
    BULK_WORKERS at a time: what deciding side by side is for, which in-process figures cannot show."""
    with _moto() as (client, meter):
        backend = _on_dynamodb(client, items, meter, "plant")
        deps = backend.dependencies()
        response, first = _call(backend, deps, _event("GET", "/queue", ADMIN))
        assert response["statusCode"] == 200
        series = [
            _render_series("admin (all items)", backend, deps, ADMIN),
            _render_series("one supervisor", backend, deps, items.supervisor_claims()),
        ]
        profile = _profile(backend, deps, ADMIN)
        steps: dict[str, Timed] = {}
        for kind in (PUNCH, "crew_assignment"):
            page, steps[f"GET /queue?kind={kind}"] = _call(
                backend, deps, _event("GET", "/queue", ADMIN, {"kind": kind})
            )
            assert page["statusCode"] == 200
        subset = _bulk_subset(items)
        small = _on_dynamodb(client, subset, meter, "bulk")
        small_deps = small.dependencies()
        bulk = _filter_and_approve(small, small_deps)
        _check_bulk(small, small_deps, bulk, len(subset.openings))
        reused = meter.reused
        modelled = {workers: _modelled_post(client, subset, meter, workers) for workers in (1, BULK_WORKERS)}
    steps |= {key: timed for key, timed in bulk.steps.items() if key.startswith("POST")}
    steps["GET the 303 (the admin render, median)"] = _median(series[0])

    _print_renders(f"Review queue, {len(items.openings):,} pending items, DynamoDB adapters on moto, in process",
                   items, backend, series)  # fmt: skip
    print(
        f"  the first render, the whole lookback read (a new container, then every {_refresh(deps)}): "
        f"{first.own_ms:.0f} ms own ({first.wall_ms / 1000:.0f} s wall, {first.emulator_ms / 1000:.0f} s of it in "
        f"moto), {first.calls} requests, {first.kb / 1024:.1f} MB in; {reused} queries after it answered from an "
        "earlier answer (Meter)"
    )
    seconds = sum(t.own_ms for t in steps.values()) / 1000
    verdict = "met" if seconds < BULK_TARGET_S else "MISSED"
    print(f"  filter + bulk approve {BULK_ITEMS}: {seconds:.2f} s own end to end (< {BULK_TARGET_S:.0f} s: {verdict})")
    _print_steps(Bulk(steps, bulk.chosen, bulk.location))
    print(f"  the two POSTs with a modelled {MODELLED_ROUND_TRIP_S * 1000:.0f} ms round trip per DynamoDB request "
          "(own time and the modelled network; not a target):")  # fmt: skip
    for workers, timed in modelled.items():
        print(f"    {workers} decision{'s' if workers > 1 else ''} at a time: {timed.own_ms / 1000:.2f} s, "
              f"{timed.calls} requests")  # fmt: skip
    print(f"  admin render under cProfile (moto left out):\n{profile}")

    misses = _render_misses(series)
    if seconds >= BULK_TARGET_S:
        misses.append(f"filter + bulk approve {BULK_ITEMS}: {seconds:.2f} s >= {BULK_TARGET_S:.0f} s")
    assert not misses, "DynamoDB adapters (own time, moto left out): " + "; ".join(misses)
