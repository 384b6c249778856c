"""KPIs (ux_s13 #17): every suggestion lands in one outcome column, a coding by hand is one action of its reviewer, and
coding what no model proposed is no override of the model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus, InMemoryAuditStore
from plexlabor.audit.events import SUPERSEDED_BY, expiry_event, recommendation_event
from plexlabor.incidents.service import NO_MODEL
from plexlabor.review import kpis
from plexlabor.review.kpis import compute_kpis

T0 = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=1)


def _suggest(store: InMemoryAuditStore, item_id: str, kind: str, model: str, **payload: object) -> None:
    store.append(
        recommendation_event(
            f"records:{item_id}",
            item_id,
            status=AuditStatus.PENDING_APPROVAL,
            occurred_at=T0,
            actor="cokafor2" if payload.get("chosen_by_hand") else "nightly",
            model_version=model,
            payload={"kind": kind, **payload},
        )
    )


def _decide(store: InMemoryAuditStore, item_id: str, minutes: int, approve: bool, **payload: object) -> None:
    store.append(
        AuditEvent(
            record_key=f"records:{item_id}",
            event_type=AuditEventType.DECISION,
            status=AuditStatus.APPROVED if approve else AuditStatus.REJECTED,
            occurred_at=T0 + timedelta(minutes=minutes),
            actor="cokafor2",
            supervisor_id="cokafor2",
            finding_id=item_id,
            payload=dict(payload),
        )
    )


def _supersede(store: InMemoryAuditStore, item_id: str) -> None:
    store.append(
        expiry_event(
            f"records:{item_id}",
            item_id,
            occurred_at=T0 + timedelta(minutes=30),
            actor="crew_replan",
            payload={"kind": "crew_assignment", SUPERSEDED_BY: "crew_replan"},
        )
    )


def _outcomes(row: kpis.KindFigures) -> int:
    """What became of the row's suggestions sent for review."""
    return (
        row.approved
        + row.rejected
        + row.overridden
        + row.coded_without_proposal
        + row.expired
        + row.withdrawn
        + row.replaced
        + row.waiting
    )


def test_suggestions_a_replan_replaced_or_an_undo_closed_have_their_own_column_and_each_row_adds_up() -> None:
    # Given crew seats: one approved, two superseded by re-plans, one still waiting; and a crew removal the
    # supervisor's "Undo call-off" closed (a re-plan's superseded closing too)
    store = InMemoryAuditStore()
    for seat in ("seat-1", "seat-2", "seat-3", "seat-4"):
        _suggest(store, seat, "crew_assignment", "crew-milp-2026.11")
    _suggest(store, "removal-1", "crew_removal", "crew-milp-2026.11")
    _decide(store, "seat-1", 5, True)
    for item_id in ("seat-2", "seat-3", "removal-1"):
        _supersede(store, item_id)
    # When the KPIs are computed
    rows = {row.kind: row for row in compute_kpis(store, clock=lambda: LATER).by_kind}
    # Then the replaced ones are counted as such, not as expired, and each row's outcomes sum to its suggestions
    seats, removal = rows["crew_assignment"], rows["crew_removal"]
    assert (seats.suggested, seats.approved, seats.replaced, seats.waiting, seats.expired) == (4, 1, 2, 1, 0)
    assert (removal.suggested, removal.replaced) == (1, 1)
    assert all(_outcomes(row) == row.sent_for_review == row.suggested for row in rows.values())


def test_a_coding_by_hand_is_one_action_of_its_reviewer() -> None:
    # Given a stretch coded by hand (the coding approved, the suggestion it codes rejected) and a punch decided
    store = InMemoryAuditStore()
    _suggest(store, "stretch-1", "unallocated_time", "allocation-1", labor_entry={"jobId": "J1"})
    _suggest(store, "coded-1", "unallocated_time", "allocation-1", chosen_by_hand=True, replaces="stretch-1")
    _suggest(store, "punch-1", "punch_finding", "rules")
    _decide(store, "coded-1", 3, True)
    _decide(store, "stretch-1", 3, False)
    _decide(store, "punch-1", 6, True)
    # When the KPIs are computed
    [day] = compute_kpis(store, clock=lambda: LATER).by_reviewer_day
    # Then the reviewer took two actions, not three
    assert day.decided == 2
    assert day.minutes == pytest.approx(1 + 3)


def test_coding_what_no_model_proposed_is_no_override_and_stays_out_of_the_approve_rate() -> None:
    # Given a stretch with no job scanned nearby, coded by hand; one with a likely job, coded otherwise; one approved
    store = InMemoryAuditStore()
    _suggest(store, "no-job", "unallocated_time", "allocation-1", labor_entry=None)
    _suggest(store, "likely", "unallocated_time", "allocation-1", labor_entry={"jobId": "J1"})
    _suggest(store, "taken", "unallocated_time", "allocation-1", labor_entry={"jobId": "J2"})
    _suggest(
        store, "coded-a", "unallocated_time", "allocation-1", chosen_by_hand=True, replaces="no-job", no_proposal=True
    )
    _suggest(store, "coded-b", "unallocated_time", "allocation-1", chosen_by_hand=True, replaces="likely")
    for item_id, approve in (
        ("coded-a", True),
        ("no-job", False),
        ("coded-b", True),
        ("likely", False),
        ("taken", True),
    ):
        _decide(store, item_id, 4, approve)
    # When the KPIs are computed
    [row] = compute_kpis(store, clock=lambda: LATER).by_kind
    # Then the coding of the stretch the model could only ask to code is counted apart, out of the approve rate
    assert (row.approved, row.overridden, row.coded_without_proposal, row.chosen_by_hand) == (1, 1, 1, 2)
    assert row.approve_rate == pytest.approx(0.5)


def test_an_incident_no_model_coded_coded_by_the_ehs_lead_is_no_override() -> None:
    # Given an incident no model coded (sent for review) and one a model coded, both coded by the EHS lead
    store = InMemoryAuditStore()
    _suggest(store, "inc-none", "incident_coding", NO_MODEL)
    _suggest(store, "inc-model", "incident_coding", "oiics-1")
    for item_id in ("inc-none", "inc-model"):
        _decide(store, item_id, 5, True, kind="incident_coding", changed=["nature", "source"])
    # When the KPIs are computed
    rows = {row.model: row for row in compute_kpis(store, clock=lambda: LATER).by_kind}
    # Then only the model's codes were overridden; the other row has no approve rate
    assert (rows[NO_MODEL].overridden, rows[NO_MODEL].coded_without_proposal) == (0, 1)
    assert rows[NO_MODEL].approve_rate is None
    assert (rows["oiics-1"].overridden, rows["oiics-1"].approve_rate) == (1, 0.0)


def test_a_coding_let_go_is_not_chosen_by_hand_and_overrides_nothing() -> None:
    # Given a coding whose write could not be queued, let go as its coder's rejection (the stretch still waits),
    # then the stretch rejected in the queue
    store = InMemoryAuditStore()
    _suggest(store, "stretch-1", "unallocated_time", "allocation-1", labor_entry={"jobId": "J1"})
    _suggest(store, "coded-1", "unallocated_time", "allocation-1", chosen_by_hand=True, replaces="stretch-1")
    _decide(store, "coded-1", 3, False)
    _decide(store, "stretch-1", 9, False)
    # When the KPIs are computed
    [row] = compute_kpis(store, clock=lambda: LATER).by_kind
    # Then the coding is no choice made, and the stretch was rejected, not overridden
    assert (row.chosen_by_hand, row.rejected, row.overridden) == (0, 1, 0)


def test_the_seats_of_a_short_seat_group_decided_at_once_are_one_action_of_its_reviewer() -> None:
    # Given a 3-seat group approved with one click (each seat's decision names the group: review_s16 #8), and a punch
    store = InMemoryAuditStore()
    for seat in ("seat-1", "seat-2", "seat-3"):
        _suggest(store, seat, "crew_unstaffed", "crew-milp-2026.11")
        _decide(store, seat, 4, True, group="short-seats~2026-03-03~1~WC-10")
    _suggest(store, "punch-1", "punch_finding", "rules")
    _decide(store, "punch-1", 6, True)
    # When the KPIs are computed
    [day] = compute_kpis(store, clock=lambda: LATER).by_reviewer_day
    # Then the reviewer took two actions, not four, and the group's time is counted once
    assert day.decided == 2
    assert day.minutes == pytest.approx(1 + 2)
