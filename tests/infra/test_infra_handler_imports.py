"""Every handler imports on the runtime its spec deploys it to: its own code, the core layer and the packages of its
flavour's dependency layers, nothing else (review_infra_s17 #1: incident_trends was deployed on deps-light and failed
at import on every run for want of NumPy).

Each flavour's handlers are imported in a fresh interpreter with an empty environment, where a `sys.meta_path` finder
refuses every installed package the flavour's layers do not ship (with what they install in turn), the repository's
other top-level packages, and the other functions' code (a function's asset holds only `functions/<name>/`).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from infra.build_layers import DEPS_LAYERS, read_requirements
from infra.constants import REPO_ROOT
from infra.function_specs import BATCH, COPILOT, FUNCTION_SPECS, REALTIME, Flavour
from infra.staging import handler_path

SHIPPED = {"plexlabor", "functions"}
"""The core layer and the function's own code."""
NOT_SHIPPED = {"infra", "dev", "tests"}
"""The repository's other packages: on the test's path, never in Lambda."""

IMPORT_ALL = r"""
import importlib, importlib.abc, json, sys

blocked, names = set(json.loads(sys.argv[1])), json.loads(sys.argv[2])
current = None


class NotInTheLayers(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        parts = fullname.split(".")
        if parts[0] in blocked or (parts[0] == "functions" and len(parts) > 1 and parts[1] != current):
            raise ModuleNotFoundError(f"No module named {fullname!r} (not on this function's runtime)", name=fullname)
        return None


sys.meta_path.insert(0, NotInTheLayers())
failures = {}
for current in names:
    for loaded in [module for module in sys.modules if module.startswith("functions.")]:
        del sys.modules[loaded]  # another function's code, imported for an earlier handler, is not in this asset
    try:
        importlib.import_module(f"functions.{current}.handler")
    except Exception as error:
        failures[current] = f"{type(error).__name__}: {error}"
print(json.dumps(failures))
"""


def _pins(flavour: Flavour) -> list[Requirement]:
    """The requirements the flavour's dependency layers install (the core layer has none)."""
    lines: list[str] = []
    for layer in flavour.layers:
        if layer not in DEPS_LAYERS:
            continue
        spec = DEPS_LAYERS[layer]
        lines += read_requirements(spec.requirements)
        if spec.no_deps is not None:
            lines += [line.split()[0] for line in read_requirements(spec.no_deps)]  # without their --hash
    return [Requirement(line) for line in lines]


def layer_distributions(flavour: Flavour) -> set[str]:
    """The installed distributions the flavour's layers ship: their pins and what those require, with the extras
    asked for (as pip resolves them), by canonical name."""
    shipped: set[str] = set()
    todo = _pins(flavour)
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in shipped:
            continue
        shipped.add(name)
        try:
            requires = importlib.metadata.requires(requirement.name) or []
        except importlib.metadata.PackageNotFoundError:
            continue  # not installed here: nothing to block or follow
        for line in requires:
            needed = Requirement(line)
            extras = {"", *requirement.extras}
            if needed.marker is None or any(needed.marker.evaluate({"extra": extra}) for extra in extras):
                todo.append(needed)
    return shipped


def blocked_modules(flavour: Flavour) -> set[str]:
    """The top-level modules installed here that a function of this flavour cannot import on Lambda."""
    shipped = layer_distributions(flavour)
    return NOT_SHIPPED | {
        module
        for module, distributions in importlib.metadata.packages_distributions().items()
        if module not in SHIPPED and not any(canonicalize_name(name) in shipped for name in distributions)
    }


def import_failures(flavour: Flavour, names: list[str]) -> dict[str, str]:
    """Each handler of `names` that fails to import on the flavour's runtime, with its error."""
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": f"{REPO_ROOT}{os.pathsep}{REPO_ROOT / 'layers' / 'core'}"}
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL, json.dumps(sorted(blocked_modules(flavour))), json.dumps(names)],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    failures: dict[str, str] = json.loads(result.stdout.strip().splitlines()[-1])
    return failures


def test_the_blocker_refuses_what_a_flavour_does_not_ship() -> None:
    # the numeric stack is only on the batch layer, the sign-in packages only on the real-time one
    assert {"numpy", "scipy", "sklearn", "bm25s"} <= blocked_modules(REALTIME)
    assert {"jwt", "bm25s", "tokenizers"} <= blocked_modules(BATCH) and "sklearn" not in blocked_modules(BATCH)
    assert {"scipy", "sklearn", "jwt"} <= blocked_modules(COPILOT) and "numpy" not in blocked_modules(COPILOT)
    assert {"pydantic", "aws_lambda_powertools", "boto3"}.isdisjoint(blocked_modules(REALTIME))
    assert {"pytest", "aws_cdk", "infra", "dev"} <= blocked_modules(REALTIME)


@pytest.mark.parametrize("flavour", [REALTIME, BATCH, COPILOT], ids=lambda flavour: flavour.name)
def test_every_handler_imports_with_only_its_flavour_s_layers(flavour: Flavour) -> None:
    names = [
        spec.name for spec in FUNCTION_SPECS if spec.flavour == flavour and handler_path(REPO_ROOT, spec.name).is_file()
    ]
    assert names
    assert import_failures(flavour, names) == {}
