"""`plexlabor plant generate` never overwrites a plant by surprise, never removes unrelated files, and
refuses or announces very large plants."""

from __future__ import annotations

from pathlib import Path

import pytest

from plexlabor_dev.cli import main
from plexlabor_dev.simulator import generator
from plexlabor_dev.simulator.difficulty import NOISE_FILE
from plexlabor_dev.simulator.generator import PlantSpec, check_size
from plexlabor_dev.simulator.normals import NORMALS_FILE, read_truth

TINY = ["--employees", "6", "--weeks", "1", "--quiet"]


def _generate(out: Path, *extra: str) -> int:
    return main(["plant", "generate", "--out", str(out), *TINY, *extra])


def _never(*_: object) -> None:
    raise AssertionError("generate_plant called")


def _contents(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def test_an_existing_plant_is_kept_unless_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plant"
    assert _generate(out, "--seed", "1") == 0
    before = _contents(out)
    # When another plant is asked for in the same folder
    assert _generate(out, "--seed", "2") == 2
    # Then it is refused, naming the folder and --force, and the plant is untouched
    assert f"--out {out}: already holds a plant" in capsys.readouterr().err
    assert _contents(out) == before
    # When --force is given, Then the plant is replaced
    assert _generate(out, "--seed", "2", "--force") == 0
    after = _contents(out)
    assert after.keys() == before.keys() and after != before


@pytest.mark.parametrize("force", [False, True])
def test_unrelated_files_are_named_and_never_removed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], force: bool
) -> None:
    out = tmp_path / "plant"
    assert _generate(out) == 0
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "old-runs").mkdir()
    before = _contents(out)
    assert _generate(out, *(["--force"] if force else [])) == 2
    assert "holds a plant and other files (notes.txt, old-runs/)" in capsys.readouterr().err
    assert _contents(out) == before and (out / "old-runs").is_dir()


def test_a_folder_of_other_files_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "report.pdf").write_bytes(b"%PDF")
    assert _generate(tmp_path, "--force") == 2
    assert "holds files that are not a plant's (report.pdf)" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


def test_an_empty_folder_is_used(tmp_path: Path) -> None:
    assert _generate(tmp_path) == 0
    assert (tmp_path / "plant.json").is_file()


def test_an_absurd_size_is_refused_with_an_estimate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(generator, "generate_plant", _never)  # were the refusal to fail: no terabytes written
    out = tmp_path / "huge"
    assert main(["plant", "generate", "--out", str(out), "--employees", "10000000"]) == 2
    err = capsys.readouterr().err
    assert "--employees 10,000,000: at most 50,000 (this one would be about" in err and " GB " in err
    assert not out.exists()


def test_a_large_plant_gets_an_estimate_first(tmp_path: Path) -> None:
    note = check_size(PlantSpec(employees=5000, weeks=26), tmp_path / "big")
    assert note is not None and note.startswith("plant generate: 5,000 employees x 26 weeks: about 2.6 GB and")
    assert check_size(PlantSpec(employees=20, weeks=4), tmp_path / "small") is None


def test_hard_normals_are_switched_on_by_name_or_all(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _generate(tmp_path / "two", "--hard-normals", "rest_breaks, rotation") == 0
    assert {day.pattern for day in read_truth(tmp_path / "two")} <= {"rest_breaks", "rotation"}
    assert _generate(tmp_path / "all", "--hard-normals", "all") == 0
    assert (tmp_path / "all" / NORMALS_FILE).exists()
    assert _generate(tmp_path / "bad", "--hard-normals", "rest_breaks,night_owls") == 2
    assert "--hard-normals: unknown night_owls (known: all, rotation," in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()


def test_difficulty_is_chosen_by_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _generate(tmp_path / "hard", "--difficulty", "hard", "--anomaly-rate", "0.3") == 0
    assert (tmp_path / "hard" / NOISE_FILE).exists()
    assert _generate(tmp_path / "bad", "--difficulty", "brutal") == 2
    assert "--difficulty 'brutal': must be one of easy, realistic, hard" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()
