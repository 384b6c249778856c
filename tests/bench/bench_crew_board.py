"""The crew board at plant scale, end to end on the local runtime (issue 10), run by `make bench`; it prints
its figures (never asserts a time).

A generated 2,400-employee plant whose history ends yesterday; crew_planner fired for the 1st shift of the
next weekday (nothing has started) publishes its suggestions to the (moto) audit table. A planner signed
in over HTTP then:

1. opens the board: the first read (five status-index queries), reads within the board's TTL (kept per
   container), and fresh reads (`?done=`), server round trips through the local API gateway;
2. swaps a waiting seat for the first operator offered who is not busy elsewhere (`POST /crew/swap`), then
   the `swap` message goes through the replan queue to crew_replan, then the board is read fresh: the
   end-to-end time from the swap's POST to the board showing the re-plan (the POST, the queue's delivery,
   crew_replan's run, one fresh board read). The first swap's crew_replan reads the shift's data through
   the Plex simulator (a cold container); a second swap re-plans the problem the container kept (warm).
   Target (issue 10): < 3 s.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from plexlabor_dev.local.signin import LOCAL_PASSWORD, LOGIN_PATH, plant_users
from plexlabor_dev.local.stack import LocalStack
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant

PLANT = PlantSpec(employees=2400, weeks=2, seed=301, end_date=date.today() - timedelta(days=1))
SHIFT = "1"
READS = 3
SWAP_FORM = re.compile(r'<form method="post" action="[^"]*/crew/swap" class="swap">(.*?)</form>', re.S)
TARGET_S = 3.0


@dataclass
class Board:
    base: str
    day: date
    runtime: Any
    session: requests.Session

    def path(self, **extra: str) -> str:
        query = "&".join(f"{k}={v}" for k, v in {"day": self.day.isoformat(), "shift": SHIFT, **extra}.items())
        return f"/crew?{query}"

    def get(self, **extra: str) -> tuple[str, float]:
        started = time.perf_counter()
        response = self.session.get(f"{self.base}{self.path(**extra)}", timeout=120)
        assert response.status_code == 200, response.text[:300]
        return response.text, time.perf_counter() - started


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Board]:
    started = time.perf_counter()
    plant = tmp_path_factory.mktemp("crew-board") / "plant"
    generate_plant(PLANT, plant)
    print(
        f"\nplant: {PLANT.employees} employees, {PLANT.weeks} weeks, generated in {time.perf_counter() - started:.1f} s"
    )
    day = date.today() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    planner = next(u.username for u in plant_users(plant) if "planner" in u.groups)
    log = (tmp_path_factory.mktemp("crew-board-logs") / "handlers.log").open("w", encoding="utf-8")
    with log, LocalStack(plant, handler_output=log) as stack:
        started = time.perf_counter()
        summary = stack.runtime.fire("crew_planner", detail={"date": day.isoformat(), "shift": SHIFT})
        print(
            f"crew_planner {day.isoformat()} shift {SHIFT}: {summary['seats_filled']} of {summary['seats']} seats, "
            f"{summary['operators']} operators, {summary['published']} suggestions published, "
            f"{time.perf_counter() - started:.1f} s (solve {summary['seconds']} s)"
        )
        base = stack.runtime.api_url
        session = requests.Session()
        host = "{0.scheme}://{0.netloc}".format(urlsplit(base))
        form = {"username": planner, "password": LOCAL_PASSWORD, "next": "/"}
        signed = session.post(f"{host}{LOGIN_PATH}", data=form, allow_redirects=False, timeout=30)
        assert signed.status_code == 303, signed.text[:300]  # signed in (the session cookie set)
        yield Board(base, day, stack.runtime, session)


def _swap_choice(html: str, busy_too: bool = False) -> tuple[str, str]:
    """(item id, employee id) of the first waiting seat offering someone not busy elsewhere."""
    for form in SWAP_FORM.findall(html):
        item = re.search(r'name="item" value="([^"]+)"', form)
        for value, label in re.findall(r'<option value="([^"]+)">(.*?)</option>', form, re.S):
            if item and (busy_too or "now at" not in label):
                return item.group(1), value
    raise AssertionError("no waiting seat offers a swap")


def _swap(board: Board, label: str) -> float:
    html, _ = board.get(done="x")
    item_id, employee_id = _swap_choice(html)
    before = len(board.runtime.invocations("crew_replan"))
    started = time.time()
    response = board.session.post(
        f"{board.base}/crew/swap",
        data={"item": item_id, "employee": employee_id, "next": board.path()},
        allow_redirects=False,
        timeout=60,
    )
    post_s = time.time() - started
    assert response.status_code == 303, response.text[:500]
    board.runtime.drain(timeout_s=1200)
    invocations = board.runtime.invocations("crew_replan")[before:]
    assert [i.error for i in invocations] == [None]
    [replan] = invocations
    html, read_s = board.get(done="swap")
    assert "Swapped:" in html
    end_to_end = replan.started + replan.seconds - started + read_s
    queue_s = replan.started - started - post_s
    print(
        f"  {label}: end to end {end_to_end:.2f} s = swap POST {post_s:.2f} s + queue {queue_s:.2f} s + "
        f"crew_replan {replan.seconds:.2f} s + board read {read_s:.2f} s "
        f"(target < {TARGET_S:g} s: {'met' if end_to_end < TARGET_S else 'NOT met'})"
    )
    return end_to_end


def test_crew_board_reads_and_swap_round_trip_benchmark(board: Board) -> None:
    html, first_s = board.get()
    seats = html.count("<tr><td>")
    warm = [board.get()[1] for _ in range(READS)]
    fresh = [board.get(done="x")[1] for _ in range(READS)]
    print(
        f"board of {board.day.isoformat()} shift {SHIFT} ({seats} seat rows, {len(html) / 1e3:.0f} kB of HTML): "
        f"first read {first_s:.2f} s; within the TTL (kept) median {sorted(warm)[READS // 2]:.2f} s; "
        f"fresh (five status-index queries) median {sorted(fresh)[READS // 2]:.2f} s"
    )
    print("swap by hand, then crew_replan re-plans the rest of the shift with the choice held:")
    _swap(board, "first swap (crew_replan reads the shift's data: cold)")
    _swap(board, "second swap (the problem the container kept: warm)")
