"""`plexlabor model list|promote|rollback --of incidents`: the incident coder's registry listed and moved as the
scorer's is (the packaged model, the hold on automatic promotion a rollback leaves)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from plexlabor.audit import AuditStatus
from plexlabor.audit.dynamodb import DynamoDbAuditStore, create_audit_table
from plexlabor.incidents.registry import MODEL_RECORD_KEY, IncidentModels
from plexlabor.platform.artifacts import LocalFolderArtifactStore
from plexlabor_dev.cli import main
from tests.support import REGION, use_fake_aws

TABLE = "plexlabor-audit-cli-incident-models"
PACKAGED = "oiics-packaged00"
CARD = {
    "trained_at": "2026-11-30T10:30:00+00:00",
    "base_reports": 200,
    "corrections_trained": 45,
    "held_out": 15,
    "held_out_from": "2026-11-02",
    "candidate": {"event_division_accuracy": 0.8, "auto_coded_share": 0.6, "auto_coded_accuracy": 0.95},
    "in_force": {"version": PACKAGED, "figures": None},
    "verdict": "shadow",
    "reasons": ["promotion not asked"],
}


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    use_fake_aws(monkeypatch)
    monkeypatch.delenv("ARTIFACTS_BUCKET_NAME", raising=False)
    monkeypatch.setattr("plexlabor.incidents.wiring.packaged_version", lambda: PACKAGED)
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        create_audit_table(client, TABLE)
        yield client


def _common(root: Path) -> list[str]:
    return ["--of", "incidents", "--artifacts-dir", str(root), "--audit-table", TABLE]


def test_list_with_nothing_stored_names_the_packaged_model_in_force_and_says_nothing_is_stored(
    table: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["model", "list", *_common(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"{PACKAGED} packaged (ships with the code) IN FORCE"
    assert f"no incident model is stored yet in {tmp_path / 'models' / 'incidents'}: incident_retrain stores one" in out
    assert "plexlabor model rollback packaged --of incidents puts the packaged model back" in out


def test_list_without_a_packaged_model_says_so(
    table: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("plexlabor.incidents.wiring.packaged_version", lambda: None)
    assert main(["model", "list", *_common(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "no incident model is packaged with the code (`make incidents-model` builds one)" in out
    assert "no incident model is stored yet" in out and "rollback packaged" not in out


def test_a_rollback_to_the_packaged_model_holds_automatic_promotion_listed_until_a_promote_lifts_it(
    table: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given two stored incident models, one promoted by hand, the other kept in shadow
    models = IncidentModels(LocalFolderArtifactStore(tmp_path / "models" / "incidents"))
    for version in ("oiics-aaaa", "oiics-bbbb"):
        models.save(b"model bytes", version, CARD, "rows")
    common = [*_common(tmp_path), "--actor", "ehs-admin"]
    assert main(["model", "promote", "oiics-aaaa", *common]) == 0
    models.put_shadow("oiics-bbbb", at=datetime(2026, 12, 1, tzinfo=UTC))
    # When the admin rolls back to the packaged model
    assert main(["model", "rollback", "packaged", *common]) == 0
    out = capsys.readouterr().out
    # Then the packaged model is in force, the retrain's promotion is held, and both are said
    assert f"rolled back to the packaged model {PACKAGED} (was oiics-aaaa), by ehs-admin" in out
    assert "`plexlabor model promote VERSION --of incidents` (the version in force, or packaged, too) lifts it" in out
    assert "this plant's cuts" not in out  # the scorer's
    assert models.in_force() is None and models.promotion_hold() is not None
    assert main(["model", "list", *_common(tmp_path)]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line for line in listed if line.startswith("oiics-")] == [
        f"{PACKAGED} packaged (ships with the code) IN FORCE",
        "oiics-aaaa stored 2026-11-30T10:30:00+00:00 (the retrain's verdict: shadow)",
    ]  # the shadow ended with the move; oiics-bbbb is named by no event, so not listed
    assert (
        "  on the held-out corrections: event division 80.0%, auto-coded 60.0% at 95.0% accuracy"
        f" (the model in force then, {PACKAGED}: -)" in listed
    )
    assert listed[-1].startswith("automatic promotion held since ehs-admin's rollback at ")
    assert listed[-1].endswith(": plexlabor model promote VERSION --of incidents lifts it")
    # When the admin promotes the packaged model in force, the hold is lifted, audited
    assert main(["model", "promote", "packaged", *common]) == 0
    assert "automatic promotion resumed (automatic promotion held since ehs-admin's rollback" in (
        capsys.readouterr().out
    )
    assert models.promotion_hold() is None
    events = DynamoDbAuditStore(TABLE, client=table).history(MODEL_RECORD_KEY)
    assert sorted((e.status, e.model_version, bool(e.payload.get("holds_promotion"))) for e in events) == sorted(
        [
            (AuditStatus.PROMOTED, "oiics-aaaa", False),
            (AuditStatus.ROLLED_BACK, PACKAGED, True),
            (AuditStatus.PROMOTED, PACKAGED, False),
        ]
    )
    assert main(["model", "list", "--json", *_common(tmp_path)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["version"], r["in_force"], r["packaged"]) for r in rows] == [
        (PACKAGED, True, True),
        ("oiics-aaaa", False, False),
    ]
