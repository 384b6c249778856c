"""Publishing a skills report as recommendation audit events: addressed, keyed, idempotent, no names."""

from __future__ import annotations

from datetime import UTC, datetime

from plexlabor.audit import AuditEventType, AuditStatus, InMemoryAuditStore
from plexlabor.platform.pilot import PilotScope
from plexlabor.review.items import SEVERITY_WEIGHT, item_from_event
from plexlabor.skills.engine import assess_skills
from plexlabor.skills.publish import (
    SKILLS_MODEL_VERSION,
    PublishOptions,
    publish_report,
    report_events,
    training_priority,
)
from plexlabor.skills.report import SkillsReport, TrainingCandidate
from tests.unit.skills.skills_builder import SkillsBuilder

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _report() -> tuple[SkillsReport, dict[str, str]]:
    """E1: SK-A expiring tomorrow, blocking W; E2: SK-A lapsed and used; E3: SK-A expiring, needed nowhere;
    E4 (spare, holds an adjacent skill) is the cross-training candidate for W's gaps."""
    plant = SkillsBuilder().skill("SK-A", "G").skill("SK-B", "G").workcenter("W", {"SK-A": 1}).workcenter("IDLE")
    plant.employee("E1", supervisor="SUP1", home="W").employee("E2", supervisor="SUP2")
    plant.employee("E3", supervisor="SUP3").employee("E4", supervisor="SUP4")
    ids = {
        "expiring": plant.cert("E1", "SK-A", 1, expires=1),
        "lapsed": plant.cert("E2", "SK-A", 1, expires=-5),
        "unneeded": plant.cert("E3", "SK-A", 1, expires=20),
    }
    plant.cert("E4", "SK-B", 1)
    plant.labor("E2", "W", day=-2)
    for day in (2, 3):
        plant.plan("E1", day=day, workcenter="W").plan("E4", day=day, workcenter="IDLE")
        plant.op("W", day=day, hours=8)
    return assess_skills(plant.build()), ids


def test_events_are_recommendations_addressed_to_the_supervisor_and_hr() -> None:
    report, ids = _report()
    events = {e.record_key: e for e in report_events(report, NOW, PublishOptions(hr_recipient="hr-team"))}
    assert set(events) == {
        f"certifications:{ids['expiring']}",
        f"certifications:{ids['lapsed']}",
        "workcenters:W",
    }  # the certification nobody needs is in the report, not in anyone's inbox
    expiring = events[f"certifications:{ids['expiring']}"]
    assert (expiring.event_type, expiring.status, expiring.actor) == (
        AuditEventType.RECOMMENDATION,
        AuditStatus.PENDING_APPROVAL,
        "skills_daily",
    )
    assert (expiring.supervisor_id, expiring.employee_id, expiring.model_version) == (
        "SUP1",
        "E1",
        SKILLS_MODEL_VERSION,
    )
    assert expiring.finding_id == expiring.event_id
    assert expiring.payload["kind"] == "certification_expiring" and expiring.payload["window_days"] == 30
    assert expiring.payload["recipients"] == [{"role": "supervisor", "id": "SUP1"}, {"role": "hr", "id": "hr-team"}]
    assert [b["work_date"] for b in expiring.payload["blocked"]] == ["2026-11-25", "2026-11-26"]
    assert "expires 2026-11-24 (1 days)" in expiring.payload["note"]
    lapsed = events[f"certifications:{ids['lapsed']}"]
    assert lapsed.payload["kind"] == "certification_lapsed" and lapsed.payload["in_use"] is True
    assert lapsed.supervisor_id == "SUP2"
    training = events["workcenters:W"]
    assert training.payload["kind"] == "cross_training" and training.employee_id == "E4"
    assert training.supervisor_id == "SUP4"


def test_publishing_twice_records_nothing_twice() -> None:
    report, _ = _report()
    store = InMemoryAuditStore()
    first = publish_report(report, store, NOW)
    again = publish_report(report, store, NOW.replace(hour=18))  # a retry later the same day
    assert first.published == 3 and first.already_published == 0
    assert dict(first.by_kind) == {"certification_expiring": 1, "certification_lapsed": 1, "cross_training": 1}
    assert (again.published, again.already_published) == (0, 3)
    assert len(store.by_supervisor("SUP1")) == 1


def test_a_renewed_lapse_that_was_used_is_published_once() -> None:
    plant = SkillsBuilder().skill("SK-A").workcenter("W", {"SK-A": 1}).employee("E1", supervisor="SUP1")
    cert = plant.cert("E1", "SK-A", 1, expires=-20)
    plant.cert("E1", "SK-A", 1, issued=-10, expires=700)
    plant.labor("E1", "W", day=-15)
    report = assess_skills(plant.build())
    [event] = report_events(report, NOW)
    assert event.record_key == f"certifications:{cert}"
    assert event.payload["kind"] == "certification_used_while_lapsed" and event.payload["labor_entries"] == 1


def test_an_id_the_audit_table_refuses_is_skipped_and_counted() -> None:
    report, _ = _report()
    broken = report.model_copy(
        update={"expiring": [report.expiring[0].model_copy(update={"supervisor_id": "Jane Doe"})]}
    )
    store = InMemoryAuditStore()
    result = publish_report(broken, store, NOW)
    assert (result.invalid, result.published) == (1, 2)


def test_payloads_carry_ids_and_codes_only() -> None:
    report, _ = _report()
    for event in report_events(report, NOW):
        text = event.payload_json
        assert "@" not in text and "firstName" not in text and "lastName" not in text


def test_the_pilot_scope_and_the_review_switch_keep_suggestions_logged() -> None:
    report, ids = _report()
    piloted = PublishOptions(scope=PilotScope(workcenters=("OTHER",)))
    advisory = PublishOptions(scope=PilotScope(advisory=True))
    off = PublishOptions(review=False)

    held = {e.record_key: e for e in report_events(report, NOW, piloted)}
    expiring = held[f"certifications:{ids['expiring']}"]
    assert expiring.status is AuditStatus.LOGGED and expiring.payload["held"] == "outside_pilot"
    assert all(e.status is AuditStatus.LOGGED for e in report_events(report, NOW, advisory))
    assert all(e.payload.get("held") == "advisory_mode" for e in report_events(report, NOW, advisory))
    assert all(e.status is AuditStatus.LOGGED and "held" not in e.payload for e in report_events(report, NOW, off))
    inside = PublishOptions(scope=PilotScope(workcenters=("W",)))
    assert {e.record_key: e.status for e in report_events(report, NOW, inside)}["workcenters:W"] is (
        AuditStatus.PENDING_APPROVAL
    )


def test_workcenters_are_named_by_their_codes_beside_their_plex_ids() -> None:
    # Given W's Plex id is a key nobody reads (its code is PRS-01): E1's SK-A expires, E2 worked W lapsed
    plant = SkillsBuilder().skill("SK-A", "G").workcenter("9f1c-wc", {"SK-A": 1}, code="PRS-01")
    plant.employee("E1", supervisor="SUP1", home="9f1c-wc").employee("E2", supervisor="SUP2")
    expiring = plant.cert("E1", "SK-A", 1, expires=1)
    plant.cert("E2", "SK-A", 1, expires=-5)
    plant.labor("E2", "9f1c-wc", day=-2)
    plant.plan("E1", day=2, workcenter="9f1c-wc").op("9f1c-wc", day=2, hours=8)
    report = assess_skills(plant.build())
    # Then the report and the published payloads carry the code beside the id
    [use] = report.lapse_uses
    assert (use.workcenter_ids, use.workcenter_codes) == (["9f1c-wc"], ["PRS-01"])
    events = {e.record_key: e for e in report_events(report, NOW)}
    payload = events[f"certifications:{expiring}"].payload
    assert (payload["required_at"], payload["required_at_codes"]) == (["9f1c-wc"], ["PRS-01"])
    assert payload["skill_code"] == "A" and "9f1c" not in payload["note"]


def test_the_queue_ranks_a_sooner_expiry_before_a_later_one() -> None:
    # Given certifications each required where its holder works, expiring in 75, 21, 36, 59 and 61 days
    plant = SkillsBuilder().skill("SK-A", "G").workcenter("W", {"SK-A": 1})
    days = (75, 21, 36, 59, 61)
    for number, expires in enumerate(days):
        plant.employee(f"E{number}", supervisor="S", home="W").cert(f"E{number}", "SK-A", 1, expires=expires)
    report = assess_skills(plant.build())
    # When they are published and read as review items
    items = [item_from_event(e) for e in report_events(report, NOW) if e.payload["kind"] == "certification_expiring"]
    # Then the queue's rank (severity x confidence) puts the soonest first (before: all "medium · 100%")
    ranked = sorted((i for i in items if i is not None), key=lambda item: -item.rank)
    assert [item.evidence["days_to_expiry"] for item in ranked] == sorted(days)
    assert [item.severity for item in ranked] == ["high", "medium", "medium", "low", "low"]


def _candidate(gain: float) -> TrainingCandidate:
    return TrainingCandidate(
        employee_id="E1",
        supervisor_id=None,
        training=["SK-A:new"],
        effort_levels=1.0,
        adjacent=True,
        history_hours_here=0.0,
        history_hours_similar=0.0,
        scrap_rate=None,
        coverage_gain_hours=gain,
        score=1.0,
        reason="r",
    )


def test_a_larger_cross_training_gain_ranks_before_a_smaller_one() -> None:
    gains = [11.2, 323.0, 0.0, 15.9, 16.0, 79.9, 80.0, 199.0, 833.6, 833.7, 5000.0]  # no cap (ux113 L18)
    ranks = {
        gain: SEVERITY_WEIGHT[training_priority(_candidate(gain))[0]] * training_priority(_candidate(gain))[1]
        for gain in gains
    }
    assert sorted(gains, key=lambda gain: -ranks[gain]) == sorted(gains, reverse=True)
    assert len(set(ranks.values())) == len(gains)  # no two gains tie
    assert training_priority(_candidate(200.0)) == ("high", 0.75) and training_priority(_candidate(0.0))[1] == 0.5
    assert training_priority(_candidate(11.2))[0] == "low" and training_priority(_candidate(5000.0))[1] < 1
