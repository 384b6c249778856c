"""ux_s15 #7 in a browser: at 390 px the crew board's superseded rows fold under "History: n superseded by a
re-plan" (closed), so a segment's open seats lead and the page is shorter; opening the summary shows them. The
board's HTML is the web app's own (drawn in process from the unit tests' board), set into chromium."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.unit.webapp.test_web_app_crew_history_fold import superseded_board

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_superseded_rows_are_folded_and_open_on_demand_on_a_phone(page: Page, lambda_context: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 800})
    page.set_content(superseded_board(lambda_context))

    history = page.locator("details.history").first
    superseded = history.locator("tr", has_text="superseded by a re-plan")
    assert history.is_visible() and not superseded.is_visible()
    assert page.locator("table.seats tr", has_text="E0043").first.is_visible()
    folded_height = page.evaluate("document.documentElement.scrollHeight")

    history.locator("summary").click()

    assert superseded.is_visible()
    assert page.evaluate("document.documentElement.scrollHeight") > folded_height
