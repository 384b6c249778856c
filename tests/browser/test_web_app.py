"""The web app in chromium, on the local runtime: signing in, what each person sees, deciding from the
queue and the item page (one decision, whichever way: the e-mailed link is refused afterwards), and
every page accessible (axe-core: nothing serious or critical) and screenshotted at 1280 and 820 px.

One stack per module (a small generated plant; the anomalous punches of its two busiest days sent
through the signed webhook, so findings, their approval workflows and their e-mails exist; one crew
plan from crew_planner's schedule for the crew suggestions). Each test takes its own items from that
pool, so the tests do not depend on each other's order. Everything is served on 127.0.0.1 and the
`page` fixture fails a test whose page asks for anything else.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest

from plexlabor.audit.events import AuditEventType, AuditStatus
from plexlabor.plant import PlantFolder
from plexlabor_dev.demo import demo_end_date, plan_crews
from plexlabor_dev.local.scenario import ApprovalLink, busiest_days, labelled_punches, latest_links
from plexlabor_dev.local.signin import LOCAL_PASSWORD, LocalUser
from plexlabor_dev.local.stack import LocalStack
from plexlabor_dev.simulator.generator import PlantSpec
from tests.browser.harness import assert_no_serious_violations, local_stack, screenshot, screenshots, sign_in
from tests.support import generated_plant

if TYPE_CHECKING:
    from playwright.sync_api import Page

TODAY = datetime.now(ZoneInfo(PlantSpec.timezone)).date()
WEB_PLANT = PlantSpec(employees=30, weeks=4, seed=7, anomaly_rate=0.1, end_date=demo_end_date(TODAY))
"""Small (≈0.5 s to generate) and with two line supervisors whose people have anomalies on the same days; it ends
as the demo's plant does (the last Friday before today), so its crews are planned for a weekday ahead whose seats
can still be accepted (a seat whose time is over cannot be)."""
WAIT_S = 600  # nothing escalates or expires while the module runs
REASON = "Checked with the operator: the entry is right."


@dataclass
class WebApp:
    """The running stack and the pool of open items the tests take from."""

    stack: LocalStack
    base: str
    users: dict[str, LocalUser]
    findings: dict[str, list[str]]
    """Supervisor user name -> their open punch findings (ids), not yet taken by a test."""
    links: dict[str, ApprovalLink]
    """Finding id -> the link its supervisor was e-mailed."""
    departments: dict[str, str]
    """Finding id -> the department of the person it is about (a supervisor also sees those of their departments)."""
    crew: list[str]
    """Open crew assignments (ids), not yet taken."""
    taken: set[str] = field(default_factory=set)

    def take(self, username: str, count: int = 1) -> list[str]:
        pool = self.findings[username]
        if len(pool) < count:
            raise AssertionError(f"{username} has {len(pool)} open findings left, a test needs {count}")
        chosen, self.findings[username] = pool[:count], pool[count:]
        self.taken.update(chosen)
        return chosen

    def supervisors(self) -> list[str]:
        """Supervisors with open findings, most first."""
        return sorted(self.findings, key=lambda name: -len(self.findings[name]))

    def writes_for(self, finding_id: str) -> list[dict[str, Any]]:
        return [write for write in self.stack.simulator.writes() if finding_id in json.dumps(write["body"])]


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebApp]:
    plant = generated_plant(tmp_path_factory, "web", WEB_PLANT)
    days = [day for day, _ in busiest_days(plant)][:2]
    with local_stack(tmp_path_factory, "web", plant, approval_wait_s=WAIT_S) as stack:
        runtime = stack.runtime
        for day in days:
            assert stack.send_punches(labelled_punches(plant, day)).failed == 0
        runtime.drain(timeout_s=30)
        pending = stack.audit().findings(AuditStatus.PENDING_APPROVAL)

        def every_finding_linked() -> dict[str, ApprovalLink] | None:
            found = latest_links(stack.approval_links())
            return found if {str(e.finding_id) for e in pending} <= set(found) else None

        links = runtime.wait_for(every_finding_linked, timeout_s=20, what="a link for every pending finding")
        plan_crews(runtime, TODAY)
        assert runtime.user_pool is not None
        users = {user.username: user for user in runtime.user_pool.users}
        by_employee = {user.employee_id: user.username for user in users.values() if user.employee_id}
        findings: dict[str, list[str]] = defaultdict(list)
        for event in sorted(pending, key=lambda e: str(e.finding_id)):
            findings[by_employee[str(event.supervisor_id)]].append(str(event.finding_id))
        department_of = {
            str(key): str(row.get("departmentCode") or "")
            for row in PlantFolder(plant).iter_raw("employees")
            for key in (row.get("id"), row.get("employeeNo"))
        }
        departments = {str(e.finding_id): department_of.get(str(e.employee_id), "") for e in pending}
        crew = sorted(
            str(e.finding_id)
            for e in stack.audit().by_status(AuditStatus.PENDING_APPROVAL)
            if e.event_type is AuditEventType.RECOMMENDATION and e.payload.get("kind") == "crew_assignment"
        )
        app = WebApp(stack, runtime.api_url, users, dict(findings), links, departments, crew)
        assert len(app.supervisors()) >= 2, "the plant needs two supervisors with findings"
        yield app


# -- helpers -----------------------------------------------------------------------------------------------


def listed(page: Page) -> list[str]:
    """The item ids the queue page lists, in order."""
    hrefs: list[str] = page.locator("tbody a[href*='/items/']").evaluate_all("(links) => links.map((a) => a.href)")
    return [href.rsplit("/items/", 1)[1].split("?", 1)[0] for href in hrefs]


def open_queue(page: Page, web: WebApp) -> list[str]:
    page.goto(f"{web.base}/queue")
    return listed(page)


def decisions(web: WebApp, item_id: str) -> list[Any]:
    return [e for e in web.stack.audit().for_finding(item_id) if e.event_type is AuditEventType.DECISION]


# -- signing in ----------------------------------------------------------------------------------------


def test_an_app_page_sends_you_to_sign_in_and_back(page: Page, web: WebApp) -> None:
    # Not signed in: the queue answers 303 to the dev login page, which knows where to come back to
    response = page.request.get(f"{web.base}/queue", max_redirects=0)
    assert response.status == 303 and response.headers["location"] == "/dev/login?next=%2Fqueue"
    page.goto(f"{web.base}/kpis?days=7")
    assert page.url == f"{web.base}/dev/login?next=%2Fkpis%3Fdays%3D7"
    assert_no_serious_violations(page)
    screenshots(page, "web-login")
    # A wrong password is refused on the page; the right one signs in and goes back
    page.get_by_label("User name", exact=True).fill("planner")
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    assert page.get_by_role("alert").inner_text() == "Wrong user name or password."
    page.get_by_label("Password", exact=True).fill(LOCAL_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{web.base}/kpis?days=7")
    assert "Signed in as planner · Sign out" in page.locator("header").inner_text()  # the role once (ux141 #13)


# -- what a supervisor sees ----------------------------------------------------------------------------


def test_a_supervisor_sees_only_their_own_items(page: Page, web: WebApp) -> None:
    mine, theirs = web.supervisors()[:2]
    sign_in(page, web, mine)
    shown = set(listed(page))
    # Every open punch finding routed to them, and of the others only those about people of their departments
    # (docs/web-app.md, "Who sees what"); the rest of the list: crew suggestions
    ours = {f for f, department in web.departments.items() if department in web.users[mine].departments}
    assert shown & set(web.links) == set(web.findings[mine]) | ours
    # Named as people read them: by name and employee number (the local user's name is "First Last, E0012")
    name, number = web.users[mine].name.rsplit(", ", 1)
    header = page.locator("header").inner_text()
    assert f"Signed in as {name} ({number}) · supervisor" in header
    assert str(web.users[mine].employee_id) not in header
    # A finding someone may not see is the same 404 as a closed one: a punch finding to a planner (this plant's two
    # supervisors share its departments, so each sees the other's findings)
    planner = next(user.username for user in web.users.values() if "planner" in user.groups)
    page.context.clear_cookies()
    sign_in(page, web, planner)
    response = page.goto(f"{web.base}/items/{web.findings[theirs][0]}")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Not open"
    assert_no_serious_violations(page)
    screenshots(page, "web-not-open")


def test_the_queue_fits_a_tablet_and_is_accessible(page: Page, web: WebApp) -> None:
    sign_in(page, web, web.supervisors()[0])
    assert listed(page)
    assert_no_serious_violations(page)
    screenshots(page, "web-queue")
    page.set_viewport_size({"width": 820, "height": 1180})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 820
    # ...and still says who each item is about: the "Who / where" column folds into the note (ux104 #9)
    folded = page.locator("tbody tr .who-where")
    assert folded.count() >= 1 and all(folded.nth(n).is_visible() for n in range(folded.count()))
    assert not page.locator("th.hide-narrow").is_visible()


# -- deciding ------------------------------------------------------------------------------------------


def test_approving_a_finding_closes_it_and_writes_the_correction(page: Page, web: WebApp) -> None:
    username = web.supervisors()[0]
    (finding,) = web.take(username)
    sign_in(page, web, username, then=f"/items/{finding}")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Punch: ")
    assert_no_serious_violations(page)
    screenshots(page, "web-item")
    page.get_by_role("button", name="Approve", exact=True).click()
    page.wait_for_load_state()
    assert f"/items/{finding}" not in page.url  # on to the next item (or the queue), which names this one
    assert page.locator(".flash.ok").first.inner_text().startswith("Approved: ")
    assert finding not in open_queue(page, web)
    # The queue resumed the approval workflow: the correction is written to Plex (the simulator)
    runtime = web.stack.runtime
    runtime.wait_for(lambda: web.writes_for(finding), timeout_s=20, what="the write-back")
    (decision,) = decisions(web, finding)
    assert decision.status is AuditStatus.APPROVED and decision.actor == web.users[username].employee_id


def test_a_rejection_needs_a_reason(page: Page, web: WebApp) -> None:
    username = web.supervisors()[0]
    (finding,) = web.take(username)
    sign_in(page, web, username, then=f"/items/{finding}")
    # Without a reason: the form comes back, with the error, and nothing is recorded
    with page.expect_response(f"{web.base}/items/{finding}") as answer:
        page.get_by_role("button", name="Reject", exact=True).click()
    assert answer.value.status == 400
    assert "reason" in page.get_by_role("alert").inner_text().lower()
    assert decisions(web, finding) == []
    assert_no_serious_violations(page)
    # With one: rejected, the reason kept, gone from the queue, nothing written
    page.get_by_label("Reason").fill(REASON)
    page.get_by_role("button", name="Reject", exact=True).click()
    page.wait_for_load_state()
    assert finding not in open_queue(page, web)
    (decision,) = decisions(web, finding)
    assert decision.status is AuditStatus.REJECTED and decision.payload["reason"] == REASON
    web.stack.runtime.drain(timeout_s=15)
    assert web.writes_for(finding) == []


def test_bulk_approval_decides_each_selected_item(page: Page, web: WebApp) -> None:
    username = web.supervisors()[0]
    chosen = web.take(username, 2)
    sign_in(page, web, username)
    for finding in chosen:
        page.locator(f"input[type=checkbox][value='{finding}']").check()
    page.get_by_role("button", name="Approve selected").click()
    page.wait_for_url(re.compile(r"/queue\?done=approve&did=[^&]+&decided=2&failed=0$"))
    flash = page.get_by_role("status").inner_text()
    assert flash.startswith("Approved 2: ") and flash.count(";") == 1  # each named (ux119 #14)
    assert not set(chosen) & set(listed(page))
    for finding in chosen:
        assert [d.status for d in decisions(web, finding)] == [AuditStatus.APPROVED]


def test_the_emailed_link_is_refused_after_a_queue_decision(page: Page, web: WebApp) -> None:
    username = web.supervisors()[1]
    (finding,) = web.take(username)
    sign_in(page, web, username, then=f"/items/{finding}")
    page.get_by_role("button", name="Approve", exact=True).click()
    page.wait_for_load_state()
    # The link in the e-mail still looks valid, but the decision is taken: it says so, and changes nothing
    response = page.goto(web.links[finding].url)
    assert response is not None and response.status >= 400
    assert "already approved by" in page.locator("body").inner_text()
    assert len(decisions(web, finding)) == 1
    assert_no_serious_violations(page)
    screenshot(page, "web-stale-link", 1280)


def test_a_planner_approves_a_crew_assignment(page: Page, web: WebApp) -> None:
    assert web.crew, "crew_planner published no crew assignment for review"
    item = web.crew.pop(0)
    sign_in(page, web, "planner")
    page.get_by_role("link", name=re.compile(r"^Crew assignment \(\d+\)$")).click()
    assert item in listed(page)
    page.goto(f"{web.base}/items/{item}")
    assert page.get_by_role("heading", level=1).inner_text() == "Crew assignment"
    assert_no_serious_violations(page)
    screenshots(page, "web-crew-item")
    page.get_by_role("button", name="Approve", exact=True).click()
    page.wait_for_load_state()
    assert item not in open_queue(page, web)
    (decision,) = decisions(web, item)
    assert decision.status is AuditStatus.APPROVED and decision.actor == "planner"
    # The assignment reaches Plex (the simulator) as one record of the crew-assignments custom object
    (write,) = web.stack.runtime.wait_for(lambda: web.writes_for(item), timeout_s=20, what="the crew write-back")
    assert write["path"].endswith("/plexlabor_crew_assignments") and write["body"]["status"] == "assigned"


# -- KPIs --------------------------------------------------------------------------------------------------


def test_the_kpi_page_is_accessible(page: Page, web: WebApp) -> None:
    sign_in(page, web, "admin", then="/kpis")
    assert page.get_by_role("heading", level=1).inner_text() == "KPIs"
    assert_no_serious_violations(page)
    screenshots(page, "web-kpis")
    # At tablet width the wide table scrolls in its own (focusable, labelled) region, not the page
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 820
    assert page.get_by_role("region", name="By kind and model").is_visible()


def test_signing_out_ends_the_session(page: Page, web: WebApp) -> None:
    sign_in(page, web, "hr")
    page.goto(f"{web.base}/dev/logout")
    assert page.url.startswith(f"{web.base}/dev/login")
    page.goto(f"{web.base}/queue")
    assert page.url.startswith(f"{web.base}/dev/login?next=")


# -- what a person reads: codes, never Plex ids --------------------------------------------------------

PLEX_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-|\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b", re.IGNORECASE)
"""A UUID (Plex's record ids) or a long hex id (an item id, a model version's hash)."""
READ_TEXT = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('details.plex-ids, style, script').forEach((element) => element.remove());
  const fields = document.querySelectorAll('input:not([type=checkbox]):not([type=hidden]), textarea, select');
  return [body.textContent, ...Array.from(fields, (field) => field.value)].join(' ');
}"""
"""Everything on a page a person reads (text in closed lists and for screen readers too, and the values
in its fields), but the collapsed "Plex ids" detail."""


def _mail_text(body: str) -> str:
    """An e-mail as read: no tags, no addresses (a link is clicked, not read)."""
    return re.sub(r"https?://\S+", " ", re.sub(r"<[^>]+>", " ", body))


def test_every_page_and_mail_names_things_by_their_codes_never_by_plex_ids(page: Page, web: WebApp) -> None:
    # Given punch findings, crew suggestions and skills_daily's suggestions waiting, and review_sweep's
    # notices about them (this plant is too small to train the forecast: its alerts are in
    # tests/unit/webapp/test_web_app_codes.py)
    runtime = web.stack.runtime
    day = busiest_days(web.stack.plant_dir)[0][0]
    runtime.fire("skills_daily", detail={"as_of": day.isoformat()})
    runtime.fire("review_sweep")
    chosen: dict[str, str] = {}  # an open punch finding of each anomaly type, an open item of every other kind
    for event in sorted(web.stack.audit().by_status(AuditStatus.PENDING_APPROVAL), key=lambda e: str(e.finding_id)):
        item = str(event.finding_id)
        if item in web.taken or decisions(web, item):  # another test decided it (or will)
            continue
        kind = event.payload.get("anomaly_type") if event.event_type is AuditEventType.FINDING else None
        chosen.setdefault(str(kind or event.payload.get("kind")), item)
    assert {"crew_assignment", "crew_unstaffed"} <= set(chosen), sorted(chosen)
    assert {"certification_expiring", "certification_lapsed", "cross_training"} & set(chosen), sorted(chosen)
    assert len([kind for kind in chosen if kind.isupper()]) >= 5, sorted(chosen)  # anomaly types
    # When an admin reads the queue and each item, and a supervisor an e-mailed link and every e-mail
    sign_in(page, web, "admin")
    read = {"queue": page.evaluate(READ_TEXT)}
    detail: dict[str, int] = {}
    for kind, item in chosen.items():
        page.goto(f"{web.base}/items/{item}")
        read[kind] = page.evaluate(READ_TEXT)
        detail[kind] = page.locator("details.plex-ids").count()
    link = next(iter(web.links.values()))
    page.goto(link.url)  # opening a link decides nothing
    read["approval link page"] = page.evaluate(READ_TEXT)
    for number, mail in enumerate(runtime.sent_emails()):
        read[f"mail {number}: {mail.subject}"] = _mail_text(mail.body)
    # Then nobody reads a Plex id or a hash: parts, jobs, operations, workcenters and skills by their codes
    shown = {name: sorted(set(PLEX_ID.findall(text))) for name, text in read.items()}
    assert {name: ids for name, ids in shown.items() if ids} == {}
    # and the ids a supervisor may need to find the record in Plex are one click away on each item page
    assert detail == dict.fromkeys(chosen, 1)
