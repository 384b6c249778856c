"""`plexlabor validate` on bad input: bad records are named and skipped, bad windows and empty folders are
refused naming what is wrong, and a refused run leaves an earlier findings file as it was."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from plexlabor.plant import BadRecordError, PlantFolder
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.validation.findings import read_findings
from plexlabor_dev.cli import main
from plexlabor_dev.simulator.generator import PlantSpec
from tests.support import generated_plant

SMALL = PlantSpec(employees=12, weeks=2, seed=5, anomaly_rate=0.1)
PUNCHES = "time-clock-entries.jsonl"


@pytest.fixture(scope="module")
def small_plant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_plant(tmp_path_factory, "small", SMALL)


@pytest.fixture
def damaged(small_plant: Path, tmp_path: Path) -> tuple[Path, list[str]]:
    """A copy whose 6th punch has no clockinTime and whose 10th line is corrupted; the ids of both."""
    plant = tmp_path / "damaged"
    shutil.copytree(small_plant, plant)
    lines = (plant / PUNCHES).read_text(encoding="utf-8").splitlines()
    sixth, tenth = json.loads(lines[5]), json.loads(lines[9])
    del sixth["clockinTime"]
    lines[5] = json.dumps(sixth)
    lines[9] = lines[9].replace('"employeeId"', '"employeeId\x01"')
    (plant / PUNCHES).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return plant, [sixth["id"], tenth["id"]]


def _validate(plant: Path, out: Path, *extra: str) -> int:
    return main(["validate", "--plant", str(plant), "--out", str(out), "--quiet", *extra])


def test_bad_records_are_named_and_skipped_and_the_rest_is_validated(
    damaged: tuple[Path, list[str]], small_plant: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plant, (missing_id, corrupted_id) = damaged
    out = tmp_path / "findings.jsonl"
    # When the damaged plant is validated
    code = _validate(plant, out)
    err = capsys.readouterr().err
    # Then both bad lines are named by file, line, record and field, counted, and the exit code says so
    assert code == 1
    assert f"{plant / PUNCHES} line 6 (id {missing_id}): field 'clockinTime' is missing" in err
    assert f"{plant / PUNCHES} line 10 (id {corrupted_id}): not valid JSON" in err
    assert "2 bad records skipped" in err and "Traceback" not in err
    # and every other record was validated: the intact plant's findings are found, but for those near the two
    assert _validate(small_plant, tmp_path / "intact.jsonl") == 0
    intact = {f.finding_id for f in read_findings(tmp_path / "intact.jsonl")}
    found = {f.finding_id for f in read_findings(out)}
    assert len(intact) >= 5 and len(found & intact) >= len(intact) - 2


def test_the_folder_source_names_the_file_line_record_and_field(damaged: tuple[Path, list[str]]) -> None:
    plant, (missing_id, _) = damaged
    source = PlantFolderSource(plant)
    meta = PlantFolder(plant).meta()
    with pytest.raises(BadRecordError) as raised:
        source.time_clock_entries(meta.start, meta.end)
    assert str(raised.value) == f"{plant / PUNCHES} line 6 (id {missing_id}): field 'clockinTime' is missing"
    assert raised.value.field == "clockinTime"


@pytest.mark.parametrize(
    ("window", "message"),
    [
        (["--since", "2026-11-20", "--until", "2026-11-10"], "--since 2026-11-20 is after --until 2026-11-10"),
        (["--since", "2027-01-05"], "no punches in the window; the plant's punches run from"),
        (["--since", "2026-11-10T00:00"], "--since: '2026-11-10T00:00' has no time zone"),
        (["--until", "11/20/2026"], "--until: '11/20/2026' is neither a day (YYYY-MM-DD) nor an ISO 8601 time"),
    ],
)
def test_a_bad_window_is_refused_and_the_earlier_findings_stay(
    small_plant: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], window: list[str], message: str
) -> None:
    out = tmp_path / "findings.jsonl"
    out.write_text("earlier work\n", encoding="utf-8")
    assert _validate(small_plant, out, *window) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert out.read_text(encoding="utf-8") == "earlier work\n"


def test_a_folder_with_only_plant_json_is_an_error_naming_it(
    small_plant: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    shutil.copy(small_plant / "plant.json", empty / "plant.json")
    out = tmp_path / "findings.jsonl"
    assert _validate(empty, out) == 2
    assert f"--plant {empty}: no punches found" in capsys.readouterr().err
    assert not out.exists()


def test_a_day_is_the_plants_local_day(small_plant: Path, tmp_path: Path) -> None:
    # When a span of days is validated
    out = tmp_path / "findings.jsonl"
    assert _validate(small_plant, out, "--since", "2026-11-10", "--until", "2026-11-12") == 0
    # Then every finding is about a punch or labor entry of those local days (the last one included)
    plant = PlantFolder(small_plant)
    zone = ZoneInfo(plant.meta().timezone)
    starts = {f"time-clock-entries:{r['id']}": r["clockinTime"] for r in plant.iter_raw("time-clock-entries")}
    starts |= {f"labor-entries:{r['id']}": r["startTime"] for r in plant.iter_raw("labor-entries")}
    days = {
        datetime.fromisoformat(starts[f.record_key][:19] + "+00:00").astimezone(zone).date().isoformat()
        for f in read_findings(out)
        if f.record_key in starts
    }
    assert days and days <= {"2026-11-10", "2026-11-11", "2026-11-12"}


def test_out_a_folder_is_refused(small_plant: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _validate(small_plant, tmp_path) == 2
    assert f"--out {tmp_path}: is a folder" in capsys.readouterr().err


def test_two_processes_write_the_same_findings_and_name_the_same_bad_records(
    damaged: tuple[Path, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plant, _ = damaged
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert _validate(plant, one) == 1
    named_by_one = [line for line in capsys.readouterr().err.splitlines() if PUNCHES in line]
    assert _validate(plant, two, "--processes", "2") == 1
    assert [line for line in capsys.readouterr().err.splitlines() if PUNCHES in line] == named_by_one
    assert len(named_by_one) == 2 and read_findings(one) and two.read_bytes() == one.read_bytes()
