"""`plexlabor writeback revert`: what it uses is printed, a missing setting is named with its flag, AWS
set-up errors are one line, and `--local` reads the running local runtime's state file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from plexlabor_dev.cli import main
from plexlabor_dev.local.state import STATE_VARIABLE, LocalState, read_state, write_state

AWS_NAMES = ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AUDIT_TABLE_NAME", "PLEX_API_KEY_SECRET_ARN")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in AWS_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(STATE_VARIABLE, str(tmp_path / "local-runtime.json"))


def _state(pid: int) -> LocalState:
    return LocalState(
        pid=pid,
        region="us-east-1",
        stage="local",
        urls={"api": "http://127.0.0.1:8780", "moto": "http://127.0.0.1:8781", "plex": "http://127.0.0.1:8782"},
        tables={"audit": "plexlabor-local-audit"},
        functions={"plex_writeback": {"AUDIT_TABLE_NAME": "plexlabor-local-audit", "AWS_REGION": "eu-west-1"}},
    )


def test_a_missing_audit_table_names_the_flag_the_variable_and_local(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["writeback", "revert", "f-1"]) == 2
    err = capsys.readouterr().err
    assert "no audit table: give --audit-table NAME, set AUDIT_TABLE_NAME, or --local" in err
    assert "Traceback" not in err and "Field required" not in err


def test_no_region_is_a_message_after_the_table_is_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PLEXLABOR_PLEX_API_KEY", "k")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance metadata to ask for a region
    code = main(["writeback", "revert", "f-1", "--audit-table", "audit-t", "--endpoint-url", "http://127.0.0.1:1"])
    err = capsys.readouterr().err
    assert code == 2
    assert "audit table audit-t at http://127.0.0.1:1 (region NOT SET: AWS_DEFAULT_REGION)" in err
    assert "no AWS region: set AWS_DEFAULT_REGION (e.g. us-east-1), or --local" in err and "Traceback" not in err


def test_local_without_a_running_runtime_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["writeback", "revert", "f-1", "--local"]) == 2
    path = tmp_path / "local-runtime.json"
    assert f"--local: no local runtime is running ({path} is missing); start one with `plexlabor local up`" in (
        capsys.readouterr().err
    )


def test_a_state_file_of_a_stopped_runtime_is_refused(tmp_path: Path) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    path = write_state(_state(int(finished.stdout)), tmp_path / "local-runtime.json")
    with pytest.raises(FileNotFoundError, match=r"\(pid \d+\) is not running"):
        read_state(path)


def test_the_state_gives_a_function_its_variables_and_the_moto_endpoint(tmp_path: Path) -> None:
    import os

    path = write_state(_state(os.getpid()), tmp_path / "local-runtime.json")
    assert json.loads(path.read_text())["tables"] == {"audit": "plexlabor-local-audit"}
    environment = read_state(path).environment("plex_writeback")
    assert environment["AUDIT_TABLE_NAME"] == "plexlabor-local-audit"
    assert environment["AWS_ENDPOINT_URL"] == "http://127.0.0.1:8781"
    assert environment["AWS_DEFAULT_REGION"] == environment["AWS_REGION"] == "us-east-1"
    with pytest.raises(ValueError, match="no function crew_planner"):
        read_state(path).environment("crew_planner")


@pytest.mark.parametrize("finding", ["", "  "])
def test_an_empty_finding_id_is_named_before_any_table_is_asked(
    finding: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a running local runtime (this process stands in for it)
    import os

    write_state(_state(os.getpid()), tmp_path / "local-runtime.json")
    # When the finding id is empty, Then FINDING is named in one line (before: DynamoDB's ValidationException)
    assert main(["writeback", "revert", finding, "--local"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("plexlabor: error: FINDING: give the id of the finding") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
