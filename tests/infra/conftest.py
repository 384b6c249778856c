"""Infrastructure test fixtures: synthesize the stack once per session, offline (see infra/testing.py)."""

from __future__ import annotations

from typing import Any

import pytest

from infra.function_specs import FUNCTION_SPECS
from infra.testing import CONFIGURED, Synthesized, synthesize


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The full stack as a plant deploys it: every spec has a (fake) handler, the plant settings are
    set (infra.testing.CONFIGURED). cdk-nag ran during this synth."""
    return synthesize(tmp_path_factory.mktemp("infra-full"), [spec.name for spec in FUNCTION_SPECS], **CONFIGURED)


@pytest.fixture(scope="session")
def template(synthesized: Synthesized) -> dict[str, Any]:
    return synthesized.template
