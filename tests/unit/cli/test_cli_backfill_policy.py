"""`plexlabor backfill --plant DIR --policy FILE`: the local backfill validates with the policy a deployment would get
from `plexlabor:validationPolicy`; a deployed stack (`--stack`) applies its own, so `--policy` there is refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from plexlabor_dev.cli import main
from plexlabor_dev.local import stack as local_stack
from plexlabor_dev.simulator.generator import PlantSpec
from tests.support import generated_plant


class Started(Exception):
    pass


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_plant(tmp_path_factory, "backfill-policy", PlantSpec(employees=5, weeks=1, seed=3))


def _policy(tmp_path: Path, text: str) -> str:
    path = tmp_path / "policy.json"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_local_backfill_runs_with_the_policy_given(
    plant: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def stack(plant_dir: Path, **options: Any) -> None:
        seen.update(options)
        raise Started

    monkeypatch.setattr(local_stack, "LocalStack", stack)
    with pytest.raises(Started):
        main(["backfill", "--plant", str(plant), "--policy", _policy(tmp_path, '{"pay_week_starts": "sunday"}')])
    assert json.loads(seen["validation_policy"]) == {"pay_week_starts": "sunday"}


@pytest.mark.parametrize(
    ("where", "named"),
    [("--plant", "pay_week_starts: Input should be 'monday'"), ("--stack", "--policy: a deployed stack validates")],
)
def test_a_bad_policy_or_one_for_a_deployed_stack_is_refused(
    plant: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str, named: str
) -> None:
    target = str(plant) if where == "--plant" else "plexlabor-prod"
    assert main(["backfill", where, target, "--policy", _policy(tmp_path, '{"pay_week_starts": "sun"}')]) == 2
    assert named in capsys.readouterr().err
