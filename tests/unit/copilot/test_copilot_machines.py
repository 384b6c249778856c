"""A question about a machine no procedure covers is refused, not answered from another machine's procedure,
and a question asked from a job is answered from its department's procedures, or from another department's
only when it names that procedure's machine (ux164 #6): the walkthrough's questions on the simulator's SOPs,
and near misses that must still be answered."""

from __future__ import annotations

import pytest

from plexlabor.copilot.answers import Where, answer
from plexlabor.copilot.retrieval import ProcedureIndex
from tests.unit.copilot.intent_questions import CELL_ALARM, CELL_SOPS, ROBOT_WELD
from tests.unit.copilot.test_copilot_paraphrases import sop_procedures

MOLDING = "MOLDING"
PRESS_ALARM = "Alarm response on an injection press"
CNC_CHECK = "Daily check of a CNC machine"
LOCKOUT = "Lockout/tagout before reaching into a machine"


@pytest.fixture(scope="module")
def plant() -> ProcedureIndex:
    return ProcedureIndex(sop_procedures())


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
    index = ProcedureIndex(sop_procedures(*CELL_SOPS))

    reply = answer(index, "The robot stopped with a red light, what now?", Where(ROBOT_WELD))

    assert reply.kind == "steps"
    assert reply.title == CELL_ALARM


def test_the_tools_for_a_machine_no_procedure_names_are_refused(plant: ProcedureIndex) -> None:
    reply = answer(plant, "What tools do I need to change the chain on the hoist?")

    assert reply.kind == "refused" and reply.tools is None
    assert "names the hoist" in reply.text


QA, MOLD, PAINT = ("QA",), ("MOLD",), ("PAINT",)
"""The departments of a job's operation: J101132's op 30 at QC-02, a press's, the booth's."""


def test_a_ppe_question_at_a_quality_seat_is_not_answered_from_another_departments_procedure(
    plant: ProcedureIndex,
) -> None:
    # (before: "Colour change in a paint booth [SOP-008]" with the encoder, the press's alarm response without)
    reply = answer(plant, "what gloves do i need", Where(departments=QA))

    assert reply.kind == "refused" and reply.steps == ()
    assert reply.text.startswith("No procedure for your job's department (QA) covers this.")
    assert "for MOLD: if you mean that machine, name it and ask again" in reply.text


def test_a_weaker_procedure_of_the_department_does_not_answer_what_another_departments_covers(
    plant: ProcedureIndex,
) -> None:
    # the first-article inspection (QA) holds "tool" ("after a tool change") but not the torque tool's check
    reply = answer(plant, "How do I check my torque tool at shift start?", Where(departments=QA))

    assert reply.kind == "refused"
    assert "Torque tool check at an assembly station [SOP-006] does, for ASSY" in reply.text


@pytest.mark.parametrize(
    ("question", "departments", "kind", "title", "scope"),
    [
        ("What PPE do I need to change the mold?", MOLD, "tools", "Mold change on an injection press", "department"),
        ("what gloves do i need", PAINT, "steps", "Colour change in a paint booth", "department"),
        ("The press shows an alarm, what do I do?", MOLD, "steps", PRESS_ALARM, "department"),
        ("How do I inspect the first part after a setup?", QA, "steps", "First-article inspection", "department"),
        ("How do I change the mold on the press?", QA, "steps", "Mold change on an injection press", "plant"),
        ("How do I lock out a machine before I reach in?", QA, "steps", LOCKOUT, "plant"),  # every department's
    ],
)
def test_the_departments_procedures_answer_and_another_departments_when_its_machine_is_named(
    plant: ProcedureIndex, question: str, departments: tuple[str, ...], kind: str, title: str, scope: str
) -> None:
    reply = answer(plant, question, Where("10", departments=departments))  # "10": an operation no SOP lists

    assert (reply.kind, reply.title, reply.scope) == (kind, title, scope)


@pytest.mark.parametrize(
    ("question", "departments", "said"),
    [
        ("The robot stopped with a red light, what now?", MOLD, "names the robot"),
        ("What do I check on the CMM before measuring?", QA, "names the CMM"),
    ],
)
def test_a_machine_no_procedure_names_is_refused_from_a_job_too(
    plant: ProcedureIndex, question: str, departments: tuple[str, ...], said: str
) -> None:
    reply = answer(plant, question, Where("30", departments=departments))

    assert reply.kind == "refused" and said in reply.text
