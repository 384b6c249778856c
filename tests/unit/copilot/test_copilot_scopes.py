"""Scoped retrieval: the current operation's procedures first, then the part's, then the plant's."""

from __future__ import annotations

from plexlabor.copilot.answers import Where, answer
from plexlabor.copilot.procedures import read_procedures
from plexlabor.copilot.retrieval import ProcedureIndex, RetrievalSettings
from tests.unit.copilot.copilot_world import GUIDES, lines

LATHE_COOLANT = {
    "guide_id": 20,
    "title": "Cleaning the coolant tank of the lathe",
    "tools": ["Skimmer"],
    "operations": ["20"],
    "steps": [
        {"order": 0, "text": "Stop the lathe and skim the tramp oil off the coolant."},
        {"order": 1, "text": "Drain the coolant tank and wipe the chips from the tank."},
    ],
}
PRESS_COOLANT = {
    "guide_id": 30,
    "title": "Cleaning the coolant tank of the press",
    "tools": [],
    "parts": ["P-100"],
    "steps": [{"order": 0, "text": "Open the press coolant tank drain and flush the coolant tank clean."}],
}


def _index() -> ProcedureIndex:
    return ProcedureIndex(
        read_procedures(lines([*GUIDES, LATHE_COOLANT, PRESS_COOLANT])), RetrievalSettings(dense_weight=0.0)
    )


def test_the_operations_procedure_answers_first_then_the_parts_then_the_plants() -> None:
    index, question = _index(), "How do I clean the coolant tank?"

    at_operation = answer(index, question, Where(operation="20", part="P-100"))
    assert (at_operation.procedure_id, at_operation.scope) == ("20", "operation")
    at_part = answer(index, question, Where(operation="99", part="P-100"))
    assert (at_part.procedure_id, at_part.scope) == ("30", "part")
    anywhere = answer(index, question)
    assert anywhere.scope == "plant" and anywhere.procedure_id in {"2", "20", "30"}


def test_an_operation_whose_procedures_do_not_cover_the_question_falls_back_to_the_plants() -> None:
    found = answer(_index(), "How do I replace the spindle belt?", Where(operation="20"))

    assert (found.procedure_id, found.scope) == ("1", "plant")  # the lathe's coolant procedure is not about belts
    refused = answer(_index(), "Who won the game last night?", Where(operation="20", part="P-100"))
    assert refused.kind == "refused" and refused.scope is None
