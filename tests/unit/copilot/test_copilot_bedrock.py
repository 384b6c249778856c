"""Bedrock's Converse API stubbed with botocore's Stubber behind the real boto3 client (no network)."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.stub import ANY, Stubber

from plexlabor.copilot.answers import Answer, answer
from plexlabor.copilot.bedrock import SYSTEM, BedrockComposer
from plexlabor.copilot.retrieval import ProcedureIndex, RetrievalSettings
from tests.unit.copilot.copilot_world import procedures

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
INDEX = ProcedureIndex(procedures(), RetrievalSettings(dense_weight=0.0))


@pytest.fixture
def bedrock() -> Iterator[tuple[object, Stubber]]:
    client = boto3.client("bedrock-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def _reply(text: str) -> dict[str, object]:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 120, "outputTokens": 60, "totalTokens": 180},
        "metrics": {"latencyMs": 400},
    }


def _steps() -> Answer:
    return answer(INDEX, "How do I replace the spindle belt?")


def test_the_model_words_the_steps_it_was_given_and_keeps_their_citations(bedrock) -> None:  # type: ignore[no-untyped-def]
    client, stubber = bedrock
    worded = "1. Lock out the mill first. [1#1]\n2. Take off the belt guard. [1#2]\n3. Swap and tension the belt. [1#3]"
    stubber.add_response(
        "converse",
        _reply(worded),
        {
            "modelId": MODEL,
            "system": [{"text": SYSTEM}],
            "messages": [{"role": "user", "content": [{"text": ANY}]}],
            "inferenceConfig": {"maxTokens": 1024, "temperature": 0.0},
        },
    )

    reply = BedrockComposer(client, MODEL).compose(_steps())

    assert reply.worded_by == MODEL
    assert reply.text == "Replacing the spindle belt [1]:\n" + worded
    assert reply.steps == _steps().steps  # the cited passages themselves are unchanged


def test_the_prompt_holds_only_the_retrieved_steps_with_their_labels(bedrock) -> None:  # type: ignore[no-untyped-def]
    client, stubber = bedrock
    seen: dict[str, str] = {}

    def capture(**kwargs: object) -> None:
        seen["prompt"] = kwargs["messages"][0]["content"][0]["text"]  # type: ignore[index]

    client.meta.events.register("provide-client-params.bedrock-runtime.Converse", lambda params, **_: capture(**params))
    stubber.add_response("converse", _reply("1. x [1#1]\n2. y [1#2]\n3. z [1#3]"))

    BedrockComposer(client, MODEL).compose(_steps())

    assert "[1#1] Lock out the mill at the main disconnect" in seen["prompt"]
    assert "[1#3] Slide the worn belt off both pulleys" in seen["prompt"]
    assert "coolant" not in seen["prompt"]  # no other procedure's text


@pytest.mark.parametrize(
    "worded",
    [
        "1. Lock out. [1#1]\n2. Remove the guard. [1#2]",  # a step dropped
        "1. Lock out. [1#1]\n2. Guard. [1#2]\n3. Belt. [1#3]\n4. Check oil level. [1#4]",  # a step invented
        "1. Lock out, remove the guard and change the belt.",  # citations lost
    ],
)
def test_a_wording_whose_citations_differ_is_dropped_for_the_steps_as_written(bedrock, worded: str) -> None:  # type: ignore[no-untyped-def]
    client, stubber = bedrock
    stubber.add_response("converse", _reply(worded))

    reply = BedrockComposer(client, MODEL).compose(_steps())

    assert reply == _steps()


def test_a_bedrock_error_keeps_the_extractive_answer(bedrock) -> None:  # type: ignore[no-untyped-def]
    client, stubber = bedrock
    stubber.add_client_error("converse", service_error_code="ThrottlingException", http_status_code=429)

    assert BedrockComposer(client, MODEL).compose(_steps()) == _steps()


def test_refusals_and_tool_lists_are_never_sent(bedrock) -> None:  # type: ignore[no-untyped-def]
    client, _ = bedrock  # no response queued: a call would fail the stubber
    composer = BedrockComposer(client, MODEL)

    refused = answer(INDEX, "How do I request vacation?")
    tools = answer(INDEX, "What tools do I need to replace the spindle belt?")

    assert composer.compose(refused) == refused
    assert composer.compose(tools) == tools
