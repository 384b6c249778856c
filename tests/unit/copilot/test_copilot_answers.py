from __future__ import annotations

import pytest

from plexlabor.copilot.answers import answer
from plexlabor.copilot.kit import tools_task
from plexlabor.copilot.retrieval import ProcedureIndex, RetrievalSettings
from tests.unit.copilot.copilot_world import procedures

INDEX = ProcedureIndex(procedures(), RetrievalSettings(dense_weight=0.0))


def test_steps_are_numbered_in_order_and_each_cites_its_passage() -> None:
    reply = answer(INDEX, "How do I clean the coolant tank?")

    assert reply.kind == "steps"
    assert reply.procedure_id == "2"
    lines = reply.text.splitlines()
    assert lines[0] == "Cleaning the coolant tank [2]:"
    assert lines[1] == "1. Put on nitrile gloves before touching used coolant. [2#1]"
    assert lines[3].startswith("3. Vacuum chips") and lines[3].endswith("[2#3]")
    assert [c.step for c in reply.citations] == [1, 2, 3]


@pytest.mark.parametrize(
    "question",
    [
        "What tools do I need to replace the spindle belt?",
        "Which tools and PPE do I need for replacing the spindle belt",
        "what equipment should I bring to replace the spindle belt?",
    ],
)
def test_the_tools_question_lists_exactly_what_the_procedure_names(question: str) -> None:
    reply = answer(INDEX, question)

    assert reply.kind == "tools"
    assert reply.tools == ("Hex key 5 mm", "Safety glasses")
    assert reply.text == "Replacing the spindle belt [1] names these tools: Hex key 5 mm; Safety glasses."


def test_a_procedure_without_tools_says_so_and_one_without_a_readable_list_invents_none() -> None:
    assert answer(INDEX, "What tools do I need to change a drill chuck?").text == (
        "Changing a drill chuck [3] names no tools."
    )
    reply = answer(INDEX, "What tools do I need to file each saw blade tooth?")
    assert reply.procedure_id == "4"
    assert reply.tools is None
    assert "gives no list of tools" in reply.text


@pytest.mark.parametrize(
    "question",
    [
        "How do I replace the brake pads on the electric forklift?",
        "How do I request vacation for next month?",
        "What is the weather tomorrow?",
        "?",
    ],
)
def test_questions_no_procedure_covers_are_refused_without_a_step(question: str) -> None:
    reply = answer(INDEX, question)

    assert reply.kind == "refused"
    assert reply.steps == ()
    assert reply.tools is None
    assert "No procedure I have covers this" in reply.text


def test_the_tools_pattern_takes_the_task_out_of_the_question() -> None:
    assert tools_task("What tools do I need to Replace the Spindle Belt?") == "Replace the Spindle Belt"
    assert tools_task("How do I replace the spindle belt?") is None
