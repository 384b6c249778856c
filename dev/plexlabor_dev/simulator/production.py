"""Production and machine events: parts and routings, jobs and their queues, labor entries, scrap,
downtime, operator sessions and machine runs.

An operator logged in at a workcenter works the job operation at the head of its queue; a labor entry
ends when that operation's last piece is made or when the stretch of work ends. Labor-entry anomalies
(`anomalies.LABOR_ENTRY_INJECTORS`) and unattended runs are drawn here, at their place in the stream.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

from plexlabor.platform.clock import merge_spans
from plexlabor_dev.simulator import catalog, operators
from plexlabor_dev.simulator.anomalies import (
    JOB_CODE_MISMATCH,
    LABOR_ENTRY_INJECTORS,
    LABOR_OUTSIDE_OPERATION,
    UNATTENDED_RUNS,
    LaborDraft,
    LaborEntryInjector,
    uncertified_operator,
)
from plexlabor_dev.simulator.context import HOUR, MINUTE, Sim
from plexlabor_dev.simulator.records import workcenter_event
from plexlabor_dev.simulator.world import OpState, Person

MAX_ENTRIES_PER_STRETCH = 50


# ---- parts and routings -------------------------------------------------------------------------
def build_parts(sim: Sim) -> None:
    """Two parts per workcenter, each routed through 1–3 direct departments with approved workcenters."""
    world = sim.world
    direct_depts = [d for d in catalog.ROUTING_ORDER if world.wc_by_dept.get(d)]
    for p in range(max(4, 2 * len(world.workcenters))):
        _route_part(sim, p, direct_depts)
    for wc in world.workcenters.values():
        if not wc.approved:  # every workcenter runs at least one part operation
            part_id = sim.rng.choice(list(world.routing))
            op_code = world.routing[part_id][0][0]
            wc.approved.append((part_id, op_code))
            world.approved_at[(part_id, op_code)].append(wc.id)
            _emit_approval(sim, part_id, op_code, wc.id, wc.dept, world.part_rate[(part_id, op_code)], 0.5)


def _route_part(sim: Sim, p: int, direct_depts: list[str]) -> None:
    rng, world = sim.rng, sim.world
    part_id = sim.uuid()
    world.part_family[part_id] = catalog.PART_FAMILIES[p % len(catalog.PART_FAMILIES)]
    steps = sorted(rng.sample(direct_depts, k=min(len(direct_depts), rng.randint(1, 3))), key=direct_depts.index)
    world.routing[part_id] = []
    for s, dept_code in enumerate(steps):
        op_code = str((s + 1) * 10)
        dept = next(d for d in catalog.DEPARTMENTS if d.code == dept_code)
        candidates = world.wc_by_dept[dept_code]
        approved = rng.sample(candidates, k=min(len(candidates), rng.randint(1, 3)))
        rate = round(rng.uniform(*dept.rate_range), 1)
        world.routing[part_id].append((op_code, dept_code))
        world.approved_at[(part_id, op_code)] = approved
        world.part_rate[(part_id, op_code)] = rate
        for wc_id in approved:
            world.workcenters[wc_id].approved.append((part_id, op_code))
            _emit_approval(sim, part_id, op_code, wc_id, dept, rate, round(rng.uniform(0.25, 1.5), 2))


def _emit_approval(
    sim: Sim, part_id: str, op_code: str, wc_id: str, dept: catalog.Department, rate: float, setup_hours: float
) -> None:
    sim.emit(
        "approved-workcenters",
        {
            "partId": part_id,
            "operationCode": op_code,
            "workcenterId": wc_id,
            "crewSize": float(dept.crew_size),
            "standardProductionRate": rate,
            "setupHours": setup_hours,
        },
    )


# ---- jobs ---------------------------------------------------------------------------------------
def new_job(sim: Sim, wc_id: str, when: float, scheduled: bool = False) -> OpState:
    """Create a job for a part operation approved at `wc_id`; queue its other operations."""
    rng, world = sim.rng, sim.world
    part_id, op_code = rng.choice(world.workcenters[wc_id].approved)
    rate = world.part_rate[(part_id, op_code)]
    run_hours = rng.uniform(6, 40) if not scheduled else rng.uniform(4, 9)
    quantity = float(max(1, round(rate * run_hours)))
    job_id = sim.uuid()
    world.jobs[job_id] = {  # written at the end, with its status as its operations left it (`emit_jobs`)
        "id": job_id,
        "jobNo": f"J{len(world.jobs) + 100001}",
        "partId": part_id,
        "partFamily": world.part_family[part_id],
        "quantity": quantity,
        "status": "Scheduled" if scheduled else "InProcess",
        "dueDate": sim.iso(when + 10 * 24 * HOUR),
    }
    chosen: OpState | None = None
    for step, (code, _) in enumerate(world.routing[part_id]):
        target = wc_id if code == op_code else world.approved_at[(part_id, code)][0]
        state = _emit_operation(sim, job_id, part_id, step, code, target, quantity, when)
        world.recent_ops.append(state)
        if code == op_code:
            chosen = state
        elif not scheduled:
            world.queues[target].append(state)
    assert chosen is not None
    return chosen


def _emit_operation(
    sim: Sim, job_id: str, part_id: str, step: int, code: str, target: str, quantity: float, when: float
) -> OpState:
    op_rate = sim.world.part_rate[(part_id, code)]
    op_crew = sim.world.workcenters[target].dept.crew_size
    op_id = sim.uuid()
    std = round(quantity / op_rate * op_crew + 0.5, 2)
    row = {
        "id": op_id,
        "jobId": job_id,
        "partId": part_id,
        "operationNo": (step + 1) * 10,
        "operationCode": code,
        "workcenterId": target,
        "quantity": quantity,
        "standardHours": std,
        "scheduledStart": sim.iso(when + step * 24 * HOUR),
        "scheduledEnd": sim.iso(when + step * 24 * HOUR + std / op_crew * HOUR),
        "status": "Scheduled",
    }
    state = OpState(op_id, job_id, part_id, code, target, quantity, op_rate)
    sim.world.operations[op_id] = (row, state)  # written at the end, with its actual times (`emit_operations`)
    return state


def emit_operations(sim: Sim) -> None:
    """Every job operation, in the order made, with what Plex records of its run: the actual start (the first
    piece, 2-20 min after the first labor on it began: setup) and, once its last piece is made, the actual end
    (0-10 min before the last labor on it ended: the operator clears the machine) and its status. The times
    are drawn from a stream of their own (`Sim.operations_rng`)."""
    rng = sim.operations_rng
    for row, state in sim.world.operations.values():
        if state.first_start is not None:
            start = state.first_start + rng.uniform(2, 20) * MINUTE
            row["status"], row["actualStart"] = "InProcess", sim.iso(start)
            if state.remaining <= 0 and state.last_end is not None:
                end = max(start, state.last_end - rng.uniform(0, 10) * MINUTE)
                row["status"], row["actualEnd"] = "Complete", sim.iso(end)
        sim.emit("job-operations", row)


def emit_jobs(sim: Sim) -> None:
    """Every job, in the order made, with its status as Plex derives it from its operations (after
    `emit_operations`): `Complete` once all are complete, `InProcess` once any has started, else as
    released (`Scheduled`, or `InProcess` for a job made for work at hand that nothing worked yet)."""
    statuses: dict[str, list[str]] = {}
    for row, _ in sim.world.operations.values():
        statuses.setdefault(row["jobId"], []).append(row["status"])
    for job_id, row in sim.world.jobs.items():
        operations = statuses.get(job_id, [])
        if operations and all(status == "Complete" for status in operations):
            row["status"] = "Complete"
        elif any(status != "Scheduled" for status in operations):
            row["status"] = "InProcess"
        sim.emit("jobs", row)


def current_op(sim: Sim, wc_id: str, when: float) -> OpState:
    """The operation at the head of the workcenter's queue; work from a sibling, or a new job."""
    queue = sim.world.queues[wc_id]
    while queue and queue[0].remaining <= 0:
        queue.popleft()
    if queue:
        return queue[0]
    # Alternate routing: pick up work queued at a sibling workcenter approved for the same operation.
    if sim.rng.random() < 0.3:
        borrowed = _borrow_from_sibling(sim, wc_id)
        if borrowed is not None:
            queue.append(borrowed)
            return borrowed
    state = new_job(sim, wc_id, when)
    queue.append(state)
    return state


def _borrow_from_sibling(sim: Sim, wc_id: str) -> OpState | None:
    world = sim.world
    for part_id, op_code in world.workcenters[wc_id].approved:
        for sibling in world.approved_at[(part_id, op_code)]:
            waiting = [
                op
                for op in world.queues[sibling]
                if op.remaining > 0 and (op.part_id, op.operation_code) == (part_id, op_code)
            ]
            if sibling != wc_id and waiting:
                world.queues[sibling].remove(waiting[0])
                return waiting[0]
    return None


def schedule_future_jobs(sim: Sim) -> None:
    """Scheduled job operations for the days after the history, for planning and forecasts."""
    staffed: dict[str, set[str]] = {}
    for person in sim.world.hourly:
        if person.home_wc:
            staffed.setdefault(person.home_wc, set()).add(person.shift.code)
    for offset in range(1, sim.spec.future_days + 1):
        day = sim.spec.end_date + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for wc_id, shifts in staffed.items():
            for shift in catalog.SHIFTS:
                if shift.code in shifts:
                    new_job(sim, wc_id, sim.shift_window(day, shift)[0], scheduled=True)


# ---- work at the workcenter ---------------------------------------------------------------------
def work_segment(sim: Sim, person: Person, wc_id: str, login: float, logout: float) -> None:
    """An operator session: login and logout events, the machine running, labor entries."""
    rng, world = sim.rng, sim.world
    workcenter_event(sim, wc_id, "OperatorLogin", login, person.id)
    workcenter_event(sim, wc_id, "OperatorLogout", logout, person.id)
    world.sessions[wc_id].append((login, logout))
    run_start = login + rng.uniform(1, 4) * MINUTE
    run_stop = logout - rng.uniform(0, 2) * MINUTE
    if run_stop > run_start:
        world.run_intervals[wc_id].append((run_start, min(run_stop, sim.as_of)))
    cuts = [login, logout]
    if logout - login > 2 * HOUR and rng.random() < 0.35:
        cuts.insert(1, login + (logout - login) * rng.uniform(0.3, 0.7))
    for a, b in itertools.pairwise(cuts):
        t = a
        for _ in range(MAX_ENTRIES_PER_STRETCH):  # an operator finishes an operation and starts the next
            if t >= min(b, sim.as_of) - MINUTE:
                break
            t = labor_entry(sim, person, wc_id, current_op(sim, wc_id, t), t, b)


def labor_entry(sim: Sim, person: Person, wc_id: str, op: OpState, start: float, stretch_end: float) -> float:
    """Work `op` from `start` until it is done or the stretch ends; return when the entry ends."""
    rng = sim.rng
    crew = sim.world.workcenters[wc_id].dept.crew_size
    pace = op.rate / crew * person.efficiency * rng.gauss(1, 0.06)  # pieces per hour
    until = min(stretch_end, sim.as_of)
    available = (until - start) / HOUR
    down = min(available * 0.8, rng.uniform(15, 90) / 60) if rng.random() < operators.STOP_CHANCE else 0.0
    productive = available - down
    if 0 < op.remaining <= pace * productive:  # the last piece is made before the stretch ends
        needed = op.remaining / pace
        down *= needed / productive
        end: float | None = start + (needed + down) * HOUR
        produced = float(round(op.remaining))
    else:
        end = stretch_end if stretch_end <= sim.as_of else None  # still running at the extract
        produced = float(max(0, round(pace * productive)))
    closes = end if end is not None else sim.as_of
    if down:
        _emit_downtime(sim, person, wc_id, start, closes, down)
    op.remaining -= produced
    _worked(sim, op, wc_id, start, end)
    draft = LaborDraft(person, wc_id, produced, produced, op)
    injected = _inject(sim, draft, start, end, stretch_end) if end is not None else None
    if end is not None and draft.overrun:
        end = closes = end + draft.overrun
    entry_id = sim.uuid()
    sim.emit(
        "labor-entries",
        {
            "id": entry_id,
            "employeeId": person.id,
            "workcenterId": wc_id,
            "jobId": draft.charged.job_id,
            "jobOperationId": draft.charged.id,
            "startTime": sim.iso(start),
            "endTime": None if end is None else sim.iso(end),
            "quantity": draft.reported,
            "modifiedDate": sim.iso(start if end is None else end),
        },
    )
    if injected:
        injected.label(sim, draft, entry_id)
    uncertified_operator.label_entry(sim, person, wc_id, start, entry_id)
    if draft.reported > 0 and rng.random() < operators.SCRAP_CHANCE:
        _emit_scrap(sim, person, wc_id, draft, start, closes)
    if end is not None and draft.reported > 0:
        operators.audit_entry(sim, person, wc_id, draft.charged.id, start, end)
    return closes


def _worked(sim: Sim, op: OpState, wc_id: str, start: float, end: float | None) -> None:
    """The operation's true run so far; an operation whose last piece this entry made is complete."""
    op.first_start = start if op.first_start is None else min(op.first_start, start)
    if end is not None:
        op.last_end = end if op.last_end is None else max(op.last_end, end)
        if op.remaining <= 0:
            sim.world.completed_ops[wc_id].append(op)


def _inject(sim: Sim, draft: LaborDraft, start: float, end: float, stretch_end: float) -> LaborEntryInjector | None:
    """At most one labor-entry anomaly: the first injector drawn applies (if the entry allows it)."""
    for injector in LABOR_ENTRY_INJECTORS:
        if sim.chance(injector.rate):
            return injector if injector.apply(sim, draft) else None
    if JOB_CODE_MISMATCH.at_hotspot(sim, draft):
        return JOB_CODE_MISMATCH
    return LABOR_OUTSIDE_OPERATION if LABOR_OUTSIDE_OPERATION.apply_at(sim, draft, start, end, stretch_end) else None


def _emit_downtime(sim: Sim, person: Person, wc_id: str, start: float, closes: float, down: float) -> None:
    rng = sim.rng
    down_start = start + rng.uniform(0, max(0.0, (closes - start) / HOUR - down)) * HOUR
    sim.emit(
        "downtime-entries",
        {
            "id": sim.uuid(),
            "workcenterId": wc_id,
            "startTime": sim.iso(down_start),
            "endTime": sim.iso(down_start + down * HOUR),
            "reasonCode": operators.stop_reason(sim, person, rng.choice(catalog.DOWNTIME_REASONS)),
            "employeeId": person.id,
        },
    )


def _emit_scrap(sim: Sim, person: Person, wc_id: str, draft: LaborDraft, start: float, closes: float) -> None:
    rng = sim.rng
    scrap = max(1.0, round(draft.reported * rng.uniform(*operators.SCRAP_FRACTION) * person.scrap_factor))
    sim.emit(
        "scrap-entries",
        {
            "id": sim.uuid(),
            "workcenterId": wc_id,
            "jobOperationId": draft.charged.id,
            "employeeId": person.id,
            "scrapTime": sim.iso(start + (closes - start) * rng.random()),
            "quantity": scrap,
            "reasonCode": rng.choice(catalog.SCRAP_REASONS),
        },
    )


# ---- machine runs -------------------------------------------------------------------------------
def emit_machine_runs(sim: Sim) -> None:
    """Per workcenter: unattended runs (an anomaly), then the runs of the operator sessions, merged."""
    world = sim.world
    for wc_id in world.workcenters:
        UNATTENDED_RUNS.inject(sim, wc_id, sorted(world.sessions[wc_id]))
        for start, stop in merge_spans(world.run_intervals[wc_id]):
            workcenter_event(sim, wc_id, "RunStart", start)
            if stop < sim.as_of:
                workcenter_event(sim, wc_id, "RunStop", stop)
