"""crew_replan and crew_call_offs end to end on a small plant, with the in-memory audit store: the nightly
plan published, a call-off re-planned through the SQS handler, the dropped suggestion superseded, the
new ones waiting for review; the detector's messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from functions.crew_call_offs import handler as crew_call_offs
from functions.crew_planner import handler as crew_planner
from functions.crew_replan import handler as crew_replan
from infra.function_specs import CALL_OFF_PERIOD_MINUTES
from plexlabor.approval.messages import ApprovalAction, Decision
from plexlabor.approval.recommendations import Recommended, recommendation_decision
from plexlabor.audit import AuditEvent, AuditStatus, InMemoryAuditStore
from plexlabor.audit.events import stable_event_id
from plexlabor.crew import wiring
from plexlabor.crew.build import build_problem
from plexlabor.crew.messages import ReplanMessage, nearby
from plexlabor.crew.replanning import KEPT_FOR, REFRESH_LEAD, applied_event, read_current_plan, run
from plexlabor.crew.replanning import recorded as recorded_events
from plexlabor.crew.suggestions import DayReader, read_day
from plexlabor.plant import PlantFolder
from plexlabor.platform.errors import ConfigurationError
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.sources import LaborSource
from tests.support import FakeLambdaContext, load_event

DAY = date(2026, 11, 23)  # Monday after the history
SHIFT_START = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # 06:00 in Detroit
SINCE = datetime(2026, 11, 20, tzinfo=UTC)


def _sqs(message: ReplanMessage) -> dict[str, Any]:
    event = load_event("crew_replan")
    record = {**event["Records"][0], "body": message.model_dump_json(by_alias=True)}
    return {"Records": [record]}


def _crew_events(store: InMemoryAuditStore, actor: str) -> list[AuditEvent]:
    events = store.by_status(AuditStatus.PENDING_APPROVAL, SINCE, 10_000)
    events += store.by_status(AuditStatus.LOGGED, SINCE, 10_000)
    return [e for e in events if e.actor == actor and e.payload.get("kind") == "crew_assignment"]


@pytest.fixture
def planned(labelled_plant: PlantFolder) -> tuple[LaborSource, InMemoryAuditStore]:
    """Monday's 1st shift planned the night before and published (assignments that change the plan wait)."""
    source = LaborSource(PlantFolderSource(labelled_plant.path), "America/Detroit")
    store = InMemoryAuditStore()
    nightly = wiring.Dependencies(source=source, store=store, time_limit_s=20, clock=lambda: SINCE)
    event = {**load_event("crew_planner"), "detail": {"date": DAY.isoformat(), "shift": "1"}}
    assert crew_planner.handler(event, FakeLambdaContext(), dependencies=nightly)["published"] > 0
    return source, store


def test_the_canonical_event_parses() -> None:
    record = load_event("crew_replan")["Records"][0]
    message = ReplanMessage.model_validate_json(record["body"])
    assert message.reason == "call_off" and message.employee_id and message.day == DAY


def test_a_call_off_is_re_planned_and_only_what_changed_goes_for_review(
    planned: tuple[LaborSource, InMemoryAuditStore],
) -> None:
    source, store = planned
    nightly = _crew_events(store, "crew_planner")
    current, _ = read_current_plan(store, DAY, "1", SINCE)
    assert len(current.assignments) == len(nightly) and not current.accepted
    # Given a supervisor approved one assignment, and another operator calls off 15 minutes into the shift
    by_employee = sorted(nightly, key=lambda e: (e.employee_id or "", e.event_id))
    approved, caller = by_employee[0], by_employee[-1]
    assert approved.employee_id != caller.employee_id
    store.append(
        recommendation_decision(
            Recommended.of(approved), Decision(action=ApprovalAction.APPROVE, supervisor_id="E00001"), SINCE, "queue"
        )
    )
    now = SHIFT_START + timedelta(minutes=15)
    deps = wiring.ReplanDependencies(source=source, store=store, time_limit_s=20, clock=lambda: now)
    message = ReplanMessage(reason="call_off", day=DAY, shift="1", employee_id=caller.employee_id, detected_at=now)
    # When crew_replan handles the message
    response = crew_replan.handler(_sqs(message), FakeLambdaContext(), dependencies=deps)
    # Then the batch succeeded; the caller's suggestions are superseded, the approved one is still there
    assert response == {"batchItemFailures": []}
    closed = store.by_status(AuditStatus.EXPIRED, SINCE, 1000)
    assert caller.event_id in {e.finding_id for e in closed}
    assert all(e.payload["superseded_by"] == "crew_replan" for e in closed)
    assert all(e.payload["replaced_after"] == f"a call-off of {caller.employee_id}" for e in closed)  # ux136 #2
    replanned = _crew_events(store, "crew_replan")
    assert all(e.status is AuditStatus.PENDING_APPROVAL for e in replanned)
    trigger = f"a call-off of {caller.employee_id}"
    assert all(
        e.payload["trigger"] == trigger and e.payload["note"].startswith(f"After {trigger}: ") for e in replanned
    )
    assert caller.employee_id not in {e.employee_id for e in replanned}
    after, _ = read_current_plan(store, DAY, "1", SINCE)
    assert (approved.payload["segment"], approved.employee_id) in after.accepted
    assert caller.employee_id not in {employee for _, employee in after.assignments}
    # Minimal change: besides the caller, few people moved; the same message again changes nothing more
    appends = store.append
    tried: list[str] = []

    def append_noting(event: AuditEvent) -> None:
        tried.append(event.event_id)
        appends(event)

    store.append = append_noting  # type: ignore[method-assign]
    again = crew_replan.handler(_sqs(message), FakeLambdaContext(), dependencies=deps)
    assert again == {"batchItemFailures": []}
    assert len(_crew_events(store, "crew_replan")) == len(replanned)
    assert deps.problems  # the warm container keeps the shift's problem with the call-off applied
    assert tried == []  # and knows its last plan is in the table: nothing is written twice, not even tried
    # A cold container (nothing kept) re-planning another call-off tries only suggestions not in the table yet
    in_table = {e.event_id for e in store.by_status(AuditStatus.PENDING_APPROVAL, SINCE, 10_000)}
    in_table |= {e.event_id for e in store.by_status(AuditStatus.LOGGED, SINCE, 10_000)}
    other = next(e for e in by_employee[1:-1] if e.employee_id != approved.employee_id)
    cold = wiring.ReplanDependencies(source=source, store=store, time_limit_s=20, clock=lambda: now)
    second = message.model_copy(update={"employee_id": other.employee_id})
    assert crew_replan.handler(_sqs(second), FakeLambdaContext(), dependencies=cold) == {"batchItemFailures": []}
    assert tried and not in_table & set(tried)


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_a_malformed_message_is_dropped_not_retried(planned: tuple[LaborSource, InMemoryAuditStore]) -> None:
    # it would fail on every delivery, holding the FIFO queue's other re-plans (test_crew_replan_head_of_line.py)
    source, store = planned
    deps = wiring.ReplanDependencies(source=source, store=store)
    event = _sqs(ReplanMessage(reason="workcenter_up", day=DAY, shift="1", workcenter_id="W1", detected_at=SINCE))
    event["Records"][0]["body"] = json.dumps({"reason": "call_off", "date": "2026-11-23", "shift": "1"})
    response = crew_replan.handler(event, FakeLambdaContext(), dependencies=deps)
    assert response["batchItemFailures"] == []


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[ReplanMessage] = []

    def send(self, message: ReplanMessage) -> None:
        self.sent.append(message)


@pytest.mark.parametrize("day", [date(2026, 11, 19), DAY])  # Thursday in the history; Monday after it
def test_call_offs_are_the_scheduled_operators_not_clocked_in(labelled_plant: PlantFolder, day: date) -> None:
    source = LaborSource(PlantFolderSource(labelled_plant.path), "America/Detroit")
    sender = RecordingSender()
    store = InMemoryAuditStore()
    deps = wiring.CallOffDependencies(source=source, sender=sender, store=store)  # grace 15 min, period 5 min
    start = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=11)  # 1st shift, 06:00 Detroit
    now = start + timedelta(minutes=17)  # a late clock-in after this is still a call-off at this time
    event = {**load_event("crew_call_offs"), "time": now.isoformat()}
    summary = crew_call_offs.handler(event, FakeLambdaContext(), dependencies=deps)
    assert summary["shifts"] == [f"{day.isoformat()}/1"]
    problem = build_problem(source.port, day, "1", timezone=source.timezone)
    scheduled = {
        op.employee_id
        for op in problem.operators
        if op.leave is None and any(b.shift_code == "1" and b.work_date == day for b in op.blocks)
    }
    punched = {e.employee_id for e in source.port.time_clock_entries(start - timedelta(hours=4), now)}
    sent = [m for m in sender.sent if m.reason == "call_off"]
    assert {m.employee_id for m in sent} == scheduled - punched
    assert summary["call_offs"] == len(sent)
    if day == DAY:  # after the history nobody has punched: everyone scheduled is late
        assert len(sent) == len(scheduled) > 0
    else:
        assert len(sent) < len(scheduled) / 4
    # each call-off is followed by a call-off nearby of each shift next to it not over (ux_s16 #2): the night shift
    # before (it ends at 06:30) and shift 2 (it starts as shift 1 ends), so their seats there are re-planned too
    calls = [m for m in sender.sent if m.reason != "refresh"]
    assert calls[:3] == [
        sent[0],
        nearby(sent[0], day - timedelta(days=1), "3"),
        nearby(sent[0], day, "2"),
    ]
    assert [m.reason for m in calls] == ["call_off", "call_off_nearby", "call_off_nearby"] * len(sent)
    assert summary["call_offs_nearby"] == 2 * len(sent)
    # after the call-offs, a refresh of each shift still running (the night shift ends at 06:30), none of another
    refreshed = [(m.day, m.shift) for m in sender.sent[len(calls) :]]
    assert all(m.reason == "refresh" for m in sender.sent[len(calls) :])
    assert refreshed == [(day - timedelta(days=1), "3"), (day, "1")]
    # ten minutes later the shift's start is out of the window: nothing is sent twice
    later = {**event, "time": (start + timedelta(minutes=27)).isoformat()}
    assert crew_call_offs.handler(later, FakeLambdaContext(), dependencies=deps)["call_offs"] == 0


def test_after_a_rejection_on_the_board_the_re_plan_leaves_that_person_out_of_that_seat(
    planned: tuple[LaborSource, InMemoryAuditStore],
) -> None:
    source, store = planned
    nightly = _crew_events(store, "crew_planner")
    waiting = next(e for e in nightly if e.status is AuditStatus.PENDING_APPROVAL)
    rejected = (str(waiting.payload["segment"]), waiting.employee_id)
    store.append(
        recommendation_decision(
            Recommended.of(waiting),
            Decision(action=ApprovalAction.REJECT, reason="needs him on the press", supervisor_id="E00001"),
            SINCE,
            "queue",
        )
    )
    current, _ = read_current_plan(store, DAY, "1", SINCE)
    assert current.rejected == {rejected} and rejected not in current.assignments
    now = SHIFT_START - timedelta(hours=1)
    deps = wiring.ReplanDependencies(source=source, store=store, time_limit_s=20, clock=lambda: now)
    message = ReplanMessage(reason="plan_changed", day=DAY, shift="1", detected_at=now)

    assert crew_replan.handler(_sqs(message), FakeLambdaContext(), dependencies=deps) == {"batchItemFailures": []}

    suggested = {(str(e.payload["segment"]), e.employee_id) for e in _crew_events(store, "crew_replan")}
    assert rejected not in suggested
    after, _ = read_current_plan(store, DAY, "1", SINCE)
    assert rejected not in after.assignments and after.rejected == {rejected}


def test_a_warm_container_sees_decisions_taken_on_the_board_since_its_last_re_plan(
    planned: tuple[LaborSource, InMemoryAuditStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    source, store = planned
    clock = [SHIFT_START - timedelta(hours=1)]
    deps = wiring.ReplanDependencies(source=source, store=store, time_limit_s=20, clock=lambda: clock[0])
    message = ReplanMessage(reason="plan_changed", day=DAY, shift="1", detected_at=clock[0])
    assert crew_replan.handler(_sqs(message), FakeLambdaContext(), dependencies=deps) == {"batchItemFailures": []}
    # Given, after that re-plan, a supervisor rejects one undecided suggestion and accepts another on the board
    before, openings = read_current_plan(store, DAY, "1", SINCE)
    (rejected, refused), (accepted, taken) = sorted(openings.items())[:2]
    assert not before.accepted
    decided = clock[0] + timedelta(minutes=1)
    for event, action in ((refused, ApprovalAction.REJECT), (taken, ApprovalAction.APPROVE)):
        decision = Decision(
            action=action, supervisor_id="E00001", reason="no" if action is ApprovalAction.REJECT else None
        )
        store.append(recommendation_decision(Recommended.of(event), decision, decided, "crew_board"))
    reads = _reads(store, monkeypatch)
    # When the same container re-plans again two minutes later
    clock[0] += timedelta(minutes=2)
    summary = run(deps, message.model_copy(update={"detected_at": clock[0]}))
    # Then it read only what is new (a catch-up), and its current plan holds the acceptance, not the rejected pair
    assert reads and all(since is not None and since > SINCE for since in reads)
    assert summary["accepted"] == 1 and summary["current_assignments"] == len(before.assignments) - 1
    after, _ = read_current_plan(store, DAY, "1", SINCE)
    assert rejected in after.rejected and rejected not in after.assignments and accepted in after.accepted


def _reads(store: InMemoryAuditStore, monkeypatch: pytest.MonkeyPatch) -> list[datetime | None]:
    """From when each of the store's status reads starts, from now on."""
    reads: list[datetime | None] = []
    by_status = store.by_status

    def by_status_noting(status: AuditStatus, since: datetime | None = None, limit: int = 100) -> list[AuditEvent]:
        reads.append(since)
        return by_status(status, since, limit)

    monkeypatch.setattr(store, "by_status", by_status_noting)
    return reads


def test_call_offs_run_as_of_the_details_moment(labelled_plant: PlantFolder) -> None:
    """`detail.as_of` replaces the event's time (the local runtime replays a generated plant as of its end, ux119
    #13); a detail it does not know is refused."""
    source = LaborSource(PlantFolderSource(labelled_plant.path), "America/Detroit")
    day = date(2026, 11, 19)  # Thursday in the history
    now = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=11, minutes=17)
    summaries = []
    for time_now, detail in ((now, {}), (datetime(2026, 12, 5, 15, 0, tzinfo=UTC), {"as_of": now.isoformat()})):
        sender = RecordingSender()
        deps = wiring.CallOffDependencies(source=source, sender=sender, store=InMemoryAuditStore())
        event = {**load_event("crew_call_offs"), "time": time_now.isoformat(), "detail": detail}
        summaries.append((crew_call_offs.handler(event, FakeLambdaContext(), dependencies=deps), sender.sent))
    assert summaries[0] == summaries[1] and summaries[1][0]["shifts"] == [f"{day.isoformat()}/1"]
    deps = wiring.CallOffDependencies(source=source, sender=RecordingSender(), store=InMemoryAuditStore())
    with pytest.raises(ValidationError, match="when"):
        crew_call_offs.handler(
            {**load_event("crew_call_offs"), "detail": {"when": "x"}}, FakeLambdaContext(), dependencies=deps
        )


@pytest.mark.parametrize("module", ["functions.crew_call_offs.handler", "plexlabor.webapp.app"])
def test_the_call_off_detector_and_the_crew_board_load_no_numeric_stack(module: str) -> None:
    """crew_call_offs and the web app (which sends `plan_changed`) import crew modules, never NumPy or SciPy."""
    root = Path(__file__).resolve().parents[3]
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": f"{root}{os.pathsep}{root / 'layers' / 'core'}"}
    code = f"import sys, {module}\nprint(sorted(m for m in ('numpy', 'scipy') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["[]"]


def _copy(store: InMemoryAuditStore) -> InMemoryAuditStore:
    """Another table holding the same events."""
    copy = InMemoryAuditStore()
    for status in AuditStatus:
        for event in store.by_status(status, SINCE, 100_000):
            copy.append(event)
    return copy


class _Recording:
    """What a store was asked to append."""

    def __init__(self, store: InMemoryAuditStore) -> None:
        self.tried: list[AuditEvent] = []
        append = store.append

        def append_noting(event: AuditEvent) -> None:
            self.tried.append(event)
            append(event)

        store.append = append_noting  # type: ignore[method-assign]

    def decisions(self) -> list[tuple[Any, ...]]:
        return [
            (e.event_id, e.status, e.employee_id, e.finding_id, e.payload.get("segment"), e.payload.get("note"))
            for e in self.tried
        ]


def test_a_refresh_publishes_nothing_and_leaves_the_next_call_off_nothing_to_read(
    planned: tuple[LaborSource, InMemoryAuditStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    source, store = planned
    clock = [SHIFT_START - timedelta(minutes=30)]
    deps = wiring.ReplanDependencies(source=source, store=store, time_limit_s=20, clock=lambda: clock[0])
    recording = _Recording(store)
    refresh = ReplanMessage(reason="refresh", day=DAY, shift="1", detected_at=clock[0])
    # Given a cold container, when the schedule's refresh comes
    assert crew_replan.handler(_sqs(refresh), FakeLambdaContext(), dependencies=deps) == {"batchItemFailures": []}
    # Then nothing is written, and the shift is kept compiled
    assert recording.tried == []
    kept = deps.problems[(DAY, "1")]
    assert kept.compiled is not None and kept.read_at == clock[0]
    # a refresh two minutes later finds everything fresh: no read of the shift, the suggestions caught up
    clock[0] += timedelta(minutes=2)
    again = run(deps, refresh)
    assert (again["data_read"], again["suggestions_read"]) == (False, "caught up") and recording.tried == []
    # When a call-off comes four minutes after that (the next refresh is not there yet)
    nightly = _crew_events(store, "crew_planner")
    caller = sorted(e.employee_id or "" for e in nightly)[len(nightly) // 2]
    reads = _reads(store, monkeypatch)
    clock[0] += timedelta(minutes=4)
    summary = run(deps, ReplanMessage(reason="call_off", day=DAY, shift="1", employee_id=caller, detected_at=clock[0]))
    # Then it re-plans the kept problem and only catches up on the suggestions
    assert summary["data_read"] is False and summary["superseded"] >= 1
    assert reads and all(since is not None and since > SINCE for since in reads)


def test_a_call_off_decides_the_same_with_or_without_a_refresh_before_it(
    planned: tuple[LaborSource, InMemoryAuditStore],
) -> None:
    """A refresh changes no plan: the same call-offs give the same suggestions and closings, whether the container
    was refreshed before them (cold, or after an earlier call-off, reading the shift again) or not."""
    source, store = planned
    nightly = sorted({e.employee_id or "" for e in _crew_events(store, "crew_planner")})
    first, second = nightly[len(nightly) // 3], nightly[2 * len(nightly) // 3]
    start = SHIFT_START + timedelta(minutes=15)

    kept_leave: dict[str, str | None] = {}

    def call_offs(refreshed: bool) -> tuple[list[tuple[Any, ...]], list[dict[str, Any]]]:
        table = _copy(store)
        clock = [start - timedelta(minutes=3)]
        deps = wiring.ReplanDependencies(source=source, store=table, time_limit_s=20, clock=lambda: clock[0])
        recording = _Recording(table)
        summaries = []
        for caller, refresh_before in ((first, 3), (second, 1)):  # the second 5 minutes after the first
            if refreshed:
                summaries.append(run(deps, ReplanMessage(reason="refresh", day=DAY, shift="1", detected_at=clock[0])))
                problem = deps.problems[(DAY, "1")].problem
                kept_leave.update({op.employee_id: op.leave for op in problem.operators if op.employee_id == first})
            clock[0] += timedelta(minutes=refresh_before)
            message = ReplanMessage(reason="call_off", day=DAY, shift="1", employee_id=caller, detected_at=clock[0])
            summaries.append(run(deps, message))
            clock[0] += timedelta(minutes=4)
        return recording.decisions(), summaries

    without, plain = call_offs(refreshed=False)
    with_refresh, refreshed = call_offs(refreshed=True)

    assert with_refresh == without and len(without) >= 2
    # the refreshes did the reading: the cold one, and the second, 4 minutes after the first call-off's read
    # (stale within REFRESH_LEAD), read the shift again with the first call-off applied again
    assert [s["data_read"] for s in plain] == [True, False]
    assert [(s["reason"], s["data_read"]) for s in refreshed] == [
        ("refresh", True),
        ("call_off", False),
        ("refresh", True),
        ("call_off", False),
    ]
    assert refreshed[2]["events_applied"] == 1 and refreshed[2]["suggestions_read"] == "whole"
    assert kept_leave == {first: "call_off"}  # read again, the first caller is still off the shift
    assert [s["people_moved"] for s in refreshed[1::2]] == [s["people_moved"] for s in plain]


def test_a_new_container_applies_again_the_call_offs_the_audit_table_records(
    planned: tuple[LaborSource, InMemoryAuditStore],
) -> None:
    """A container that did not re-plan the shift before (new, or after a restart) finds the earlier call-offs in
    the closings of the suggestions they superseded, applies them again, and decides as the warm container."""
    source, store = planned
    nightly = sorted({e.employee_id or "" for e in _crew_events(store, "crew_planner")})
    first, second = nightly[len(nightly) // 3], nightly[2 * len(nightly) // 3]
    now = SHIFT_START + timedelta(minutes=15)
    warm = wiring.ReplanDependencies(source=source, store=store, time_limit_s=20, clock=lambda: now)
    run(warm, ReplanMessage(reason="call_off", day=DAY, shift="1", employee_id=first, detected_at=now))
    table = _copy(store)
    new = wiring.ReplanDependencies(source=source, store=table, time_limit_s=20, clock=lambda: now)
    decided = []
    for deps, recorded in ((warm, _Recording(store)), (new, _Recording(table))):
        message = ReplanMessage(reason="call_off", day=DAY, shift="1", employee_id=second, detected_at=now)
        summary = run(deps, message)
        decided.append((recorded.decisions(), summary["people_moved"], summary["data_read"]))
    assert decided[1][:2] == decided[0][:2] and len(decided[0][0]) >= 2
    assert (decided[0][2], decided[1][2]) == (False, True)  # the warm one kept the shift, the new one read it
    events = new.problems[(DAY, "1")].events
    assert [(e.reason, e.employee_id) for e in events] == [("call_off", first), ("call_off", second)]


def test_a_call_off_recorded_on_the_board_is_re_planned_and_recorded_with_who_took_it(
    planned: tuple[LaborSource, InMemoryAuditStore],
) -> None:
    """ux119 #13: the board's call-off is crew_call_offs' message with who took it and why; crew_replan re-plans it
    as any call-off and records both (the board lists it), and a new container reads it back as the same event."""
    source, store = planned
    caller = sorted({e.employee_id or "" for e in _crew_events(store, "crew_planner")})[0]
    now = SHIFT_START - timedelta(minutes=20)
    message = ReplanMessage(
        reason="call_off",
        day=DAY,
        shift="1",
        employee_id=caller,
        detected_at=now,
        reported_by="E00002",
        call_off_reason="sick",
    )
    warm = wiring.ReplanDependencies(source=source, store=store, time_limit_s=20, clock=lambda: now)
    assert run(warm, message)["superseded"] >= 1
    [applied] = store.by_status(AuditStatus.APPLIED, SINCE, 100)
    assert applied.payload["replan_reported_by"] == "E00002" and applied.payload["replan_call_off_reason"] == "sick"
    assert recorded_events(read_day(store, DAY), DAY, "1") == [message]  # a container reading it back applies it once
    # a detected call-off's applied event keeps the id it had before the board's fields (and call_off_nearby's) existed
    detected = message.model_copy(update={"reported_by": None, "call_off_reason": None})
    added = {"reported_by", "call_off_reason", "departments", "off_day", "off_shift"}
    before = detected.model_dump_json(by_alias=True, exclude=added)
    assert applied_event(detected, now).event_id == stable_event_id(before, "replan")
    with pytest.raises(ValidationError, match="takes no reported_by"):
        ReplanMessage(reason="refresh", day=DAY, shift="1", detected_at=now, reported_by="E00002")


def test_the_plants_consecutive_days_setting_reaches_planner_and_re_plan(
    labelled_plant: PlantFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`CREW_MAX_CONSECUTIVE_DAYS` (default 6): the rule crew_planner and crew_replan plan with (ux119 #22)."""
    monkeypatch.setenv("PLEXLABOR_PLANT_DIR", str(labelled_plant.path))
    monkeypatch.setenv("AUDIT_TABLE_NAME", "audit")
    assert wiring.build(wiring.CrewPlannerSettings.from_env()).policy.max_consecutive_days == 6
    monkeypatch.setenv("CREW_MAX_CONSECUTIVE_DAYS", "5")
    planner = wiring.build(wiring.CrewPlannerSettings.from_env())
    replanner = wiring.build_replan(wiring.CrewReplanSettings.from_env())
    assert planner.policy.max_consecutive_days == replanner.policy.max_consecutive_days == 5
    monkeypatch.setenv("CREW_MAX_CONSECUTIVE_DAYS", "0")
    with pytest.raises(
        ConfigurationError, match="CREW_MAX_CONSECUTIVE_DAYS: Input should be greater than or equal to 1"
    ):
        wiring.CrewPlannerSettings.from_env()
    # the re-plan's read of the shift plans with it
    source = LaborSource(PlantFolderSource(labelled_plant.path), "America/Detroit")
    now = SHIFT_START - timedelta(minutes=20)
    deps = wiring.ReplanDependencies(
        source=source, store=InMemoryAuditStore(), clock=lambda: now, policy=replanner.policy
    )
    run(deps, ReplanMessage(reason="refresh", day=DAY, shift="1", detected_at=now))
    assert deps.problems[(DAY, "1")].problem.policy.max_consecutive_days == 5


def test_call_offs_refresh_setting(labelled_plant: PlantFolder, monkeypatch: pytest.MonkeyPatch) -> None:
    """`CREW_REFRESH_AHEAD_MINUTES`: how far ahead shifts are refreshed (default 60); 0 sends no refresh."""
    monkeypatch.setenv("PLEXLABOR_PLANT_DIR", str(labelled_plant.path))
    monkeypatch.setenv("REPLAN_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/replan")
    monkeypatch.setenv("AUDIT_TABLE_NAME", "plexlabor-audit")
    assert wiring.build_call_offs(wiring.CrewCallOffSettings.from_env()).refresh_ahead == timedelta(minutes=60)
    monkeypatch.setenv("CREW_REFRESH_AHEAD_MINUTES", "0")
    off = wiring.build_call_offs(wiring.CrewCallOffSettings.from_env())
    assert off.refresh_ahead is None
    sender = RecordingSender()
    deps = wiring.CallOffDependencies(
        source=off.source, sender=sender, store=InMemoryAuditStore(), refresh_ahead=off.refresh_ahead
    )
    event = {**load_event("crew_call_offs"), "time": (SHIFT_START - timedelta(minutes=30)).isoformat()}
    assert crew_call_offs.handler(event, FakeLambdaContext(), dependencies=deps)["refreshed"] == []
    assert sender.sent == []
    # on (here 45 minutes), the shift starting in 30 minutes and the night shift still running are refreshed
    monkeypatch.setenv("CREW_REFRESH_AHEAD_MINUTES", "45")
    deps.refresh_ahead = wiring.build_call_offs(wiring.CrewCallOffSettings.from_env()).refresh_ahead
    crew_call_offs.handler(event, FakeLambdaContext(), dependencies=deps)
    assert [(m.reason, m.day, m.shift) for m in sender.sent] == [
        ("refresh", DAY - timedelta(days=1), "3"),
        ("refresh", DAY, "1"),
    ]


def test_a_refresh_looks_further_ahead_than_the_next_refresh() -> None:
    """A real message between two refreshes finds the shift fresh: the next refresh comes within the schedule's
    period (plus its and the queue's delays), inside what a refresh renews ahead; and a refresh soon after a read
    need not read again."""
    assert timedelta(minutes=CALL_OFF_PERIOD_MINUTES) + timedelta(minutes=1) < REFRESH_LEAD < KEPT_FOR


def test_a_call_off_of_someone_without_a_seat_on_the_shift_changes_nothing_and_keeps_them_out(
    planned: tuple[LaborSource, InMemoryAuditStore],
) -> None:
    """ux141 #2: the board sends a call-off for the rest of the day to each later shift, where the person may have no
    seat: the re-plan moves nobody, supersedes nothing, and records the call-off (later re-plans of the shift apply
    it again, so the person is not suggested there)."""
    source, store = planned
    seated = {e.employee_id for e in _crew_events(store, "crew_planner")}
    operators = [str(e.id) for e in source.port.employees() if str(e.id) not in seated]
    now = SHIFT_START - timedelta(minutes=20)
    message = ReplanMessage(
        reason="call_off", day=DAY, shift="1", employee_id=operators[0], detected_at=now, call_off_reason="sick"
    )
    deps = wiring.ReplanDependencies(source=source, store=store, time_limit_s=20, clock=lambda: now)

    summary = run(deps, message)

    assert summary["superseded"] == 0 and summary["people_moved"] == 0
    assert recorded_events(DayReader(store, applied=True).read(DAY, now), DAY, "1") == [message]
