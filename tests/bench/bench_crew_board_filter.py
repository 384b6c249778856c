"""The crew board's department filter at plant scale (`/crew?dept=`), run by `make bench`; it prints its figures
(never asserts a time), with the machine's load.

The same plant, plan and signed-in planner as `bench_crew_board` (its `board` fixture: a 2,400-employee plant,
crew_planner's 1st shift of the next weekday), and skills_daily's report (fired once, not timed), which names
each workcenter's department. Per page: the whole shift (what a planner gets by default, the page
`bench_crew_board` measures), the department with the most seats, the median one and the largest department's
busiest workcenter (`?wc=`): seat rows, HTML size,
and the server round trip through the local API gateway while the day's read is kept (`BOARD_TTL_S`: the
page itself, no audit-table read) and fresh (`?done=`: what is new since the last read, read first), median
of `READS`, with the process's CPU seconds per request (client, local gateway and web app share the process).
"""

from __future__ import annotations

import re
import statistics
import time
from urllib.parse import quote

from plexlabor.plant import PlantFolder
from plexlabor.skills.data import default_as_of
from plexlabor.webapp.dashboards import ALL_DEPARTMENTS
from tests.bench.bench_crew_board import Board, _load, board  # noqa: F401 (the fixture)

READS = 5
OPTION = re.compile(r'<option value="([^"]+)"[^>]*>[^<(]*\((\d+) seats? filled')
SELECT = r'<select name="{}">(.*?)</select>'


def _timed(crew: Board, **extra: str) -> tuple[str, float, float]:
    """The page, its wall and CPU seconds."""
    cpu = time.process_time()
    html, wall = crew.get(**extra)
    return html, wall, time.process_time() - cpu


def _line(label: str, crew: Board, **extra: str) -> str:
    html, _, _ = _timed(crew, **extra)  # the first: fills the container's read of the day
    kept = [_timed(crew, **extra)[1:] for _ in range(READS)]
    fresh = [_timed(crew, done="x", **extra)[1:] for _ in range(READS)]
    rows = html.count("<tr><td>")

    def median(samples: list[tuple[float, float]], at: int) -> float:
        return statistics.median(sample[at] for sample in samples)

    return (
        f"  {label}: {rows} seat rows, {len(html) / 1e3:,.0f} kB of HTML; kept read median {median(kept, 0):.2f} s "
        f"(CPU {median(kept, 1):.2f} s), fresh median {median(fresh, 0):.2f} s (CPU {median(fresh, 1):.2f} s)"
    )


def test_crew_board_department_filter_benchmark(board: Board) -> None:  # noqa: F811 (the imported fixture)
    plant = PlantFolder(board.runtime.plant_dir)
    started = time.perf_counter()
    board.runtime.fire("skills_daily", detail={"as_of": default_as_of(plant).isoformat(), "publish": False})
    print(f"\nskills_daily (the workcenters' departments for the filter): {time.perf_counter() - started:.1f} s")
    html, _ = board.get()
    [select] = re.findall(SELECT.format("dept"), html, re.S)
    offered = [(code, int(seats)) for code, seats in OPTION.findall(select) if code != ALL_DEPARTMENTS]
    departments = sorted(offered, key=lambda d: -d[1])
    assert departments, "the board offers no department"
    largest, median = departments[0], departments[len(departments) // 2]
    print(
        f"crew board of {board.day.isoformat()}, {len(departments)} departments in the shift "
        f"({', '.join(f'{code} {seats}' for code, seats in departments)} seats filled); load {_load()}"
    )
    print(_line("whole shift (a planner's default)", board))
    for label, (code, _) in (("largest department", largest), ("median department", median)):
        print(_line(f"{label} {code}", board, dept=quote(code)))
    [workcenters] = re.findall(SELECT.format("wc"), board.get(dept=quote(largest[0]))[0], re.S)
    busiest = max(((code, int(seats)) for code, seats in OPTION.findall(workcenters)), key=lambda w: w[1])
    print(_line(f"{largest[0]}'s busiest workcenter {busiest[0]}", board, dept=quote(largest[0]), wc=quote(busiest[0])))
    print(f"load after {_load()}")
