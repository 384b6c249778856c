"""`plexlabor incidents train|evaluate` on CSV files in the OSHA layout."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from plexlabor.audit.dynamodb import DynamoDbAuditStore, create_audit_table
from plexlabor.incidents.classifier import IncidentClassifier
from plexlabor.incidents.oiics import Field
from plexlabor.incidents.reports import read_coded_reports
from plexlabor.incidents.service import IncidentDeps, IncidentReport, correct_codes, log_incident, opening
from plexlabor_dev.cli import main
from tests.support import REGION, use_fake_aws
from tests.unit.approval.approval_fakes import Clock
from tests.unit.incidents.conftest import CONFIRMED_CODES, coded_rows, write_csv
from tests.unit.incidents.test_incident_reindex import forget_kind_index


def test_train_then_evaluate_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    train = write_csv(tmp_path / "train.csv", coded_rows(150))
    test = write_csv(tmp_path / "test.csv", coded_rows(40, seed=8))
    model = tmp_path / "model.pkl"
    assert main(["incidents", "train", "--osha", str(train), "--out", str(model), "--quiet"]) == 0
    assert "trained on 150 reports" in capsys.readouterr().out
    assert main(["incidents", "evaluate", "--model", str(model), "--osha", str(test), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["reports"] == 40
    assert figures["event_division_accuracy"] >= 0.9
    assert {"event_division_macro_f1", "event_group_accuracy", "auto_coded_share", "auto_coded_accuracy"} <= set(
        figures
    )
    assert main(["incidents", "evaluate", "--model", str(model), "--osha", str(test)]) == 0
    assert "auto-coded" in capsys.readouterr().out


def test_bad_training_file_names_line_and_column_and_writes_no_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = coded_rows(20)
    rows[6]["event_group"] = "7"
    model = tmp_path / "model.pkl"
    code = main(
        ["incidents", "train", "--osha", str(write_csv(tmp_path / "t.csv", rows)), "--out", str(model), "--quiet"]
    )
    assert code == 2
    assert "t.csv, line 8, column 'event_group': expected 2 digit(s), got '7'" in capsys.readouterr().err
    assert not model.exists()


def test_evaluate_refuses_a_file_that_is_not_a_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "model.pkl"
    bogus.write_text("hello")
    test = write_csv(tmp_path / "test.csv", coded_rows(5))
    assert main(["incidents", "evaluate", "--model", str(bogus), "--osha", str(test)]) == 2
    assert "not an incident model" in capsys.readouterr().err


def test_classify_prints_codes_and_what_the_text_says(
    trained: IncidentClassifier, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "model.pkl"
    trained.save(model)
    text = "At 7 pm a worker fell 10 feet from a ladder while loading parts and broke his left leg."
    assert main(["incidents", "classify", "--model", str(model), "--timezone", "America/Detroit", text]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert {c["field"]: c["code"] for c in printed["codes"]}["event_group"] == "43"
    assert printed["extraction"]["body_parts"][0]["side"] == "left"
    assert printed["extraction"]["when"].endswith(("-05:00", "-04:00"))


def test_export_writes_the_decided_incidents_as_training_rows(
    trained: IncidentClassifier, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use_fake_aws(monkeypatch)
    with mock_aws():
        create_audit_table(boto3.client("dynamodb", region_name=REGION), "incidents-audit")
        audit = DynamoDbAuditStore("incidents-audit")
        deps = IncidentDeps(audit, trained, clock=lambda: datetime(2026, 12, 4, 15, tzinfo=UTC))
        narrative = "Something happened to an employee near the cell; he went to the clinic afterwards."
        decided = log_incident(deps, IncidentReport(narrative=narrative), "E0001")
        log_incident(deps, IncidentReport(narrative=narrative + " Again."), "E0001")  # not decided: not exported
        event = opening(audit, decided.incident_id)
        assert event is not None
        correct_codes(audit, event, CONFIRMED_CODES, "ehs1", datetime(2026, 12, 4, 16, tzinfo=UTC))
        out = tmp_path / "corrections.csv"
        assert main(["incidents", "export", "--audit-table", "incidents-audit", "--out", str(out)]) == 0
    assert "wrote 1 decided incident(s)" in capsys.readouterr().out
    [report] = read_coded_reports(out)
    assert report.narrative == narrative and report.codes[Field.EVENT_GROUP] == "64"
    again = tmp_path / "model.pkl"
    train = write_csv(tmp_path / "train.csv", coded_rows(100))
    assert main(["incidents", "train", "--osha", str(train), "--osha", str(out), "--out", str(again), "--quiet"]) == 0
    assert "trained on 101 reports" in capsys.readouterr().out


def test_log_records_an_incident_and_names_a_bad_field(
    trained: IncidentClassifier, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "model.pkl"
    trained.save(model)
    use_fake_aws(monkeypatch)
    with mock_aws():
        create_audit_table(boto3.client("dynamodb", region_name=REGION), "incidents-audit")
        common = ["--reporter", "E0007", "--model", str(model), "--audit-table", "incidents-audit"]
        text = "A worker fell 8 feet from a ladder while loading parts and broke his right leg."
        assert main(["incidents", "log", text, "--kind", "injury", "--workcenter", "PRESS4", *common]) == 0
        logged = json.loads(capsys.readouterr().out)
        event = opening(DynamoDbAuditStore("incidents-audit"), logged["incident_id"])
        assert event is not None and event.actor == "E0007" and event.payload["workcenter_code"] == "PRESS4"
        assert main(["incidents", "log", "too short", *common]) == 2
    assert "narrative" in capsys.readouterr().err


def test_model_promote_and_rollback_of_incident_models_move_their_pointer_and_are_audited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from plexlabor.audit import AuditStatus
    from plexlabor.incidents.registry import MODEL_RECORD_KEY, IncidentModels
    from plexlabor.platform.artifacts import LocalFolderArtifactStore

    use_fake_aws(monkeypatch)
    monkeypatch.delenv("ARTIFACTS_BUCKET_NAME", raising=False)
    models = IncidentModels(LocalFolderArtifactStore(tmp_path / "models" / "incidents"))
    for version in ("oiics-aaaa", "oiics-bbbb"):
        models.save(b"model bytes", version, {"verdict": "shadow"}, "rows")
    common = ["--of", "incidents", "--artifacts-dir", str(tmp_path), "--audit-table", "audit-cli-incidents"]
    with mock_aws():
        create_audit_table(boto3.client("dynamodb", region_name=REGION), "audit-cli-incidents")
        assert main(["model", "promote", "oiics-bbbb", *common, "--actor", "ehs-admin"]) == 0
        assert main(["model", "rollback", "oiics-aaaa", *common, "--actor", "ehs-admin"]) == 0
        assert main(["model", "promote", "oiics-cccc", *common]) == 2  # not stored: nothing changed, a user error
        events = DynamoDbAuditStore("audit-cli-incidents").history(MODEL_RECORD_KEY)
    assert models.in_force() == "oiics-aaaa"
    assert sorted(e.status for e in events) == [AuditStatus.PROMOTED, AuditStatus.ROLLED_BACK]
    assert all(e.actor == "ehs-admin" and e.payload["manual"] for e in events)
    out = capsys.readouterr()
    assert "rolled back to oiics-aaaa (was oiics-bbbb), by ehs-admin" in out.out
    assert "no stored incident model oiics-cccc" in out.err


def test_reindex_adds_old_incidents_to_the_kind_index_a_bounded_run_at_a_time(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use_fake_aws(monkeypatch)
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        create_audit_table(client, "incidents-audit")
        audit = DynamoDbAuditStore("incidents-audit", client=client)
        deps = IncidentDeps(audit, None, clock=Clock(datetime(2026, 3, 2, 15, tzinfo=UTC)))  # 1 ms apart
        texts = ("A box fell from the top shelf.", "A forklift clipped rack 4.", "A worker slipped on oil.")
        for text in texts:
            log_incident(deps, IncidentReport(narrative=text), "E0001")
        forget_kind_index(client, "incidents-audit")
        table = ["--audit-table", "incidents-audit"]
        # a run of one page of two events: bounded, and it says how to go on
        assert main(["incidents", "reindex", *table, "--pages", "1", "--page-size", "2"]) == 0
        first, hint = capsys.readouterr().out.splitlines()
        done = json.loads(first)
        assert done["indexed"] == 2 and done["cursor"].startswith("pending_approval@") and done["skipped"] == []
        assert hint == f"not done: run again with --after {done['cursor']}"
        # going on from its cursor reads to the end
        assert main(["incidents", "reindex", *table, "--after", done["cursor"]]) == 0
        rest = json.loads(capsys.readouterr().out)
        assert rest["cursor"] is None and rest["indexed"] == 1
        assert len(audit.by_kind("incident_coding")) == 3
        # a cursor no run printed is a user error naming it
        assert main(["incidents", "reindex", *table, "--after", "yesterday"]) == 2
        assert "cursor 'yesterday'" in capsys.readouterr().err
