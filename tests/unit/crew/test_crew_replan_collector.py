"""crew_replan pauses Python's cyclic garbage collector over the whole re-plan of a shift the container does not
keep yet (`crew.delivery`): a full collection during the compile or solve walked the shift just read (0.5-0.76 s of
the cold message, issue 16). A shift kept (a warm message) runs with the collector as it is, so full collections
still come and free the cycles the paused messages left; the collector resumes after a message that raised."""

from __future__ import annotations

import gc
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from plexlabor.crew import delivery
from plexlabor.crew.delivery import replan_delivered
from plexlabor.crew.messages import ReplanMessage

DAY = date(2026, 11, 23)
CALL_OFF = ReplanMessage(
    reason="call_off", day=DAY, shift="1", employee_id="E1", detected_at=datetime(2026, 11, 23, tzinfo=UTC)
)


def _collector_seen(deps: Any, message: ReplanMessage) -> dict[str, Any]:
    return {"collector_on": gc.isenabled()}


def _deliver(problems: dict[Any, Any]) -> Any:
    return replan_delivered(SimpleNamespace(problems=problems), CALL_OFF.model_dump_json(by_alias=True))  # type: ignore[arg-type]


def test_the_collector_is_paused_over_a_cold_re_plan_and_resumed_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delivery, "run", _collector_seen)
    assert gc.isenabled()
    assert _deliver({}) == {"collector_on": False}
    assert gc.isenabled()


def test_a_kept_shift_is_re_planned_with_the_collector_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delivery, "run", _collector_seen)
    assert _deliver({(DAY, "1"): object()}) == {"collector_on": True}


def test_the_collector_resumes_after_a_re_plan_that_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable(deps: Any, message: ReplanMessage) -> dict[str, Any]:
        raise ConnectionError("Plex unreachable")

    monkeypatch.setattr(delivery, "run", unreachable)
    with pytest.raises(ConnectionError):
        _deliver({})
    assert gc.isenabled()
