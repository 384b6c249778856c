"""The crew board in chromium, on the local runtime (issues 10 and 16): crew_planner fired there, as its
schedule would, plans one shift of a generated plant and publishes its suggestions to the (moto) audit
table; the planner's board shows one row per assigned seat of that plan, accepts a waiting suggestion in
place (the decision goes through the review queue's path and the page comes back with it accepted), then
asks for a re-plan of the rest of the shift, which crew_replan runs with the accepted one held;
no request beyond 127.0.0.1, no script error, axe-core clean, 820 px without sideways scrolling,
screenshots.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from plexlabor.plant import PlantFolder
from plexlabor_dev.local.signin import plant_users
from plexlabor_dev.local.stack import LocalStack
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant
from tests.browser.harness import assert_no_serious_violations, screenshots
from tests.browser.test_dashboards import sign_in, watch

if TYPE_CHECKING:
    from playwright.sync_api import Page

CREW_PLANT = PlantSpec(employees=60, weeks=4, seed=11, anomaly_rate=0.1)
SHIFT = "1"


@dataclass
class Crew:
    base: str
    day: date
    summary: dict[str, Any]
    planner: str
    runtime: Any


@pytest.fixture(scope="module")
def crew(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crew]:
    plant = tmp_path_factory.mktemp("crew-plant")
    generate_plant(CREW_PLANT, plant)
    meta = PlantFolder(plant).meta()
    day = meta.end.date() - timedelta(days=2)  # a weekday inside the plant's data: a full schedule
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    planner = next(u.username for u in plant_users(plant) if "planner" in u.groups)
    log = (tmp_path_factory.mktemp("crew-logs") / "handlers.log").open("w", encoding="utf-8")
    with log, LocalStack(plant, handler_output=log) as stack:
        summary = stack.runtime.fire("crew_planner", detail={"date": day.isoformat(), "shift": SHIFT})
        assert summary["seats_filled"] > 0 and summary["published"] > 0
        yield Crew(stack.runtime.api_url, day, summary, planner, stack.runtime)


def test_the_planner_sees_the_plan_and_accepts_a_suggestion_in_place(page: Page, crew: Crew) -> None:
    problems = watch(page)
    board = f"/crew?day={crew.day.isoformat()}&shift={SHIFT}"
    sign_in(page, crew, crew.planner, then=board)  # type: ignore[arg-type]

    rows = page.locator(".segment tbody tr")
    assert rows.count() == crew.summary["seats_filled"]  # one row per assigned seat of the plan
    main = page.locator("main").inner_text()
    assert f"Shift {SHIFT}" in main and "waiting" in main
    assert_no_serious_violations(page)
    screenshots(page, "crew_board")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    waiting = page.locator(".segment tbody tr", has_text="waiting").first
    who = waiting.locator("td").first.inner_text().splitlines()[0]
    before = page.locator(".segment tbody tr", has_text="waiting").count()
    waiting.get_by_role("button", name="Accept").click()

    page.wait_for_url(f"**{board}&done=approve")
    assert "Approved." in page.locator("main").inner_text()
    accepted = " ".join(page.locator(".segment tbody tr", has_text=who).first.inner_text().split())
    assert "accepted by planner" in accepted
    assert page.locator(".segment tbody tr", has_text="waiting").count() == before - 1

    # Then the rest of the shift is re-planned around it: crew_replan runs (from the replan queue) and the
    # accepted assignment is still there, accepted
    page.get_by_role("button", name=f"Re-plan the rest of shift {SHIFT}").click()
    page.wait_for_url(f"**{board}&done=replan")
    assert "Re-plan asked" in page.locator("main").inner_text()
    crew.runtime.drain(timeout_s=60)
    assert [call.error for call in crew.runtime.invocations("crew_replan")] == [None]
    page.goto(f"{crew.base}{board}")
    kept = " ".join(page.locator(".segment tbody tr", has_text=who).first.inner_text().split())
    assert "accepted by planner" in kept
    assert problems == []
