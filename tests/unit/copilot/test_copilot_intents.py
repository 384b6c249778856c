"""Starting the machine, an alarm, lockout proper and one value, asked in operators' words (ux136 #10):
the held-out sets of `intent_questions`, written before the routing and answer selection they check.

Run with BM25 alone (the copilot as `make test` installs it); `make bench` (tests/bench/bench_copilot.py)
prints the same figures with the encoder too (`intent_figures`)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from plexlabor.copilot.answers import Answer, Where, answer
from plexlabor.copilot.procedures import Procedure, read_procedures
from plexlabor.copilot.retrieval import ProcedureIndex, RetrievalSettings
from plexlabor_dev.simulator.procedures import SOPS
from tests.unit.copilot.intent_questions import (
    ALARM,
    ALARM_CHECK,
    CELL_SOPS,
    CELL_START,
    LOCKOUT,
    LOCKOUT_CHECK,
    LOCKOUT_PROPER,
    MOLD_CHANGE,
    MOLDING,
    PRESS_ALARM,
    PRESS_START,
    ROBOT_WELD,
    START_UP,
    START_UP_CHECK,
    VALUE,
    VALUE_CHECK,
    VALUE_SLACK,
)


def _lines(sops: list[dict[str, Any]]) -> list[str]:
    return [
        json.dumps(
            {
                **sop,
                "guide_id": f"SOP-{number:03d}",
                "steps": [{"order": order, "text": text} for order, text in enumerate(sop["steps"], start=1)],
            }
        )
        for number, sop in enumerate(sops, start=1)
    ]


def simulator_procedures() -> list[Procedure]:
    """The simulator's SOPs as the local runtime uploads them, the mold shop's under operation MOLDING, but
    its press's alarm response (since 2026-12-05, the same as `CELL_SOPS`' but for its tools): these sets ask
    alarms of SOPs with no alarm response, and `plant_procedures` adds the press's from `CELL_SOPS`."""
    sops: list[dict[str, Any]] = [
        {
            "title": sop.title,
            "tools": list(sop.tools),
            "steps": list(sop.steps),
            "operations": ["MOLDING"] if sop.department == "MOLD" else [],
        }
        for sop in SOPS
        if sop.title != PRESS_ALARM
    ]
    return read_procedures(_lines(sops))


def plant_procedures() -> list[Procedure]:
    """The simulator's SOPs and the weld cell's and the press's alarm SOPs of `intent_questions`."""
    sops: list[dict[str, Any]] = [
        {"title": p.title, "tools": list(p.tools or ()), "steps": [s.text for s in p.steps], "operations": p.operations}
        for p in simulator_procedures()
    ]
    return read_procedures(_lines([*sops, *CELL_SOPS]))


def value_answered(reply: Answer, title: str, holds: frozenset[int], steps: int) -> bool:
    """Answered from `title` with the steps that hold the value, at most `VALUE_SLACK` more, not all."""
    cited = {citation.step for citation in reply.citations}
    return (
        (reply.kind, reply.title) == ("steps", title)
        and holds <= cited
        and len(cited) <= len(holds) + VALUE_SLACK
        and len(cited) < steps
    )


Questions = tuple[tuple[str, str | None, str | None], ...]
Valued = tuple[tuple[str, str | None, str, frozenset[int]], ...]
SET_A: tuple[Questions, Questions, Questions, Valued] = (START_UP, ALARM, LOCKOUT_PROPER, VALUE)


def intent_figures(
    plant: ProcedureIndex, simulator: ProcedureIndex, sets: tuple[Questions, Questions, Questions, Valued] = SET_A
) -> dict[str, tuple[int, int]]:
    """How many of each set (start-up, alarm, lockout, value) are answered as they should be (right, asked)."""
    start_up, alarm, lockout, value = sets

    def right(questions: Questions, index: ProcedureIndex) -> int:
        return sum(answer(index, q, Where(operation=op)).title == title for q, op, title in questions)

    steps = {p.title: len(p.steps) for p in plant.procedures}
    values = sum(
        value_answered(answer(plant, q, Where(operation=op)), title, holds, steps[title])
        for q, op, title, holds in value
    )
    refused = sum(answer(simulator, q, Where(operation=op)).kind == "refused" for q, op, _ in alarm)
    return {
        "start-up": (right(start_up, plant), len(start_up)),
        "alarm": (right(alarm, plant), len(alarm)),
        "alarm, no alarm SOP: refused": (refused, len(alarm)),
        "lockout proper": (right(lockout, plant), len(lockout)),
        "value": (values, len(value)),
    }


@pytest.fixture(scope="module")
def plant() -> ProcedureIndex:
    return ProcedureIndex(plant_procedures(), RetrievalSettings(dense_weight=0.0))


@pytest.fixture(scope="module")
def simulator() -> ProcedureIndex:
    return ProcedureIndex(simulator_procedures(), RetrievalSettings(dense_weight=0.0))


MISSED = {
    ("The press has been sitting idle, how do I bring it back up?", MOLDING),
    ("The cell's stack light is red and the robot won't move, what do I do?", ROBOT_WELD),
    ("I need to change a worn belt on the conveyor, what do I do first to make it safe?", None),
    ("What percentage should the refractometer read?", None),
    # set B (run once with the code of 8441b0e, then once more after the alarm change that followed it)
    ("How close to the setting do the barrel zones need to be?", MOLDING),
}
"""Missed with BM25 alone: refused, since fewer than 75 % of their words are in the right procedure even
when the task's words, the machine's and when it is asked are left out ("sitting idle", "stack light is red",
"read"); the change of a belt names no servicing the lockout vocabulary knows. Set B's: "how close"
(not read as a value question). Answered since the generalised tasks (2026-12-05, helper 154; both sets are
development sets now): "shut down over the weekend", "start production" and "bring the weld cell up" (when
and production words; "bring * up"), "stays off", a tag beside servicing, "reach past" (1910.147's (a)(2)(ii)
and (b)), the barrel heaters' temperature (a value question prefers a procedure giving a number of the
kind asked, over the alarm response that only names it), the gas flow with BM25 alone (the same), "how many
shots" (shots, strokes, cycles, parts as counts) and "how long ... cool" (no step gives a time: the one
step on the cooling answers, saying it gives no time), and (ux_s16 #7) "What hold time do I use?" ("use" frames a
question, `retrieval.QUESTION_WORDS`)."""


def _marked(questions: tuple[tuple[str, str | None, str | None], ...]) -> list[object]:
    return [
        pytest.param(q, op, title, marks=pytest.mark.xfail(strict=True, reason="missed"))
        if (q, op) in MISSED
        else (q, op, title)
        for q, op, title in questions
    ]


@pytest.mark.parametrize(("question", "operation", "title"), _marked(START_UP + START_UP_CHECK))
def test_starting_the_machine_gets_its_start_up_procedure(
    plant: ProcedureIndex, question: str, operation: str | None, title: str | None
) -> None:
    # before: the lockout procedure for "How do I start the machine?" (its step 5 says "start the machine"),
    # a refusal for most others (4 of 20 right)
    reply = answer(plant, question, Where(operation=operation))
    assert reply.title == title
    assert reply.kind == ("steps" if title else "refused")


@pytest.mark.parametrize(("question", "operation", "title"), _marked(ALARM + ALARM_CHECK))
def test_an_alarm_gets_the_cells_alarm_response(
    plant: ProcedureIndex, question: str, operation: str | None, title: str | None
) -> None:
    # before: the lockout procedure for "The robot is stuck in an alarm" (stuck + robot: a jam), the weld
    # cell's alarm response for the press's alarm, most others refused (6 of 17 right)
    reply = answer(plant, question, Where(operation=operation))
    assert (reply.kind, reply.title) == ("steps", title)


@pytest.mark.parametrize(("question", "operation"), [(q, op) for q, op, _ in ALARM + ALARM_CHECK])
def test_an_alarm_no_procedure_answers_is_refused_in_plain_words(
    simulator: ProcedureIndex, question: str, operation: str | None
) -> None:
    # before: "The robot is stuck in an alarm, what do I do?" got the lockout procedure, and until the alarm
    # was answered from an alarm response only, "The press alarmed on a heater zone" the start-up
    reply = answer(simulator, question, Where(operation=operation))
    assert (reply.kind, reply.title) == ("refused", None)
    assert reply.text.startswith("No procedure I have covers this: none of them is an alarm or fault response.")


@pytest.mark.parametrize(("question", "operation", "title"), _marked(LOCKOUT_PROPER + LOCKOUT_CHECK))
def test_lockout_proper_and_re_energizing_after_it_get_the_lockout_procedure(
    plant: ProcedureIndex, question: str, operation: str | None, title: str
) -> None:
    reply = answer(plant, question, Where(operation=operation))
    assert (reply.kind, reply.title, reply.scope) == ("steps", title, "plant")


@pytest.mark.parametrize(
    ("question", "operation", "title", "holds"),
    [
        pytest.param(*row, marks=pytest.mark.xfail(strict=True, reason="missed")) if row[:2] in MISSED else row
        for row in VALUE + VALUE_CHECK
    ],
)
def test_a_value_is_answered_with_the_steps_that_give_it(
    plant: ProcedureIndex, question: str, operation: str | None, title: str, holds: frozenset[int]
) -> None:
    # before: every step of the procedure (or a refusal): 0 of 17
    reply = answer(plant, question, Where(operation=operation))
    steps = next(len(p.steps) for p in plant.procedures if p.title == title)
    assert value_answered(reply, title, holds, steps), [c.step for c in reply.citations]


def test_the_torque_answer_cites_step_5_of_8_by_its_own_number(plant: ProcedureIndex) -> None:
    reply = answer(plant, "What torque for the mold clamps?", Where(operation=MOLDING))

    assert [(c.procedure_id, c.step) for c in reply.citations] == [("SOP-002", 5)]
    assert reply.selected == "The step giving the torque (1 of its 8 steps)"
    assert reply.text.splitlines() == [
        "Mold change on an injection press [SOP-002], the step giving the torque (1 of its 8 steps):",
        "5. Set the new mold, centre it on the locating ring and tighten the clamps to 120 Nm. [SOP-002#5]",
    ]


def test_a_value_asked_of_the_lockout_procedure_gets_all_of_its_steps(plant: ProcedureIndex) -> None:
    reply = answer(plant, "What pressure do I have to bleed off before I lock out the press?")

    assert (reply.title, len(reply.steps), reply.selected) == (LOCKOUT, 6, None)


def test_an_index_without_titles_knows_no_task_and_answers_an_alarm_the_ordinary_way() -> None:
    # the retrieval benchmark's protocol indexes steps only: no procedure is an alarm response there, so the
    # rule that only an alarm response answers an alarm does not apply (its figures stay as they were)
    steps_only = ProcedureIndex(plant_procedures(), RetrievalSettings(dense_weight=0.0, titles=False))

    reply = answer(steps_only, "The press shows an alarm on the screen, what do I do?", Where(operation=MOLDING))

    assert (reply.kind, reply.title) == ("steps", PRESS_ALARM)


def test_a_how_to_question_still_gets_every_step(plant: ProcedureIndex) -> None:
    reply = answer(plant, "How do I change the mold on the press?", Where(operation=MOLDING))

    assert (reply.title, len(reply.steps), reply.selected) == (MOLD_CHANGE, 8, None)


def test_starting_a_machine_no_one_named_lists_the_start_up_procedures(plant: ProcedureIndex) -> None:
    reply = answer(plant, "How do I start the machine?")

    assert reply.kind == "refused"
    assert reply.text.startswith(
        "No procedure I have covers this. The plant's start-up procedures: "
        f"{PRESS_START}; {CELL_START}. Name the machine, or fill in your job's operation, and ask again"
    )


def test_the_lockout_procedure_answers_no_question_that_is_not_about_it() -> None:
    # an index of the lockout procedure alone: its steps hold "start the machine", yet it is not a start-up
    lockout = [p for p in plant_procedures() if p.title == LOCKOUT]
    index = ProcedureIndex(lockout, RetrievalSettings(dense_weight=0.0))

    assert answer(index, "How do I start the machine?").kind == "refused"
    assert answer(index, "How do I lock out the machine?").title == LOCKOUT


def test_a_title_names_its_task_even_one_no_vocabulary_knows() -> None:
    # "Calibration of the height gauge": the title's task is its own (calibration), asked as "calibrate"
    sops: list[dict[str, Any]] = [
        {
            "title": "Calibration of the height gauge",
            "operations": ["QA"],
            "tools": ["Gauge blocks"],
            "steps": [
                "Clean the base and the probe, then zero the gauge on the granite plate.",
                "Measure the 25, 50 and 100 mm gauge blocks; each must read within 0.005 mm.",
            ],
        },
        {"title": "Loading a trailer", "operations": [], "tools": [], "steps": ["Chock the trailer."]},
    ]
    index = ProcedureIndex(read_procedures(_lines(sops)), RetrievalSettings(dense_weight=0.0))

    # before: refused ("machine" is in neither procedure)
    reply = answer(index, "How do I calibrate the machine?", Where(operation="QA"))

    assert (reply.kind, reply.title, reply.scope) == ("steps", "Calibration of the height gauge", "operation")
    assert index.intents.tasks["calibration"].several == "calibration procedures"


def test_a_changeover_of_no_machine_named_lists_the_plants_changeovers(plant: ProcedureIndex) -> None:
    # before: refused without naming them (ux141 #8: "How do I do a die change?" at the plant)
    reply = answer(plant, "How do I do a die change?")

    assert reply.kind == "refused"
    assert reply.text.startswith(f"No procedure I have covers this. The plant's changeover procedures: {MOLD_CHANGE};")


def test_a_changeover_asked_from_the_operation_gets_its_mold_change(plant: ProcedureIndex) -> None:
    # before: refused (ux141 #8: "changeover" and "swap" are not in the mold change)
    for question in ("How do I do a changeover on the press?", "Press changeover steps", "How do I swap the mold?"):
        assert answer(plant, question, Where(operation=MOLDING)).title == MOLD_CHANGE, question


def test_how_long_to_purge_gets_the_purge_step_not_the_hold_time(simulator: ProcedureIndex) -> None:
    # ux141 #8: before, "The step giving the time (1 of its 6 steps): Set barrel temperature, injection
    # pressure and hold time ..." (a step that names a time for something else)
    reply = answer(simulator, "How long should I purge?", Where(operation=MOLDING))

    assert (reply.title, [c.step for c in reply.citations]) == (PRESS_START, [4])
    assert reply.selected == "The step on it, which gives no time (1 of its 6 steps)"


@pytest.mark.parametrize(
    "question",
    [
        "Can I remove someone else's lock?",
        "When can I take my lock off after fixing the press?",
        "The setter went home with his lock still on the press, what do I do?",
    ],
)
def test_removing_a_lock_is_lockout(plant: ProcedureIndex, question: str) -> None:
    # 29 CFR 1910.147(e)(3); before: refused (ux141 #8)
    assert answer(plant, question, Where(operation=MOLDING)).title == LOCKOUT


def test_a_lock_that_is_no_lockout_device_is_not_lockout(plant: ProcedureIndex) -> None:
    assert answer(plant, "Where do I get a lock for my locker?").title != LOCKOUT


def test_a_task_of_several_procedures_naming_nothing_else_is_not_answered_by_another_procedures_words() -> None:
    # the held-out task set's run found "How do I clean the machine?" answered from the CNC daily check
    sops: list[dict[str, Any]] = [
        {"title": "Cleaning the paint booth", "operations": [], "tools": [], "steps": ["Scrape the grates."]},
        {"title": "Cleaning the hopper dryer", "operations": [], "tools": [], "steps": ["Empty the hopper."]},
        {"title": "Daily check of a press", "operations": [], "tools": [], "steps": ["Wipe down the machine."]},
    ]
    index = ProcedureIndex(read_procedures(_lines(sops)), RetrievalSettings(dense_weight=0.0))

    # before: the daily check (its step holds "wipe down the machine")
    reply = answer(index, "How do I wipe down the machine?")

    assert reply.kind == "refused"
    assert reply.text.startswith("No procedure I have covers this. The plant's cleaning procedures: Cleaning the")
