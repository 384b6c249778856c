"""The operator copilot on the local runtime, as an operator uses it: the runtime uploads the generated plant's
SOPs and molding process data where a plant uploads its own; copilot_index builds the index; the operator
signs in (the dev login, over HTTP on 127.0.0.1) and asks at the tablet: the steps of the right procedure
with their citations, the tools it names, settings for the material lot inside the SOP's limits, and a
refusal for what no procedure covers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from plexlabor.plant import PlantFolder
from plexlabor_dev.local.signin import LOCAL_PASSWORD, LOGIN_PATH
from plexlabor_dev.local.stack import LocalStack
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant
from plexlabor_dev.simulator.procedures import MOLDING_OPERATION, SOPS, plant_procedures, plant_sops

MOLDING_PLANT = PlantSpec(employees=40, weeks=2, seed=17)
"""Small, but with a molding department (the e2e plant of 20 has three departments, none molding)."""


@pytest.fixture(scope="module")
def molding_plant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("molding-plant")
    generate_plant(MOLDING_PLANT, path)
    return path


@pytest.fixture(scope="module")
def asked(molding_plant: Path) -> Iterator[tuple[LocalStack, dict[str, Any], requests.Session]]:
    with LocalStack(molding_plant) as stack, requests.Session() as tablet:
        built = stack.runtime.fire("copilot_index")
        form = {"username": "operator", "password": LOCAL_PASSWORD, "next": "/copilot"}
        assert tablet.post(f"{stack.runtime.api_url}{LOGIN_PATH}", data=form, timeout=30).status_code == 200
        yield stack, built, tablet


def ask(stack: LocalStack, tablet: requests.Session, status: int = 200, **question: str) -> dict[str, Any]:
    reply = tablet.post(
        f"{stack.runtime.api_url}/copilot/ask", json=question, headers={"Sec-Fetch-Site": "same-origin"}, timeout=60
    )
    assert reply.status_code == status, reply.text
    answer: dict[str, Any] = reply.json()
    return answer


def test_the_index_holds_the_plants_procedures(asked: Any, molding_plant: Path) -> None:
    _, built, _ = asked
    assert built["built"] is True
    assert built["procedures"] == len(plant_procedures(PlantFolder(molding_plant))) and built["lots"] > 0


def test_each_procedure_is_found_by_the_question_an_operator_would_ask(asked: Any, molding_plant: Path) -> None:
    stack, _, tablet = asked
    for guide_id, sop in plant_sops(PlantFolder(molding_plant)):
        answer = ask(stack, tablet, question=sop.question)
        assert (answer["kind"], answer["procedure_id"]) == ("steps", guide_id), sop.question
        assert [step["step"] for step in answer["steps"]] == list(range(1, len(sop.steps) + 1))
        assert all(step["label"] in answer["text"] for step in answer["steps"])  # every step cites its passage


def test_the_tools_and_the_settings_for_the_lot(asked: Any) -> None:
    stack, _, tablet = asked
    mold_change = next(sop for sop in SOPS if sop.title == "Mold change on an injection press")

    tools = ask(
        stack,
        tablet,
        question="What tools do I need to change the mold?",
        operation=MOLDING_OPERATION,
        lot_id="LOT-0001",
    )
    assert tools["kind"] == "tools" and tuple(tools["tools"]) == mold_change.tools
    parameters = tools["parameters"]
    assert parameters["reason"] is None and parameters["runs"]
    for name, value in parameters["settings"].items():
        low, high = parameters["limits"][name]
        assert low <= value <= high


def test_what_no_procedure_covers_is_refused(asked: Any) -> None:
    stack, _, tablet = asked
    assert ask(stack, tablet, question="What is the weather in Detroit tomorrow?")["kind"] == "refused"


def test_a_question_logged_to_a_job_plex_does_not_have_is_refused_naming_it(asked: Any, molding_plant: Path) -> None:
    stack, _, tablet = asked
    question = "How do I change the mold on the press?"
    refused = ask(stack, tablet, 400, question=question, job_id="J999999")  # (before: 200, logged to J999999)
    assert refused["errors"] == [{"field": "job_id", "problem": "no job J999999 in Plex: check the job number"}]
    job = next(PlantFolder(molding_plant).iter_raw("jobs"))["jobNo"]
    assert ask(stack, tablet, question=question, job_id=job)["job_id"] == job


@pytest.mark.parametrize(
    "question",
    [
        "How do I lock out the press?",
        "lockout tagout procedure",
        "What are the steps to lock out the press before clearing a jam?",
        "The press jammed, how do I clear it safely?",
    ],
)
def test_any_lockout_wording_gets_the_lockout_procedure(asked: Any, molding_plant: Path, question: str) -> None:
    # (before: the mold change's steps for the first two, a refusal for the others; ux119 #2)
    stack, _, tablet = asked
    lockout = next(guide for guide, sop in plant_sops(PlantFolder(molding_plant)) if sop.title.startswith("Lockout"))
    answer = ask(stack, tablet, question=question, operation=MOLDING_OPERATION)
    assert (answer["kind"], answer["procedure_id"]) == ("steps", lockout), question


def test_a_step_that_holds_the_answer_is_cited(asked: Any, molding_plant: Path) -> None:
    stack, _, tablet = asked
    mold_change = next(guide for guide, sop in plant_sops(PlantFolder(molding_plant)) if sop.title.startswith("Mold"))
    answer = ask(stack, tablet, question="What torque for the mold clamps?")  # (before: refused)
    assert (answer["kind"], answer["procedure_id"]) == ("steps", mold_change)
    # only the step that gives it (before: all 8 steps of the mold change; ux136 #10)
    assert [(step["step"], "120 Nm" in step["text"]) for step in answer["steps"]] == [(5, True)]
    assert answer["selected"] == "The step giving the torque (1 of its 8 steps)"


def test_starting_the_machine_at_the_molding_operation_gets_the_press_start_up(asked: Any, molding_plant: Path) -> None:
    # (before: the lockout procedure, whose step 5 says "try to start the machine"; ux136 #10)
    stack, _, tablet = asked
    start_up = next(guide for guide, sop in plant_sops(PlantFolder(molding_plant)) if sop.title.startswith("Start-up"))
    answer = ask(stack, tablet, question="How do I start the machine?", operation=MOLDING_OPERATION)
    assert (answer["kind"], answer["procedure_id"], answer["scope"]) == ("steps", start_up, "operation")


def test_an_alarm_at_the_press_gets_its_alarm_response_and_one_no_procedure_covers_is_refused(
    asked: Any, molding_plant: Path
) -> None:
    # (before: the lockout procedure: "stuck" beside "robot" read as a jam; ux136 #10. Until the mold shop had
    # an alarm response (2026-12-05), every alarm was refused: "none of them is an alarm or fault response")
    stack, _, tablet = asked
    alarm = next(guide for guide, sop in plant_sops(PlantFolder(molding_plant)) if sop.title.startswith("Alarm"))
    answer = ask(stack, tablet, question="The press shows an alarm, what do I do?", operation=MOLDING_OPERATION)
    assert (answer["kind"], answer["procedure_id"], answer["scope"]) == ("steps", alarm, "operation")

    answer = ask(stack, tablet, question="The robot is stuck in an alarm, what do I do?", operation=MOLDING_OPERATION)
    assert (answer["kind"], answer["procedure_id"]) == ("refused", None)
    assert answer["text"].startswith(  # the robot named as missing (ux164 #6)
        "No procedure I have covers this: none of the plant's alarm and fault responses names the robot "
        "(Alarm response on an injection press)."
    )
