"""Data Source API: both answer shapes, the column map, row-limit flags (a wrong Basic auth password:
test_plex_client_http, with the REST key)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from plexlabor.plex import (
    PlantFolderSource,
    PlexDataError,
    PlexLaborClient,
    PlexNotFoundError,
    PlexRequestError,
    PlexRowLimitError,
    PlexServerError,
    PlexSettings,
)
from plexlabor.plex.datasource import DataSourceTransport
from plexlabor.plex.defaults import DEFAULT_DATASOURCE_IDS
from plexlabor_dev.simulator.sample_plant import DEFAULT_START as PLANT_START
from plexlabor_dev.simulator.server import SimulatorServer

SWIPES = DEFAULT_DATASOURCE_IDS["badge-swipes"]


def _execute(sim: SimulatorServer, datasource_id: int, inputs: dict, query: str = "") -> requests.Response:
    return requests.post(
        f"{sim.base_url}/api/datasources/{datasource_id}/execute{query}",
        json={"inputs": inputs},
        auth=("sim-user", "sim-password"),
        timeout=5,
    )


def test_the_default_answer_is_tables_with_tenant_column_names(plex_sim: SimulatorServer) -> None:
    # When a dated data source is executed with a one-day window
    answer = _execute(
        plex_sim, SWIPES, {"Begin_Date": "2026-03-02T00:00:00Z", "End_Date": "2026-03-03T00:00:00Z"}
    ).json()
    # Then it is the tables shape, with Plex-style column names unlike the model fields
    assert set(answer) >= {"outputs", "tables", "transactionNo"}
    table = answer["tables"][0]
    assert "Employee_Key" in table["columns"] and "employeeId" not in table["columns"]
    assert len(table["rows"]) == 4 and isinstance(table["rows"][0], list)


def test_format_2_answers_rows_objects(plex_sim: SimulatorServer) -> None:
    answer = _execute(plex_sim, DEFAULT_DATASOURCE_IDS["shifts"], {}, "?format=2").json()
    assert "tables" not in answer
    assert answer["rows"][0]["Shift_Key"] == "SH1"


@pytest.mark.parametrize("datasource_format", [None, 2], ids=["tables", "rows"])
def test_the_client_reads_both_shapes_into_the_same_models(
    plex_settings: Callable[..., PlexSettings], plex_sample_plant: Path, datasource_format: int | None
) -> None:
    # Given a client asking for either answer shape
    client = PlexLaborClient(plex_settings(datasource_format=datasource_format))
    folder = PlantFolderSource(plex_sample_plant)
    begin, end = PLANT_START, PLANT_START + timedelta(days=30)
    # When it reads every data source / Then the models equal the plant folder's
    assert client.buildings() == folder.buildings()
    assert client.clock_devices() == folder.clock_devices()
    assert client.shifts() == folder.shifts()
    assert client.skills() == folder.skills()
    assert client.certifications() == folder.certifications()
    assert client.workcenter_requirements() == folder.workcenter_requirements()
    assert client.shift_assignments(begin, end) == folder.shift_assignments(begin, end)
    assert client.workcenter_events(begin, end) == folder.workcenter_events(begin, end)
    assert client.badge_swipes(begin, end) == folder.badge_swipes(begin, end)
    assert client.scrap_entries(begin, end) == folder.scrap_entries(begin, end)
    assert client.downtime_entries(begin, end) == folder.downtime_entries(begin, end)
    assert client.nonconformances(begin, end) == folder.nonconformances(begin, end)
    assert len(client.badge_swipes(begin, end)) == 30 * 4


def test_dated_data_sources_are_chunked_like_rest(plex_sim: SimulatorServer, plex_client: PlexLaborClient) -> None:
    plex_client.badge_swipes(PLANT_START, PLANT_START + timedelta(days=30))
    calls = [c for c in plex_sim.requests() if c["path"] == f"/api/datasources/{SWIPES}/execute"]
    assert len(calls) == 5


def test_the_field_map_is_what_turns_columns_into_model_fields(
    plex_settings: Callable[..., PlexSettings],
) -> None:
    # Given a tenant map that names the wrong column for the shift key
    client = PlexLaborClient(plex_settings(datasource_fields={"shifts": {"shiftId": "Shift_No"}}))
    # When shifts are read / Then the record cannot be parsed and the error names the field
    with pytest.raises(PlexDataError, match="shiftId"):
        client.shifts()


@pytest.mark.parametrize("flag", ["rowLimitExceeded", "RowLimitExceeded", "row_limit_exceeded"])
def test_every_row_limit_spelling_raises_by_default(
    plex_sim: SimulatorServer, plex_client: PlexLaborClient, flag: str
) -> None:
    # Given a data source that stops at 5 rows and flags it with one of the spellings seen in the wild
    plex_sim.set_config(datasource_row_limit=5, row_limit_flag=flag)
    # When more rows exist / Then the truncation is an error, not silently missing data
    with pytest.raises(PlexRowLimitError, match="row limit"):
        plex_client.badge_swipes(PLANT_START, PLANT_START + timedelta(days=7))


def test_a_row_limit_can_be_downgraded_to_a_warning(
    plex_sim: SimulatorServer,
    plex_settings: Callable[..., PlexSettings],
    caplog: pytest.LogCaptureFixture,
) -> None:
    plex_sim.set_config(datasource_row_limit=5)
    client = PlexLaborClient(plex_settings(datasource_row_limit="warn"))
    with caplog.at_level(logging.WARNING, logger="plexlabor.plex.datasource"):
        swipes = client.badge_swipes(PLANT_START, PLANT_START + timedelta(days=7))
    assert len(swipes) == 5
    assert any("row limit" in record.getMessage() for record in caplog.records)


def test_an_unknown_data_source_id_raises_not_found(plex_settings: Callable[..., PlexSettings]) -> None:
    client = PlexLaborClient(plex_settings(datasources={"shifts": 1}))
    with pytest.raises(PlexNotFoundError, match="not enabled"):
        client.shifts()


def test_an_unknown_input_is_rejected_by_name(plex_sim: SimulatorServer) -> None:
    answer = _execute(plex_sim, DEFAULT_DATASOURCE_IDS["shifts"], {"Plant": "B1"})
    assert answer.status_code == 400
    assert "Plant" in answer.json()["message"]


def test_data_source_errors_in_a_200_answer_are_raised(plex_client: PlexLaborClient) -> None:
    # A client-level check of the parser on a real answer is in the unit tests; here the transport
    # maps a 400 from the server (unknown input) to a typed request error.
    with pytest.raises(PlexRequestError, match="Unknown input"):
        plex_client.datasource.execute(DEFAULT_DATASOURCE_IDS["shifts"], {"Plant": "B1"})


def test_a_read_only_data_source_is_retried_and_one_that_writes_is_sent_once(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings]
) -> None:
    shifts = DEFAULT_DATASOURCE_IDS["shifts"]
    path = f"/api/datasources/{shifts}/execute"
    transport = DataSourceTransport(plex_settings())
    # Given two 500s in a row: a read is asked again until it is answered
    plex_sim.set_faults(next=["500", "500"])
    assert transport.execute(shifts).rows
    assert [c["status"] for c in plex_sim.requests() if c["path"] == path] == [500, 500, 200]
    # Given one 500: a data source that writes fails on it, asked once (Plex may have applied it)
    plex_sim.set_faults(next=["500"])
    with pytest.raises(PlexServerError):
        transport.execute(shifts, read_only=False)
    assert [c["status"] for c in plex_sim.requests() if c["path"] == path] == [500, 500, 200, 500]
    transport.close()
