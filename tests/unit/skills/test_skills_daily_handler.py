"""skills_daily: the scheduled handler end to end on moto (DynamoDB audit table), and with injected fakes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import ValidationError

from functions.skills_daily import handler as skills_daily
from plexlabor.audit import AuditEventType, InMemoryAuditStore
from plexlabor.audit.dynamodb import DynamoDbAuditStore
from plexlabor.plant import PlantFolder
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.sources import LaborSource
from plexlabor.skills import wiring
from tests.support import FakeLambdaContext, audit_table_on_moto, load_event

TABLE = "plexlabor-audit-skills-test"


def _event(**detail: Any) -> dict[str, Any]:
    event = load_event("skills_daily")
    event["detail"] = {**event["detail"], **detail}
    return event


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, labelled_plant: PlantFolder) -> Iterator[Any]:
    """moto with an audit table; the function's environment points at it and at the labelled plant."""
    environment = {"PLEXLABOR_PLANT_DIR": str(labelled_plant.path)}
    with audit_table_on_moto(monkeypatch, TABLE, environment, wiring.dependencies.cache_clear) as client:
        yield client


def test_the_canonical_event_parses() -> None:
    request = skills_daily.EVENT_MODEL.model_validate(load_event("skills_daily"))
    assert request.detail.as_of is None and request.detail.publish is True


def test_a_scheduled_run_publishes_suggestions_once(aws: Any) -> None:
    # Given the daily schedule fires at 06:00 in Detroit on the plant's extract day
    # When the handler runs twice (a retry, or a second schedule the same day)
    first = skills_daily.handler(_event(), FakeLambdaContext())
    again = skills_daily.handler(_event(), FakeLambdaContext())
    # Then the first run writes suggestions to the audit table and the second writes nothing new
    assert first["as_of"] == "2026-11-21" and first["horizon_days"] == 14
    assert first["published"] > 0 and first["already_published"] == 0 and first["invalid"] == 0
    assert (again["published"], again["already_published"]) == (0, first["published"])
    store = DynamoDbAuditStore(TABLE, client=aws)
    keys = {
        item["record_key"]["S"]
        for item in aws.scan(TableName=TABLE)["Items"]
        if not item["record_key"]["S"].startswith("#")
    }
    assert len(keys) <= first["published"] and keys
    some_key = sorted(keys)[0]
    [event] = store.history(some_key)[:1]
    assert event.event_type is AuditEventType.RECOMMENDATION and event.actor == "skills_daily"
    assert {"role": "hr", "id": "hr"} in event.payload["recipients"]


def test_the_detail_can_pick_the_day_and_skip_publishing(aws: Any) -> None:
    summary = skills_daily.handler(_event(as_of="2026-11-24", horizon_days=3, publish=False), FakeLambdaContext())
    assert (summary["as_of"], summary["horizon_days"]) == ("2026-11-24", 3)
    assert "published" not in summary
    assert aws.scan(TableName=TABLE)["Count"] == 0


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_a_malformed_detail_is_refused(aws: Any) -> None:
    with pytest.raises(ValidationError):
        skills_daily.handler(_event(horizon_days=0), FakeLambdaContext())


def test_injected_fakes_need_no_aws(labelled_plant: PlantFolder) -> None:
    store = InMemoryAuditStore()
    deps = wiring.Dependencies(
        source=LaborSource(PlantFolderSource(labelled_plant), "America/Detroit"), store=store, horizon_days=7
    )
    summary = skills_daily.handler(_event(), FakeLambdaContext(), dependencies=deps)
    assert summary["horizon_days"] == 7 and summary["published"] > 0
    assert summary["published_by_kind"] and sum(summary["published_by_kind"].values()) == summary["published"]


def test_settings_come_from_the_environment() -> None:
    settings = wiring.SkillsDailySettings.from_env(
        {
            "AUDIT_TABLE_NAME": "t",
            "PLEXLABOR_TIMEZONE": "America/Detroit",
            "SKILLS_HORIZON_DAYS": "21",
            "SKILLS_HR_RECIPIENT": "hr-plant-1",
        }
    )
    assert (settings.audit_table_name, settings.horizon_days, settings.lookback_days, settings.hr_recipient) == (
        "t",
        21,
        90,
        "hr-plant-1",
    )
