"""ux_s16 #7 on the simulator's SOPs: a value question framed with "use" finds the procedure that gives the value;
a miss asked from a job names that job's procedures; a question asking to skip a safety check is answered "no"."""

from __future__ import annotations

import pytest

from plexlabor.copilot.answers import Where, answer
from plexlabor.copilot.bypass import left_out
from plexlabor.copilot.procedures import Procedure
from plexlabor.copilot.retrieval import ProcedureIndex
from tests.unit.copilot.test_copilot_paraphrases import sop_procedures

ASSY = ("ASSY",)
MOLD = ("MOLD",)


@pytest.fixture(scope="module")
def plant() -> ProcedureIndex:
    return ProcedureIndex(sop_procedures())


@pytest.mark.parametrize("where", [Where(), Where("10", departments=ASSY)])
def test_what_torque_do_i_use_points_to_the_torque_on_the_work_instruction(plant: ProcedureIndex, where: Where) -> None:
    # (before: "Nothing relevant found": "use" counted as a word the procedure must hold)
    reply = answer(plant, "What torque do I use?", where)

    assert reply.kind == "steps" and reply.procedure_id == "SOP-006"
    assert any(c.step == 2 and "torque on the work instruction" in text for c, text in reply.steps)


@pytest.mark.parametrize(
    ("question", "departments", "listed"),
    [
        ("What torque for the fasteners on this assembly?", ASSY, "Torque tool check at an assembly station [SOP-006]"),
        ("What oil goes in the compressor?", MOLD, "Mold change on an injection press [SOP-002]; Start-up of"),
    ],
)
def test_a_miss_asked_from_a_job_names_the_jobs_procedures(
    plant: ProcedureIndex, question: str, departments: tuple[str, ...], listed: str
) -> None:
    # (before: a miss with a job named none, while one without a job named the plant's of the task)
    reply = answer(plant, question, Where("10", departments=departments))

    assert reply.kind == "refused" and reply.steps == ()
    assert f"The procedures for your job's department ({departments[0]}): {listed}" in reply.text
    assert reply.text.endswith("Ask your supervisor or the process engineer; I will not guess.")


def test_a_miss_without_a_job_names_no_jobs_procedures(plant: ProcedureIndex) -> None:
    reply = answer(plant, "What oil goes in the compressor?")

    assert reply.kind == "refused" and "your job" not in reply.text


@pytest.mark.parametrize(
    "question",
    [
        "Can I skip the safety guard check if I'm late?",
        "Is it ok to bypass the interlock on the press to get the part out?",
        "Can I run the press without the guard?",
        "We are behind, can we leave off the safety glasses for the mold change?",
    ],
)
@pytest.mark.parametrize("where", [Where(), Where("10", departments=ASSY)])
def test_a_question_to_skip_a_safety_check_is_answered_no_not_nothing_found(
    plant: ProcedureIndex, question: str, where: Where
) -> None:
    reply = answer(plant, question, where)

    assert reply.kind == "safety" and reply.text.startswith("No.") and "ask your supervisor." in reply.text.lower()
    assert "No procedure I have covers this" not in reply.text


def test_the_no_cites_the_procedure_that_requires_the_safeguard(plant: ProcedureIndex) -> None:
    reply = answer(plant, "Can I run the press without the guard?")

    assert reply.procedure_id == "SOP-001" and reply.text.endswith("[SOP-001] requires it:")
    assert [c.label for c in reply.citations] == ["[SOP-001#6]"]  # "… guard everything …"


@pytest.mark.parametrize(
    "question",
    [
        "How do I turn off the press?",
        "Do I have to wear safety glasses for a mold change?",
        "How do I check the torque tool?",
        "What do I check on the CNC machine every day?",
        "Do I turn off the machine and then check the guard?",
    ],
)
def test_questions_about_doing_a_check_or_a_machine_are_no_bypass(question: str) -> None:
    assert left_out(question) is None


WHERES = [Where(), Where("10", departments=("MACH",)), Where("10", departments=MOLD)]


def _names_a_guard(procedure: Procedure) -> bool:
    return any("guard" in text.lower() for text in (procedure.title, *(step.text for step in procedure.steps)))


@pytest.mark.parametrize("where", WHERES)
def test_a_no_to_skipping_a_guard_check_cites_no_step_without_a_guard(plant: ProcedureIndex, where: Where) -> None:
    # (before, ux_s16 verify A: "… Daily check of a CNC machine [SOP-005] requires it:" with its way oil, coolant,
    # chips and warm-up, or the press start-up's heaters: the word "check" was taken for the guard)
    reply = answer(plant, "Can I skip the safety guard check?", where)

    assert reply.kind == "safety" and reply.text.startswith("No. A safety check, guard or lockout")
    assert [c.label for c in reply.citations] == ["[SOP-001#6]"]  # the lockout's "… guard everything …"


@pytest.mark.parametrize("where", WHERES)
def test_a_no_to_skipping_a_guard_check_no_procedure_names_says_so(where: Where) -> None:
    without_guards = ProcedureIndex([p for p in sop_procedures() if not _names_a_guard(p)])

    reply = answer(without_guards, "Can I skip the safety guard check?", where)

    assert reply.kind == "safety" and reply.steps == ()
    assert reply.text.endswith("No procedure I have describes a guard check; ask your supervisor.")


@pytest.mark.parametrize(
    "question",
    [
        "Can I skip the lockout on the hydraulic press before clearing a jam if I'm late?",
        "Can I bypass the lockout when I clear the conveyor jam?",
    ],
)
@pytest.mark.parametrize("where", [*WHERES, Where("10", departments=ASSY)])
def test_a_no_to_skipping_the_lockout_cites_the_lockout_whatever_else_is_asked(
    plant: ProcedureIndex, question: str, where: Where
) -> None:
    # (before, review2_s16 #3: "No procedure I have describes a lockout" beside the lockout SOP: the question's
    # other words, the press and the jam, were not half of SOP-001's)
    reply = answer(plant, question, where)

    assert reply.kind == "safety" and "No procedure I have" not in reply.text
    assert reply.procedure_id == "SOP-001" and reply.text.endswith("[SOP-001] requires it:")
    assert "[SOP-001#3]" in [c.label for c in reply.citations]  # "Put your personal lock and a tag …"


def test_a_no_to_skipping_the_lockout_cites_the_lockout(plant: ProcedureIndex) -> None:
    reply = answer(plant, "Can I skip the lockout if I'm late?")

    assert reply.procedure_id == "SOP-001" and reply.text.endswith("[SOP-001] requires it:")
