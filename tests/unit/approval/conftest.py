"""Fixtures of the approval unit tests."""

from __future__ import annotations

import pytest
from approval_fakes import FakePlex, World, open_entry


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def fake_plex() -> FakePlex:
    return FakePlex(entries=[open_entry()])
