"""KPIs from the audit table: approve rate and time to decision per type and model, review time per person-day,
and the flagged share of the punches validated (the counts of `plexlabor.audit.validations`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus, InMemoryAuditStore
from plexlabor.audit.events import recommendation_event
from plexlabor.audit.validations import InMemoryValidationCounter, ValidatedRecord
from plexlabor.review.kpis import compute_kpis

T0 = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)


def _finding(
    store: InMemoryAuditStore,
    finding_id: str,
    at: datetime,
    anomaly: str,
    model: str = "m1",
    status: AuditStatus = AuditStatus.PENDING_APPROVAL,
) -> None:
    _punch_finding(store, finding_id, f"time-clock-entries:{finding_id}", at, anomaly, status, model)


def _decide(
    store: InMemoryAuditStore,
    finding_id: str,
    at: datetime,
    who: str,
    approve: bool,
    resource: str = "time-clock-entries",
    payload: Mapping[str, object] | None = None,
) -> None:
    """`who` approves or rejects the item `finding_id` on record `<resource>:<finding_id>`."""
    store.append(
        AuditEvent(
            record_key=f"{resource}:{finding_id}",
            event_type=AuditEventType.DECISION,
            status=AuditStatus.APPROVED if approve else AuditStatus.REJECTED,
            occurred_at=at,
            actor=who,
            supervisor_id=who,
            finding_id=finding_id,
            payload=dict(payload or {}),
        )
    )


def test_approve_rate_time_to_decision_and_writes_per_type_and_model() -> None:
    store = InMemoryAuditStore()
    _finding(store, "f1", T0, "MISSED_PUNCH")
    _finding(store, "f2", T0, "MISSED_PUNCH")
    _finding(store, "f3", T0, "MISSED_PUNCH", model="m2")
    _finding(store, "f4", T0, "LATE_CLOCK_IN", status=AuditStatus.LOGGED)
    _decide(store, "f1", T0 + timedelta(minutes=30), "E0001", approve=True)
    _decide(store, "f2", T0 + timedelta(minutes=90), "E0001", approve=False)
    store.append(
        AuditEvent(
            record_key="time-clock-entries:f1",
            event_type=AuditEventType.WRITEBACK,
            status=AuditStatus.WRITTEN,
            occurred_at=T0 + timedelta(hours=2),
            actor="plex_writeback",
            finding_id="f1",
            previous_values={},
        )
    )

    figures = compute_kpis(store, clock=lambda: T0 + timedelta(days=1))
    rows = {(r.type, r.model): r for r in figures.by_kind}

    missed = rows[("MISSED_PUNCH", "m1")]
    assert (missed.suggested, missed.approved, missed.rejected, missed.written) == (2, 1, 1, 1)
    assert missed.approve_rate == pytest.approx(0.5)
    assert missed.median_minutes_to_decision == pytest.approx(60)
    assert rows[("MISSED_PUNCH", "m2")].approve_rate is None
    late = rows[("LATE_CLOCK_IN", "m1")]
    assert (late.suggested, late.sent_for_review) == (1, 0)


def test_one_row_per_type_and_producer_merges_the_scorers_weekly_versions() -> None:
    """N4 (ux113): rows split by exact version read alike ('scorer + norms' twice); one row, versions listed."""
    store = InMemoryAuditStore()
    _finding(store, "f1", T0, "EARLY_CLOCK_IN", model="scorer-6b2c4bd848+norms-1794286800")
    _finding(store, "f2", T0, "EARLY_CLOCK_IN", model="scorer-6b2c4bd848+norms-1794286800")
    _finding(store, "f3", T0, "EARLY_CLOCK_IN", model="scorer-2884307d08+norms-1794891600")
    _finding(store, "f4", T0, "EARLY_CLOCK_IN", model="rules")
    _decide(store, "f1", T0 + timedelta(minutes=5), "E0001", approve=True)
    _decide(store, "f3", T0 + timedelta(minutes=5), "E0001", approve=False)

    rows = compute_kpis(store, clock=lambda: T0 + timedelta(days=1)).by_kind

    assert [(r.type, r.model) for r in rows] == [("EARLY_CLOCK_IN", "rules"), ("EARLY_CLOCK_IN", "scorer + norms")]
    scorer = rows[1]
    assert (scorer.suggested, scorer.approved, scorer.rejected) == (3, 1, 1)
    assert scorer.model_versions == {"scorer-6b2c4bd848+norms-1794286800", "scorer-2884307d08+norms-1794891600"}
    assert rows[0].model_versions == {"rules"}


def test_review_time_counts_gaps_within_a_sitting_per_person_and_day() -> None:
    store = InMemoryAuditStore()
    for number in range(4):
        _finding(store, f"f{number}", T0, "MISSED_PUNCH")
    _decide(store, "f0", T0 + timedelta(minutes=10), "E0001", approve=True)  # first of a sitting: 1 min
    _decide(store, "f1", T0 + timedelta(minutes=12), "E0001", approve=True)  # 2 min later
    _decide(store, "f2", T0 + timedelta(minutes=15), "E0001", approve=True)  # 3 min later
    _decide(store, "f3", T0 + timedelta(hours=3), "E0001", approve=True)  # a new sitting: 1 min

    [day] = compute_kpis(store, clock=lambda: T0 + timedelta(days=1)).by_reviewer_day

    assert (day.reviewer, day.decided) == ("E0001", 4)
    assert day.minutes == pytest.approx(1 + 2 + 3 + 1)


def _punch_finding(
    store: InMemoryAuditStore,
    finding_id: str,
    record: str,
    at: datetime,
    anomaly: str,
    status: AuditStatus,
    model: str = "m1",
) -> None:
    store.append(
        AuditEvent(
            record_key=record,
            event_type=AuditEventType.FINDING,
            status=status,
            occurred_at=at,
            actor="punch_validator",
            finding_id=finding_id,
            model_version=model,
            payload={"anomaly_type": anomaly},
        )
    )


def test_the_flagged_share_divides_the_punches_flagged_by_the_punches_validated_per_day() -> None:
    store, counts = InMemoryAuditStore(), InMemoryValidationCounter()
    monday, tuesday = T0.date(), T0.date() + timedelta(days=1)
    # Given 200 punches validated on Monday and 50 on Tuesday (one department named)...
    counts.count([ValidatedRecord(f"time-clock-entries:{n}", monday, "Molding") for n in range(150)], monday)
    counts.count([ValidatedRecord(f"labor-entries:{n}", monday) for n in range(50)], monday)
    counts.count([ValidatedRecord(f"time-clock-entries:t{n}", tuesday) for n in range(50)], tuesday)
    # ...on Monday two findings on one punch (one sent for review), one logged (held) on another, and a
    # finding about a badge swipe; on Tuesday one sent for review; a week before counting began, one
    _punch_finding(store, "f1", "time-clock-entries:1", T0, "MISSED_PUNCH", AuditStatus.PENDING_APPROVAL)
    _punch_finding(store, "f2", "time-clock-entries:1", T0, "LATE_CLOCK_IN", AuditStatus.LOGGED)
    _punch_finding(store, "f3", "labor-entries:7", T0, "MISSED_PUNCH", AuditStatus.LOGGED)
    _punch_finding(store, "f4", "badge-swipes:9", T0, "MISSED_PUNCH", AuditStatus.PENDING_APPROVAL)
    _punch_finding(
        store, "f5", "time-clock-entries:t1", T0 + timedelta(days=1), "MISSED_PUNCH", AuditStatus.PENDING_APPROVAL
    )
    _punch_finding(store, "f6", "time-clock-entries:x", T0 - timedelta(days=7), "MISSED_PUNCH", AuditStatus.LOGGED)

    figures = compute_kpis(store, days=28, clock=lambda: T0 + timedelta(days=1, hours=1), counts=counts)

    # Then per day: punches validated, distinct punches flagged (any status), sent for review
    days = {row.day: row for row in figures.by_day}
    assert (days[monday].validated, days[monday].flagged, days[monday].sent_for_review) == (200, 2, 1)
    assert days[monday].flagged_share == pytest.approx(0.01) and days[monday].review_share == pytest.approx(0.005)
    assert (days[tuesday].validated, days[tuesday].flagged, days[tuesday].sent_for_review) == (50, 1, 1)
    # ...a day with a finding but no count has no share, and stays out of the total
    before = T0.date() - timedelta(days=7)
    assert (days[before].validated, days[before].flagged, days[before].flagged_share) == (0, 1, None)
    assert [row.day for row in figures.by_day] == [tuesday, monday, before]
    total = figures.total
    assert (total.validated, total.flagged, total.sent_for_review) == (250, 3, 2)
    assert total.flagged_share == pytest.approx(3 / 250)
    # And per type and model: the share of the validated punches it flagged (punches only)
    rows = {row.type: row for row in figures.by_kind}
    assert rows["MISSED_PUNCH"].suggested == 5  # f1, f3, f4, f5, f6: every finding counts as suggested
    assert len(rows["MISSED_PUNCH"].punches_flagged) == 3  # f1, f3, f5: on punches, on counted days
    assert rows["MISSED_PUNCH"].flagged_share == pytest.approx(3 / 250)
    assert rows["MISSED_PUNCH"].review_share == pytest.approx(2 / 250)
    assert rows["LATE_CLOCK_IN"].flagged_share == pytest.approx(1 / 250) and rows["LATE_CLOCK_IN"].review_share == 0
    assert figures.validated_by_department == {"Molding": 150} and figures.counts_configured


def test_without_counts_there_is_no_share() -> None:
    store = InMemoryAuditStore()
    _finding(store, "f1", T0, "MISSED_PUNCH")

    unconfigured = compute_kpis(store, clock=lambda: T0 + timedelta(days=1))
    empty = compute_kpis(store, clock=lambda: T0 + timedelta(days=1), counts=InMemoryValidationCounter())

    assert not unconfigured.counts_configured and empty.counts_configured
    for figures in (unconfigured, empty):
        assert figures.total.validated == 0 and figures.total.flagged_share is None
        assert figures.by_kind[0].flagged_share is None
        assert [(row.validated, row.flagged, row.flagged_share) for row in figures.by_day] == [(0, 1, None)]


def test_the_period_is_whole_plant_local_days_today_included() -> None:
    zone = ZoneInfo("America/Detroit")
    now = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 11:00 in Detroit (EDT)
    counts = InMemoryValidationCounter()
    for offset in range(8):
        day = date(2026, 3, 10) - timedelta(days=offset)
        counts.count([ValidatedRecord(f"time-clock-entries:{offset}", day)], day)

    figures = compute_kpis(InMemoryAuditStore(), days=7, zone=zone, clock=lambda: now, counts=counts)

    assert figures.since == datetime(2026, 3, 4, tzinfo=zone)
    assert [row.day for row in figures.by_day] == [date(2026, 3, 10) - timedelta(days=n) for n in range(7)]
    assert figures.total.validated == 7


def _incident(store: InMemoryAuditStore, incident_id: str, status: AuditStatus) -> None:
    """An incident as incident_log records it: auto-coded ones `logged`, the uncertain ones sent for review."""
    store.append(
        recommendation_event(
            f"incidents:{incident_id}",
            incident_id,
            status=status,
            occurred_at=T0,
            actor="E0007",
            model_version="oiics-1",
            payload={"kind": "incident_coding"},
        )
    )


def test_a_decision_on_an_incident_never_sent_for_review_is_not_an_approval_from_the_queue() -> None:
    # Given an auto-coded incident (never sent) the EHS lead confirmed on its page, one sent and rejected, and
    # one sent and still open (ux119 #12)
    store = InMemoryAuditStore()
    _incident(store, "inc-auto", AuditStatus.LOGGED)
    _incident(store, "inc-sent", AuditStatus.PENDING_APPROVAL)
    _incident(store, "inc-open", AuditStatus.PENDING_APPROVAL)
    for incident_id, approve in (("inc-auto", True), ("inc-sent", False)):
        _decide(store, incident_id, T0 + timedelta(minutes=5), "ehs1", approve, "incidents")
    # When the KPIs are computed
    [row] = compute_kpis(store, clock=lambda: T0 + timedelta(days=1)).by_kind
    # Then the confirmation of the unsent one is counted apart, not as an approval of what was sent
    assert (row.suggested, row.sent_for_review, row.approved, row.rejected) == (3, 2, 0, 1)
    assert row.decided_unsent == 1 and row.approve_rate == 0.0
    assert row.median_minutes_to_decision == pytest.approx(5)


def test_an_incident_the_ehs_lead_corrects_later_counts_once() -> None:
    # Given an incident sent for review, rejected in the queue, then coded and corrected by the EHS lead on its page
    store = InMemoryAuditStore()
    _incident(store, "inc-sent", AuditStatus.PENDING_APPROVAL)
    for minutes, approve in ((5, False), (9, True), (30, True)):
        _decide(store, "inc-sent", T0 + timedelta(minutes=minutes), "ehs1", approve, "incidents")
    # When the KPIs are computed
    [row] = compute_kpis(store, clock=lambda: T0 + timedelta(days=1)).by_kind
    # Then its first answer counts, once
    assert (row.sent_for_review, row.approved, row.rejected) == (1, 0, 1)
    assert row.median_minutes_to_decision == pytest.approx(5)


def _crew(store: InMemoryAuditStore, item_id: str, at: datetime, **payload: object) -> None:
    """A crew suggestion as crew_planner records it, or (with `swapped_for`) a planner's swap on the crew board."""
    store.append(
        recommendation_event(
            f"job-operations:{item_id}",
            item_id,
            status=AuditStatus.PENDING_APPROVAL,
            occurred_at=at,
            actor="planner1" if payload else "crew_planner",
            model_version="crew-milp-2026.11",
            payload={"kind": "crew_assignment", **payload},
        )
    )


def test_a_swap_overrides_the_suggestion_and_the_planners_choice_is_no_suggestion_of_the_model() -> None:
    # Given one crew suggestion the planner swapped on the crew board (ux141 #10): the suggestion rejected, the
    # planner's own choice recorded and approved in one step, and a second suggestion approved as it was
    store = InMemoryAuditStore()
    _crew(store, "seat-1", T0)
    _crew(store, "seat-2", T0)
    _crew(store, "seat-1-swap", T0 + timedelta(minutes=20), swapped_for="E0163", replaces="seat-1")
    _decide(store, "seat-1", T0 + timedelta(minutes=20), "planner1", False, "job-operations")
    _decide(store, "seat-1-swap", T0 + timedelta(minutes=20), "planner1", True, "job-operations")
    _decide(store, "seat-2", T0 + timedelta(minutes=30), "planner1", True, "job-operations")
    # When the KPIs are computed
    [row] = compute_kpis(store, clock=lambda: T0 + timedelta(days=1)).by_kind
    # Then the model suggested two, one approved and one overridden; the planner's choice is counted apart
    assert (row.suggested, row.sent_for_review, row.approved, row.rejected, row.overridden) == (2, 2, 1, 0, 1)
    assert row.chosen_by_hand == 1 and row.approve_rate == pytest.approx(0.5)


def test_codes_the_ehs_lead_corrected_are_an_override_not_an_approval() -> None:
    # Given two incidents sent for review: the EHS lead confirmed one's codes as proposed, corrected the other's
    store = InMemoryAuditStore()
    _incident(store, "inc-kept", AuditStatus.PENDING_APPROVAL)
    _incident(store, "inc-fixed", AuditStatus.PENDING_APPROVAL)
    for incident_id, changed in (("inc-kept", []), ("inc-fixed", ["source"])):
        decision = {"kind": "incident_coding", "via": "incident_page", "changed": changed}
        _decide(store, incident_id, T0 + timedelta(minutes=5), "ehs1", True, "incidents", decision)
    # When the KPIs are computed
    [row] = compute_kpis(store, clock=lambda: T0 + timedelta(days=1)).by_kind
    # Then the correction says the model's codes were wrong: the approve rate is one of two
    assert (row.approved, row.rejected, row.overridden) == (1, 0, 1)
    assert row.approve_rate == pytest.approx(0.5)


def test_a_rejection_of_an_incident_nothing_was_proposed_for_is_not_the_models() -> None:
    # An incident recorded with no coding model (model "none") rejected in the queue before that was refused
    # (ux_s14 #8): /kpis read "Incident coding — none … Rejected 1 … Approve rate 0%"
    store = InMemoryAuditStore()
    payload = {"kind": "incident_coding", "confidence": 0.0, "severity": "medium", "codes": {}, "coding": []}
    store.append(
        recommendation_event(
            "incident:i1",
            "i1",
            status=AuditStatus.PENDING_APPROVAL,
            occurred_at=T0,
            actor="E1",
            model_version="none",
            payload=payload,
        )
    )
    _decide(store, "i1", T0 + timedelta(minutes=5), "EHS1", approve=False, resource="incident")
    [row] = compute_kpis(store, clock=lambda: T0 + timedelta(days=1)).by_kind
    assert (row.model, row.suggested, row.rejected, row.approved) == ("none", 1, 0, 0)
