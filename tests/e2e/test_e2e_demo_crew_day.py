"""`make demo`'s crew plan can be decided: the demo plans a day whose shifts are all ahead (`crew_day`) on a plant
whose scheduled days reach it (`demo_spec`), so the planner sees Accept and the call-off form on the crew board,
and an Accept is taken.
Before, the demo planned a replayed day in the past and every seat had ended (no Accept; review_sweep expired them);
`plan_crews` also has every seat wait for review (`CREW_APPROVAL=all`), as seats that confirm the plan are logged.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from plexlabor.review.queue import ReviewQueue
from plexlabor_dev.demo import demo_spec, plan_crews
from plexlabor_dev.local.signin import LOCAL_PASSWORD, LOGIN_PATH
from plexlabor_dev.local.stack import LocalStack
from plexlabor_dev.simulator.generator import generate_plant

DEMO_DEFAULTS = {"employees": 20, "weeks": 4, "seed": 7}
"""`plexlabor demo`'s default plant (`cli.py`)."""
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalStack, str, dict[str, Any]]]:
    spec = demo_spec(**DEMO_DEFAULTS, today=datetime.now(ZoneInfo("America/Detroit")).date())
    plant = tmp_path_factory.mktemp("demo-plant")
    meta = generate_plant(spec, plant)
    log = (tmp_path_factory.mktemp("demo-logs") / "handlers.log").open("w", encoding="utf-8")
    with log, LocalStack(plant, handler_output=log) as stack:
        plan = plan_crews(stack.runtime, datetime.now(ZoneInfo(meta.timezone)).date())
        stack.runtime.fire("review_sweep")  # as the demo does: an ended seat would expire here
        yield stack, plan["day"], plan


def test_the_demos_crew_plan_waits_for_the_planner_who_can_accept_a_seat(
    planned: tuple[LocalStack, str, dict[str, Any]],
) -> None:
    stack, day, plan = planned
    assert plan["published"] > 0
    crew = [i for i in ReviewQueue(stack.runtime.audit_store()).open_items() if i.kind == "crew_assignment"]
    assert crew, "no crew suggestion left open after review_sweep"
    api = stack.runtime.api_url
    with requests.Session() as planner:
        form = {"username": "planner", "password": LOCAL_PASSWORD, "next": "/queue"}
        assert planner.post(f"{api}{LOGIN_PATH}", data=form, timeout=30).status_code == 200
        board = planner.get(f"{api}/crew", params={"day": day}, timeout=60)
        assert board.status_code == 200 and 'value="approve">Accept</button>' in board.text
        assert 'id="record-call-off"' in board.text  # a call-off taken by phone can be recorded
        item = crew[0].item_id
        decided = planner.post(
            f"{api}/items/{item}",
            data={"action": "approve", "next": f"/crew?day={day}"},
            headers=SAME_ORIGIN,
            timeout=60,
            allow_redirects=False,
        )
    assert decided.status_code in (302, 303), decided.text[:500]
    assert item not in {i.item_id for i in ReviewQueue(stack.runtime.audit_store()).open_items()}
    assert day > datetime.now(ZoneInfo("America/Detroit")).date().isoformat()  # all the day's shifts are ahead
