"""What the engine tests share: the engine with the default policy (a module that tests another policy
defines its own `engine`)."""

from __future__ import annotations

import pytest

from plexlabor.validation.engine import ValidationEngine


@pytest.fixture(scope="module")
def engine() -> ValidationEngine:
    return ValidationEngine()
