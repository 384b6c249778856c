"""`make demo`: the product end to end on one machine, on a simulated plant.

1. generate a plant (ground truth included) and serve it with the Plex simulator;
2. read it back through the Plex client and validate it in batch (brief: the yardstick);
3. start the local runtime (moto + local API gateway + SQS pollers, the real handlers);
4. replay the busiest day as signed webhooks: validate -> audit -> approvals -> e-mail digests;
5. a supervisor follows the real links: approves what is wrong, rejects with a reason what is not
   (the generator's labels stand in for their judgement), leaves one open;
   approved corrections are written back to the simulator (custom-object mode);
6. fire one poll (as its schedule would) for another day, with waits of seconds: nobody answers,
   requests escalate to the supervisor's own supervisor, who approves one; the others expire (the waits of
   seconds hold for that poll only: after it punch_validator waits as the runtime was started with);
7. plan the crews of the next working day (`plan_crews`: all its shifts are ahead, so the planner can accept
   and swap seats; the plant ends on the last Friday before today, `demo_end_date`, and has that day's schedules
   and jobs) and assess skills as of today (skills_daily's): their suggestions wait in the review queue, and
   review_sweep mails each supervisor, HR and planning one notice;
8. the operator asks the copilot at the tablet (`copilot_index` first);
9. the nightly jobs behind the other dashboards run once (`NIGHTLY_JOBS`), and the state file `plexlabor local up`
   writes is written (removed at exit), so `--local` commands find the runtime;
10. print a summary, the URL of the approval page left open, and the web app's URL with the dev
   login page and the local users (moto's Cognito user pool: the plant's supervisors, a planner, an
   hr and an admin user, one password), each with how many items their review queue lists (`queue_sizes`).
In a terminal the product then stays up until Ctrl-C to open the pages; not in a terminal (CI, a pipe)
everything stops and is cleaned up at the end; `--keep-up SECONDS` asks for a given time either way.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from plexlabor.plant import PlantFolder
from plexlabor.plex.client import PlexLaborClient
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.source import read_plant_data
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant
from plexlabor_dev.simulator.server import SimulatorServer

if TYPE_CHECKING:
    from plexlabor.review.queue import ReviewQueue
    from plexlabor_dev.local.signin import LocalUser

DEMO_ANOMALY_RATE = 0.1
"""Twice the generator's default, so one replayed day brings a handful of findings to review."""
FIRST_WAIT_S = 120
"""Approval wait while the supervisor works through the day (they answer within seconds)."""
POLL_WAIT_S = 3
"""Approval wait for the polled day: short, so escalation and expiry happen within the demo."""
BATCHING_WINDOW_S = 0.5
"""The demo runs a day in minutes (approval waits of seconds), so its queues batch for half a second, not AWS's
windows (approval_notify's 60 s) that `plexlabor local up` keeps."""
REJECT_REASON = "Checked with the operator and the job record: the entry is right."
UNTIL_CTRL_C = 8 * 3600
"""In a terminal the demo keeps the product up after its summary until Ctrl-C (at most a shift's length;
the approval left open waits as long)."""


FRIDAY = 4
"""`date.weekday()` of the generator's default last day (`DEFAULT_END`, a Friday): the demo's plant ends on one too."""


def demo_end_date(today: date) -> date:
    """The demo plant's last day of history: the last Friday before `today`, so the plant's days ahead
    (`PlantSpec.future_days`, with schedules and jobs) run from there past `crew_day(today)`."""
    return today - timedelta(days=(today.weekday() - FRIDAY) % 7 or 7)


def demo_spec(employees: int, weeks: int, seed: int, today: date) -> PlantSpec:
    """The demo's plant as of `today` (the plant's zone): its history ends on `demo_end_date(today)`."""
    return PlantSpec(
        employees=employees, weeks=weeks, seed=seed, anomaly_rate=DEMO_ANOMALY_RATE, end_date=demo_end_date(today)
    )


def crew_day(today: date) -> date:
    """The day the demo plans crews for: the first weekday after `today` (the plant schedules jobs on weekdays),
    whose shifts have not started, so its seats can be accepted and swapped (an ended seat cannot be)."""
    day = today + timedelta(days=1)
    while day.weekday() > FRIDAY:
        day += timedelta(days=1)
    return day


def _line(label: str, value: object) -> None:
    print(f"  {label:<30} {value}")


def _short(identifier: str | None) -> str:
    return (identifier or "?")[:8]


def keep_up_for(requested: float | None, interactive: bool) -> int:
    """Seconds the runtime stays up after the summary: as asked; else, in a terminal, until Ctrl-C
    (`UNTIL_CTRL_C`); else (CI, a pipe) none."""
    if requested is not None:
        return max(0, int(requested))
    return UNTIL_CTRL_C if interactive else 0


def demo_command(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    keep_up = keep_up_for(args.keep_up, sys.stdin.isatty() and sys.stdout.isatty())
    with _sigterm_as_ctrl_c(), ExitStack() as stack:
        workdir = Path(args.workdir) if args.workdir else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        plant_dir = workdir / "plant"
        truth = _plant_and_batch(args, plant_dir)
        summary = _serverless(stack, workdir, plant_dir, truth, keep_up, persistent=bool(args.workdir))
        _print_summary(summary, time.perf_counter() - started, keep_up)
        if keep_up:
            until = "until Ctrl-C" if keep_up == UNTIL_CTRL_C else f"for {keep_up} s (Ctrl-C to stop earlier)"
            with contextlib.suppress(KeyboardInterrupt):  # from the line saying so, Ctrl-C ends the demo as planned
                print(f"\nThe product stays up {until}: open the pages above.", flush=True)
                stay_up(keep_up)
    print("Everything stopped and cleaned up.")
    return 0


@contextlib.contextmanager
def _sigterm_as_ctrl_c() -> Iterator[None]:
    """A plain `kill` (SIGTERM) stops the demo as Ctrl-C does: everything it started is stopped and cleaned up, its
    state file removed (03c90cb1), rather than the process ending at once and leaving the file naming a runtime that
    is gone. Only where a signal handler can be set (the main thread); the previous handler is put back."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def stay_up(seconds: int) -> None:
    """The product stays up after the summary: `seconds`, or until Ctrl-C (or SIGTERM, `_sigterm_as_ctrl_c`), which
    `demo_command` takes as the end of the demo."""
    time.sleep(seconds)


# -- 1-2: plant, simulator, read-back, batch validation (brief) ----------------------------------------
def _plant_and_batch(args: argparse.Namespace, plant_dir: Path) -> set[tuple[str, str]]:
    clock = time.perf_counter()
    spec = demo_spec(args.employees, args.weeks, args.seed, datetime.now(ZoneInfo(PlantSpec.timezone)).date())
    meta = generate_plant(spec, plant_dir)
    punches = meta.counts.get("time-clock-entries", 0) + meta.counts.get("labor-entries", 0)
    print(
        f"1. Plant '{meta.name}' generated in {time.perf_counter() - clock:.1f} s: {args.employees} employees, "
        f"{args.weeks} weeks, {punches:,} punches, {sum(meta.anomaly_counts.values())} injected anomalies"
    )
    with SimulatorServer(plant_dir, rate_limit=0) as sim:
        clock = time.perf_counter()
        client = PlexLaborClient(sim.settings(rate_limit_per_minute=0))
        data = read_plant_data(client, meta.start, meta.end, meta.timezone)
        records = sum(map(len, data.punches.values())) + sum(map(len, data.labor.values()))
        print(
            f"2. Plex simulator at {sim.base_url}; read back through the Plex client: {records:,} punches "
            f"and {len(data.employees)} employees in {time.perf_counter() - clock:.1f} s ({len(sim.requests())} calls)"
        )
        clock = time.perf_counter()
        findings = ValidationEngine().batch(data)
    truth = {(label.record_key, label.anomaly_type.value) for label in PlantFolder(plant_dir).labels()}
    review = [f for f in findings if f.route == "review"]
    hits = sum((f.record_key, f.anomaly_type.value) in truth for f in review)
    print(
        f"   Batch validation of the whole history: {len(findings)} findings in "
        f"{time.perf_counter() - clock:.1f} s, {len(review)} for review, {hits} of them match an injected anomaly"
    )
    return truth


# -- 3-6: the serverless chain on the local runtime ------------------------------------------------------
def _serverless(
    stack: ExitStack, workdir: Path, plant_dir: Path, truth: set[tuple[str, str]], keep_up: int, *, persistent: bool
) -> dict[str, Any]:
    from plexlabor_dev.local.scenario import Supervisor, busiest_days, day_replay, latest_links
    from plexlabor_dev.local.stack import LocalStack

    log_path = workdir / "handlers.log"
    log = stack.enter_context(log_path.open("w", encoding="utf-8"))
    clock = time.perf_counter()
    local = stack.enter_context(
        LocalStack(
            plant_dir,
            approval_wait_s=FIRST_WAIT_S + keep_up,
            max_batching_window_s=BATCHING_WINDOW_S,
            handler_output=log,
            log_level="INFO",
        )
    )
    runtime = local.runtime
    urls = local.urls()
    print(
        f"3. Local runtime up in {time.perf_counter() - clock:.1f} s: {len(runtime.functions)} functions, "
        f"API {urls['api']}, moto {urls['moto']}" + (f"\n   handler logs: {log_path}" if persistent else "")
    )
    days = [day for day, _ in busiest_days(plant_dir)]
    view = local.audit()
    summary: dict[str, Any] = {"truth": truth, "view": view, "local": local}

    # 4. a day of punches as signed webhooks
    replay = day_replay(plant_dir, days[0])
    clock = time.perf_counter()
    report = local.send_punches(replay.punches)
    runtime.drain(timeout_s=60)
    first = {event.finding_id: event for event in view.findings()}
    batches = len(runtime.invocations("punch_validator"))
    print(
        f"4. Replayed {replay.day}: {len(replay.punches)} punches as signed webhooks "
        f"({_statuses(report.statuses)}), validated in {batches} SQS batches, {time.perf_counter() - clock:.1f} s"
    )
    pending = [e for e in first.values() if e.status.value == "pending_approval"]
    links = runtime.wait_for(
        lambda: _links_for(local, {str(e.finding_id) for e in pending}, latest_links),
        timeout_s=30,
        what="approval e-mails",
    )
    mails = runtime.sent_emails()
    print(
        f"   {len(first)} findings recorded, {len(pending)} sent for approval; "
        f"{len(mails)} e-mail digest(s) to {', '.join(sorted({a for m in mails for a in m.to}))}"
    )

    # 5. the supervisor decides through the real pages
    person = Supervisor()
    stack.callback(person.close)
    ordered = sorted(pending, key=lambda e: (-float(e.payload.get("confidence", 0)), str(e.finding_id)))
    left_open = ordered[-1] if len(ordered) >= 3 else None
    decide = [e for e in ordered if e is not left_open]
    wrong = {e.finding_id for e in decide if (e.record_key, e.payload.get("anomaly_type")) in truth}
    if decide and len(wrong) == len(decide) and len(decide) >= 2:
        wrong.discard(decide[-1].finding_id)  # the supervisor judges the least confident one differently
    first_link = links[str(decide[0].finding_id)] if decide else None
    print(
        f"5. Supervisor {_short(first_link.supervisor_id if first_link else None)} "
        f"({', '.join(first_link.to) if first_link else '?'}) follows the links in the e-mails:"
    )
    approved: list[str] = []
    rejected: list[str] = []
    for event in decide:
        link = links[str(event.finding_id)]
        if event.finding_id in wrong:
            status = person.approve(link.url).status
            verb, outcome = "approve", approved
        else:
            status = person.reject(link.url, REJECT_REASON).status
            verb, outcome = "reject ", rejected
        if status == 200:
            outcome.append(link.finding_id)
        print(
            f"     {verb} {event.payload.get('anomaly_type', '?'):<22} confidence "
            f"{float(event.payload.get('confidence', 0)):.2f}  -> HTTP {status}"
        )
    if left_open is not None:
        print(f"     (leaves one {left_open.payload.get('anomaly_type')} open for you to look at)")
    runtime.wait_for(
        lambda: all(
            "writeback" in view.event_types(fid) or "writeback_failed" in view.event_types(fid) for fid in approved
        ),
        timeout_s=30,
        what="the write-backs",
    )
    writes = local.simulator.writes()
    print(f"   {len(writes)} correction(s) written back to the simulator ({_write_paths(writes)})")

    # 6. one poll of another day, with waits of seconds: escalation and expiry; afterwards the runtime's own waits
    # again (ux_s17 H2: every finding after the demo escalated and expired within a minute)
    poll_day = days[1]
    zone = ZoneInfo(local.meta.timezone)
    since = datetime.combine(poll_day, clock_time(0), zone)
    with runtime.environment_while({"APPROVAL_WAIT_SECONDS": str(POLL_WAIT_S)}, functions=["punch_validator"]):
        result = runtime.fire(
            "punch_poller", detail={"since": since.isoformat(), "until": (since + timedelta(days=1)).isoformat()}
        )
        runtime.drain(timeout_s=60)
    polled = [e for e in view.findings() if e.finding_id not in first]
    polled_review = [e for e in polled if e.status.value == "pending_approval"]
    print(
        f"6. Poll fired for {poll_day}: {result.get('punches', 0)} punches and {result.get('labor_entries', 0)} "
        f"labor entries enqueued; {len(polled)} findings, {len(polled_review)} for approval; "
        f"waits are {POLL_WAIT_S} s for them and nobody answers the first e-mail"
    )
    escalated_approved = _escalate_and_expire(local, person, [str(e.finding_id) for e in polled_review])

    # 7. a crew plan: suggestions for the planner (and the supervisors routed to) in the review queue
    clock = time.perf_counter()
    plan = plan_crews(runtime, datetime.now(zone).date())
    print(
        f"7. Crew plan for {plan.get('day')} ({plan.get('solver')}, {plan.get('status')}): "
        f"{plan.get('published', 0)} suggestions recorded, {time.perf_counter() - clock:.1f} s; its shifts are "
        f"ahead, so the planner can accept seats and record call-offs on {runtime.api_url}/crew?day={plan.get('day')}"
    )
    # skills as of the demo's today (ux_s17 H3: the replayed day's report was weeks old on /skills)
    skills = runtime.fire("skills_daily", detail={"as_of": datetime.now(zone).date().isoformat()})
    mails_before = len(runtime.sent_emails())
    sweep = runtime.fire("review_sweep")
    print(
        f"   Skills for {skills.get('as_of')}: {skills.get('published', 0)} certification and cross-training "
        f"suggestion(s); review_sweep told people what waits for them: {sweep.get('mails', 0)} e-mails "
        f"({len(runtime.sent_emails()) - mails_before} sent), {sweep.get('notified', 0)} notices"
    )
    _ask_the_copilot(runtime, plant_dir)
    _run_the_nightly_jobs(runtime)
    summary["state_file"] = _write_state(stack, local)
    summary.update(
        punches_webhook=report.sent,
        punches_poll=int(result.get("punches", 0)) + int(result.get("labor_entries", 0)),
        approved=approved + escalated_approved,
        escalated_approved=escalated_approved,
        rejected=rejected,
        left_open=None if left_open is None else links[str(left_open.finding_id)],
        errors=[i for i in runtime.invocations() if i.error],
    )
    return summary


NIGHTLY_JOBS = ("forecast_nightly", "allocation_nightly", "analytics_nightly", "incident_trends")
"""The schedules behind the dashboards the demo points to (/forecasts, /allocation, /analytics, /incidents/trends):
moto never fires them, so the demo runs each once (ux_s17 H3: those pages were empty after the demo)."""


def _run_the_nightly_jobs(runtime: Any) -> None:
    """9: each of `NIGHTLY_JOBS` once, as of the plant's last day (`LocalRuntime.default_detail`: the day that has
    data, as `/_local/schedules/<function>` without a body runs them); a job that fails is said, the demo goes on."""
    clock = time.perf_counter()
    said = []
    for job in NIGHTLY_JOBS:
        try:
            runtime.fire(job, detail=runtime.default_detail(job))
            said.append(job)
        except Exception as error:  # one dashboard left empty is no reason to stop the demo: say which and why
            said.append(f"{job} failed ({type(error).__name__}: {error})")
    print(f"9. Nightly jobs run once for the dashboards: {', '.join(said)}; {time.perf_counter() - clock:.1f} s")


def _write_state(stack: ExitStack, local: Any) -> Path | None:
    """The state file `plexlabor local up` writes, so `--local` commands find the demo's runtime while it stays up
    (ux_s17 M1); removed at exit. None, and left alone, when another running runtime's state file is there."""
    from plexlabor_dev.local.state import describe_runtime, read_state, remove_state, state_path, write_state

    path = state_path()
    with contextlib.suppress(FileNotFoundError, ValueError):  # none, a stale one or a broken one: replaced
        if read_state(path).pid != os.getpid():
            return None
    written = write_state(describe_runtime(local.runtime, local.urls()["plex"]), path)
    stack.callback(remove_state, written)
    return written


def plan_crews(runtime: Any, today: date) -> dict[str, Any]:
    """7: crew_planner for `crew_day(today)`, every suggestion waiting for review (`CREW_APPROVAL=all`, a pilot's
    setting: the default `changes` logs the seats that confirm the supervisor's plan, and on the demo plant's days
    ahead the optimizer keeps that plan, so nothing would wait for Accept); its summary."""
    runtime.set_environment({"CREW_APPROVAL": "all"}, functions=["crew_planner"])
    return dict(runtime.fire("crew_planner", detail={"date": crew_day(today).isoformat()}))


def _ask_the_copilot(runtime: Any, plant_dir: Path) -> None:
    """8: copilot_index builds the index of the plant's SOPs (the runtime uploaded them); the operator signs in
    and asks at the tablet, as the page does (`POST /copilot/ask`): a procedure of the plant's first
    department, with the molding operation and a material lot when the plant molds."""
    import requests

    from plexlabor_dev.local.signin import LOCAL_PASSWORD, LOGIN_PATH
    from plexlabor_dev.simulator.procedures import MOLDING_OPERATION, molds, plant_sops

    plant = PlantFolder(plant_dir)
    sop = next(sop for _, sop in plant_sops(plant) if sop.department)
    question = {"question": sop.question}
    if molds(plant):
        question.update(operation=MOLDING_OPERATION, lot_id="LOT-0001")
    built = runtime.fire("copilot_index")
    with requests.Session() as tablet:
        form = {"username": "operator", "password": LOCAL_PASSWORD, "next": "/copilot"}
        tablet.post(f"{runtime.api_url}{LOGIN_PATH}", data=form, timeout=30).raise_for_status()
        reply = tablet.post(
            f"{runtime.api_url}/copilot/ask", json=question, headers={"Sec-Fetch-Site": "same-origin"}, timeout=60
        )
        reply.raise_for_status()
    answer = reply.json()
    settings = (answer.get("parameters") or {}).get("settings", {})
    print(
        f'8. Copilot: {built.get("procedures", 0)} SOPs indexed; the operator asks "{sop.question}": '
        f'{answer.get("kind")}, "{answer.get("title")}" ({len(answer.get("steps", []))} cited steps)'
        + (f"; settings for lot LOT-0001: {', '.join(f'{k} {v:g}' for k, v in settings.items())}" if settings else "")
    )


def _links_for(local: Any, finding_ids: set[str], latest_links: Any) -> dict[str, Any] | None:
    links = latest_links(local.approval_links())
    return links if finding_ids <= set(links) else None


def _escalate_and_expire(local: Any, person: Any, finding_ids: list[str]) -> list[str]:
    """Wait for the first escalation e-mail; its recipient approves that request at once; the
    others expire. Returns the findings approved (HTTP 200)."""
    runtime, view = local.runtime, local.audit()
    if not finding_ids:
        return []

    def first_escalation() -> tuple[Any] | None:
        """(the newest link of the first escalated request,), (None,) if all expired unescalated."""
        sent: dict[str, list[Any]] = {}
        for link in local.approval_links():
            if link.finding_id in finding_ids:
                sent.setdefault(link.finding_id, []).append(link)
        for links in sent.values():
            if len(links) > 1:  # a second link for the same request: the escalation's
                return (links[-1],)
        if all("expired" in view.event_types(fid) for fid in finding_ids):
            return (None,)
        return None

    (link,) = runtime.wait_for(first_escalation, timeout_s=30, interval_s=0.05, what="an escalation e-mail")
    approved = []
    if link:
        status = person.approve(link.url).status
        if status == 200:
            approved.append(link.finding_id)
        print(
            f"   after {POLL_WAIT_S} s: escalated to {_short(link.supervisor_id)} ({', '.join(link.to)}), "
            f"who approves one at once (HTTP {status}) and lets the other {len(finding_ids) - 1} expire"
        )
    runtime.wait_for(
        lambda: all({"expired", "writeback", "writeback_failed"} & set(view.event_types(fid)) for fid in finding_ids),
        timeout_s=30,
        what="the expiries and write-backs",
    )
    return approved


def _statuses(statuses: dict[str, int]) -> str:
    return ", ".join(f"{count} x HTTP {status}" for status, count in sorted(statuses.items()))


def _write_paths(writes: Iterable[dict[str, Any]]) -> str:
    paths = Counter(f"{w['method']} {w['path']}" for w in writes)
    return "; ".join(f"{path}" + (f" x{n}" if n > 1 else "") for path, n in paths.items()) or "none"


# -- 7: summary -------------------------------------------------------------------------------------------
def _print_summary(summary: dict[str, Any], seconds: float, keep_up: int = 0) -> None:
    from plexlabor.audit.events import AuditEventType

    view, local, truth = summary["view"], summary["local"], summary["truth"]
    findings = view.findings()
    by_type = Counter(str(e.payload.get("anomaly_type")) for e in findings)
    matched = sum((e.record_key, e.payload.get("anomaly_type")) in truth for e in findings)
    events: Counter[str] = Counter()
    for status in (
        "logged",
        "pending_approval",
        "notified",
        "approved",
        "rejected",
        "escalated",
        "expired",
        "written",
        "write_failed",
    ):
        events[status] = len(view.by_status(status))
    expired = [e for e in view.by_status("expired") if e.event_type is AuditEventType.EXPIRED]
    writes = local.simulator.writes()
    print("\nSummary")
    _line("punches in", f"{summary['punches_webhook']} by webhook + {summary['punches_poll']} by one poll")
    _line("findings", f"{len(findings)} ({matched} match an injected anomaly)")
    for anomaly, count in sorted(by_type.items()):
        _line(f"  {anomaly}", count)
    _line(
        "approvals",
        f"{len(summary['approved'])} ({len(summary['escalated_approved'])} by the escalation supervisor)",
    )
    _line("rejections (with a reason)", len(summary["rejected"]))
    _line("escalations", events["escalated"])
    _line("expiries", len(expired))
    _line("e-mails sent (SES, captured)", len(local.runtime.sent_emails()))
    _line("writes recorded by the simulator", f"{len(writes)} ({_write_paths(writes)})")
    _line("audit events", ", ".join(f"{name} {n}" for name, n in events.items() if n))
    if summary["errors"]:
        _line("handler errors", f"{len(summary['errors'])}: {summary['errors'][0].error}")
    link = summary["left_open"]
    if link is not None:
        print(f"\nOpen the approval page left open (it lives as long as the runtime):\n  {link.url}")
    _print_web_app(local.runtime, keep_up)
    state_file = summary.get("state_file")
    if state_file is not None:
        print(f"State file (`--local` commands read it while the demo is up; removed at exit):\n  {state_file}")
    else:
        print("State file: another running `plexlabor local up` has one; `--local` commands talk to that runtime")
    print(f"\nDemo finished in {seconds:.0f} s.")


def queue_sizes(queue: ReviewQueue, users: Sequence[LocalUser]) -> list[int]:
    """How many items each user's review queue lists ("All (N)", `ReviewQueue.view`): what they may see, a workcenter
    shift's short seats as one item (ux_s17 L3: the demo counted each seat, "bhughes1 -> 14" over a queue of 11)."""
    return [len(queue.view(user.viewer()).items) for user in users]


def _print_web_app(runtime: Any, keep_up: int) -> None:
    """The web app's URL, the dev login page and who can sign in, with what each would see."""
    from plexlabor.review.queue import ReviewQueue
    from plexlabor_dev.local.signin import describe_users

    pool = runtime.user_pool
    if pool is None:
        return
    queue = ReviewQueue(runtime.audit_store())
    print(f"\nThe web app (review queue, items, KPIs):\n  {runtime.app_url}")
    print(f"Dashboards, from skills_daily's report (step 7) and the nightly jobs (step 9):\n  {runtime.api_url}/skills")
    for path in ("/certifications", "/forecasts", "/allocation", "/analytics", "/incidents/trends"):
        print(f"  {runtime.api_url}{path}")
    print(f"  (run a job again: curl -X POST {runtime.api_url}/_local/schedules/<function>)")
    print(f"It sends you to sign in first, on the dev login page (the local runtime's only):\n  {runtime.login_url}")
    print(f"Local users (moto's Cognito user pool), password {pool.password}:")
    lines = describe_users(pool.users)
    for line, listed in zip(lines, queue_sizes(queue, pool.users), strict=True):
        print(f"  {line}  -> {listed} in the review queue")
    if not keep_up:
        print("  (not in a terminal, so everything stops now: `.venv/bin/plexlabor demo --keep-up 600` keeps it up)")
