"""No personal data in the handlers' logs (issue 17; DESIGN.md: "Logs mask personal data").

The product's main paths run on the local runtime at the deployed log level (INFO) with every
handler's stdout and stderr (Powertools JSON logs, EMF metric lines, tracebacks) captured in one file:
a day of punches as signed webhooks, the supervisor approving and rejecting through the mailed links
(the rejection with a marker reason, first refused as too long), a poll of another day whose approvals
escalate and expire, crew_planner, skills_daily, forecast_nightly, review_sweep, a planner rejecting a
crew suggestion in the web app (another marker reason) and reporting an incident that names an employee.
Then every line is scanned for the plant's personal data: names, e-mail addresses and user names of
every employee, the typed texts, the punches' coordinates, and every approval link's token and
signature. Employee ids (pseudonymous Plex keys) and employee numbers may be logged (docs/reliability.md,
"Personal data in logs").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from plexlabor.audit import AuditStatus
from plexlabor.plant import PlantFolder
from plexlabor_dev.local.scenario import ApprovalLink, Supervisor, busiest_days, day_replay, latest_links
from plexlabor_dev.local.signin import LOCAL_PASSWORD, LOGIN_PATH
from plexlabor_dev.local.stack import LocalStack

LINK_REASON = "Zq7-LINKREASON-marker the operator's wife phoned in"
WEB_REASON = "Zq7-WEBREASON-marker medical appointment"
INCIDENT_MARKER = "Zq7-NARRATIVE-marker"
WAIT_S = 120
POLL_WAIT_S = 3


@dataclass(frozen=True)
class Scanned:
    lines: list[str]
    names: list[str]
    emails: list[str]
    usernames: list[str]
    tokens: list[str]
    coordinates: list[str]
    functions: set[str]


def _run_main_paths(stack: LocalStack, names: list[str]) -> list[str]:
    """Drive the product as the demo does; the approval tokens it mailed."""
    runtime, view, plant = stack.runtime, stack.audit(), stack.plant_dir
    days = [day for day, _ in busiest_days(plant)]
    stack.send_punches(day_replay(plant, days[0]).punches)
    runtime.drain(timeout_s=60)
    pending = {str(e.finding_id) for e in view.findings(AuditStatus.PENDING_APPROVAL)}
    assert len(pending) >= 2

    def every_link() -> dict[str, ApprovalLink] | None:
        found = latest_links(stack.approval_links())
        return found if pending <= set(found) else None

    links = runtime.wait_for(every_link, timeout_s=30, what="a link for every finding sent for review")
    person = Supervisor()
    try:
        first, second = (links[finding_id] for finding_id in sorted(pending)[:2])
        assert person.approve(first.url).status == 200
        assert person.submit(second.url, "reject", LINK_REASON * 50).status == 400  # too long: refused
        assert person.reject(second.url, LINK_REASON).status == 200
        # a poll of another day with waits of seconds: nobody answers, requests escalate, then expire
        runtime.set_environment({"APPROVAL_WAIT_SECONDS": str(POLL_WAIT_S)}, functions=["punch_validator"])
        since = datetime.combine(days[1], clock_time(0), ZoneInfo(stack.meta.timezone))
        until = since + timedelta(days=1)
        runtime.fire("punch_poller", detail={"since": since.isoformat(), "until": until.isoformat()})
        runtime.drain(timeout_s=60)
        polled = {str(e.finding_id) for e in view.findings(AuditStatus.PENDING_APPROVAL)} - pending
        runtime.wait_for(
            lambda: all({"expired", "writeback", "writeback_failed"} & set(view.event_types(f)) for f in polled),
            timeout_s=60,
            what="the polled approvals to escalate and expire",
        )
    finally:
        person.close()
    runtime.fire("skills_daily", detail={"as_of": days[0].isoformat()})
    runtime.fire("forecast_nightly", detail={"as_of": stack.meta.end.isoformat()})
    runtime.fire("review_sweep")
    # After the sweep: the day planned is past, and the sweep expires the seats of a shift that is over, which
    # the planner then could not reject
    assert runtime.fire("crew_planner", detail={"date": days[0].isoformat()})["published"] > 0
    _reject_in_web_app(stack, names)
    runtime.drain(timeout_s=60)
    return [link.token for link in stack.approval_links()]


def _reject_in_web_app(stack: LocalStack, names: list[str]) -> None:
    """The planner signs in, rejects one crew suggestion with a typed reason (first one too long) and
    reports an incident naming an employee."""
    crew = [e for e in stack.audit().by_status(AuditStatus.PENDING_APPROVAL) if e.actor == "crew_planner"]
    assert crew, "crew_planner left suggestions for review"
    base, item = stack.runtime.api_url, f"{stack.runtime.api_url}/items/{crew[0].finding_id}"
    with requests.Session() as browser:
        login = {"username": "planner", "password": LOCAL_PASSWORD, "next": "/queue"}
        assert browser.post(f"{base}{LOGIN_PATH}", data=login, timeout=30).status_code == 200
        refused = browser.post(item, data={"action": "reject", "reason": WEB_REASON * 50}, timeout=30)
        assert refused.status_code == 400, refused.status_code
        decided = browser.post(item, data={"action": "reject", "reason": WEB_REASON}, timeout=30)
        assert decided.status_code == 200, decided.status_code
        report = {"narrative": f"{INCIDENT_MARKER}: {names[0]} cut a hand on the saw", "kind": "injury"}
        assert browser.post(f"{base}/incidents", json=report, timeout=30).status_code < 300
        assert browser.post(f"{base}/incidents", json={**report, "kind": "fire"}, timeout=30).status_code == 400
    reasons = [e.payload.get("reason") for e in stack.audit().for_finding(str(crew[0].finding_id))]
    assert WEB_REASON in reasons, "the web app recorded the typed reason"


@pytest.fixture(scope="module")
def scanned(e2e_plant: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scanned]:
    path = tmp_path_factory.mktemp("pii-logs") / "handlers.log"
    rows = list(PlantFolder(e2e_plant).iter_raw("employees"))
    names = [f"{row['firstName']} {row['lastName']}" for row in rows]
    with (
        path.open("w", encoding="utf-8") as log,
        LocalStack(e2e_plant, approval_wait_s=WAIT_S, handler_output=log, log_level="INFO") as stack,
    ):
        tokens = _run_main_paths(stack, names)
        functions = {invocation.function for invocation in stack.runtime.invocations()}
        assert LINK_REASON in [e.payload.get("reason") for e in stack.audit().by_status(AuditStatus.REJECTED)]
    yield Scanned(
        lines=path.read_text(encoding="utf-8").splitlines(),
        names=names,
        emails=[str(row["email"]) for row in rows if row.get("email")],
        usernames=[str(row["email"]).split("@", 1)[0] for row in rows if row.get("email")],
        tokens=tokens,
        coordinates=[
            str(entry[key])
            for entry in PlantFolder(e2e_plant).iter_raw("time-clock-entries")
            for key in ("clockinLatitude", "clockinLongitude")
            if entry.get(key) is not None
        ],
        functions=functions,
    )


def _hits(lines: list[str], pattern: re.Pattern[str]) -> list[str]:
    return [line[:300] for line in lines if pattern.search(line)]


def _words(values: list[str]) -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(re.escape(value) for value in sorted(set(values))) + r")\b")


def test_the_main_paths_ran_and_logged(scanned: Scanned) -> None:
    expected = {
        "punch_webhook", "punch_validator", "punch_poller", "approval_notify", "approval_callback",
        "plex_writeback", "crew_planner", "skills_daily", "forecast_nightly", "review_sweep", "web_app", "incident_log",
    }  # fmt: skip
    assert expected <= scanned.functions, sorted(expected - scanned.functions)
    assert len(scanned.lines) > 100 and len(scanned.tokens) >= 3
    # the file holds the handlers' INFO lines about people (by id), not only metrics: the scan sees them
    about_people = [line for line in scanned.lines if '"level":"INFO"' in line and '"employee_id"' in line]
    assert len(about_people) > 50, len(about_people)
    print(
        f"\n{len(scanned.lines)} handler log lines from {len(scanned.functions)} functions scanned "
        f"({len(about_people)} INFO lines naming an employee id; {len(scanned.tokens)} link tokens)"
    )


def test_no_employee_name_in_the_logs(scanned: Scanned) -> None:
    last_names = [name.split(" ", 1)[1] for name in scanned.names]
    assert _hits(scanned.lines, _words(scanned.names + last_names)) == []


def test_no_email_address_or_user_name_in_the_logs(scanned: Scanned) -> None:
    assert _hits(scanned.lines, re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")) == []
    assert _hits(scanned.lines, _words(scanned.usernames)) == []


def test_no_typed_reason_in_the_logs(scanned: Scanned) -> None:
    assert _hits(scanned.lines, re.compile("Zq7-")) == []


def test_no_punch_coordinates_in_the_logs(scanned: Scanned) -> None:
    assert scanned.coordinates, "the plant's punches carry coordinates"
    numbers = re.compile(r"(?<![\d.])(" + "|".join(re.escape(c) for c in set(scanned.coordinates)) + r")(?![\d])")
    assert _hits(scanned.lines, re.compile("latitude|longitude", re.IGNORECASE)) == []
    assert _hits(scanned.lines, numbers) == []


def test_no_approval_token_or_signature_in_the_logs(scanned: Scanned) -> None:
    parts = [part for token in scanned.tokens for part in token.split(".")]
    assert _hits(scanned.lines, re.compile("|".join(re.escape(part) for part in set(parts)))) == []
