"""Reporting an incident in chromium, on the local runtime (issue 13): a supervisor fills in the form at
tablet width and sends it; incident_log (the real handler, through the local API gateway and the dev
sign-in) codes and records it and sends the browser to the incident's page; the EHS lead finds it in the
review queue (it is vague, so the model is not sure of it, or no model is packaged) and saves corrected
codes and what the text says on its page, which plex_writeback writes to the
simulator's incidents custom object. Then
incident_trends, fired on the local runtime, stores the weeks' incidents beside
the plant's hours; the EHS lead's `/incidents/trends` chart holds exactly the stored report's weekly
numbers. No request beyond 127.0.0.1, no script error, axe-core clean, 820 px without sideways
scrolling, screenshots.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import pytest

from plexlabor.audit import AuditStatus
from plexlabor.incidents.classifier import Classification, Coding
from plexlabor.incidents.oiics import Field
from plexlabor.incidents.service import IncidentDeps, IncidentReport, decision_of, log_incident, opening, replacement
from plexlabor.incidents.trends import REPORT_PREFIX, IncidentTrends
from plexlabor.plant import PlantFolder
from plexlabor_dev.local.signin import plant_users
from plexlabor_dev.local.stack import LocalStack
from plexlabor_dev.simulator.generator import PlantSpec
from tests.browser.harness import (
    assert_no_serious_violations,
    chart,
    local_stack,
    screenshot,
    screenshots,
    sign_in,
    watch,
)
from tests.support import generated_plant

if TYPE_CHECKING:
    from playwright.sync_api import Page

PLANT = PlantSpec(employees=20, weeks=1, seed=13)
PLANT_END = "2026-11-20"
"""The generated plant's last day (the simulator's default end)."""
VAGUE = "An operator reported that something happened near the line without gloves."
"""Too vague for the packaged model to be sure of (and without a packaged model everything waits)."""


@dataclass
class Incidents:
    base: str
    stack: LocalStack
    supervisor: str
    workcenter: str


@pytest.fixture(scope="module")
def incidents(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Incidents]:
    plant = generated_plant(tmp_path_factory, "incident", PLANT)
    workcenter = next(PlantFolder(plant).iter_raw("workcenters"))["workcenterCode"]
    supervisor = next(u.username for u in plant_users(plant) if "supervisor" in u.groups)
    with local_stack(tmp_path_factory, "incident", plant) as stack:
        yield Incidents(stack.runtime.api_url, stack, supervisor, workcenter)


def test_report_an_incident_then_the_ehs_lead_corrects_its_codes(page: Page, incidents: Incidents) -> None:
    problems = watch(page)
    page.set_viewport_size({"width": 820, "height": 1100})
    sign_in(page, incidents, incidents.supervisor, then="/incidents/new")  # type: ignore[arg-type]
    assert_no_serious_violations(page)
    screenshots(page, "incident-form")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_label("A near miss").check()
    page.get_by_label("What happened").fill(f"{VAGUE} It was at {incidents.workcenter}.")
    page.get_by_label("Workcenter").fill(incidents.workcenter)
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_url("**/incidents/inc-*")
    incident_id = page.url.split("?")[0].rsplit("/", 1)[1]
    main = page.locator("main").inner_text()
    assert "Near miss reported by" in main and "gloves (not worn)" in main and f"Where: {incidents.workcenter}" in main
    event = opening(incidents.stack.audit().store, incident_id)
    assert event is not None and event.status is AuditStatus.PENDING_APPROVAL
    assert "Save the codes" not in main  # a supervisor reads; the EHS lead codes

    page.goto(f"{incidents.base}/dev/logout")
    sign_in(page, incidents, "ehs", then="/queue")  # type: ignore[arg-type]
    page.locator(f"a[href$='/items/{incident_id}']").click()
    page.get_by_role("link", name="Code it on the incident's page").click()
    page.wait_for_url(f"**/incidents/{incident_id}")
    page.get_by_label("Event or exposure").select_option("6")
    page.get_by_label("Event group").select_option("64")  # chosen from the list with titles (ux_s15 #10)
    assert "Part of body: not applicable (near miss)" in page.locator("main").inner_text()
    assert_no_serious_violations(page)
    screenshots(page, "incident")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # on a phone the group list, its longest titles included, fits the screen and reads as "64 Caught in ..."
    page.set_viewport_size({"width": PHONE, "height": 900})
    group = page.get_by_label("Event group")
    assert group.evaluate("(s) => s.getBoundingClientRect().right <= window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert (
        group.evaluate("(s) => s.selectedOptions[0].textContent")
        == "64 Caught in or compressed by equipment or objects"
    )
    assert_no_serious_violations(page)
    screenshot(page, "incident-groups-phone", PHONE)
    page.set_viewport_size({"width": 820, "height": 1100})
    page.get_by_role("button", name="Save the codes").click()
    page.wait_for_url("**saved=1")
    assert "the model learns from them" in page.get_by_role("status").inner_text()
    decision = decision_of(incidents.stack.audit().store, incident_id)
    assert decision is not None and decision.actor == "ehs"
    assert decision.payload["codes"]["event_group"] == "64" and "part_division" not in decision.payload["codes"]
    # plex_writeback writes the confirmed incident (the local runtime writes custom objects to the simulator)
    incidents.stack.runtime.drain()
    page.reload()
    assert "Written to Plex as an incident record on" in page.locator("#plex-state").inner_text()
    [record] = [w["body"] for w in incidents.stack.simulator.writes() if w["path"].endswith("/plexlabor_incidents")]
    assert (record["incidentId"], record["status"], record["eventGroup"]) == (incident_id, "confirmed", "64")
    assert record["workcenterCode"] == incidents.workcenter and record["ppeNotWorn"] == "gloves"
    # she corrects the source later, with a note: a new decision, written to Plex again, the first kept
    # by the name a screen reader gives it: the group list's options ("... outside sources") hold the word too
    page.get_by_role("combobox", name=re.compile(r"^Source")).select_option("5")
    page.get_by_label("Note (optional)").fill("Die change, pinch point; guard was open.")
    page.get_by_role("button", name="Save the correction").click()
    page.wait_for_url("**saved=corrected")
    main = page.locator("main").inner_text()
    assert "Codes corrected by" in main and "guard was open" in main and "Earlier decisions" in main
    incidents.stack.runtime.drain()
    written = [w["body"] for w in incidents.stack.simulator.writes() if w["path"].endswith("/plexlabor_incidents")]
    assert [(r["status"], r["sourceDivision"]) for r in written] == [
        ("confirmed", record["sourceDivision"]),
        ("corrected", "5"),
    ]
    page.reload()
    assert "Written to Plex as an incident record on" in page.locator("#plex-state").inner_text()
    assert problems == []


def test_the_ehs_lead_sees_the_weeks_incidents_beside_the_hours_worked(page: Page, incidents: Incidents) -> None:
    audit = incidents.stack.audit().store
    reported = IncidentDeps(audit, None)
    for narrative, kind, day in (
        ("An operator caught a finger between the fixture and the clamp.", "injury", 16),
        ("A pallet slid off the forks and landed next to a walker.", "near_miss", 18),
        ("An operator slipped on coolant and bruised a knee.", "injury", 19),
    ):
        report = IncidentReport(
            narrative=narrative,
            kind=kind,
            workcenter_code=incidents.workcenter,
            occurred_at=datetime(2026, 11, day, 10),
        )
        log_incident(reported, report, incidents.supervisor)
    runtime = incidents.stack.runtime
    summary = runtime.fire("incident_trends", detail={"as_of": PLANT_END, "weeks": 2})
    assert runtime.resources is not None
    stored = runtime.client("s3").get_object(
        Bucket=runtime.resources.artifacts_bucket, Key=f"{REPORT_PREFIX}{summary['report_key']}"
    )
    trends = IncidentTrends.model_validate_json(stored["Body"].read())
    assert [w.injuries for w in trends.weekly] == [0, 2] and [w.near_misses for w in trends.weekly] == [0, 1]
    assert trends.weekly[1].hours > 0

    problems = watch(page)
    page.set_viewport_size({"width": 820, "height": 1100})
    sign_in(page, incidents, "ehs", then="/incidents/trends")  # type: ignore[arg-type]
    drawn = chart(page, "trend")
    assert drawn["x"] == [w.key for w in trends.weekly]
    series = {s["name"]: s["data"] for s in drawn["series"]}
    assert series["Injuries"] == [w.injuries for w in trends.weekly]
    assert series["Near misses"] == [w.near_misses for w in trends.weekly]
    assert series["Injuries per 200,000 h"] == [w.injury_rate for w in trends.weekly]
    assert series["Overtime hours"] == [w.overtime_hours for w in trends.weekly]
    rows = page.locator("#workcenter-table tbody tr").first.inner_text()
    assert incidents.workcenter in rows and f"{trends.by_workcenter[0].injury_rate:.2f}" in rows
    assert_no_serious_violations(page)
    screenshots(page, "incident-trends")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert problems == []


class SureModel:
    """A stand-in coding model sure of every code: the incident is coded automatically (no queue item)."""

    version = "browser-sure"

    def classify(self, narrative: str) -> Classification:
        codes = {Field.EVENT_DIVISION: "6", Field.EVENT_GROUP: "64", Field.NATURE_DIVISION: "1"}
        codes |= {Field.PART_DIVISION: "4", Field.SOURCE_DIVISION: "3"}
        return Classification({of: Coding(of, code, "", 0.99, True) for of, code in codes.items()})


def test_the_ehs_lead_finds_an_auto_coded_injury_in_the_list_and_sends_it_to_plex(
    page: Page, incidents: Incidents
) -> None:
    # Given an injury the model coded automatically (it never enters the review queue)
    audit = incidents.stack.audit().store
    report = IncidentReport(
        narrative="An operator caught a finger between the die and the ram and cut it.",
        workcenter_code=incidents.workcenter,
    )
    logged = log_incident(IncidentDeps(audit, SureModel()), report, incidents.supervisor)  # type: ignore[arg-type]
    assert logged.status == "auto_coded"
    problems = watch(page)
    page.set_viewport_size({"width": 820, "height": 1100})
    # When the EHS lead opens the incident list from the menu
    sign_in(page, incidents, "ehs", then="/incidents/new")  # type: ignore[arg-type]
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Incidents", exact=True).click()
    page.wait_for_url("**/incidents")
    # Then its row says it awaits confirmation, and the heading counts it
    assert "awaiting confirmation" in page.get_by_role("heading", level=1).inner_text()
    row = page.locator(f"#incident-list tr:has(a[href$='/incidents/{logged.incident_id}'])")
    assert "Coded automatically — confirm to send to Plex" in row.inner_text()
    # and names the coded event group by its OIICS title (group 64; the division when no group is known)
    assert incidents.workcenter in row.inner_text()
    assert "Injury: Caught in or compressed by equipment or objects" in row.inner_text()
    assert_no_serious_violations(page)
    screenshots(page, "incidents")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # When they open it, keep the codes and save
    row.get_by_role("link").click()
    page.wait_for_url(f"**/incidents/{logged.incident_id}")
    assert "Nothing goes to Plex until the EHS lead confirms the codes here." in page.locator("main").inner_text()
    page.get_by_label("Time not known").check()  # an injury is confirmed with its time or that it is not known
    page.get_by_role("button", name="Save the codes").click()
    page.wait_for_url("**saved=1")
    incidents.stack.runtime.drain()
    # Then, back on the list, it is confirmed and written to the simulator's incidents custom object
    page.get_by_role("link", name="All incidents").click()
    page.wait_for_url("**/incidents")
    row = page.locator(f"#incident-list tr:has(a[href$='/incidents/{logged.incident_id}'])")
    assert "Confirmed by" in row.inner_text() and "written to Plex" in row.inner_text()
    written = [w["body"] for w in incidents.stack.simulator.writes() if w["path"].endswith("/plexlabor_incidents")]
    assert [r["incidentId"] for r in written].count(logged.incident_id) == 1
    assert problems == []


PHONE = 390
STATUS_FIRST = """(row) => {
  const status = row.querySelector('td.status').getBoundingClientRect();
  const when = row.querySelector('td.when').getBoundingClientRect();
  return {statusRight: status.right, statusTop: status.top, whenTop: when.top, width: window.innerWidth};
}"""
"""Where a list row's status cell sits against its when cell and the screen."""


def test_on_a_phone_the_list_shows_each_rows_status_first_with_its_job_and_the_corrected_pair(
    page: Page, incidents: Incidents
) -> None:
    """ux136 #3 and #9: at 390 px the list's Status column was off-screen in its scroll box, two reports that
    differed only in job read alike, and a corrected resend left the wrong report beside it, unmarked."""
    # Given an operator's auto-coded injury naming job J101058, then the same text and time sent again as a near miss
    # for job J101060 (the reporter's correction), and a report the model was not sure of (in the EHS queue)
    audit = incidents.stack.audit().store
    when = datetime(2026, 11, 20, 10, 15)
    text = "The press closed while I was clearing a part and caught my glove; my hand came out in time."
    sent = IncidentReport(narrative=text, workcenter_code=incidents.workcenter, occurred_at=when, job_no="J101058")
    first = log_incident(IncidentDeps(audit, SureModel()), sent, incidents.supervisor)  # type: ignore[arg-type]
    resent = sent.model_copy(update={"kind": "near_miss", "job_no": "J101060"})
    second = log_incident(IncidentDeps(audit, SureModel()), resent, incidents.supervisor)  # type: ignore[arg-type]
    assert second.replaces == [first.incident_id]
    unsure = log_incident(IncidentDeps(audit, None), IncidentReport(narrative=VAGUE), incidents.supervisor)
    problems = watch(page)
    page.set_viewport_size({"width": PHONE, "height": 900})
    # When the EHS lead opens the list on a phone
    sign_in(page, incidents, "ehs", then="/incidents")  # type: ignore[arg-type]
    # Then no row reaches past the screen, and each row's status comes first, on screen
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for row in page.locator("#incident-list tbody tr").all():
        placed = row.evaluate(STATUS_FIRST)
        assert placed["statusRight"] <= placed["width"] and placed["statusTop"] < placed["whenTop"], placed
    # and the pair reads as the corrected report and the one it replaced, each with its job
    newer = page.locator(f"#incident-list tr:has(td.when a[href$='/incidents/{second.incident_id}'])").inner_text()
    older = page.locator(f"#incident-list tr:has(td.when a[href$='/incidents/{first.incident_id}'])").inner_text()
    # each named by what it is, its id only the link's target (ux141 #13)
    assert "job J101060" in newer and "report of Fri 2026-11-20 05:15, injury at" in newer.split("replaces ")[1]
    assert "job J101058" in older
    assert "report of Fri 2026-11-20 05:15, near miss at" in older.split("Replaced by the corrected report: ")[1]
    assert first.incident_id not in newer + older and second.incident_id not in newer + older
    assert older.count("Reported by") == 1
    assert_no_serious_violations(page)
    screenshot(page, "incidents-phone", PHONE)
    # and the earlier report's page refuses nothing silently: it names the correction and offers no code form
    page.locator(f"#incident-list td.when a[href$='/incidents/{first.incident_id}']").click()
    page.wait_for_url(f"**/incidents/{first.incident_id}")
    main = page.locator("main").inner_text()
    assert "near miss at" in main.split("Replaced by ")[1] and second.incident_id not in main
    assert "Save the codes" not in main
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_serious_violations(page)
    # and in the EHS queue the reporter is named once in the row, at every width
    page.goto(f"{incidents.base}/queue")
    row = page.locator(f"tr:has(a[href$='/items/{unsure.incident_id}'])")
    for width in (1280, PHONE):
        page.set_viewport_size({"width": width, "height": 900})
        assert row.inner_text().count("reported by") == 1, (width, row.inner_text())
    assert problems == []


def test_a_supervisor_corrects_a_report_from_its_page_and_lands_on_the_replacement(
    page: Page, incidents: Incidents
) -> None:
    """ux136 #3 and ux_s16 #10 through the form and incident_log on the local runtime: "Correct this report" on the
    report's page opens the form filled in as sent; sent again as a near miss, it is recorded as a report that
    replaces the first, and its page says so and links the first."""
    problems = watch(page)
    page.set_viewport_size({"width": 820, "height": 1100})
    sign_in(page, incidents, incidents.supervisor, then="/incidents/new")  # type: ignore[arg-type]
    assert "Correct this report" in page.locator("#resend").inner_text()
    text = f"A coil rolled off the rack at {incidents.workcenter} and hit an operator's boot; steel toes, no injury."
    page.get_by_label("An injury").check()
    page.get_by_label("What happened").fill(text)
    page.get_by_label("When (plant time").fill("2026-11-20T09:40")
    page.get_by_label("Workcenter").fill(incidents.workcenter)
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_url("**/incidents/inc-*")
    sent = [page.url.split("?")[0].rsplit("/", 1)[1]]
    page.get_by_role("button", name="Correct this report").click()
    page.wait_for_url("**/incidents/new?correct=*")
    assert page.get_by_label("What happened").input_value() == text
    assert page.get_by_label("When (plant time").input_value() == "2026-11-20T09:40"
    # and names the report it corrects, so that one is replaced whatever its text and time (review_s16 #4)
    assert page.locator("form.incident input[name=correct]").input_value() == sent[0]
    page.get_by_label("A near miss").check()
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_url("**/incidents/inc-*")
    sent.append(page.url.split("?")[0].rsplit("/", 1)[1])
    first, second = sent
    assert first != second
    notice = page.locator("#replaces-1").inner_text()
    # a named correction names the report by when it was sent and claims no sameness (ux_verify_s16 C, 4574db4d)
    mine = f"(injury at {incidents.workcenter}, happened Fri 2026-11-20 09:40)"  # named, the id only linked
    assert "This report replaces your report sent " in notice and mine in notice and first not in notice
    assert "same text and time" not in notice
    audit = incidents.stack.audit().store
    closing = replacement(audit, first)
    assert closing is not None and closing.payload["superseded_by"] == second
    page.locator("#replaces-1 a").click()
    page.wait_for_url(f"**/incidents/{first}")
    replaced = page.locator("#replaced-by").inner_text()
    assert f"Replaced by your report of Fri 2026-11-20 09:40, near miss at {incidents.workcenter}" in replaced
    assert problems == []


def test_on_a_phone_the_ehs_lead_sets_a_duplicate_aside(page: Page, incidents: Incidents) -> None:
    """ux164 #8: a near miss rejected in the queue as a duplicate still counted. The EHS lead sets it aside on its
    page as a duplicate of the report here that stands, at 390 px: the page says so, axe-core clean, no sideways
    scrolling."""
    audit = incidents.stack.audit().store
    kept = log_incident(IncidentDeps(audit, None), IncidentReport(narrative=VAGUE, kind="near_miss"), "ehs")
    text = f"A forklift reversed past a walker at {incidents.workcenter} without its horn; nobody was hurt."
    twice = log_incident(
        IncidentDeps(audit, None), IncidentReport(narrative=text, kind="near_miss"), incidents.supervisor
    )
    problems = watch(page)
    page.set_viewport_size({"width": PHONE, "height": 900})
    sign_in(page, incidents, "ehs", then=f"/incidents/{twice.incident_id}")  # type: ignore[arg-type]
    panel = page.locator("#set-aside")
    panel.get_by_label("A duplicate of the report").check()
    panel.get_by_role("textbox", name="Duplicate of").fill(f"{incidents.base}/dev/incidents/{kept.incident_id}")
    panel.get_by_label("Why it is set aside").fill("The same forklift, reported twice.")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_serious_violations(page)
    panel.get_by_role("button", name="Set it aside").click()
    page.wait_for_url("**saved=set_aside")
    assert "leaves the incident trends" in page.get_by_role("status").inner_text()
    assert "A duplicate of " in page.locator("#withdrawn").inner_text()
    assert page.locator(f"#withdrawn a[href$='/incidents/{kept.incident_id}']").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_serious_violations(page)
    assert problems == []
