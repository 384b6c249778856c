"""`plexlabor model promote|rollback VERSION`: the registry's pointer moves, with a `model` audit event each."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from plexlabor.audit import AuditEventType, AuditStatus
from plexlabor.audit.dynamodb import DynamoDbAuditStore, create_audit_table
from plexlabor.learning.events import MODEL_RECORD_KEY
from plexlabor.platform.artifacts import LocalFolderArtifactStore
from plexlabor.validation.registry import ModelRegistry
from plexlabor.validation.scorer import MagnitudeCut, ScorerModel
from plexlabor_dev.cli import main
from tests.support import REGION, use_fake_aws

TABLE = "plexlabor-audit-cli-model"


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    use_fake_aws(monkeypatch)
    monkeypatch.delenv("ARTIFACTS_BUCKET_NAME", raising=False)
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        create_audit_table(client, TABLE)
        yield client


def _registry(root: Path) -> ModelRegistry:
    registry = ModelRegistry(LocalFolderArtifactStore(root / "models" / "scorer"))
    packaged = ScorerModel.load()
    cut = MagnitudeCut("beyond_grace_min", 24.5, decisions=160, below=40, upheld_below=1)
    for version, cuts in (("scorer-aaaa", {}), ("scorer-bbbb", {"EARLY_CLOCK_IN": cut})):
        registry.save(ScorerModel(version, packaged.priors, packaged.families, cuts=cuts), {"metrics": {}})
    return registry


def test_promote_then_rollback_move_the_pointer_and_are_audited(
    table: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = _registry(tmp_path)
    common = ["--artifacts-dir", str(tmp_path), "--audit-table", TABLE, "--actor", "ops-7"]

    assert main(["model", "promote", "scorer-aaaa", *common]) == 0
    assert main(["model", "promote", "scorer-bbbb", *common]) == 0
    assert main(["model", "rollback", "scorer-aaaa", *common]) == 0

    assert registry.in_force() == "scorer-aaaa"
    pointer = registry.pointer()
    assert pointer is not None and pointer["previous"] == "scorer-bbbb" and pointer["by"] == "ops-7"
    out = capsys.readouterr().out
    assert "rolled back to scorer-aaaa (was scorer-bbbb), by ops-7" in out
    cuts = [line for line in out.splitlines() if line.startswith("this plant's cuts")]
    assert [line.split(": ", 1)[1] for line in cuts] == ["none", "EARLY_CLOCK_IN under 24.5 beyond_grace_min", "none"]
    events = DynamoDbAuditStore(TABLE, client=table).history(MODEL_RECORD_KEY)
    assert all(e.event_type is AuditEventType.MODEL and e.actor == "ops-7" for e in events)
    assert sorted((e.status, e.model_version, e.payload["previous"]) for e in events) == sorted(
        [
            (AuditStatus.PROMOTED, "scorer-aaaa", None),
            (AuditStatus.PROMOTED, "scorer-bbbb", "scorer-aaaa"),
            (AuditStatus.ROLLED_BACK, "scorer-aaaa", "scorer-bbbb"),
        ]
    )


def test_an_unknown_or_current_version_changes_nothing(
    table: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = _registry(tmp_path)
    common = ["--artifacts-dir", str(tmp_path), "--audit-table", TABLE]
    assert main(["model", "promote", "scorer-zzzz", *common]) == 1
    assert main(["model", "promote", "scorer-aaaa", *common]) == 0
    assert main(["model", "promote", "scorer-aaaa", *common]) == 1
    assert "already in force" in capsys.readouterr().err
    assert registry.in_force() == "scorer-aaaa"
    assert len(DynamoDbAuditStore(TABLE, client=table).history(MODEL_RECORD_KEY)) == 1


def test_without_a_registry_or_table_it_says_which(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ARTIFACTS_BUCKET_NAME", raising=False)
    assert main(["model", "rollback", "scorer-aaaa", "--audit-table", TABLE]) == 2
    assert "--artifacts-dir or --bucket" in capsys.readouterr().err


def test_model_events_need_a_version_and_take_only_their_statuses() -> None:
    from pydantic import ValidationError

    from plexlabor.learning.events import model_event

    at = datetime(2026, 11, 23, tzinfo=UTC)
    event = model_event(AuditStatus.SHADOW, "scorer-a", actor="scorer_retrain", occurred_at=at, payload={}, stable=True)
    again = model_event(AuditStatus.SHADOW, "scorer-a", actor="scorer_retrain", occurred_at=at, payload={}, stable=True)
    assert event.event_id == again.event_id and event.finding_id is None
    with pytest.raises(ValidationError, match="status"):
        model_event(AuditStatus.APPROVED, "scorer-a", actor="x", occurred_at=at, payload={})
