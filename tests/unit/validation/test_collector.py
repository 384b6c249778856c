"""The batch keeps what existed before it out of the cyclic collector's walks, and leaves the collector as it was."""

from __future__ import annotations

import gc

from plexlabor.validation.data import collector_skips_what_exists


def test_what_exists_is_frozen_inside_and_thawed_after() -> None:
    kept = [[i] for i in range(1000)]  # tracked by the collector
    assert gc.get_freeze_count() == 0
    with collector_skips_what_exists():
        frozen = gc.get_freeze_count()
        assert frozen >= len(kept)
        made = [[i] for i in range(100)]
        # what is made inside is walked as usual: never added to the frozen generation (which can only shrink
        # meanwhile, as reference counting frees frozen objects of other threads of the test run)
        assert gc.get_freeze_count() <= frozen
        assert all(gc.is_tracked(item) for item in made)
    assert gc.get_freeze_count() == 0


def test_objects_someone_else_froze_stay_frozen() -> None:
    gc.freeze()
    try:
        assert gc.get_freeze_count() > 0
        with collector_skips_what_exists():
            pass
        # Not an equality with the count before: frozen objects that reference counting frees (other threads of the
        # test run) leave the permanent generation meanwhile. Unfreezing would empty it.
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_cyclic_garbage_made_inside_is_still_collected() -> None:
    class Node:
        other: object = None

    with collector_skips_what_exists():
        a, b = Node(), Node()
        a.other, b.other = b, a
        del a, b
        assert gc.collect() >= 2
