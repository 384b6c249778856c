"""`plexlabor validate --policy FILE`: a plant tries the validation policy it will deploy (`plexlabor:validationPolicy`,
the same JSON object) on its own records; a bad policy is refused naming the file and the field, writing nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.findings import read_findings
from plexlabor_dev.cli import main
from plexlabor_dev.simulator.generator import PlantSpec
from tests.support import generated_plant

SMALL = PlantSpec(employees=12, weeks=2, seed=5, anomaly_rate=0.1)


@pytest.fixture(scope="module")
def small_plant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_plant(tmp_path_factory, "small-policy", SMALL)


def _validate(plant: Path, out: Path, policy: object | None = None, *extra: str) -> int:
    args = ["validate", "--plant", str(plant), "--out", str(out), "--quiet", *extra]
    if policy is not None:
        path = out.with_suffix(".policy.json")
        path.write_text(policy if isinstance(policy, str) else json.dumps(policy), encoding="utf-8")
        args += ["--policy", str(path)]
    return main(args)


@pytest.mark.parametrize(
    ("policy", "named"),
    [
        ({"pay_week_starts": "sun"}, "pay_week_starts: Input should be 'monday', 'tuesday'"),
        ({"grace": 5}, "grace: unknown field (fields: grace_minutes,"),
        ({"weekly_hours_limit": 0}, "weekly_hours_limit: Input should be greater than 0"),
        ({"review_threshold": 0.2}, "trend_threshold 0.3 is above review_threshold 0.2"),
        ("pay_week_starts: sunday", "not a JSON object"),
    ],
)
def test_a_bad_policy_is_refused_naming_the_file_and_the_field_and_nothing_is_written(
    small_plant: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], policy: object, named: str
) -> None:
    out = tmp_path / "findings.jsonl"
    code = _validate(small_plant, out, policy)
    err = capsys.readouterr().err
    assert code == 2
    assert f"plexlabor: error: --policy {out.with_suffix('.policy.json')}: {named}" in err
    assert "Traceback" not in err and not out.exists()


def test_a_policy_file_that_is_not_there_is_named(
    small_plant: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["validate", "--plant", str(small_plant), "--out", str(tmp_path / "f.jsonl"), "--policy", "nope.json"])
    assert code == 2 and "nope.json: No such file or directory" in capsys.readouterr().err


def test_the_policy_given_is_the_one_the_engine_applies(small_plant: Path, tmp_path: Path) -> None:
    # Given the plant validated with the code's policy, and with Sunday pay weeks and a 20-hour weekly limit
    default, sunday = tmp_path / "default.jsonl", tmp_path / "sunday.jsonl"
    assert _validate(small_plant, default) in (0, 1)
    assert _validate(small_plant, sunday, {"pay_week_starts": "sunday", "weekly_hours_limit": 20}) in (0, 1)

    def overtime(path: Path) -> list[dict[str, object]]:
        return [f.evidence for f in read_findings(path) if f.anomaly_type == AnomalyType.EXCESSIVE_OVERTIME]

    # Then the second run counts more weeks over the limit, each a week from a Sunday
    assert len(overtime(sunday)) > len(overtime(default))
    assert all(date.fromisoformat(str(e["week"])).weekday() == 6 for e in overtime(sunday))
