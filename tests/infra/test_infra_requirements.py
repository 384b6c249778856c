"""The dependency layers pin exactly what pyproject.toml pins (plus one documented extra)."""

from __future__ import annotations

import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from infra.build_layers import DEPS_LAYERS, read_requirements
from infra.constants import REPO_ROOT, LayerName

LAYER_ONLY_EXTRAS = {"aws-lambda-powertools": {"tracer"}}
"""Extras the layers add: Powertools' Tracer needs aws-xray-sdk in Lambda (docs/decision_log.md)."""
HEAVY_ONLY = {"numpy", "scipy", "scikit-learn"}


def _pinned(lines: list[str]) -> dict[str, Requirement]:
    requirements: dict[str, Requirement] = {}
    for line in lines:
        requirement = Requirement(line)
        [specifier] = requirement.specifier
        assert specifier.operator == "==", f"{line}: layers pin exact versions"
        requirements[canonicalize_name(requirement.name)] = requirement
    return requirements


def _project() -> dict[str, Requirement]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    return _pinned(project["dependencies"])


def _layer(layer: LayerName) -> dict[str, Requirement]:
    return _pinned(read_requirements(DEPS_LAYERS[layer].requirements))


def _check_agrees(layer: LayerName, expected_names: set[str]) -> None:
    project, pins = _project(), _layer(layer)
    assert set(pins) == expected_names
    for name, requirement in pins.items():
        assert requirement.specifier == project[name].specifier, f"{layer.value}: {name} drifted from pyproject"
        extra = requirement.extras - project[name].extras
        assert extra <= LAYER_ONLY_EXTRAS.get(name, set()), f"{layer.value}: {name} adds extras {extra}"
        assert project[name].extras <= requirement.extras, f"{layer.value}: {name} lost extras"


def test_light_layer_pins_every_runtime_dependency_except_the_numeric_stack() -> None:
    _check_agrees(LayerName.DEPS_LIGHT, set(_project()) - HEAVY_ONLY)


def test_heavy_layer_pins_every_runtime_dependency_except_the_sign_in_packages() -> None:
    _check_agrees(LayerName.DEPS_HEAVY, set(_project()) - LIGHT_ONLY)


LIGHT_ONLY = {"pyjwt", "cryptography"}
"""Only the web authorizer verifies tokens; the batch functions' layer leaves them out."""


def test_light_layer_keeps_scikit_learn_off_the_real_time_path() -> None:
    assert not HEAVY_ONLY & set(_layer(LayerName.DEPS_LIGHT))
