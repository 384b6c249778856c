"""A question to leave out a step or a safeguard a procedure requires is answered "No" with the step quoted and the
procedure cited, whatever the wording and whether or not the step says it in the question's words; what no procedure
names is said to be named by none (the last session's note: "Can I skip the torque tool check?" got the check's
steps, as a how-to, with no "no"; "Can I skip the torque check?" said no procedure describes it)."""

from __future__ import annotations

import pytest

from plexlabor.copilot.answers import STEP_RULE, Where, answer
from plexlabor.copilot.bypass import left_out
from plexlabor.copilot.retrieval import ProcedureIndex
from tests.unit.copilot.test_copilot_paraphrases import sop_procedures

ASSY = Where("10", departments=("ASSY",))
TORQUE_CHECK = "Torque tool check at an assembly station"
NO_SAFEGUARD = "No. A safety check, guard or lockout and the protective equipment a procedure names are never skipped"


@pytest.fixture(scope="module")
def plant() -> ProcedureIndex:
    return ProcedureIndex(sop_procedures())


SKIP_THE_TORQUE_CHECK = [
    "Can I skip the torque tool check?",
    "Can I skip the torque check if I'm late?",
    "Is it ok to not do the torque tool check today?",
    "Is it ok if I don't do the torque tool check this shift?",
    "Can we just skip checking the torque tool at shift start?",
    "Can the torque tool check be skipped if we're behind?",
    "Is the torque tool check optional?",
    "What about skipping the torque tool check?",
    "I'm going to skip the torque tool check, ok?",
    "Can I skip the calibration of the torque wrench?",
]


@pytest.mark.parametrize("question", SKIP_THE_TORQUE_CHECK)
@pytest.mark.parametrize("where", [Where(), ASSY])
def test_skipping_the_torque_tool_check_is_answered_no_with_its_procedure(
    plant: ProcedureIndex, question: str, where: Where
) -> None:
    # (before: the check's steps as a how-to, kind "steps", for most; "skip the torque check" and "skip checking the
    # torque tool" said "No procedure I have describes a torque check" beside SOP-006)
    reply = answer(plant, question, where)

    assert reply.kind == "safety" and reply.text.startswith(NO_SAFEGUARD)
    assert reply.procedure_id == "SOP-006" and reply.text.endswith(f"{TORQUE_CHECK} [SOP-006] requires it:")
    assert [c.label for c in reply.citations] == [f"[SOP-006#{step}]" for step in range(1, 5)]


@pytest.mark.parametrize(
    ("question", "thing"),
    [
        ("Can I skip the torque tool check?", "torque tool check"),
        ("Can we just skip doing the leak check after the mold change?", "leak check"),
        ("Can I not wear safety glasses for the mold change?", "safety glasses"),
        ("Is it fine if we don't wear the respirator in the booth?", "respirator"),
        ("Can the guard check be skipped when the line is down?", "guard check"),
        ("Is it ok if the first-article inspection is skipped?", "first-article inspection"),
        ("Can I skip chocking the trailer?", "chocking the trailer"),
        ("How do I bypass the interlock?", "interlock"),
        ("Can I turn off the light curtain to clear a part?", "light curtain"),
        ("Can I do the mold change without safety glasses?", "safety glasses"),
        ("Can I reach in without locking out?", "locking out"),
        ("Can I not lock out the press for a quick jam?", "lock out the press"),
        ("What tools do I need to bypass the interlock?", "interlock"),
        ("Can we forgo the guard check on a rerun?", "guard check"),
        ("Is it ok to get around the interlock with a jumper?", "interlock"),
    ],
)
def test_what_a_question_would_leave_out_is_read_from_its_form(question: str, thing: str) -> None:
    found = left_out(question)

    assert found is not None and found.thing == thing


@pytest.mark.parametrize(
    "question",
    [
        "How do I check the torque tool?",
        "Do I have to do the torque tool check?",
        "How do I turn off the press?",
        "Can I turn off the press at the end of the shift?",
        "How do I skip a block in the CNC program?",
        "Why can I not start the press?",
        "Can I skip to the next step?",
        "Can I clean the rollers without removing the guard?",
        "The robot skipped a part, what do I do?",
        "What do I do if I do not have a torque analyser?",
        "How do I override the feed rate?",
        "Is it ok to not start the press until the heaters are warm?",
        "Is it ok to not run the robot in auto?",
        "What tools do I need to bypass the heater unit of a dishwasher?",
        "Can I get around the line to the dock?",
        "Can I jump out of the forklift cab at the dock?",
        "Can I tie back my hair instead of wearing a cap?",
    ],
)
def test_a_how_to_or_a_question_of_ordinary_work_is_no_bypass(plant: ProcedureIndex, question: str) -> None:
    assert left_out(question) is None
    assert answer(plant, question).kind != "safety"


def test_a_check_is_matched_with_a_step_that_words_it_otherwise() -> None:
    # "the torque tool check" is what "verify the torque wrench calibration" does (vocabulary.ALIKE); the tool change's
    # "the torque on the tool card" holds two of its three words and is not cited
    fastening = {
        "title": "Start of shift at a fastening station",
        "tools": ["Torque wrench"],
        "steps": ["Load the fixture with the first part.", "Verify the torque wrench calibration on the analyser."],
    }
    procedures = [p for p in sop_procedures(fastening) if p.title != TORQUE_CHECK]

    reply = answer(ProcedureIndex(procedures), "Can I skip the torque tool check?")

    assert reply.kind == "safety" and reply.title == "Start of shift at a fastening station"
    assert [text for _, text in reply.steps] == ["Verify the torque wrench calibration on the analyser."]


@pytest.mark.parametrize(
    ("question", "cited"),
    [
        ("Can I skip chocking the trailer?", "[SOP-010#1]"),  # "Check the trailer is chocked and the dock lock …"
        ("Can I skip the dock lock?", "[SOP-010#1]"),
        ("Can we skip purging the barrel before the mold change?", "[SOP-002#1]"),
    ],
)
def test_a_step_that_is_no_safeguard_is_answered_no_with_the_step(
    plant: ProcedureIndex, question: str, cited: str
) -> None:
    # (before: "No procedure I have covers this", or the procedure's steps as a how-to)
    reply = answer(plant, question)

    assert reply.kind == "safety" and reply.text.startswith(STEP_RULE)
    assert [c.label for c in reply.citations] == [cited]


@pytest.mark.parametrize(
    ("question", "cited"),
    [
        ("Can I skip the leak check after the mold change?", "[SOP-002#6]"),  # "check for leaks with the water on"
        ("Can I skip the voltage test?", "[SOP-001#5]"),  # "test the supply with the voltage tester"
        ("Can I skip the daily check on the CNC?", "[SOP-005#1]"),
        ("Can I reach in without locking out?", "[SOP-001#3]"),  # "Put your personal lock and a tag …"
    ],
)
def test_a_safeguard_named_by_a_step_or_a_title_is_cited(plant: ProcedureIndex, question: str, cited: str) -> None:
    # (before: "No procedure I have describes a leak check / daily check"; the voltage test and reaching in without
    # locking out were no bypass: the lockout's steps as a how-to)
    reply = answer(plant, question)

    assert reply.kind == "safety" and reply.text.startswith(NO_SAFEGUARD)
    assert cited in [c.label for c in reply.citations]


def test_protective_equipment_a_procedure_lists_is_cited_from_its_tools(plant: ProcedureIndex) -> None:
    # (before: the mold change's eight steps as a how-to)
    reply = answer(plant, "Can I not wear safety glasses for the mold change?")

    assert reply.kind == "safety" and reply.procedure_id == "SOP-002" and reply.steps == ()
    assert reply.text.endswith("requires it: it lists Safety glasses among its tools and protective equipment.")


def test_another_departments_procedure_is_cited_as_theirs(plant: ProcedureIndex) -> None:
    # asked from an assembly job: no ASSY procedure names a first-article inspection, QA's does
    reply = answer(plant, "Can I skip the first-article inspection?", ASSY)

    assert reply.kind == "safety" and reply.procedure_id == "SOP-009"
    assert reply.text.endswith("First-article inspection [SOP-009], a procedure for QA, requires it:")


@pytest.mark.parametrize("where", [Where(), ASSY])
def test_what_no_procedure_names_is_said_so_and_no_step_is_cited(plant: ProcedureIndex, where: Where) -> None:
    safeguard = answer(plant, "Can I override the light curtain?", where)
    step = answer(plant, "Can I skip the pallet wrap?", where)

    assert safeguard.kind == "safety" and safeguard.steps == () and safeguard.procedure_id is None
    assert safeguard.text.startswith(NO_SAFEGUARD)
    assert safeguard.text.endswith("No procedure I have describes a light curtain; ask your supervisor.")
    assert step.kind == "safety" and step.steps == () and step.procedure_id is None
    assert step.text.startswith("No procedure I have describes a pallet wrap, so none says whether it may be left out.")
