"""`plexlabor local up --policy FILE`: the local runtime runs with the validation policy a deployment would get from
`plexlabor:validationPolicy` (the same JSON object), read before anything starts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plexlabor_dev.cli import main
from plexlabor_dev.local import cli as local_cli
from tests.unit.cli.test_local_up_crews import up_until_the_stack


@pytest.fixture(autouse=True)
def _state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local_cli, "state_path", lambda: tmp_path / "state.json")


def test_the_policy_given_reaches_the_local_stack_as_a_deployment_gets_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"pay_week_starts": "sunday", "review_threshold": 0.8}), encoding="utf-8")
    options = up_until_the_stack(["--policy", str(policy)], monkeypatch)["options"]
    assert json.loads(options["validation_policy"]) == {"pay_week_starts": "sunday", "review_threshold": 0.8}
    assert up_until_the_stack([], monkeypatch)["options"]["validation_policy"] is None


def test_a_bad_policy_is_refused_naming_the_field_before_anything_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_stack(*args: object, **kwargs: object) -> None:
        raise AssertionError("the stack was started")

    monkeypatch.setattr(local_cli, "LocalStack", no_stack)
    policy = tmp_path / "policy.json"
    policy.write_text('{"pay_week_starts": "sun"}', encoding="utf-8")
    assert main(["local", "up", "--policy", str(policy)]) == 2
    assert f"--policy {policy}: pay_week_starts: Input should be 'monday'" in capsys.readouterr().err
