"""Plain rows (`plex.plain`, the batch's reader) read exactly what the models read, or leave it to them.

The check may refuse a record the model would read (the model then reads it), but must never take one
the model refuses or read a value differently. Then a plant folder read as plain rows, bad lines and all,
against the same folder read through the models.
"""

from __future__ import annotations

import json
import sys
import tarfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic_core import from_json

from plexlabor import models
from plexlabor.models import PlexDataError
from plexlabor.plant import BadRecordError, PlantFolder
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.plain import plain_check, plain_columns, plain_of
from plexlabor.validation.data import PlantData
from plexlabor.validation.source import read_plant_data, read_plant_snapshot

WINDOWED_KINDS = (
    "time-clock-entries",
    "labor-entries",
    "workcenter-events",
    "badge-swipes",
    "shift-assignments",
    "downtime-entries",
)
PLANT = Path(__file__).parents[1] / "validation" / "golden" / "plant.tar.xz"

PUNCH = {
    "id": "p-1",
    "employeeId": "e-1",
    "clockinTime": "2026-05-23T09:49:45.1510679Z",
    "clockoutTime": "2026-05-23T14:30:32.7103810Z",
    "clockinDeviceId": "MOBILE-APP",
    "clockinLatitude": 42.336397,
    "clockinLongitude": -83,
    "biometricScore": 0.93,
    "source": "Mobile",
    "createdDate": "2026-05-23T09:49:45.1510670Z",
}
TIMES = [
    "2026-05-23T09:49:45.1510679Z",
    "2026-05-23T09:49:45.1Z",
    "2026-05-23T09:49:45Z",
    "2026-05-23T09:49:45.1510670+00:00",
    "2026-05-23T11:49:45.1510670+02:00",
    "2026-05-23 09:49:45.1510670Z",
    "2026-05-23T09:49:45.1510670",
    "2026-13-23T09:49:45.1510670Z",
    "2026-02-30T09:49:45.1510670Z",
    "2026-05-23T24:00:00.0000000Z",
    "2026-05-23T23:59:60.0000000Z",
    "2026-W21-6T09:49:45.151067Z",
    "20260523T094945.1510670Z",
    "２０２６-05-23T09:49:45.1510670Z",
    1779529785,
    None,
    "",
]
IDS = ["p-1", " p-1", "p-1 ", "\tp-1", "", "x" * 64, "x" * 65, "pé", "p\u00a0", "p\x1c", 7, None, True]
NUMBERS = [0, 1, 1.5, -0.25, 2**60, "1.5", True, float("nan"), float("inf"), None, [1]]
SOURCES = ["Device", "Mobile", "Manual", "device", "", 1, None, ["Device"]]


def _variants() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [dict(PUNCH)]
    rows += [{**PUNCH, "clockinTime": value} for value in TIMES]
    rows += [{**PUNCH, "clockoutTime": value} for value in TIMES]
    rows += [{**PUNCH, "id": value} for value in IDS] + [{**PUNCH, "clockinDeviceId": value} for value in IDS]
    rows += [{**PUNCH, "biometricScore": value} for value in NUMBERS]
    rows += [{**PUNCH, "clockinLatitude": value} for value in NUMBERS]
    rows += [{**PUNCH, "source": value} for value in SOURCES]
    rows += [{key: value for key, value in PUNCH.items() if key != missing} for missing in PUNCH]
    rows += [{**PUNCH, "employee_id": "e-2"}, {**PUNCH, "unknownField": 1}, {**PUNCH, "modifiedBy": 3}]
    return rows


@pytest.mark.parametrize("row", _variants(), ids=lambda row: json.dumps(row, default=str)[:80])
def test_a_plain_row_is_what_the_model_reads_or_nothing(row: dict[str, Any]) -> None:
    check = plain_check(models.TimeClockEntry)
    assert check is not None
    plain = check(dict(row))
    assert plain is not None or row != PUNCH, "the plain check refused the plain punch itself"
    try:
        model: models.TimeClockEntry | None = models.TimeClockEntry.from_plex(row)
    except PlexDataError:
        model = None
    if plain is not None:
        assert model is not None, "the plain check took a record the model refuses"
        expected = plain_of(model)
        assert {key: plain[key] for key in expected} == expected
        assert all(type(plain[key]) is type(value) for key, value in expected.items())


@pytest.mark.parametrize("row", _variants(), ids=lambda row: json.dumps(row, default=str)[:80])
def test_records_checked_at_once_are_the_plain_rows_or_left_to_the_check(row: dict[str, Any]) -> None:
    check, columns = plain_check(models.TimeClockEntry), plain_columns(models.TimeClockEntry)
    assert check is not None and columns is not None
    items = [dict(PUNCH), dict(row), dict(PUNCH, clockinTime="2026-05-23T09:49:45.1Z", biometricScore=None)]
    one_by_one = [check(dict(item)) for item in items]
    at_once = columns(items)
    if None in one_by_one:
        assert at_once is None, "records taken at once where the check refuses one of them"
        assert items == [PUNCH, row, dict(PUNCH, clockinTime="2026-05-23T09:49:45.1Z", biometricScore=None)]
    elif at_once is not None:
        assert at_once == one_by_one
        assert [list(map(type, r.values())) for r in at_once] == [
            list(map(type, r.values())) for r in one_by_one if r is not None
        ]
    assert columns([dict(PUNCH)]) == [check(dict(PUNCH))], "the plain punch itself is not taken at once"


@pytest.mark.parametrize("by_name", ["employee_id", "clockout_device_id"])
def test_a_field_given_by_its_python_name_instead_of_its_alias_is_left_to_the_model(by_name: str) -> None:
    # Given punches giving every field by its alias, and one giving a field by its Python name instead (as many keys:
    # the model reads a name too, so only the model may say what that punch holds)
    aliases = [str(info.alias) for info in models.TimeClockEntry.model_fields.values()]
    full: dict[str, Any] = {alias: PUNCH.get(alias) for alias in aliases}
    alias = str(models.TimeClockEntry.model_fields[by_name].alias)
    renamed = {**{key: value for key, value in full.items() if key != alias}, by_name: "DOOR-1"}
    items = [dict(full), renamed, dict(full)]
    check, columns = plain_check(models.TimeClockEntry), plain_columns(models.TimeClockEntry)
    assert check is not None and columns is not None
    # When they are checked at once
    at_once = columns(items)
    # Then none is taken (each goes to the check, which leaves the renamed one to the model), and none is changed
    assert at_once is None and check(dict(renamed)) is None
    assert items == [full, renamed, full]
    assert columns([dict(full), dict(full)]) == [check(dict(full))] * 2  # without it, they are taken at once


def test_dates_read_at_once_are_those_read_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every day of four centuries' leap years and month ends, and times across each day, against `fromisoformat`."""
    moments = [
        f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}.{fraction}Z"
        for year in (1, 1600, 1900, 1969, 1970, 2000, 2024, 2026, 2100, 9999)
        for month in (1, 2, 3, 12)
        for day in (1, 28, 29, 30, 31)
        for hour, minute, second, fraction in ((0, 0, 0, "0000000"), (23, 59, 59, "9999999"), (12, 5, 7, "1510679"))
    ]
    columns = plain_columns(models.BadgeSwipe)
    check = plain_check(models.BadgeSwipe)
    assert columns is not None and check is not None
    swipe = {"id": "s", "employeeId": "e", "deviceId": "DOOR-1", "buildingCode": "B1", "direction": "In"}
    read = 0
    for moment in moments:
        one = check({**swipe, "swipeTime": moment})
        many = columns([{**swipe, "swipeTime": moment}])
        assert (many is None) == (one is None), moment
        if one is not None:
            assert many == [one] and many[0]["swipeTime"] == datetime.fromisoformat(moment).timestamp(), moment
            read += 1
    assert 0 < read < len(moments)  # some days are not days (Feb 30, Feb 29 of 1900): refused either way
    at_once = columns([{**swipe, "swipeTime": moment} for moment in moments if check({**swipe, "swipeTime": moment})])
    assert at_once is not None and len(at_once) == read
    monkeypatch.setitem(sys.modules, "numpy", None)  # a dependency layer without NumPy: one at a time, the same
    assert columns([{**swipe, "swipeTime": row["swipeTime"]} for row in at_once]) is None
    assert (
        columns([{**swipe, "swipeTime": moment} for moment in moments if check({**swipe, "swipeTime": moment})])
        == at_once
    )


def test_every_record_of_a_generated_plant_is_taken_by_the_plain_check(tmp_path: Path) -> None:
    folder = _plant(tmp_path / "plant")
    for resource in WINDOWED_KINDS:
        check = plain_check(models.PLANT_MODELS[resource])
        assert check is not None
        lines = folder.file_for(resource).read_bytes().splitlines()
        assert lines and all(check(from_json(line)) is not None for line in lines), resource


def _plant(into: Path) -> PlantFolder:
    with tarfile.open(PLANT) as archive:
        archive.extractall(into, filter="data")
    return PlantFolder(into)


def _spoil(folder: PlantFolder) -> None:
    """Bad lines among good ones, and records in forms the model reads but the plain check leaves to it."""
    for resource, bad in (
        ("time-clock-entries", {"clockinTime": None}),  # below: the same time without its zone
        ("labor-entries", {"quantity": -1}),
        ("workcenter-events", {"eventType": "Coffee"}),
    ):
        path = folder.file_for(resource)
        lines = path.read_text().splitlines()
        first, second = json.loads(lines[3]), json.loads(lines[10])
        first.update(bad)
        if "clockinTime" in bad:
            first["clockinTime"] = json.loads(lines[3])["clockinTime"].removesuffix("Z")
        second["id"] = f" {second['id']} "  # the model trims it: read by the model, not refused
        lines[3], lines[10] = json.dumps(first), json.dumps(second)
        lines.insert(20, "{not json")
        path.write_text("\n".join(lines) + "\n")
    path = folder.file_for("badge-swipes")
    lines = path.read_text().splitlines()
    swipe = json.loads(lines[5])
    swipe["swipeTime"] = swipe["swipeTime"].replace("Z", "+00:00")
    lines[5] = json.dumps(swipe)
    path.write_text("\n".join(lines) + "\n")


def _index(data: PlantData) -> dict[str, Any]:
    names = ("schedules", "punches", "labor", "swipes", "sessions", "wc_sessions", "runs", "downtime")
    return {name: dict(getattr(data, name)) for name in names} | {"first_labor": data.first_labor}


@pytest.mark.parametrize("spoiled", [False, True])
def test_a_folder_read_as_plain_rows_is_indexed_as_through_the_models(tmp_path: Path, spoiled: bool) -> None:
    folder = _plant(tmp_path / "plant")
    if spoiled:
        _spoil(folder)
    meta = folder.meta()
    plain_source = PlantFolderSource(folder, skip_bad_records=True)
    model_source = PlantFolderSource(folder, skip_bad_records=True)
    plain = read_plant_data(plain_source, meta.start, meta.end, meta.timezone)
    through_models = PlantData.from_snapshot(
        read_plant_snapshot(model_source, meta.start, meta.end, meta.timezone), meta.end.timestamp()
    )
    assert _index(plain) == _index(through_models)
    assert plain_source.skipped == model_source.skipped
    assert len(plain_source.skipped) == (6 if spoiled else 0)
    if spoiled:
        assert any(bad.field == "quantity" and bad.record_id for bad in plain_source.skipped)
        with pytest.raises(BadRecordError, match=r"time-clock-entries\.jsonl line 4 .*clockinTime"):
            read_plant_data(PlantFolderSource(folder), meta.start, meta.end, meta.timezone)


def test_a_bad_record_far_outside_the_window_is_not_read_when_the_window_holds_the_whole_plant(tmp_path: Path) -> None:
    """Every record of the whole extract is parsed at once; one bad record sends the file back through the
    date pre-filter, which leaves out a bad line dated long before the extract, as it did before."""
    folder = _plant(tmp_path / "plant")
    path = folder.file_for("labor-entries")
    lines = path.read_text().splitlines()
    far = json.loads(lines[0]) | {"id": "far-away", "startTime": "2020-01-06T08:00:00.0000000Z", "quantity": -1}
    path.write_text("\n".join([*lines, json.dumps(far, separators=(",", ":"))]) + "\n")
    meta = folder.meta()
    source = PlantFolderSource(folder)  # raises on a bad record it reads
    data = read_plant_data(source, meta.start, meta.end, meta.timezone)
    assert source.skipped == [] and sum(map(len, data.labor.values())) == len(lines)
    far["startTime"] = meta.start.strftime("%Y-%m-%dT%H:%M:%S.0000000Z")  # within the window: named
    path.write_text("\n".join([*lines, json.dumps(far, separators=(",", ":"))]) + "\n")
    with pytest.raises(BadRecordError, match=r"labor-entries\.jsonl line .*quantity"):
        read_plant_data(PlantFolderSource(folder), meta.start, meta.end, meta.timezone)
