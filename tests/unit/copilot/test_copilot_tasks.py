"""The tasks a plant's procedures are titled for (shutdown, changeover, cleaning, purge, inspection), lock
removal and purge / cool / cleaning times: the held-out set of `task_questions` (written and committed,
051a296, before the routing it checks), run once after the last change; its misses are marked as such.

Run with BM25 alone (the copilot as `make test` installs it); `make bench` (tests/bench/bench_copilot.py)
prints the same figures with the encoder too (`task_figures`)."""

from __future__ import annotations

import pytest

from plexlabor.copilot.answers import Where, answer
from plexlabor.copilot.procedures import Procedure, read_procedures
from plexlabor.copilot.retrieval import ProcedureIndex, RetrievalSettings
from tests.unit.copilot.intent_questions import CELL_SOPS, LOCKOUT, MOLDING, ROBOT_WELD
from tests.unit.copilot.task_questions import (
    CHANGEOVER,
    CLEANING,
    INSPECTION,
    LOCK_REMOVAL,
    NOT_LOCK_REMOVAL,
    PURGING,
    SHUTDOWN,
    SIMULATOR_PURGE_TIME,
    TASK_SOPS,
    TIMES,
)
from tests.unit.copilot.test_copilot_intents import _lines, simulator_procedures, value_answered

Questions = tuple[tuple[str, str | None, str | None], ...]
SETS: dict[str, Questions] = {
    "shutdown": SHUTDOWN,
    "changeover": CHANGEOVER,
    "cleaning": CLEANING,
    "purge": PURGING,
    "inspection": INSPECTION,
    "lock removal": LOCK_REMOVAL,
}


def task_plant() -> list[Procedure]:
    """The simulator's SOPs (but its alarm response, which `CELL_SOPS` holds), `CELL_SOPS` and `TASK_SOPS`."""
    sops = [
        {"title": p.title, "tools": list(p.tools or ()), "steps": [s.text for s in p.steps], "operations": p.operations}
        for p in simulator_procedures()
    ]
    return read_procedures(_lines([*sops, *CELL_SOPS, *TASK_SOPS]))


def task_figures(plant: ProcedureIndex, simulator: ProcedureIndex) -> dict[str, tuple[int, int]]:
    """How many of each set are answered as they should be (right, asked)."""

    def right(questions: Questions) -> int:
        return sum(answer(plant, q, Where(operation=op)).title == title for q, op, title in questions)

    steps = {p.title: len(p.steps) for p in plant.procedures}
    times = sum(
        value_answered(answer(plant, q, Where(operation=op)), title, holds, steps[title])
        for q, op, title, holds in TIMES
    )
    near = sum(answer(plant, q, Where(operation=op)).title != LOCKOUT for q, op, _ in NOT_LOCK_REMOVAL)
    q, op, title, holds = SIMULATOR_PURGE_TIME
    on_simulator = value_answered(answer(simulator, q, Where(operation=op)), title, holds, 6)
    return {
        **{name: (right(questions), len(questions)) for name, questions in SETS.items()},
        "lock removal near misses not lockout": (near, len(NOT_LOCK_REMOVAL)),
        "times": (times, len(TIMES)),
        "purge time, simulator's SOPs": (int(on_simulator), 1),
    }


@pytest.fixture(scope="module")
def plant() -> ProcedureIndex:
    return ProcedureIndex(task_plant(), RetrievalSettings(dense_weight=0.0))


MISSED = {
    ("What do I do to stop the weld cell at the end of the day?", ROBOT_WELD),
    ("The parts have black specks, how do I purge the screw?", MOLDING),
    ("How do I inspect the first part after a mold change?", MOLDING),
    ("How do I check a part against the drawing?", None),
    ("How do I inspect the parts?", None),
    ("How long do the purgings need to cool before I pick them up?", MOLDING),
    ("How long does the purge take?", None),
    ("How long do I let the mold cool before cleaning it?", MOLDING),
    ("At what temperature do I leave the heaters over the weekend?", MOLDING),
}
"""Missed with BM25 alone, in the one run at the end (19:04 UTC, code of 7c240b8); one more since, after the fix
that run led to (a question naming nothing but a task of several procedures is refused, not answered by the
ordinary path: "How do I clean the machine?" with no operation), so the set is no longer unseen. Refused: "stop" is no
shutdown word; "black specks", "pick them up", "take", "leave ... over the weekend" are not in the
procedure (the 75 % gate). Answered from a wrong procedure: "How do I clean the machine?" with no machine
named (the CNC daily check, whose step cleans chips: a task question of several procedures is not answered
by the task's path, but the ordinary path still answers it), "How do I inspect the parts?" (the
first-article inspection; the set wants a refusal), "inspect the first part after a mold change" (the mold
change: its step 8 checks the first part), "check a part against the drawing" (the weld inspection), and
"how long ... cool before cleaning" (the cleaner's 2 minutes, not the cooling step). With the encoder the
same, and "How do I do a changeover?" with no machine named is answered from the weld cell's fixture
changeover (the ordinary path again). "What purge time should I use?" answered since "use" frames a question (ux_s16
#7, `retrieval.QUESTION_WORDS`)."""


def _marked(questions: Questions) -> list[object]:
    return [
        pytest.param(q, op, title, marks=pytest.mark.xfail(strict=True, reason="missed"))
        if (q, op) in MISSED
        else (q, op, title)
        for q, op, title in questions
    ]


@pytest.mark.parametrize(("question", "operation", "title"), _marked(sum(SETS.values(), ())))
def test_a_task_gets_the_procedure_titled_for_it(
    plant: ProcedureIndex, question: str, operation: str | None, title: str | None
) -> None:
    reply = answer(plant, question, Where(operation=operation))
    assert (reply.kind, reply.title) == (("steps", title) if title else ("refused", None))


@pytest.mark.parametrize(("question", "operation", "title"), _marked(NOT_LOCK_REMOVAL))
def test_a_lock_that_is_no_lockout_device_is_not_lockout(
    plant: ProcedureIndex, question: str, operation: str | None, title: str | None
) -> None:
    assert answer(plant, question, Where(operation=operation)).title in {title, None} - {LOCKOUT}


@pytest.mark.parametrize(
    ("question", "operation", "title", "holds"),
    [
        pytest.param(*row, marks=pytest.mark.xfail(strict=True, reason="missed")) if row[:2] in MISSED else row
        for row in (*TIMES, SIMULATOR_PURGE_TIME)
    ],
)
def test_a_time_or_temperature_gets_the_steps_that_give_it(
    plant: ProcedureIndex, question: str, operation: str | None, title: str, holds: frozenset[int]
) -> None:
    index = plant if (question, operation, title, holds) != SIMULATOR_PURGE_TIME else _simulator()
    reply = answer(index, question, Where(operation=operation))
    steps = next(len(p.steps) for p in index.procedures if p.title == title)
    assert value_answered(reply, title, holds, steps), [c.step for c in reply.citations]


def _simulator() -> ProcedureIndex:
    return ProcedureIndex(simulator_procedures(), RetrievalSettings(dense_weight=0.0))
