"""Layers: core staged from layers/core, dependency layers pip-built or (tests) placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest
from aws_cdk import App, Stack

from infra.build_layers import DEPS_LAYERS
from infra.config import DeployConfig
from infra.constants import ARCHITECTURE, LayerName
from infra.constructs.layers import LayerNotBuiltError, Layers
from infra.function_specs import BATCH, COPILOT, FUNCTION_SPECS, REALTIME
from infra.staging import stage_core_layer
from infra.testing import Synthesized


def _layer_properties(synthesized: Synthesized, name: LayerName) -> dict:
    layer = synthesized.stack.layers.created[name]
    return synthesized.template["Resources"][synthesized.logical_id(layer)]["Properties"]


def test_core_and_every_dependency_layer_exist_when_used(synthesized: Synthesized) -> None:
    synthesized.assertions.resource_count_is("AWS::Lambda::LayerVersion", 4)
    assert set(synthesized.stack.layers.created) == set(LayerName)


@pytest.mark.parametrize(
    ("name", "runtimes"),
    [
        (LayerName.CORE, ["python3.11", "python3.12"]),
        (LayerName.DEPS_LIGHT, ["python3.11"]),
        (LayerName.DEPS_HEAVY, ["python3.12"]),
        (LayerName.DEPS_COPILOT, ["python3.12"]),
    ],
)
def test_layer_runtimes_and_architecture(synthesized: Synthesized, name: LayerName, runtimes: list) -> None:
    properties = _layer_properties(synthesized, name)

    assert properties["CompatibleRuntimes"] == runtimes
    assert properties["CompatibleArchitectures"] == [ARCHITECTURE]


def test_placeholder_layers_say_they_are_not_deployable(synthesized: Synthesized) -> None:
    for name in (LayerName.DEPS_LIGHT, LayerName.DEPS_HEAVY, LayerName.DEPS_COPILOT):
        assert "not deployable" in _layer_properties(synthesized, name)["Description"]


def test_each_flavour_uses_layers_built_for_its_python() -> None:
    for flavour in (REALTIME, BATCH, COPILOT):
        deps = [name for name in flavour.layers if name is not LayerName.CORE]
        assert LayerName.CORE in flavour.layers
        assert [DEPS_LAYERS[name].python for name in deps] == [flavour.python]
    assert all(spec.flavour in (REALTIME, BATCH, COPILOT) for spec in FUNCTION_SPECS)


def test_core_layer_is_staged_under_python_without_caches(tmp_path: Path) -> None:
    asset = stage_core_layer(tmp_path)

    assert (asset / "python" / "plexlabor" / "__init__.py").is_file()
    assert (asset / "python" / "plexlabor" / "audit" / "schema.py").is_file()
    assert not (asset / "python" / "plexlabor" / "local").exists()  # moto and CDK never ship
    assert not list(asset.rglob("__pycache__"))
    assert not list(asset.rglob("*.pyc"))
    assert [p.name for p in asset.iterdir()] == ["python"]


def test_a_missing_dependency_build_fails_synth_with_instructions(tmp_path: Path) -> None:
    layers = Layers(Stack(App(), "LayersOnly"), "Layers", config=DeployConfig(build_dir=tmp_path))

    with pytest.raises(LayerNotBuiltError, match="make layers"):
        layers.layer(LayerName.DEPS_LIGHT)
    assert layers.layer(LayerName.CORE) is layers.layer(LayerName.CORE)  # core needs no pip build
