"""Infrastructure test fixtures: synthesize the stack once per session, offline (see infra/testing.py)."""

from __future__ import annotations

from typing import Any

import pytest

from infra.function_specs import FUNCTION_SPECS
from infra.testing import Synthesized, synthesize


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The full stack: every spec has a (fake) handler. cdk-nag ran during this synth."""
    return synthesize(tmp_path_factory.mktemp("infra-full"), [spec.name for spec in FUNCTION_SPECS])


@pytest.fixture(scope="session")
def template(synthesized: Synthesized) -> dict[str, Any]:
    return synthesized.template
