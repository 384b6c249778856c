"""The crew board's two reads that sat in the web app's routes until 2026-12-06 (review2_s16 #7), now crew's:
`claims.nearby_taken` (where a call-off took a seat next door, which its undo gives back: `crewboard.undo_nearby`)
and `suggestions.replaced_by_replan` (the re-plan that closed a suggestion a swap was refused on)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from plexlabor.audit import AuditEvent, InMemoryAuditStore
from plexlabor.audit.events import SUPERSEDED_BY, expiry_event
from plexlabor.crew.claims import nearby_taken
from plexlabor.crew.messages import ReplanMessage, nearby
from plexlabor.crew.replanning import applied_event, dropped_event
from plexlabor.crew.suggestions import replaced_by_replan
from tests.unit.crew.test_crew_suggestions import _suggestion

DAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 4, tzinfo=UTC)
BEFORE, AFTER = DAY - timedelta(days=1), DAY + timedelta(days=1)


def _call_off(shift: str, employee: str = "E1", day: date = DAY) -> ReplanMessage:
    return ReplanMessage(reason="call_off", day=day, shift=shift, employee_id=employee, detected_at=NOW)


def test_the_seats_next_door_a_call_off_took_are_its_nearby_re_plans_applied_on_the_three_days() -> None:
    off = _call_off("1")
    applied: dict[date, list[AuditEvent]] = {
        BEFORE: [applied_event(nearby(off, BEFORE, "3"), NOW)],
        DAY: [
            applied_event(off, NOW),  # the called-off shift's own re-plan
            applied_event(nearby(off, DAY, "2"), NOW),
            dropped_event(nearby(off, DAY, "3"), ValueError("no plan"), NOW),  # dropped: took nothing
            applied_event(nearby(_call_off("1", "E2"), DAY, "3"), NOW),  # another person's
            applied_event(nearby(_call_off("2"), DAY, "3"), NOW),  # a call-off of a shift not undone
        ],
        AFTER: [applied_event(nearby(_call_off("1", day=AFTER), AFTER, "2"), NOW)],  # a call-off of another day
    }

    taken = nearby_taken(lambda d: applied.get(d, []), "E1", DAY, {"1"})

    assert taken == {(BEFORE, "3"): "1", (DAY, "2"): "1"}


def test_a_shift_called_off_too_is_not_a_seat_next_door() -> None:
    off = _call_off("1")
    applied = {DAY: [applied_event(nearby(off, DAY, "2"), NOW), applied_event(nearby(off, DAY, "3"), NOW)]}

    assert nearby_taken(lambda d: applied.get(d, []), "E1", DAY, {"1", "2"}) == {(DAY, "3"): "1"}


def _replaced(store: InMemoryAuditStore) -> tuple[AuditEvent, AuditEvent]:
    opening = _suggestion("E1", NOW - timedelta(hours=1))
    closing = expiry_event(
        opening.record_key,
        str(opening.finding_id),
        occurred_at=NOW,
        actor="crew_replan",
        payload={SUPERSEDED_BY: "crew-2026-11-23-E2"},
    )
    store.append(opening)
    store.append(closing)
    return opening, closing


def test_the_re_plan_that_replaced_a_suggestion_is_its_closing_if_the_viewer_sees_it() -> None:
    store = InMemoryAuditStore()
    opening, closing = _replaced(store)
    item = str(opening.finding_id)

    assert replaced_by_replan(store, item, lambda seen: seen == opening) == closing
    assert replaced_by_replan(store, item, lambda seen: False) is None  # not theirs: nothing said
    assert replaced_by_replan(store, "", lambda seen: True) is None
    assert replaced_by_replan(store, "crew-unknown", lambda seen: True) is None


def test_a_suggestion_closed_otherwise_was_not_replaced() -> None:
    store = InMemoryAuditStore()
    opening = _suggestion("E1", NOW - timedelta(hours=1))
    store.append(opening)
    store.append(expiry_event(opening.record_key, str(opening.finding_id), occurred_at=NOW, actor="sweep", payload={}))

    assert replaced_by_replan(store, str(opening.finding_id), lambda seen: True) is None
