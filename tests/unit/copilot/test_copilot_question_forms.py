"""Answer kinds recognised by the form of a question, not one exact sentence (helper-296's report after the bypass
change): a question for the tools or protective equipment of a task however it is put ("Which tools are needed to
change the mold?" was refused while "What tools do I need to change the mold?" listed them), "wear" as the verb of
one ("What should I wear in the paint booth?" was refused), a question for one value not opening with what / which
("How much torque for the mold clamps?" got all 8 steps), "verify" as a check ("How do I verify my torque gun before
the shift?" was refused), and a comparison as a check ("the colour standard comparison" was named by no procedure
beside SOP-008's "compare it with the colour standard"). Each with near misses that must keep their answer."""

from __future__ import annotations

import pytest

from plexlabor.copilot.answers import Where, answer
from plexlabor.copilot.bypass import left_out
from plexlabor.copilot.kit import tools_task
from plexlabor.copilot.retrieval import ProcedureIndex, RetrievalSettings
from tests.unit.copilot.test_copilot_paraphrases import sop_procedures

MOLD_CHANGE_TOOLS = ("Overhead crane", "Mold clamps", "Torque wrench", "Heat-resistant gloves", "Safety glasses")
BOOTH_TOOLS = ("Respirator", "Solvent-resistant gloves", "Viscosity cup")
WHERES = [Where(), Where("MOLDING", departments=("MOLD",))]


@pytest.fixture(scope="module")
def plant() -> ProcedureIndex:
    return ProcedureIndex(sop_procedures(), RetrievalSettings(dense_weight=0.0))


@pytest.mark.parametrize(
    "question",
    [
        "What tools do I need to change the mold?",
        "Which tools are needed to change the mold?",
        "What tools are needed for a mold change?",
        "Tools for a mold change?",
        "What tools for a mold change?",
        "Which tools and PPE are required for the mold change?",
        "What equipment does the mold change need?",
        "What kind of tools do we need for a mold change?",
        "Tools needed to change the mold",
    ],
)
@pytest.mark.parametrize("where", WHERES)
def test_the_tools_of_a_task_are_listed_however_the_question_is_put(
    plant: ProcedureIndex, question: str, where: Where
) -> None:
    reply = answer(plant, question, where)

    assert (reply.kind, reply.procedure_id, reply.tools) == ("tools", "SOP-002", MOLD_CHANGE_TOOLS)


@pytest.mark.parametrize(
    "question",
    [
        "What PPE is required for the colour change?",
        "What PPE do I need for the colour change?",
        "Which protective equipment must be worn in the paint booth?",
        "What should I wear in the paint booth?",
        "What do I need to wear for a colour change?",
        "What should I be wearing in the paint booth?",
        "What has to be worn in the paint booth?",
        "Do we have to wear the respirator in the booth?",
        "Do I need to wear gloves in the paint booth?",
        "Is it required to wear a respirator in the paint booth?",
    ],
)
def test_what_to_wear_is_asked_as_protective_equipment(plant: ProcedureIndex, question: str) -> None:
    reply = answer(plant, question)

    assert (reply.kind, reply.procedure_id, reply.tools) == ("tools", "SOP-008", BOOTH_TOOLS)


@pytest.mark.parametrize(
    "question",
    [
        "How do I change a worn tool on the lathe?",
        "Tool change on the lathe?",
        "What tools are in the crib?",
        "How do I check tool wear?",
        "Does the insert show wear after the first part?",
        "Do I wear out the contact tip faster on thick wire?",
        "Is it ok to wear gloves at the drill press?",
        "Can I wear my own gloves in the paint booth?",
        "Which tool is worn out on the lathe?",
        "What do I do with the tools after a mold change?",
        "Equipment on the press is broken, who do I call?",
        "What tools in the crib are missing?",
    ],
)
def test_questions_that_name_tools_or_wear_but_ask_for_no_list_are_not_tools_questions(
    plant: ProcedureIndex, question: str
) -> None:
    assert tools_task(question) is None
    assert answer(plant, question).kind != "tools"


def test_a_tools_question_to_bypass_a_safeguard_is_still_a_bypass_and_one_for_other_work_is_not() -> None:
    assert left_out("Which tools are needed to bypass the interlock?") is not None
    assert left_out("What tools are needed to bypass the heater unit of a dishwasher?") is None
    assert left_out("Tools to bypass the heater unit of a dishwasher?") is None


@pytest.mark.parametrize(
    "question",
    [
        "What torque for the mold clamps?",
        "How much torque for the mold clamps?",
        "How much torque do the mold clamps get?",
        "Torque for the mold clamps?",
        "Mold clamp torque?",
        "Clamp torque spec for the mold?",
        "The torque on the mold clamps?",
        "I need the torque for the mold clamps",
        "Tell me the torque for the mold clamps",
    ],
)
@pytest.mark.parametrize("where", WHERES)
def test_a_value_is_answered_with_its_step_however_the_question_is_put(
    plant: ProcedureIndex, question: str, where: Where
) -> None:
    reply = answer(plant, question, where)

    assert (reply.kind, reply.procedure_id) == ("steps", "SOP-002")
    assert [c.step for c in reply.citations] == [5]  # "... tighten the clamps to 120 Nm."
    assert reply.selected == "The step giving the torque (1 of its 8 steps)"


@pytest.mark.parametrize(
    ("question", "procedure"),
    [
        ("How do I check the torque tool?", "SOP-006"),
        ("Torque tool check?", "SOP-006"),
        ("How do I set the mold clamps on the press?", "SOP-002"),
        ("Do I check the torque tool at shift start?", "SOP-006"),
        ("Run the torque tool five times on the analyser?", "SOP-006"),
    ],
)
def test_a_question_naming_a_quantity_but_asking_no_value_keeps_every_step(
    plant: ProcedureIndex, question: str, procedure: str
) -> None:
    reply = answer(plant, question)

    steps = next(len(p.steps) for p in plant.procedures if p.id == procedure)
    assert (reply.kind, reply.procedure_id, reply.selected) == ("steps", procedure, None)
    assert len(reply.citations) == steps


def test_a_problem_with_a_quantity_is_no_question_for_its_value(plant: ProcedureIndex) -> None:
    reply = answer(plant, "The barrel temperature alarm is on, what do I do?", Where("MOLDING", departments=("MOLD",)))

    assert (reply.kind, reply.procedure_id, reply.selected) == ("steps", "SOP-011", None)  # the alarm response


@pytest.mark.parametrize(
    "question",
    [
        "How do I verify my torque gun before the shift?",
        "How do I verify the torque tool at shift start?",
        "Torque tool verification, how is it done?",
    ],
)
def test_a_verification_is_the_check_it_names(plant: ProcedureIndex, question: str) -> None:
    reply = answer(plant, question)

    assert (reply.kind, reply.procedure_id) == ("steps", "SOP-006")


@pytest.mark.parametrize(
    "question",
    ["How do I verify the forklift's brakes?", "How do I calibrate the machine?", "Calibration of the height gauge"],
)
def test_a_check_no_procedure_covers_stays_refused(plant: ProcedureIndex, question: str) -> None:
    assert answer(plant, question).kind == "refused"


@pytest.mark.parametrize(
    "question",
    ["Can we ignore the colour standard comparison today?", "Can I skip comparing the panel to the colour standard?"],
)
def test_a_comparison_left_out_is_the_step_that_compares(plant: ProcedureIndex, question: str) -> None:
    # (before: "No procedure I have describes a colour standard comparison" beside SOP-008's step 4)
    reply = answer(plant, question)

    assert (reply.kind, reply.procedure_id) == ("safety", "SOP-008")
    assert [c.step for c in reply.citations] == [4]  # "Spray a test panel and compare it with the colour standard."
