"""A re-plan crew_replan drops (`crew.delivery`: a ValueError, the same on every delivery) has applied nothing, so the
crew board's "re-plan failed: plan by hand" is true (review_s16 lead 3). `replanning.run`'s permanent errors come
before it publishes: the message (pydantic), the shift's records from Plex (`PlexDataError`), the problem and its
compiling, the solve. The only writes before them are claims that lapse: the `supersede` holds on the seats the re-plan
means to close (`SeatClaims.supersede`), which stop refusing an approval after `claims.GRACE` when no closing followed
(`SeatClaims.stands`), and an undo's release of its call-off claim, which the board writes first anyway."""

from __future__ import annotations

from datetime import timedelta

import pytest

import plexlabor.crew.board as crew_board
from plexlabor.audit import AuditEventType, InMemoryAuditStore
from plexlabor.crew.claims import GRACE, ClaimRefusedError, SeatClaims
from plexlabor.crew.delivery import replan_delivered
from plexlabor.crew.messages import DROPPED, ReplanMessage
from plexlabor.crew.suggestions import read_day
from tests.unit.crew.crew_builder import DAY, T0
from tests.unit.crew.test_crew_call_off_nearby import planned  # noqa: F401  # the fixture
from tests.unit.crew.test_crew_replan_events import container

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")


def test_a_re_plan_dropped_after_its_holds_leaves_the_plan_as_it_was(
    planned: InMemoryAuditStore,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a call-off whose re-plan fails for good once it has solved and held the seats it means to close
    clock = [T0 - timedelta(hours=1)]
    call_off = ReplanMessage(reason="call_off", day=DAY, shift="1", detected_at=clock[0], employee_id="A")
    before = {e.event_id for e in planned._events.values() if e.event_type is not AuditEventType.CLAIM}
    [j1] = [e for e in read_day(planned, DAY).openings if e.payload.get("segment") == "J1" and e.employee_id == "A"]

    def refused(*_: object) -> object:
        raise ValueError("a plan the models refuse")

    monkeypatch.setattr(crew_board, "swap_candidates", refused)

    # When it is delivered
    answer = replan_delivered(container(planned, clock), call_off.model_dump_json(by_alias=True))

    # Then it is dropped and recorded, and nothing else was written but its holds: nothing published or closed
    assert answer == {"dropped": "ValueError", "recorded": True}
    written = [
        e for e in planned._events.values() if e.event_type is not AuditEventType.CLAIM and e.event_id not in before
    ]
    assert [DROPPED in e.payload for e in written] == [True]
    assert j1.event_id not in read_day(planned, DAY).closed
    # the hold on A's seat J1 refuses its approval for a moment, then lapses: the suggestion is approvable as before
    claims = SeatClaims(planned, lambda: clock[0])
    with pytest.raises(ClaimRefusedError, match="replaced by the re-plan"):
        claims.accept("A", DAY, "1", j1.event_id, "S1", clock[0] + timedelta(seconds=30))
    claims.accept("A", DAY, "1", j1.event_id, "S1", clock[0] + GRACE + timedelta(seconds=1))
