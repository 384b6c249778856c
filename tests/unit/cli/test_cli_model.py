"""`plexlabor model promote|rollback VERSION`: the registry's pointer moves, with a `model` audit event each."""

from __future__ import annotations

import getpass
import json
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


def test_a_rollback_holds_automatic_promotion_until_a_promote_of_any_version_lifts_it(
    table: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = _registry(tmp_path)
    common = ["--artifacts-dir", str(tmp_path), "--audit-table", TABLE, "--actor", "ops-7"]
    assert main(["model", "promote", "scorer-bbbb", *common]) == 0
    assert main(["model", "rollback", "scorer-aaaa", *common]) == 0

    hold = registry.promotion_hold()
    assert hold is not None and hold["by"] == "ops-7"
    assert "automatic promotion held" in capsys.readouterr().out
    assert main(["model", "list", *common[:4]]) == 0
    assert "automatic promotion held since ops-7's rollback" in capsys.readouterr().out
    # the version in force may be promoted: that only lifts the hold, audited
    assert main(["model", "promote", "scorer-aaaa", *common]) == 0
    assert registry.promotion_hold() is None and registry.in_force() == "scorer-aaaa"
    assert f"automatic promotion resumed (automatic promotion held since ops-7's rollback at {hold['since']}" in (
        capsys.readouterr().out
    )
    events = DynamoDbAuditStore(TABLE, client=table).history(MODEL_RECORD_KEY)
    assert [e.payload.get("holds_promotion") for e in events if e.status is AuditStatus.ROLLED_BACK] == [True]
    [lifted] = [e for e in events if e.payload.get("lifted_hold")]
    assert (lifted.status, lifted.model_version, lifted.payload["lifted_hold"]) == (
        AuditStatus.PROMOTED,
        "scorer-aaaa",
        hold,
    )
    assert main(["model", "promote", "scorer-aaaa", *common]) == 1  # no hold left: already in force


def test_an_unknown_or_current_version_changes_nothing(
    table: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = _registry(tmp_path)
    common = ["--artifacts-dir", str(tmp_path), "--audit-table", TABLE]
    assert main(["model", "promote", "scorer-zzzz", *common]) == 2  # a user error (ux_s17 L12: it exited 1)
    assert main(["model", "promote", "scorer-aaaa", *common]) == 0
    [moved] = DynamoDbAuditStore(TABLE, client=table).history(MODEL_RECORD_KEY)
    assert moved.actor == f"cli:{getpass.getuser()}"  # without --actor, the login running it (ux_s17 L12: "cli")
    assert main(["model", "promote", "scorer-aaaa", *common]) == 1
    assert "already in force" in capsys.readouterr().err
    assert registry.in_force() == "scorer-aaaa"
    assert len(DynamoDbAuditStore(TABLE, client=table).history(MODEL_RECORD_KEY)) == 1


def test_without_a_registry_or_table_it_says_which(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ARTIFACTS_BUCKET_NAME", raising=False)
    assert main(["model", "rollback", "scorer-aaaa", "--audit-table", TABLE]) == 2
    error = capsys.readouterr().err
    assert "--artifacts-dir or --bucket" in error
    assert "--local" in error


def test_model_events_need_a_version_and_take_only_their_statuses() -> None:
    from pydantic import ValidationError

    from plexlabor.learning.events import model_event

    at = datetime(2026, 11, 23, tzinfo=UTC)
    event = model_event(
        AuditStatus.SHADOW, "scorer-a", actor="scorer_retrain", occurred_at=at, payload={}, stable_after=""
    )
    again = model_event(
        AuditStatus.SHADOW, "scorer-a", actor="scorer_retrain", occurred_at=at, payload={}, stable_after=""
    )
    assert event.event_id == again.event_id and event.finding_id is None
    with pytest.raises(ValidationError, match="status"):
        model_event(AuditStatus.APPROVED, "scorer-a", actor="x", occurred_at=at, payload={})


def test_rollback_to_the_packaged_model_empties_the_pointer_and_is_audited(
    table: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a plant whose first stored model was promoted
    registry = _registry(tmp_path)
    common = ["--artifacts-dir", str(tmp_path), "--audit-table", TABLE, "--actor", "ops-7"]
    assert main(["model", "promote", "scorer-bbbb", *common]) == 0
    packaged = ScorerModel.load().version
    # When the admin rolls back to the packaged model, by name
    assert main(["model", "rollback", "packaged", *common]) == 0
    # Then the validator's pointer names no stored model (the packaged one is used), and the move is audited
    assert registry.in_force() is None and registry.shadow() is None
    pointer = registry.pointer()
    assert pointer is not None and pointer["packaged"] == packaged and pointer["previous"] == "scorer-bbbb"
    assert f"rolled back to the packaged model {packaged} (was scorer-bbbb), by ops-7" in capsys.readouterr().out
    events = DynamoDbAuditStore(TABLE, client=table).history(MODEL_RECORD_KEY)
    back = [e for e in events if e.status is AuditStatus.ROLLED_BACK]
    assert [(e.model_version, e.actor, e.payload["previous"], e.payload["packaged"]) for e in back] == [
        (packaged, "ops-7", "scorer-bbbb", True)
    ]
    # And the packaged version as /kpis shows it is the same move, refused now that it is in force
    assert main(["model", "rollback", packaged, *common]) == 1
    assert f"the packaged model {packaged} is already in force" in capsys.readouterr().err
    assert main(["model", "promote", "scorer-bbbb", *common]) == 0 and registry.in_force() == "scorer-bbbb"
    assert main(["model", "rollback", packaged, *common]) == 0 and registry.in_force() is None


def test_an_unknown_version_is_answered_with_how_to_list_them_and_return_to_the_packaged_model(
    table: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _registry(tmp_path)
    assert (
        main(["model", "rollback", "scorer-2740cbd71c", "--artifacts-dir", str(tmp_path), "--audit-table", TABLE]) == 2
    )
    err = capsys.readouterr().err
    assert (
        "`plexlabor model list`" in err
        and f"`plexlabor model rollback packaged` puts the packaged model ({ScorerModel.load().version}) back" in err
    )


def test_model_list_names_the_packaged_and_stored_versions_with_their_cards(
    table: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given two stored versions with cards, one promoted then replaced, the other in force, the first kept as a shadow
    registry = ModelRegistry(LocalFolderArtifactStore(tmp_path / "models" / "scorer"))
    packaged = ScorerModel.load()
    card = {
        "created_at": "2026-11-30T03:00:00+00:00",
        "status": "shadow",
        "training_window": {"from": "2026-09-01T10:00:00+00:00", "to": "2026-11-01T10:00:00+00:00"},
        "counts": {"training": {"decisions": 120, "approved": 90, "rejected": 30}, "holdout": {"decisions": 40}},
        "metrics": {"candidate": {"precision": 0.9123, "recall": 0.95}, "in_force": {"precision": 0.8, "recall": 1.0}},
        "in_force_version": packaged.version,
    }
    for version in ("scorer-aaaa", "scorer-bbbb"):
        registry.save(ScorerModel(version, packaged.priors, packaged.families), card)
    common = ["--artifacts-dir", str(tmp_path), "--audit-table", TABLE]
    assert main(["model", "promote", "scorer-aaaa", *common]) == 0
    assert main(["model", "promote", "scorer-bbbb", *common]) == 0
    registry.put_shadow("scorer-aaaa", at=datetime(2026, 12, 1, tzinfo=UTC))
    capsys.readouterr()
    # When the admin lists them
    assert main(["model", "list", *common]) == 0
    out = capsys.readouterr().out.splitlines()
    # Then the packaged model comes first, then each stored version with its window, counts and metrics
    headings = [line for line in out if line.startswith("scorer-")]
    assert headings == [
        f"{packaged.version} packaged (ships with the code)",
        "scorer-bbbb stored 2026-11-30T03:00:00+00:00 (the retrain's verdict: shadow) IN FORCE",
        "scorer-aaaa stored 2026-11-30T03:00:00+00:00 (the retrain's verdict: shadow) SHADOW",
    ]
    assert (
        "  trained on decisions 2026-09-01T10:00:00+00:00 to 2026-11-01T10:00:00+00:00: 120 (90 upheld, 30 rejected);"
        " held out 40" in out
    )
    assert (
        f"  on the held-out decisions: precision 91.2%, recall 95.0% (the model in force then, {packaged.version}:"
        " precision 80.0%, recall 100.0%)" in out
    )
    assert any("plexlabor model rollback packaged puts the packaged model back" in line for line in out)
    assert main(["model", "list", "--json", *common]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["version"], r["in_force"], r["shadow"], r["packaged"]) for r in rows] == [
        (packaged.version, False, False, True),
        ("scorer-bbbb", True, False, False),
        ("scorer-aaaa", False, True, False),
    ]
