"""What a queue row and an item page say after the severity: a confidence only where it is one."""

from __future__ import annotations

from datetime import UTC, datetime

from plexlabor.audit import AuditStatus
from plexlabor.audit.events import recommendation_event
from plexlabor.review.items import ReviewItem, item_from_event
from plexlabor.skills.engine import assess_skills
from plexlabor.skills.publish import report_events
from tests.unit.skills.skills_builder import SkillsBuilder

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _skills_items() -> dict[str, ReviewItem]:
    """E1's SK-A certification expires in 12 days where E1 works; E2, holding an adjacent skill, could
    cover W's gap."""
    plant = SkillsBuilder().skill("SK-A", "G").skill("SK-B", "G").workcenter("W", {"SK-A": 1}).workcenter("IDLE")
    plant.employee("E1", supervisor="S", home="W").cert("E1", "SK-A", 1, expires=12)
    plant.employee("E2", supervisor="S").cert("E2", "SK-B", 1)
    for day in (13, 14):
        plant.plan("E1", day=day, workcenter="W").plan("E2", day=day, workcenter="IDLE").op("W", day=day, hours=8)
    items = (item_from_event(event) for event in report_events(assess_skills(plant.build()), NOW))
    return {item.kind: item for item in items if item is not None}


def test_an_expiring_certification_says_when_it_expires_not_a_percentage() -> None:
    item = _skills_items()["certification_expiring"]
    expires = datetime.fromisoformat(item.evidence["expires"])
    # review 123: "high · 93%" read as doubt, though the rules are sure of the date (the weight only ranks)
    assert item.confidence < 1 and item.confidence_words == f"expires {expires:%a %Y-%m-%d}"


def test_a_cross_training_suggestion_says_the_hours_it_covers() -> None:
    item = _skills_items()["cross_training"]
    gain = item.evidence["coverage_gain_hours"]
    assert gain > 0 and item.confidence_words == f"would cover {gain:.1f} h at risk"


def test_a_scored_suggestion_keeps_its_confidence() -> None:
    event = recommendation_event(
        "jobs:J1",
        "rec-1",
        status=AuditStatus.PENDING_APPROVAL,
        occurred_at=NOW,
        actor="forecast",
        model_version="m1",
        payload={"kind": "overtime_projection", "note": "n", "confidence": 0.56},
    )
    item = item_from_event(event)
    assert item is not None and item.confidence_words == "56%"
