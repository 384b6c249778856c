"""Fixtures the web app tests share; a test module's own `world` fixture takes precedence over this one."""

from __future__ import annotations

import pytest

from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import crew_assignment, finding_event


@pytest.fixture
def world() -> World:
    """A queue with a high-severity punch finding (f-000000000000000000000001, supervisor E0001's) and a crew
    assignment (crew-0001, at WC-10 on 2026-03-04, for planners)."""
    world = World()
    finding_event(world, "f-000000000000000000000001", confidence=0.93, severity="high")
    crew_assignment(world)
    return world
