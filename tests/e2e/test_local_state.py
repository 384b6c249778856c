"""`--local`: the running local runtime's names in its state file, and `plexlabor writeback revert --local`
undoing a real write-back with no other setting (the table it used is printed first)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from plexlabor.approval.corrections import UPDATABLE_FIELDS
from plexlabor.audit.events import AuditStatus
from plexlabor.learning.events import MODEL_RECORD_KEY
from plexlabor.platform.s3artifacts import S3ArtifactStore
from plexlabor.validation.registry import SCORER_PREFIX, ModelRegistry
from plexlabor.validation.scorer import ScorerModel
from plexlabor_dev.cli import main
from plexlabor_dev.local.scenario import AuditView, Supervisor, labelled_punches, latest_links
from plexlabor_dev.local.stack import LocalStack
from plexlabor_dev.local.state import STATE_VARIABLE, describe_runtime, read_state, remove_state, write_state

SETTINGS = ("AUDIT_TABLE_NAME", "PLEX_API_KEY_SECRET_ARN", "PLEXLABOR_PLEX_BASE_URL", "PLEXLABOR_PLEX_WRITE_MODE")


@pytest.fixture(scope="module")
def stack(e2e_plant: Path) -> Iterator[LocalStack]:
    with LocalStack(e2e_plant, approval_wait_s=120) as started:
        yield started


@pytest.fixture
def state_file(stack: LocalStack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "local-runtime.json"
    monkeypatch.setenv(STATE_VARIABLE, str(path))
    write_state(describe_runtime(stack.runtime, stack.simulator.base_url), path)
    yield path
    remove_state(path)


def _correctable(view: AuditView, finding_id: str) -> bool:
    """Whether the finding suggests new values for fields of its record (a write-back that can be undone)."""
    finding = view.for_finding(finding_id)[0]
    resource = finding.record_key.split(":")[0]
    correction = finding.payload.get("suggested_correction") or {}
    return resource in UPDATABLE_FIELDS and bool(correction) and set(correction) <= UPDATABLE_FIELDS[resource][1]


def test_the_state_file_names_what_a_command_needs(stack: LocalStack, state_file: Path) -> None:
    state = read_state()
    assert state.urls["moto"] == stack.runtime.moto_url and state.urls["plex"] == stack.simulator.base_url
    assert state.tables["audit"] == stack.runtime.resources.audit_table  # type: ignore[union-attr]
    writeback = state.functions["plex_writeback"]
    assert all(name in writeback for name in SETTINGS)
    assert not any(name.startswith("AWS_") for name in writeback)
    assert oct(state_file.stat().st_mode & 0o777) == "0o600"
    assert "Plexlabor-local-1" not in state_file.read_text() and '"pid"' in state_file.read_text()


def test_writeback_revert_local_needs_no_other_setting(
    stack: LocalStack, state_file: Path, busy_days: list[date], capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an approved finding written back to the simulator
    assert stack.send_punches(labelled_punches(stack.plant_dir, busy_days[0])).failed == 0
    stack.runtime.drain(timeout_s=60)
    pending: set[str] = set()
    for finding in stack.audit().findings(AuditStatus.PENDING_APPROVAL):
        assert finding.finding_id is not None  # intake names every finding it records
        pending.add(finding.finding_id)
    links = stack.runtime.wait_for(
        lambda: (found := latest_links(stack.approval_links())) and set(found) >= pending and found,
        timeout_s=60,
        what="approval links",
    )
    view = stack.audit()
    correctable = [f for f in sorted(pending) if _correctable(view, f)]
    assert correctable, "a pending finding with a correction of a time-clock entry"
    link = links[correctable[0]]
    supervisor = Supervisor()
    try:
        assert supervisor.approve(link.url).status == 200
    finally:
        supervisor.close()
    stack.runtime.wait_for(lambda: "writeback" in view.event_types(link.finding_id), timeout_s=60, what="write-back")
    stack.runtime.drain(timeout_s=60)
    writes_before = len(stack.simulator.writes())
    capsys.readouterr()
    # When it is reverted with --local only
    code = main(["writeback", "revert", link.finding_id, "--local", "--actor", "ops-1"])
    captured = capsys.readouterr()
    # Then the table used was named, the previous value went back to Plex and the audit records the revert
    assert code == 0, captured.err
    table = stack.runtime.resources.audit_table  # type: ignore[union-attr]
    assert (
        f"audit table {table} at {stack.runtime.moto_url}" in captured.err
        and "write mode custom_object" in captured.err
    )
    assert f"reverted {link.finding_id}" in captured.out
    assert len(stack.simulator.writes()) == writes_before + 1
    assert view.event_types(link.finding_id)[-1] == "revert"
    revert = view.for_finding(link.finding_id)[-1]
    assert revert.actor == "ops-1" and revert.payload["mode"] == "custom_object"


def test_assess_local_reads_the_runtimes_simulator_with_no_other_setting(
    stack: LocalStack, state_file: Path, busy_days: list[date], capsys: pytest.CaptureFixture[str]
) -> None:
    # Given no Plex setting in the environment, only the running runtime's state file
    day = busy_days[0].isoformat()
    # When the plant is assessed with --local
    code = main(["assess", "--local", "--since", day, "--until", day, "--json", "--quiet"])
    captured = capsys.readouterr()
    # Then the simulator's Connect and Data Source APIs were read with the runtime's key and credentials
    assert code == 0, captured.err
    assert f"Connect REST  {stack.simulator.base_url}  key set" in captured.err
    assert stack.simulator.state.datasource_password not in captured.err + captured.out
    report = json.loads(captured.out)
    assert report["source"] == f"Plex {stack.simulator.base_url}" and report["time_clock_entries"] > 0


def test_model_promote_local_moves_the_runtimes_registry_and_audits_it(
    stack: LocalStack, state_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a candidate scorer stored in the runtime's artifacts bucket
    resources = stack.runtime.resources
    assert resources is not None
    store = S3ArtifactStore(resources.artifacts_bucket, SCORER_PREFIX, client=stack.runtime.client("s3"))
    registry = ModelRegistry(store)
    packaged = ScorerModel.load()
    registry.save(ScorerModel("scorer-local0001", packaged.priors, packaged.families), {"metrics": {}})
    # When it is promoted with --local only
    code = main(["model", "promote", "scorer-local0001", "--local", "--actor", "ops-2"])
    captured = capsys.readouterr()
    # Then the runtime's registry points at it and its audit table has the event
    assert code == 0, captured.err
    assert "promoted scorer-local0001" in captured.out
    assert registry.in_force() == "scorer-local0001"
    [event] = [e for e in stack.audit().history(MODEL_RECORD_KEY) if e.model_version == "scorer-local0001"]
    assert event.actor == "ops-2"
