"""crew_replan's kept store (`plexlabor.crew.snapshots`, issue 16): a new container starts from the shift and
the day's suggestions the last container stored, catches up as a warm container does and decides as it would;
what a warm container would no longer use (older than `KEPT_FOR`, an event since that needed a read, another
code version's, a broken object, a store that fails) is refused and read fresh."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import numpy as np
import pytest

from plexlabor.audit import InMemoryAuditStore
from plexlabor.crew import replan, snapshots, wiring
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.replanning import KEPT_FOR, run
from plexlabor.crew.snapshots import ARRAYS, KeptStore, Refused
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.plex.sources import LaborSource
from tests.unit.crew.test_crew_replan_handler import DAY, SHIFT_START, _copy, _crew_events, _Recording, planned

__all__ = ["planned"]  # the fixture, shared with the handler's tests

START = SHIFT_START - timedelta(minutes=20)


def _deps(source: LaborSource, table: InMemoryAuditStore, kept: KeptStore | None, clock: list[Any]) -> Any:
    return wiring.ReplanDependencies(
        source=source, store=table, time_limit_s=20, clock=lambda: clock[0], kept_store=kept
    )


def _message(reason: str, at: Any, employee: str | None = None) -> ReplanMessage:
    return ReplanMessage(reason=reason, day=DAY, shift="1", employee_id=employee, detected_at=at)  # type: ignore[arg-type]


def _callers(store: InMemoryAuditStore) -> tuple[str, str]:
    nightly = sorted({e.employee_id or "" for e in _crew_events(store, "crew_planner")})
    return nightly[len(nightly) // 3], nightly[2 * len(nightly) // 3]


def _refreshed(planned: tuple[LaborSource, InMemoryAuditStore]) -> tuple[Any, KeptStore, list[Any]]:
    """A container whose refresh stored the shift it read and the day's suggestions; its store and clock."""
    source, store = planned
    kept = KeptStore(InMemoryArtifactStore())
    clock = [START]
    warm = _deps(source, store, kept, clock)
    refreshed = run(warm, _message("refresh", clock[0]))
    assert (refreshed["shift_from"], refreshed["suggestions_read"]) == ("read", "whole")
    return warm, kept, clock


def test_a_new_container_starts_from_the_stored_shift_and_decides_as_the_warm_one(
    planned: tuple[LaborSource, InMemoryAuditStore],
) -> None:
    source, store = planned
    first, second = _callers(store)
    # Given the schedule's refresh stored the shift it read and the day's suggestions, and a call-off since
    warm, kept, clock = _refreshed(planned)
    clock[0] += timedelta(minutes=2)
    assert run(warm, _message("call_off", clock[0], first))["shift_from"] == "container"
    # When the next call-off meets the warm container, and (on a copy of the table) a new container
    table = _copy(store)
    new = _deps(source, table, kept, clock)
    clock[0] += timedelta(minutes=2)
    decided: list[tuple[Any, ...]] = []
    for deps, recording in ((warm, _Recording(store)), (new, _Recording(table))):
        summary = run(deps, _message("call_off", clock[0], second))
        decided.append((recording.decisions(), summary["people_moved"], summary["shift_from"], summary["data_read"]))
        decided[-1] += (summary["suggestions_read"],)
    # Then the new one reads neither the shift nor the day whole, applies the first call-off the table records,
    # and decides what the warm one decides
    assert decided[1][:2] == decided[0][:2] and len(decided[0][0]) >= 2
    assert decided[0][2:] == ("container", False, "caught up")
    assert decided[1][2:] == ("store", False, "caught up from the store")
    events = new.problems[(DAY, "1")].events
    assert [(e.reason, e.employee_id) for e in events] == [("call_off", first), ("call_off", second)]


def test_a_stored_shift_a_warm_container_would_no_longer_use_is_read_fresh(
    planned: tuple[LaborSource, InMemoryAuditStore],
) -> None:
    source, store = planned
    first, second = _callers(store)
    _, kept, clock = _refreshed(planned)
    # read KEPT_FOR ago: the shift is read again and the day read whole, as a warm container would
    clock[0] += KEPT_FOR
    late = run(_deps(source, _copy(store), kept, clock), _message("call_off", clock[0], first))
    assert (late["shift_from"], late["suggestions_read"]) == ("read", "whole")
    # an event since the store that needed a read (the crew board's decisions: Plex as it is now) and whose
    # read was not stored: the stored shift predates it, so it is refused
    warm, kept, clock = _refreshed(planned)
    warm.kept_store = None
    clock[0] += timedelta(minutes=1)
    assert run(warm, _message("plan_changed", clock[0]))["shift_from"] == "read"
    clock[0] += timedelta(minutes=1)
    new = run(_deps(source, _copy(store), kept, clock), _message("call_off", clock[0], second))
    assert (new["shift_from"], new["suggestions_read"]) == ("read", "caught up from the store")


def test_a_workcenter_down_then_up_is_not_applied_again_by_a_new_container(
    planned: tuple[LaborSource, InMemoryAuditStore],
) -> None:
    source, store = planned
    first, _ = _callers(store)
    warm, kept, clock = _refreshed(planned)
    busiest = Counter(job.place.workcenter_id for job in warm.problems[(DAY, "1")].problem.jobs).most_common(1)[0][0]

    def jobs_at_busiest(deps: Any) -> int:
        return sum(job.place.workcenter_id == busiest for job in deps.problems[(DAY, "1")].problem.jobs)

    # Given the busiest workcenter went down and came back up (the up read the shift again and stored it)
    for reason in ("workcenter_down", "workcenter_up"):
        clock[0] += timedelta(minutes=1)
        run(warm, ReplanMessage(reason=reason, day=DAY, shift="1", detected_at=clock[0], workcenter_id=busiest))
    # When a call-off meets a new container (the store) and the warm one
    clock[0] += timedelta(minutes=1)
    new = _deps(source, _copy(store), kept, clock)
    summaries = [run(deps, _message("call_off", clock[0], first)) for deps in (new, warm)]
    # Then the new container plans the workcenter's jobs as the warm one does: the down is not applied again
    assert summaries[0]["shift_from"] == "store"
    assert jobs_at_busiest(new) == jobs_at_busiest(warm) > 0
    assert summaries[0]["people_moved"] == summaries[1]["people_moved"]


def test_a_stored_shift_the_events_since_do_not_fit_is_read_fresh(
    planned: tuple[LaborSource, InMemoryAuditStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    source, store = planned
    first, second = _callers(store)
    warm, kept, clock = _refreshed(planned)
    clock[0] += timedelta(minutes=1)
    run(warm, _message("call_off", clock[0], first))
    real, calls = replan.compile_event, []

    def fails_first(*args: Any) -> Any:  # the catch-up of the first call-off onto the stored shift
        calls.append(args)
        if len(calls) == 1:
            raise ValueError("does not fit")
        return real(*args)

    monkeypatch.setattr(replan, "compile_event", fails_first)
    clock[0] += timedelta(minutes=1)
    summary = run(_deps(source, _copy(store), kept, clock), _message("call_off", clock[0], second))
    assert summary["shift_from"] == "read" and len(calls) == 2


def test_the_store_keeps_the_compiled_shift_exactly_and_refuses_what_it_cannot_trust(
    planned: tuple[LaborSource, InMemoryAuditStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    deps, kept, _ = _refreshed(planned)
    artifacts = kept.store
    assert isinstance(artifacts, InMemoryArtifactStore)
    held = deps.problems[(DAY, "1")]
    loaded = kept.load_shift(DAY, "1")
    assert loaded.problem == held.problem and loaded.read_at == held.read_at and loaded.seen == held.seen
    assert held.compiled is not None and loaded.compiled.stats == held.compiled.stats
    for name in ARRAYS:
        original, back = getattr(held.compiled, name), getattr(loaded.compiled, name)
        assert back.dtype == original.dtype and np.array_equal(back, original), name
    assert [j.key for j in loaded.compiled.jobs] == [j.key for j in held.compiled.jobs]
    with pytest.raises(Refused, match="nothing stored"):
        kept.load_shift(DAY, "2")
    monkeypatch.setattr(snapshots, "CODE", "another")
    with pytest.raises(Refused, match="another code version"):
        kept.load_shift(DAY, "1")
    with pytest.raises(Refused, match="another code version"):
        kept.load_day(DAY)
    for key in list(artifacts.objects):
        artifacts.objects[key] = artifacts.objects[key][:100]  # cut short
    monkeypatch.undo()
    with pytest.raises(Refused, match="unreadable"):
        kept.load_shift(DAY, "1")
    with pytest.raises(Refused, match="unreadable"):
        kept.load_day(DAY)


class _Failing(InMemoryArtifactStore):
    def get(self, key: str) -> bytes | None:
        raise OSError("S3 unreachable")

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        raise OSError("S3 unreachable")


def test_a_store_that_fails_costs_a_read_never_a_re_plan(planned: tuple[LaborSource, InMemoryAuditStore]) -> None:
    source, store = planned
    first, _ = _callers(store)
    clock = [START]
    summary = run(_deps(source, store, KeptStore(_Failing()), clock), _message("call_off", clock[0], first))
    assert (summary["shift_from"], summary["suggestions_read"]) == ("read", "whole") and summary["published"] >= 1
