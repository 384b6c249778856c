"""Every recorded Plex sample in events/plex parses with its model.

The REST samples are bare JSON arrays named after their resource; the `datasource-*` samples are whole
Data Source API answers (one per shape), read through the same parser and column map as the client.
The samples were recorded from the simulator, not from a real tenant (see docs/plex-integration.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plexlabor.models import PLANT_MODELS, TimeClockEntry
from plexlabor.plex.datasource import map_columns, parse_datasource_response
from plexlabor.plex.defaults import DEFAULT_DATASOURCE_FIELDS, REST_READ_RESOURCES

SAMPLES = Path(__file__).resolve().parents[3] / "events" / "plex"
REST_SAMPLES = sorted(path for path in SAMPLES.glob("*.json") if not path.name.startswith("datasource-"))
DATASOURCE_SAMPLES = sorted(SAMPLES.glob("datasource-*.json"))


def test_there_is_one_sample_per_rest_resource_served() -> None:
    assert {path.stem for path in REST_SAMPLES} == set(REST_READ_RESOURCES)


@pytest.mark.parametrize("path", REST_SAMPLES, ids=lambda path: path.stem)
def test_each_rest_sample_is_a_bare_array_of_its_model(path: Path) -> None:
    rows = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(rows, list) and rows
    records = PLANT_MODELS[path.stem].from_plex_list(rows)
    assert [record.to_plex() for record in records] == rows  # round-trips, dates in Plex format


def test_the_punch_sample_includes_an_open_punch() -> None:
    rows = json.loads((SAMPLES / "time-clock-entries.json").read_text(encoding="utf-8"))
    assert any(TimeClockEntry.from_plex(row).is_open for row in rows)


@pytest.mark.parametrize("path", DATASOURCE_SAMPLES, ids=lambda path: path.stem)
def test_each_datasource_sample_maps_onto_its_model(path: Path) -> None:
    resource = path.stem.removeprefix("datasource-").rsplit("-", 1)[0]
    result = parse_datasource_response(json.loads(path.read_text(encoding="utf-8")))
    records = PLANT_MODELS[resource].from_plex_list(map_columns(result.rows, DEFAULT_DATASOURCE_FIELDS[resource]))
    assert records and result.transaction_no
