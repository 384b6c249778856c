"""The operator copilot in chromium, on the local runtime (issue 12): the plant's procedure file is
uploaded, copilot_index (fired on the local runtime) stores its index, and an operator at tablet width
asks on /copilot with the job and operation filled in; copilot_ask (the real handler, through the local
API gateway and the dev sign-in) answers with the procedure's numbered steps, each citing its passage,
logs the interaction to the audit table and to the job's record in the Plex simulator (custom_object
mode), and the page shows it with machine settings for the lot (from generated past runs, inside the
SOP's limits, naming the runs). A question no procedure covers gets "Nothing relevant found"; markup typed
into the question is shown as text. No request beyond 127.0.0.1, no script error, axe-core clean, 820 px
without sideways scrolling, screenshots.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from plexlabor.audit.events import AuditEventType
from plexlabor.copilot import PROCEDURES_PREFIX
from plexlabor.copilot.indexing import PROCEDURES_KEY, PROCESS_KEY
from plexlabor.copilot.parameters import OperationProcess, ProcessData, RunRecord
from plexlabor.plant import PlantFolder
from plexlabor.webapp.copilotpage import setting_label, setting_text
from plexlabor_dev.local.stack import LocalStack
from plexlabor_dev.simulator.generator import PlantSpec
from plexlabor_dev.simulator.lots import SOP_LIMITS, generate_process
from tests.browser.harness import (
    assert_no_serious_violations,
    local_stack,
    screenshots,
    sign_in,
    watch,
)
from tests.support import generated_plant
from tests.unit.copilot.copilot_world import lines

if TYPE_CHECKING:
    from playwright.sync_api import Page

PLANT = PlantSpec(employees=12, weeks=1, seed=12)
CUSTOM_OBJECT = "plexlabor_copilot_interactions"


def _process() -> ProcessData:
    """Operation 20's SOP limits and its past runs (generated, with a known truth), and lot LOT-7731."""
    world = generate_process(runs=300, held_out=1, seed=12)
    runs = [
        RunRecord(
            run_id=r.run_id, lot_properties=dict(r.lot_properties), settings=dict(r.settings), scrap_rate=r.scrap_rate
        )
        for r in world.runs
    ]
    return ProcessData(
        operations={"20": OperationProcess(limits=world.limits, runs=runs)}, lots={"LOT-7731": world.held_out[0]}
    )


@dataclass
class Copilot:
    base: str
    stack: LocalStack
    job: str
    """A job of the plant (copilot_ask refuses a job Plex does not have)."""


@pytest.fixture(scope="module")
def copilot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Copilot]:
    plant = generated_plant(tmp_path_factory, "copilot", PLANT)
    with local_stack(tmp_path_factory, "copilot", plant) as stack:
        runtime = stack.runtime
        assert runtime.resources is not None
        s3, bucket = runtime.client("s3"), runtime.resources.artifacts_bucket
        s3.put_object(Bucket=bucket, Key=f"{PROCEDURES_PREFIX}{PROCEDURES_KEY}", Body="\n".join(lines()).encode())
        s3.put_object(Bucket=bucket, Key=f"{PROCEDURES_PREFIX}{PROCESS_KEY}", Body=_process().model_dump_json())
        summary = runtime.fire("copilot_index")
        assert summary["built"] is True and (summary["procedures"], summary["operations"]) == (4, 1)
        yield Copilot(runtime.api_url, stack, next(PlantFolder(plant).iter_raw("jobs"))["jobNo"])


def test_an_operator_asks_and_gets_cited_steps_logged_to_the_job(page: Page, copilot: Copilot) -> None:
    problems = watch(page)
    page.set_viewport_size({"width": 820, "height": 1100})
    then = f"/copilot?job_id={copilot.job}&operation=20&lot_id=LOT-7731"
    sign_in(page, copilot, "operator", then=then)  # type: ignore[arg-type]
    assert page.get_by_label("Job (work order)").input_value() == copilot.job
    assert_no_serious_violations(page)
    screenshots(page, "copilot-form")

    page.get_by_label("Your question").fill("How do I clean the coolant tank?")
    page.get_by_role("button", name="Ask").click()
    page.wait_for_url("**/copilot?interaction=*")
    steps = page.locator("ol.steps li")
    assert steps.count() == 3
    assert steps.nth(0).inner_text() == "Put on nitrile gloves before touching used coolant. [2#1]"
    assert page.locator("ol.steps cite").all_inner_texts() == ["[2#1]", "[2#2]", "[2#3]"]
    assert page.get_by_role("textbox", name="Operation").input_value() == "20"  # kept for the next question
    assert_no_serious_violations(page)
    screenshots(page, "copilot-answer")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    interaction_id = page.url.rsplit("=", 1)[1]
    [event] = [
        e for e in copilot.stack.audit().store.for_finding(interaction_id) if e.event_type is AuditEventType.INTERACTION
    ]
    assert event.actor == "operator" and event.record_key == f"jobs:{copilot.job}"
    assert event.payload["cited"] == ["2#1", "2#2", "2#3"] and event.payload["plex"]["sent"] is True
    [written] = [
        o for o in copilot.stack.simulator.state.custom_objects(CUSTOM_OBJECT) if o["interactionId"] == interaction_id
    ]
    assert (
        written["jobId"] == copilot.job
        and written["operation"] == "20"
        and written["citedJson"] == '["2#1","2#2","2#3"]'
    )
    assert "Plex: saved with the job's record" in page.locator("main").inner_text()
    # settings for the lot at the operation: inside the SOP's limits, from named runs, as logged
    suggested = event.payload["answer"]["parameters"]
    assert suggested["reason"] is None and len(suggested["runs"]) == 5
    rows = page.locator("table tbody tr")
    assert rows.count() == 3
    for name, (low, high) in SOP_LIMITS.items():
        assert low <= suggested["settings"][name] <= high
        # named in words with the unit ("Barrel temperature (°C)"), not by the key
        assert page.locator("tbody tr", has_text=setting_label(name)).locator("strong").inner_text() == setting_text(
            suggested["settings"][name]
        )
    assert all(run["run_id"] in page.locator("main").inner_text() for run in suggested["runs"])
    assert problems == []


def test_nothing_relevant_is_said_plainly_and_typed_markup_stays_text(page: Page, copilot: Copilot) -> None:
    problems = watch(page)
    page.set_viewport_size({"width": 820, "height": 1100})
    sign_in(page, copilot, "operator", then="/copilot")  # type: ignore[arg-type]

    page.get_by_label("Your question").fill("<img src=x onerror=alert(1)> Who won the football game last night?")
    page.get_by_role("button", name="Ask").click()
    page.wait_for_url("**/copilot?interaction=*")

    assert "Nothing relevant found." in page.get_by_role("status").inner_text()
    assert page.locator("ol.steps").count() == 0 and page.locator("main img").count() == 0
    assert "<img src=x onerror=alert(1)>" in page.locator("main").inner_text()
    assert_no_serious_violations(page)
    assert problems == []
