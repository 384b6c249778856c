from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from pydantic import ValidationError

from plexlabor.copilot import INDEX_PREFIX
from plexlabor.copilot.bedrock import BedrockComposer
from plexlabor.copilot.retrieval import ProcedureIndex, RetrievalSettings
from plexlabor.copilot.store import save_index
from plexlabor.copilot.wiring import AskRequest, Copilot, CopilotSettings, build, run
from plexlabor.platform import env
from plexlabor.platform.artifacts import InMemoryArtifactStore, LocalFolderArtifactStore
from plexlabor.platform.errors import ConfigurationError
from tests.unit.copilot.copilot_world import procedures

LEXICAL = RetrievalSettings(dense_weight=0.0)


def _store() -> InMemoryArtifactStore:
    store = InMemoryArtifactStore()
    save_index(ProcedureIndex(procedures(), LEXICAL), store, date(2026, 12, 4), datetime(2026, 12, 4, tzinfo=UTC))
    return store


def test_run_answers_from_the_stored_index_with_cited_steps_as_json() -> None:
    copilot = Copilot(_store(), lexical_only=True)

    result = run(copilot, AskRequest(question="How do I clean the coolant tank?", job_id="J-4512"))

    assert result["kind"] == "steps" and result["procedure_id"] == "2" and result["job_id"] == "J-4512"
    assert [s["label"] for s in result["steps"]] == ["[2#1]", "[2#2]", "[2#3]"]
    assert result["steps"][0]["text"] == "Put on nitrile gloves before touching used coolant."
    assert run(copilot, AskRequest(question="What is the weather tomorrow?"))["kind"] == "refused"


def test_the_index_is_read_once_per_container() -> None:
    store = _store()
    reads = 0
    get = store.get

    def counting_get(key: str) -> bytes | None:
        nonlocal reads
        reads += 1
        return get(key)

    store.get = counting_get  # type: ignore[method-assign]
    copilot = Copilot(store, lexical_only=True)
    for _ in range(3):
        run(copilot, AskRequest(question="spindle belt"))

    assert reads == 2  # latest.json and the index, once


def test_a_configured_bedrock_model_words_the_answer() -> None:
    client = boto3.client("bedrock-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    worded = "1. Gloves on. [2#1]\n2. Pump the coolant out. [2#2]\n3. Vacuum and refill. [2#3]"
    with Stubber(client) as stubber:
        stubber.add_response(
            "converse",
            {
                "output": {"message": {"role": "assistant", "content": [{"text": worded}]}},
                "stopReason": "end_turn",
                "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
                "metrics": {"latencyMs": 1},
            },
        )
        copilot = Copilot(_store(), BedrockComposer(client, "model-x"), lexical_only=True)

        result = run(copilot, AskRequest(question="How do I clean the coolant tank?"))

    assert result["worded_by"] == "model-x"
    assert result["text"].endswith(worded)


def test_settings_need_somewhere_to_read_the_index(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="ARTIFACTS_BUCKET_NAME"):
        build(CopilotSettings.model_validate({}))
    folder = LocalFolderArtifactStore(tmp_path / INDEX_PREFIX)
    save_index(ProcedureIndex(procedures(), LEXICAL), folder, date(2026, 12, 4), datetime(2026, 12, 4, tzinfo=UTC))

    copilot = build(CopilotSettings.model_validate({env.ARTIFACTS_DIR: str(tmp_path)}))
    copilot.lexical_only = True

    assert copilot.composer is None
    assert run(copilot, AskRequest(question="How do I replace the spindle belt?"))["procedure_id"] == "1"


@pytest.mark.parametrize("body", [{"question": ""}, {"question": "x" * 501}, {"question": "ok", "extra": 1}])
def test_a_malformed_request_is_refused_by_its_field(body: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        AskRequest.model_validate(body)
