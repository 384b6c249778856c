"""`plexlabor local up`'s approval wait: a deployment's 8 h by default, so a demo's punch findings stay in the queue
while someone reads the other pages (ux_s15 #11: 300 s per stage let them expire within 15 minutes), and
`--approval-wait SECONDS` for those who want to see an escalation."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.constants import DEFAULT_APPROVAL_WAIT_SECONDS
from plexlabor_dev.cli import build_parser
from plexlabor_dev.local import cli as local_cli
from tests.unit.cli.test_local_up_crews import up_until_the_stack


@pytest.fixture(autouse=True)
def _state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local_cli, "state_path", lambda: tmp_path / "state.json")


@pytest.mark.parametrize(("argv", "wait_s"), [([], DEFAULT_APPROVAL_WAIT_SECONDS), (["--approval-wait", "300"], 300)])
def test_the_approval_wait_is_a_deployments_unless_asked(
    argv: list[str], wait_s: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert up_until_the_stack(argv, monkeypatch)["options"]["approval_wait_s"] == wait_s
    assert DEFAULT_APPROVAL_WAIT_SECONDS == 8 * 3600


@pytest.mark.parametrize("wait", ["0", "604801", "soon"])
def test_a_wait_a_deployment_would_refuse_is_refused_naming_the_flag(
    wait: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["local", "up", "--approval-wait", wait])
    assert exit_.value.code == 2 and "--approval-wait" in capsys.readouterr().err


def test_the_console_says_the_wait_in_hours_or_minutes() -> None:
    assert [local_cli.describe_wait(s) for s in (28800, 300, 90, 5400)] == ["8 h", "5 min", "90 s", "90 min"]
