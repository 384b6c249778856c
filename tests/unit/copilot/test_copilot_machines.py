"""A question about a machine no procedure covers is refused, not answered from another machine's procedure
(ux164 #6): the walkthrough's questions on the simulator's SOPs, and near misses that must still be answered."""

from __future__ import annotations

import json

import pytest

from plexlabor.copilot.answers import Where, answer
from plexlabor.copilot.procedures import Procedure, read_procedures
from plexlabor.copilot.retrieval import ProcedureIndex
from plexlabor_dev.simulator.procedures import SOPS
from tests.unit.copilot.intent_questions import CELL_ALARM, CELL_SOPS, ROBOT_WELD

MOLDING = "MOLDING"
PRESS_ALARM = "Alarm response on an injection press"
CNC_CHECK = "Daily check of a CNC machine"
LOCKOUT = "Lockout/tagout before reaching into a machine"


def simulator_procedures(*extra: dict[str, object]) -> list[Procedure]:
    """The simulator's eleven SOPs as the local runtime uploads them (the mold shop's under operation MOLDING),
    and `extra` ones."""
    sops = [
        {
            "title": sop.title,
            "tools": list(sop.tools),
            "steps": list(sop.steps),
            "operations": [MOLDING] if sop.department == "MOLD" else [],
        }
        for sop in SOPS
    ]
    return read_procedures(
        json.dumps(
            {
                **sop,
                "guide_id": f"SOP-{number:03d}",
                "steps": [{"order": order, "text": text} for order, text in enumerate(sop["steps"], start=1)],  # type: ignore[arg-type]
            }
        )
        for number, sop in enumerate([*sops, *extra], start=1)
    )


@pytest.fixture(scope="module")
def plant() -> ProcedureIndex:
    return ProcedureIndex(simulator_procedures())


@pytest.mark.parametrize("operation", [None, MOLDING])
def test_a_robot_alarm_is_not_answered_from_the_press_alarm_response(
    plant: ProcedureIndex, operation: str | None
) -> None:
    reply = answer(plant, "The robot stopped with a red light, what now?", Where(operation))

    assert reply.kind == "refused" and reply.steps == ()
    assert "none of the plant's alarm and fault responses names the robot" in reply.text
    assert PRESS_ALARM in reply.text  # what the plant has, named


def test_a_question_about_the_cmm_is_not_answered_from_the_cnc_daily_check(plant: ProcedureIndex) -> None:
    reply = answer(plant, "What do I check on the CMM before measuring?", Where("30"))

    assert reply.kind == "refused" and reply.steps == ()
    assert "names the CMM" in reply.text  # as the operator typed it


def test_a_machine_no_procedure_names_is_said_in_the_refusal(plant: ProcedureIndex) -> None:
    reply = answer(plant, "What oil goes in the compressor?")

    assert reply.kind == "refused"
    assert "none of them names the compressor" in reply.text


@pytest.mark.parametrize(
    ("question", "operation", "title"),
    [
        ("The press shows an alarm, what do I do?", MOLDING, PRESS_ALARM),
        ("The press shows an alarm, what do I do?", None, PRESS_ALARM),
        ("The press stopped with an alarm on the screen, what now?", MOLDING, PRESS_ALARM),
        ("The machine stopped with an alarm, what now?", MOLDING, PRESS_ALARM),  # the operator's own machine
        ("Do I press reset after an alarm?", MOLDING, PRESS_ALARM),  # "press" the verb names no machine
        ("What do I check on the CNC machine every day?", None, CNC_CHECK),
        ("How do I lock out the robot before I reach in?", None, LOCKOUT),  # lockout is every machine's
        ("How do I change the contact tip on the robot's torch?", None, "Contact tip and nozzle change on a MIG torch"),
    ],
)
def test_a_question_naming_a_machine_its_procedure_names_is_answered(
    plant: ProcedureIndex, question: str, operation: str | None, title: str
) -> None:
    reply = answer(plant, question, Where(operation))

    assert reply.kind == "steps"
    assert reply.title == title


def test_a_robot_alarm_is_answered_where_the_plant_has_the_robots_alarm_response() -> None:
    index = ProcedureIndex(simulator_procedures(*CELL_SOPS))

    reply = answer(index, "The robot stopped with a red light, what now?", Where(ROBOT_WELD))

    assert reply.kind == "steps"
    assert reply.title == CELL_ALARM


def test_the_tools_for_a_machine_no_procedure_names_are_refused(plant: ProcedureIndex) -> None:
    reply = answer(plant, "What tools do I need to change the chain on the hoist?")

    assert reply.kind == "refused" and reply.tools is None
    assert "names the hoist" in reply.text
