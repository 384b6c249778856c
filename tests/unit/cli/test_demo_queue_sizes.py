"""The demo's list of local users says how many items each one's review queue lists (ux_s17 L3: it counted each short
seat, "bhughes1 -> 14 open suggestions" beside a queue of 11)."""

from __future__ import annotations

from plexlabor.review.queue import ReviewQueue
from plexlabor_dev.demo import queue_sizes
from plexlabor_dev.local.signin import LocalUser
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import recommendation


def test_each_user_is_told_the_number_of_items_their_queue_lists() -> None:
    # Given three short seats at one workcenter shift (the queue lists them as one item) and an overtime projection
    world = World()
    for seat in ("seat-1", "seat-2", "seat-3"):
        recommendation(
            world, seat, "crew_unstaffed", workcenter_code="ASM-04", shift_code="2", plan_day="2026-03-04", seats=1
        )
    recommendation(world, "ot-1", "overtime_projection", department="MAINT")
    queue = ReviewQueue(world.audit, clock=world.clock)
    planner, hr = LocalUser("planner", ("planner",)), LocalUser("hr", ("hr",))
    # When the demo counts each user's queue
    sizes = queue_sizes(queue, [planner, hr])
    # Then the planner's lists two items, as the queue page does ("All (2)"), not four; HR's none
    assert sizes == [len(queue.view(planner.viewer()).items), 0] == [2, 0]
