"""`plexlabor local up`: the Plex simulator and the local runtime, until Ctrl-C.

Prints the URLs (local API gateway, moto, simulator, the web app and its dev login page), the tables,
the local users, the webhook secret to sign punches with and how to fire the schedules (on its own plant, which
ends like `make demo`'s, the weekday ahead to plan crews for; crew_planner's `CREW_APPROVAL` is `--crew-approval`),
writes the same names to a state file (`plexlabor_dev.local.state`: what `--local` reads), then keeps everything
running.
The console shows one line per handler call; the handlers' own logs and metrics go to a file beside the
state file.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import tempfile
import threading
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from infra.constants import DEFAULT_APPROVAL_WAIT_SECONDS, SecretName
from plexlabor.validation.policy import policy_json
from plexlabor.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER
from plexlabor_dev.commands import plant_flag
from plexlabor_dev.commands.validation import policy_flag
from plexlabor_dev.demo import crew_day, demo_spec
from plexlabor_dev.local.invoker import Invocation
from plexlabor_dev.local.signin import describe_users
from plexlabor_dev.local.stack import LocalStack
from plexlabor_dev.local.state import describe_runtime, remove_state, state_path, write_state
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant

HANDLER_LOG = "local-handlers.log"
"""Beside the state file: the handlers' own output while `local up` runs (the console gets one line a call)."""


def describe_invocation(call: Invocation) -> str:
    """One line a person reads per handler call: when, which function, what woke it, how it went."""
    what = f"{call.records} record(s)" + (f", {call.failed_records} failed" if call.failed_records else "")
    outcome = f"error: {call.error}" if call.error else "ok"
    return (
        f"{time.strftime('%H:%M:%S', time.localtime(call.started))} {call.function:<18} {call.trigger:<8} "
        + (f"{what:<22} " if call.records else f"{'':<22} ")
        + f"{call.seconds:6.2f} s  {outcome}"
    )


def print_invocation(call: Invocation) -> None:
    print(describe_invocation(call), flush=True)


def local_plant(today: date) -> PlantSpec:
    """The plant `local up` serves without `--plant`: `make demo`'s (its default size), whose history ends on the
    last Friday before `today` and whose schedules and jobs run past `crew_day(today)`, so crews can be decided."""
    return demo_spec(employees=20, weeks=4, seed=7, today=today)


def describe_wait(seconds: int) -> str:
    """`28800` as `8 h`, `300` as `5 min`, `90` as `90 s`."""
    for unit, size in (("h", 3600), ("min", 60)):
        if seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def up_command(args: argparse.Namespace) -> int:
    today = datetime.now(ZoneInfo(PlantSpec.timezone)).date()
    # a deployment's default (8 h): a demo's findings stay in the queue while someone reads the other pages
    wait_s = args.approval_wait or DEFAULT_APPROVAL_WAIT_SECONDS
    policy = policy_json(policy_flag(args.policy)) if args.policy else None  # read before a plant is generated
    with contextlib.ExitStack() as stack:
        if args.plant:
            plant = plant_flag(args.plant).path
        else:
            plant = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="plexlabor-local-"))) / "plant"
            spec = local_plant(today)
            meta = generate_plant(spec, plant)
            print(
                f"Generated plant '{meta.name}' in {plant} (deleted on exit): history up to {spec.end_date}, "
                f"schedules and jobs {spec.future_days} days past it"
            )
        log_path = state_path().with_name(HANDLER_LOG)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        handler_log = stack.enter_context(log_path.open("w", encoding="utf-8"))
        local = stack.enter_context(
            LocalStack(
                plant,
                approval_wait_s=wait_s,
                plex_port=args.plex_port,
                api_port=args.api_port,
                moto_port=args.moto_port,
                log_level="INFO",
                handler_output=handler_log,
                on_invocation=print_invocation,
                function_environment={"crew_planner": {"CREW_APPROVAL": args.crew_approval}},
                validation_policy=policy,
            )
        )
        runtime = local.runtime
        urls = local.urls()
        print(f"Local API gateway  {urls['api']}  (POST /punches, GET /punches/openapi.json, /approvals/{{token}})")
        print(f"moto (AWS)         {urls['moto']}  (AWS_ENDPOINT_URL for the aws CLI or boto3; any credentials)")
        print(f"Plex simulator     {urls['plex']}  (X-Plex-Connect-Api-Key: {local.simulator.state.api_key})")
        print(f"Functions          {', '.join(sorted(runtime.functions))}")
        state = describe_runtime(runtime, urls["plex"])
        print("Tables             " + ", ".join(f"{kind} {name}" for kind, name in state.tables.items()))
        if runtime.skipped:
            print(f"  (no handler yet: {', '.join(runtime.skipped)})")
        print(
            f"Webhook secret     {runtime.secret_value(SecretName.WEBHOOK_HMAC)}\n"
            f"  sign as {SIGNATURE_HEADER}: sha256=HMAC(secret, '<unix time>.' + body), {TIMESTAMP_HEADER}: <unix time>"
            " (plexlabor_dev.simulator.webhook_sender.WebhookSender does it)"
        )
        api = urls["api"]
        print(f"Approval e-mails   captured by moto's SES: curl {api}/_local/emails  (links to open in a browser)")
        print(
            f"Approval waits     {describe_wait(wait_s)} per stage, then escalation, then expiry"
            + ("" if args.approval_wait else " (--approval-wait 300 shows an escalation within minutes)")
        )
        if runtime.user_pool is not None:
            print(f"Web app            {runtime.app_url}  (sign in first: {runtime.login_url}, local only)")
            print(f"  users (moto's Cognito user pool), password {runtime.user_pool.password}:")
            for line in describe_users(runtime.user_pool.users):
                print(f"    {line}")
        last_day = runtime.default_detail("punch_poller")
        print(
            f"Schedules          moto never fires them; fire one: curl -X POST {api}/_local/schedules/punch_poller"
            """ [-d '{"since": "<ISO time>", "until": "<ISO time>"}']"""
            f"\n  without -d the poller reads the plant's last day ({last_day['since']} to {last_day['until']})"
            " and the others run as of its end"
        )
        if not args.plant:
            day = crew_day(today).isoformat()
            print(
                f"Crews              plan a day ahead: curl -X POST {api}/_local/schedules/crew_planner"
                f""" -d '{{"date": "{day}"}}'"""
                f"\n  (the next weekday: its shifts are ahead) then, as planner, {api}/crew?day={day}:"
                f" accept seats and record call-offs (CREW_APPROVAL={args.crew_approval})"
            )
        print(f"Handler logs       {log_path}  (their JSON logs and metrics; here, one line per call)")
        path = write_state(state, state_path())
        stack.callback(remove_state, path)
        print(f"State file         {path}  (`plexlabor writeback revert FINDING --local` reads it)")
        print("Ctrl-C to stop.", flush=True)
        _wait_for_interrupt()
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C while stopping: no traceback, same end
        print("\nStopping.", flush=True)
    return 0


def _wait_for_interrupt() -> None:
    stop = threading.Event()
    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
