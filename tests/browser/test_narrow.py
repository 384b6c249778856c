"""The list pages on a phone (390 px, ux119 #19), on the local runtime: the review queue, skills, allocation,
KPIs, the crew board and the incident form are no wider than the screen. A wide table scrolls inside its own
box (`.scroll`), so the page itself never scrolls sideways; the item page's timeline keeps its hour labels
apart. Each page also at 820 and 1280 px (screenshots under build/screenshots/narrow-*).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from plexlabor.audit.events import AuditStatus
from plexlabor.crew.removals import removal_event
from plexlabor.plant import PlantFolder
from plexlabor.skills.data import default_as_of
from plexlabor_dev.local.scenario import busiest_days, labelled_punches
from plexlabor_dev.simulator.generator import PlantSpec
from tests.browser.harness import local_stack, screenshot, sign_in
from tests.support import generated_plant

if TYPE_CHECKING:
    from playwright.sync_api import Page

NARROW_PLANT = PlantSpec(employees=40, weeks=4, seed=7, anomaly_rate=0.1)
PHONE, TABLET, DESKTOP = 390, 820, 1280
OVERFLOWING = """() => [...document.querySelectorAll('main *')]
  .filter((e) => {
    if (e.closest('.scroll')) return false;  // a wide table scrolls in its own box
    const card = e.parentElement.closest('.panel');
    const edge = Math.min(window.innerWidth, card ? card.getBoundingClientRect().right : window.innerWidth);
    return e.getBoundingClientRect().right > edge + 1;
  })
  .slice(0, 5).map((e) => e.tagName + '.' + e.className + '#' + (e.id || e.getAttribute('aria-labelledby') || '')
    + ' ' + Math.round(e.getBoundingClientRect().right))"""
"""The elements (the first few) that reach past the screen or past their card, outside a scroll box."""


@dataclass
class Plant:
    base: str
    day: str
    finding: str
    removal: str
    """A crew removal's item (ux_s14 #11: its page showed the assignment's 32-digit id and scrolled sideways)."""


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Plant]:
    folder = generated_plant(tmp_path_factory, "narrow", NARROW_PLANT)
    day = busiest_days(folder)[0][0]
    with local_stack(tmp_path_factory, "narrow", folder, approval_wait_s=600) as stack:
        runtime = stack.runtime
        assert stack.send_punches(labelled_punches(folder, day)).failed == 0
        runtime.drain(timeout_s=30)
        as_of = default_as_of(PlantFolder(folder))
        runtime.fire("skills_daily", detail={"as_of": as_of.isoformat(), "publish": False})
        end = PlantFolder(folder).meta().end.date()
        runtime.fire("allocation_nightly", detail={"day": (end - timedelta(days=2)).isoformat()})
        runtime.fire("crew_planner", detail={"date": day.isoformat()})
        finding = str(stack.audit().findings(AuditStatus.PENDING_APPROVAL)[0].finding_id)
        opened = stack.audit().by_status(AuditStatus.PENDING_APPROVAL)
        seat = next(e for e in opened if e.payload.get("kind") == "crew_assignment")
        removal = removal_event(seat, seat.occurred_at, 0, seat.occurred_at, ZoneInfo("UTC"))
        runtime.audit_store().append(removal)  # as crew_replan opens one when the seat's person calls off
        yield Plant(runtime.api_url, day.isoformat(), finding, str(removal.finding_id))


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("queue", "/queue"),
        ("skills", "/skills"),
        ("allocation", "/allocation"),
        ("kpis", "/kpis"),
        ("crew", "/crew?day={day}&shift=1"),
        ("incident-form", "/incidents/new"),
        ("item", "/items/{finding}"),
        ("removal", "/items/{removal}"),
    ],
)
def test_a_page_is_no_wider_than_a_phone(page: Page, plant: Plant, name: str, path: str) -> None:
    sign_in(page, plant, "admin", then=path.format(day=plant.day, finding=plant.finding, removal=plant.removal))
    for width in (DESKTOP, TABLET, PHONE):
        page.set_viewport_size({"width": width, "height": 800})
        screenshot(page, f"narrow-{name}", width)
        scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
        overflowing = page.evaluate(OVERFLOWING)
        assert scroll_width <= width and not overflowing, f"{name} at {width} px: {scroll_width} px wide, {overflowing}"


def test_the_item_timeline_keeps_its_hour_labels_apart_on_a_phone(page: Page, plant: Plant) -> None:
    sign_in(page, plant, "admin", then=f"/items/{plant.finding}")
    page.set_viewport_size({"width": PHONE, "height": 800})
    boxes = page.locator(".tl-axis .tl-tick").evaluate_all(
        "(labels) => labels.filter((l) => l.offsetParent).map((l) => l.getBoundingClientRect())"
        ".map((r) => [r.left, r.right])"
    )
    assert len(boxes) >= 2
    overlaps = [(a, b) for a, b in pairwise(boxes) if b[0] < a[1]]
    assert not overlaps, f"hour labels overlap at {PHONE} px: {overlaps}"


def test_the_kpi_table_shows_its_decision_columns_on_a_tablet(page: Page, plant: Plant) -> None:
    # ux119 #19: at 820 px the exact model versions took the width and pushed these past the edge
    sign_in(page, plant, "admin", then="/kpis")
    page.set_viewport_size({"width": TABLET, "height": 1180})
    for column in ("Approved", "Rejected"):
        header = page.get_by_role("region", name="By kind and model").get_by_role(
            "columnheader", name=column, exact=True
        )
        box = header.bounding_box()
        assert box is not None and box["x"] + box["width"] <= TABLET, f"{column} ends at {box} px"


def test_the_incident_page_with_its_codes_form_fits_a_phone(page: Page, plant: Plant) -> None:
    # the EHS lead's page: the model's codes beside the form that confirms or corrects them (ux119 #19: the
    # codes table cut off "The model proposed" at 390 px)
    sign_in(page, plant, "ehs", then="/incidents/new")
    page.get_by_label("A near miss").check()
    page.get_by_label("What happened").fill("A pallet slid off the forklift forks near the dock; nobody was hurt.")
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_url("**/incidents/inc-*")
    assert page.locator("form").count() > 0  # the EHS lead may code it here
    for width in (TABLET, PHONE):
        page.set_viewport_size({"width": width, "height": 800})
        screenshot(page, "narrow-incident", width)
        scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
        overflowing = page.evaluate(OVERFLOWING)
        assert scroll_width <= width and not overflowing, f"incident at {width} px: {scroll_width} px, {overflowing}"


def test_the_propose_training_buttons_are_on_screen_on_a_tablet_and_a_phone(page: Page, plant: Plant) -> None:
    # ux164 #7: at 390 px HR's 31 "Propose training" buttons sat at x=559-680 inside 324 px scroll boxes; each
    # candidate's row now folds at 700 px and below, so the button is on screen without scrolling sideways
    sign_in(page, plant, "hr", then="/skills")
    for width in (TABLET, PHONE):
        page.set_viewport_size({"width": width, "height": 800})
        screenshot(page, "narrow-skills-training", width)
        boxes = page.locator("table.training button").evaluate_all(
            "(buttons) => buttons.map((b) => [b.getBoundingClientRect().left, b.getBoundingClientRect().right,"
            " b.closest('.scroll').getBoundingClientRect().right])"
        )
        assert boxes, "no Propose training button on the page"
        off = [box for box in boxes if box[1] > min(width, box[2]) + 1]
        assert not off, (
            f"{len(off)} of {len(boxes)} buttons reach past the screen or their box at {width} px: {off[:3]}"
        )


def test_the_queue_rows_fold_on_a_phone(page: Page, plant: Plant) -> None:
    # ux_s13 #17h: at 390 px the queue kept its six columns in a sideways scroll box, so When and Severity were off
    # screen on every row; each row now folds below 700 px (select, what, when and severity, then the note)
    sign_in(page, plant, "admin", then="/queue")
    page.set_viewport_size({"width": PHONE, "height": 800})
    screenshot(page, "narrow-queue-rows", PHONE)
    region = page.get_by_role("region", name="Items in the queue")
    sideways = region.evaluate("(box) => box.scrollWidth - box.clientWidth")
    cells = page.locator("table.queue-rows tbody tr td:nth-child(5), table.queue-rows tbody tr td:nth-child(6)")
    ends = cells.evaluate_all("(cells) => cells.map((c) => c.getBoundingClientRect().right)")
    assert ends, "no item in the queue"
    off = [end for end in ends if end > PHONE]
    assert sideways <= 1 and not off, (
        f"the table scrolls {sideways} px sideways; {len(off)} of {len(ends)} cells end past {PHONE} px"
    )


@pytest.mark.parametrize("width", [PHONE, TABLET, DESKTOP])
def test_the_bulk_buttons_are_on_screen_while_the_rows_are(page: Page, plant: Plant, width: int) -> None:
    # ux_s14 #17: Approve selected / Reject selected (and the reason) came after the last row, 7,000 px down at
    # 390 px; the bar now stays at the foot of the screen while the queue's rows are on it
    sign_in(page, plant, "admin", then="/queue")
    page.set_viewport_size({"width": width, "height": 800})
    rows = page.locator("table.queue-rows tbody tr")
    assert page.locator("table.queue-rows").evaluate("(t) => t.getBoundingClientRect().bottom") > 800, "a short queue"
    rows.nth(0).get_by_role("checkbox").check()
    rows.nth(1).get_by_role("checkbox").check()
    bar = page.get_by_role("group", name="Decide the selected items")
    for name in ("Approve selected", "Reject selected"):
        button = bar.get_by_role("button", name=name)
        box = button.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 800, f"{name} at {box} ({width} px)"
        on_top = button.evaluate(
            "(b) => { const r = b.getBoundingClientRect();"
            " return b.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)); }"
        )
        assert on_top, f"{name} is covered at {width} px"
    reason = bar.get_by_label("Reason")
    assert reason.is_visible() and reason.bounding_box()["y"] >= 0  # type: ignore[index]
    # the keyboard reaches the bar right after the rows (and the pages' links), as before: it is after them in the page
    page.locator("table.queue-rows tbody a").last.focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.closest('[role=group]')?.getAttribute('aria-label')")
    assert focused == "Decide the selected items" or page.evaluate("() => document.activeElement.rel") == "next"
    screenshot(page, "narrow-queue-bulk-bar", width)  # full page, at the screenshot's own height
