"""The plant's SOPs (the simulator's, as the local runtime uploads them) asked the way operators ask:
paraphrases written without copying each SOP's wording must rank their SOP first and be answered; what
no SOP covers must still be refused (ux119 #2: any lockout wording gets the lockout procedure).

Run with BM25 alone (the copilot without the encoder's weights, as `make test` installs it); `make bench`
(tests/bench/bench_copilot.py) asks them with the encoder too. The questions were written before the changes
they check."""

from __future__ import annotations

import json
from typing import Any

import pytest

from plexlabor.copilot.answers import Where, answer
from plexlabor.copilot.procedures import Procedure, read_procedures
from plexlabor.copilot.retrieval import ProcedureIndex, RetrievalSettings
from plexlabor_dev.copilot_questions import NOT_COVERED, SOP_PARAPHRASES
from plexlabor_dev.simulator.procedures import SOPS


def sop_procedures(*extra: dict[str, Any]) -> list[Procedure]:
    """The simulator's SOPs as the local runtime uploads them (each listed for its department, the mold shop's
    also under operation MOLDING), and `extra` ones (their steps as texts)."""
    sops: list[dict[str, Any]] = [
        {
            "title": sop.title,
            "tools": list(sop.tools),
            "steps": list(sop.steps),
            "operations": ["MOLDING"] if sop.department == "MOLD" else [],
            "departments": [sop.department] if sop.department else [],
        }
        for sop in SOPS
    ]
    lines = [
        json.dumps(
            {
                **sop,
                "guide_id": f"SOP-{number:03d}",
                "steps": [{"order": order, "text": text} for order, text in enumerate(sop["steps"], start=1)],
            }
        )
        for number, sop in enumerate([*sops, *extra], start=1)
    ]
    return read_procedures(lines)


@pytest.fixture(scope="module")
def index() -> ProcedureIndex:
    return ProcedureIndex(sop_procedures(), RetrievalSettings(dense_weight=0.0))


NOT_RANKED_FIRST = {"The molding machine was off all weekend, how do I bring it back up?"}
"""Missed: no word of it is the start-up's but "machine" (BM25 ranks the CNC daily check first, the
encoder the mold change)."""
BELOW_THE_ALARM_RESPONSE = {
    "How long do the barrel heaters need before I can run?",
    "How do I restart the injection press after downtime?",
}
"""Ranked below the press's alarm response since the simulator has one (2026-12-05): its "heater ... zones"
and "restart the cycle"; both are still answered from the start-up (the test below)."""
REFUSED_BY_THE_GATE = NOT_RANKED_FIRST | {
    "Steps to take the old mold out and hang a new one",
    "How do I replace a dull insert on the lathe?",
    "Where do I enter the tool offsets after putting a new tool in?",
    "How do I replace the tip on the MIG gun?",
    "How do I switch to a different paint colour?",
    "How do I load a truck at the dock?",
    "How do I secure the load before the trailer leaves?",
}
"""Missed: ranked first but refused, as fewer than 75 % of their words are in the SOP ("truck" for
"trailer", "gun" for "torch"); a lower share would answer questions no procedure covers (docs/copilot.md,
"Refusal"). Since the tasks of `copilot.intents` (2026-12-05, helper 154) a changeover's "swap" and a
check's "check" are the task's words, which its procedure need not hold: the mold's and the cutter's swap
and the CNC's daily check are answered. Since the words read alike (`vocabulary.ALIKE`, 2026-12-06, helper-310) "verify"
is such a check: "How do I verify my torque gun before the shift?" is answered from the torque tool check."""


def _asked(missed: set[str]) -> list[object]:
    return [
        pytest.param(title, question, marks=pytest.mark.xfail(strict=True, reason="missed"))
        if question in missed
        else (title, question)
        for title, questions in SOP_PARAPHRASES.items()
        for question in questions
    ]


def test_every_sop_has_paraphrases() -> None:
    assert set(SOP_PARAPHRASES) == {sop.title for sop in SOPS}


@pytest.mark.parametrize(("title", "question"), _asked(NOT_RANKED_FIRST | BELOW_THE_ALARM_RESPONSE))
def test_a_paraphrase_ranks_its_sop_first(index: ProcedureIndex, title: str, question: str) -> None:
    [top] = index.search(question, k=1)
    assert top.procedure.title == title


@pytest.mark.parametrize(("title", "question"), _asked(REFUSED_BY_THE_GATE))
def test_a_paraphrase_is_answered_with_its_sops_steps(index: ProcedureIndex, title: str, question: str) -> None:
    reply = answer(index, question)
    assert (reply.kind, reply.title) == ("steps", title)


@pytest.mark.parametrize("question", NOT_COVERED)
def test_what_no_sop_covers_is_still_refused(index: ProcedureIndex, question: str) -> None:
    assert answer(index, question).kind == "refused"


def test_the_lockout_procedure_is_not_shadowed_by_the_operations_procedure_that_refers_to_it(
    index: ProcedureIndex,
) -> None:
    # The mold change (the operation's) says "Lock out the press (Lockout/tagout procedure)" in its step 2
    reply = answer(index, "How do I lock out the press?", Where(operation="MOLDING"))
    assert (reply.title, reply.scope) == ("Lockout/tagout before reaching into a machine", "plant")
    assert answer(index, "How do I change the mold?", Where(operation="MOLDING")).scope == "operation"


# Hazardous-energy control asked without the topic's name (no "lockout", "tagout" or "LOTO"): the work
# OSHA 29 CFR 1910.147 covers, as an operator would ask about it. Written before the vocabulary's concepts
# (`vocabulary.HAZARDOUS_ENERGY_WORK`), independently of the held-out questions of
# `plexlabor_dev.copilot_questions`, which were not used to write them.
HAZARDOUS_ENERGY = (
    "Do I have to cut the power before I clean the rollers on the conveyor?",
    "How do I keep the press from starting while I change the die?",
    "What do I switch off before I grease the chain on the palletizer?",
    "Is it safe to put my hand under the ram to pull out a bent part?",
    "Which breaker do I shut off before I work on the mixer?",
    "The hydraulics are still holding pressure, how do I bleed it off before I repair the cylinder?",
    "How do I make sure nobody turns the saw on while I'm adjusting the blade?",
    "Part of the guard has to come off to get at the belt, what do I do first?",
    "A part is wedged between the platens, how do I get it out safely?",
    "Do I need to disconnect the air supply before I inspect the gripper?",
    "What has to happen before I climb inside the shredder to clean it?",
    "How do I stop the robot from moving while I'm inside the fence?",
    "Can the conveyor start up by itself while I'm replacing the belt?",
    "Before lubricating the spindle, how do I make sure it can't turn?",
    "What do I do before servicing the hydraulic unit so the stored pressure can't hurt me?",
)
LOCKOUT_TITLE = "Lockout/tagout before reaching into a machine"
NEAR_MISSES: dict[str, str | None] = {
    "How do I start the machine?": "Start-up of an injection press after a stop",
    "What is the clamp torque?": "Mold change on an injection press",
    "How do I lock the tool crib?": None,
    "The press won't start after the weekend, what do I check?": "Start-up of an injection press after a stop",
    "How do I switch off the paint booth at the end of the shift?": None,
    "How do I turn on the barrel heaters?": "Start-up of an injection press after a stop",
    "Which gloves do I wear when I handle a hot mold?": "Mold change on an injection press",
    "What injection pressure do I set for this lot?": "Start-up of an injection press after a stop",
    "The power came back on, how do I restart the press?": "Start-up of an injection press after a stop",
    "How do I clean the spray gun between colours?": "Colour change in a paint booth",
    "How do I inspect the first part after a setup?": "First-article inspection",
    "How do I lock the trailer doors before it leaves the dock?": "Loading a trailer",
    "Why does the machine stop when I open the safety gate?": None,
    "How do I fix a torque tool that reads low?": "Torque tool check at an assembly station",
}
"""Questions near the topic's words (start, power, lock, pressure, clean, fix) that are not about
controlling hazardous energy, each with the SOP that covers it (None: none does). They must not get the
lockout procedure; each is answered from its own SOP or refused, never from another."""


@pytest.mark.parametrize("question", HAZARDOUS_ENERGY)
def test_hazardous_energy_work_gets_the_lockout_procedure(index: ProcedureIndex, question: str) -> None:
    reply = answer(index, question, Where(operation="MOLDING"))
    assert (reply.kind, reply.title, reply.scope) == ("steps", LOCKOUT_TITLE, "plant")


@pytest.mark.parametrize(("question", "title"), NEAR_MISSES.items())
def test_a_near_miss_is_not_routed_to_lockout(index: ProcedureIndex, question: str, title: str | None) -> None:
    # "How do I start the machine?" got the lockout procedure until the lockout procedure answered only
    # questions about lockout (its steps say "start the machine"); asked here with no machine named or
    # operation given, it is refused (test_copilot_intents asks it from an operation)
    reply = answer(index, question)
    assert reply.title != LOCKOUT_TITLE
    assert reply.title in ({title, None} if title else {None})
