"""Synthesize the stack offline for tests: fake handler tree, placeholder layers, temp dirs.

Used by tests/infra (kept here, not in a conftest, so test modules can import it by a stable name).
- Handlers: a temporary `functions/<name>/handler.py` tree (the real functions/ folder is never
  written to), passed as `plexlabor:functionsRoot`.
- Layers: `plexlabor:placeholderLayers=true`, so no pip/PyPI; staged assets go to a temp
  `plexlabor:buildDir`. The pip build itself is covered by tests of `infra.build_layers`
  (pure functions, fake pip) and by `make layers` (real).
- Feature flags: the same cdk.json context the real app uses (`infra.app.create_app`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from aws_cdk import App
from aws_cdk.assertions import Template

from infra.app import add_stack, create_app
from infra.config import DeployConfig
from infra.constants import (
    CTX_BUILD_DIR,
    CTX_CHAT_WEBHOOK_URL,
    CTX_COPILOT_BEDROCK_MODEL_ID,
    CTX_DEFAULT_SUPERVISOR_ID,
    CTX_FUNCTIONS_ROOT,
    CTX_INCIDENT_TRANSCRIBE_LANGUAGE,
    CTX_NOTIFY_SENDER,
    CTX_PLACEHOLDER_LAYERS,
    CTX_REVIEW_RECIPIENTS,
    CTX_SHOW_NAMES_TO,
    CTX_TIMEZONE,
    CTX_VALIDATION_POLICY,
)
from infra.nag import flatten_reference
from infra.stack import PlexlaborStack
from infra.wiring import Setting

HANDLER_SOURCE = "def handler(event, context):\n    return {}\n"
CONFIGURED = {
    CTX_TIMEZONE: "America/Detroit",
    CTX_NOTIFY_SENDER: "approvals@plant.example.com",
    CTX_DEFAULT_SUPERVISOR_ID: "SUP-0001",
    CTX_SHOW_NAMES_TO: ["supervisor", "hr", "admin"],
    CTX_REVIEW_RECIPIENTS: {
        "hr": ["hr@plant.example.com"],
        "planners": "planning@plant.example.com",
        "ehs": ["ehs@plant.example.com"],
    },
    CTX_INCIDENT_TRANSCRIBE_LANGUAGE: "en-US",
    CTX_COPILOT_BEDROCK_MODEL_ID: "anthropic.claude-3-haiku-20240307-v1:0",
    CTX_CHAT_WEBHOOK_URL: "https://chat.plant.example.com/hooks/approvals",
    CTX_VALIDATION_POLICY: {"pay_week_starts": "sunday"},
}
"""The plant-specific settings a real deployment sets (nothing in cdk.json: they differ per plant)."""


class ConfigValues:
    """`infra.wiring.SourceValues` without a synth: a deployment configuration's settings, as the stack
    gives them, and "x" for every resource (table, queue, secret, attribute)."""

    def __init__(self, config: DeployConfig) -> None:
        self.config = config

    def setting(self, setting: Setting) -> object:
        return getattr(self.config, setting.value)

    def __getattr__(self, name: str) -> Any:
        return lambda *args: "x"


def write_fake_functions(root: Path, names: Iterable[str]) -> Path:
    """`<root>/functions/__init__.py` plus `functions/<name>/handler.py` (and a stray cache)."""
    package = root / "functions"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    for name in names:
        (package / name / "__pycache__").mkdir(parents=True, exist_ok=True)
        (package / name / "__init__.py").write_text("")
        (package / name / "handler.py").write_text(HANDLER_SOURCE)
        (package / name / "__pycache__" / "handler.cpython-311.pyc").write_bytes(b"stale")
    return root


@dataclass
class Synthesized:
    app: App
    stack: PlexlaborStack
    template: dict[str, Any]
    assertions: Template
    outdir: Path
    build_dir: Path

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {
            logical_id: resource
            for logical_id, resource in self.template["Resources"].items()
            if resource["Type"] == resource_type
        }

    def logical_id(self, construct: Any) -> str:
        return self.stack.get_logical_id(construct.node.default_child)

    def function(self, name: str) -> dict[str, Any]:
        """Function `name`'s template resource."""
        return self.template["Resources"][self.logical_id(self.stack.functions.functions[name])]

    def role_statements(self, role_logical_id: str) -> list[dict[str, Any]]:
        """Every statement of the policies attached to a role (its inline policies included)."""
        role = self.template["Resources"][role_logical_id]
        statements = [
            statement
            for policy in role["Properties"].get("Policies", [])
            for statement in policy["PolicyDocument"]["Statement"]
        ]
        for policy in self.resources("AWS::IAM::Policy").values():
            if {"Ref": role_logical_id} in policy["Properties"]["Roles"]:
                statements += policy["Properties"]["PolicyDocument"]["Statement"]
        return statements

    def function_statements(self, name: str) -> list[dict[str, Any]]:
        return self.role_statements(self.function(name)["Properties"]["Role"]["Fn::GetAtt"][0])

    def granted(self, name: str, action: str, *, flatten: bool = False) -> list[Any]:
        """The resources function `name`'s role may use `action` on (`flatten`: as `infra.nag.flatten_reference`
        writes them, e.g. `<ArtifactsBucket.Arn>/models/scorer/*`)."""
        granted = [r for s in self.function_statements(name) if action in actions(s) for r in resources(s)]
        return [flatten_reference(r) for r in granted] if flatten else granted


def actions(statement: dict[str, Any]) -> set[str]:
    value = statement["Action"]
    return {value} if isinstance(value, str) else set(value)


def resources(statement: dict[str, Any]) -> list[Any]:
    value = statement["Resource"]
    return value if isinstance(value, list) else [value]


def synthesize(tmp: Path, function_names: Iterable[str], **context: Any) -> Synthesized:
    """Build and synthesize the app (cdk-nag runs as part of synth and fails it on violations)."""
    functions_root = write_fake_functions(tmp / "src", function_names)
    build_dir = tmp / "build"
    outdir = tmp / "cdk.out"
    app = create_app(
        {
            CTX_PLACEHOLDER_LAYERS: True,
            CTX_FUNCTIONS_ROOT: str(functions_root),
            CTX_BUILD_DIR: str(build_dir),
            **context,
        },
        outdir=str(outdir),
    )
    stack = add_stack(app)
    assembly = app.synth()
    template = assembly.get_stack_by_name(stack.stack_name).template
    return Synthesized(app, stack, template, Template.from_json(template), outdir, build_dir)
