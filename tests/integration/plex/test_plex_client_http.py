"""PlexLaborClient and ConnectTransport against the simulator over real HTTP on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from plexlabor.plex import (
    PlantFolderSource,
    PlexAuthError,
    PlexConnectionError,
    PlexLaborClient,
    PlexNotFoundError,
    PlexRateLimitedError,
    PlexRequestError,
    PlexServerError,
    PlexSettings,
    PlexTimeoutError,
)
from plexlabor.plex.windows import modified_marker
from plexlabor_dev.simulator.sample_plant import DEFAULT_START as PLANT_START
from plexlabor_dev.simulator.server import SimulatorServer


def _calls(sim: SimulatorServer, path: str) -> list[dict]:
    return [entry for entry in sim.requests() if entry["path"] == path]


def test_employees_answer_a_bare_json_array_with_the_key_and_401_without(plex_sim: SimulatorServer) -> None:
    # Given the simulator and the documented curl call
    url = plex_sim.base_url + "/mdm/v1/employees"
    # When we call it with and without the API key
    with_key = requests.get(url, headers={"X-Plex-Connect-Api-Key": "sim-key"}, timeout=5)
    without_key = requests.get(url, timeout=5)
    # Then the first is a bare array of camelCase employees and the second the 401 envelope
    assert with_key.status_code == 200
    assert with_key.headers["Content-Type"].startswith("application/json")
    body = with_key.json()
    assert isinstance(body, list) and body and "employeeNo" in body[0]
    assert without_key.status_code == 401
    assert set(without_key.json()) == {"code", "message", "errors"}


@pytest.mark.parametrize(
    ("setting", "wrong", "read", "meaning"),
    [
        ("api_key", "not-the-key", "employees", "bad key or API product not subscribed"),  # REST: both causes
        ("datasource_password", "wrong", "shifts", "username/password"),  # Data Source API: Basic auth
    ],
)
def test_a_wrong_credential_raises_auth_error_saying_what_401_means_and_never_showing_it(
    plex_settings: Callable[..., PlexSettings], setting: str, wrong: str, read: str, meaning: str
) -> None:
    # Given a client with the wrong key or data source password
    client = PlexLaborClient(plex_settings(**{setting: wrong}))
    # When it reads / Then it raises PlexAuthError saying what 401 means on that API
    with pytest.raises(PlexAuthError, match=meaning) as caught:
        getattr(client, read)()
    assert caught.value.status == 401
    assert wrong not in str(caught.value)


def test_a_429_is_retried_after_the_servers_retry_after(
    plex_sim: SimulatorServer, plex_client: PlexLaborClient
) -> None:
    # Given the next call is answered 429 with Retry-After: 1
    plex_sim.set_faults(next=["429"], retry_after_s=1)
    # When the client reads employees
    started = time.monotonic()
    employees = plex_client.employees()
    elapsed = time.monotonic() - started
    # Then it waited about the Retry-After and succeeded on the second call
    assert len(employees) == 4
    assert [c["status"] for c in _calls(plex_sim, "/mdm/v1/employees")] == [429, 200]
    assert 0.9 <= elapsed < 5


def test_a_retry_after_beyond_the_cap_is_capped(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings]
) -> None:
    # Given the server asks for 30 s and the client caps Retry-After at 0 s (falls back to its backoff)
    plex_sim.set_faults(next=["429"], retry_after_s=30)
    client = PlexLaborClient(plex_settings(retry_after_max_s=0))
    # When it reads
    started = time.monotonic()
    client.workcenters()
    # Then it did not wait 30 s
    assert time.monotonic() - started < 3


def test_500s_are_retried_until_success(plex_sim: SimulatorServer, plex_client: PlexLaborClient) -> None:
    # Given two 500s in a row
    plex_sim.set_faults(next=["500", "500"])
    # When the client reads jobs / Then the third attempt succeeds
    assert len(plex_client.jobs()) == 3
    assert [c["status"] for c in _calls(plex_sim, "/scheduling/v1/jobs")] == [500, 500, 200]


def test_500_forever_raises_server_error_after_max_retries(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings]
) -> None:
    # Given every call fails with 500 and the client allows 2 retries
    plex_sim.set_faults(rate_500=1.0)
    client = PlexLaborClient(plex_settings(max_retries=2))
    # When it reads / Then PlexServerError after 1 + 2 attempts
    with pytest.raises(PlexServerError) as caught:
        client.jobs()
    assert caught.value.status == 500 and caught.value.code == "INTERNAL_SERVER_ERROR"
    assert len(_calls(plex_sim, "/scheduling/v1/jobs")) == 3


def test_a_slow_answer_raises_timeout_error(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings]
) -> None:
    # Given answers take 3 s and the client waits 100 ms, with one retry (the answer must be far later
    # than the timeout: on a loaded machine a client thread scheduled late finds a 400 ms answer waiting)
    plex_sim.set_faults(latency_ms=3000)
    client = PlexLaborClient(plex_settings(timeout_s=0.1, max_retries=1))
    # When it reads / Then PlexTimeoutError, well before the latency of one full answer
    started = time.monotonic()
    with pytest.raises(PlexTimeoutError):
        client.employees()
    assert time.monotonic() - started < 2.5


def test_a_dropped_connection_is_retried_for_gets(plex_sim: SimulatorServer, plex_client: PlexLaborClient) -> None:
    # Given the next connection is dropped without an answer
    plex_sim.set_faults(next=["drop"])
    # When the client reads / Then the retry succeeds
    assert len(plex_client.user_accounts()) == 4


def test_connections_dropped_forever_raise_connection_error(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings]
) -> None:
    plex_sim.set_faults(rate_drop=1.0)
    client = PlexLaborClient(plex_settings(max_retries=1))
    with pytest.raises(PlexConnectionError):
        client.user_accounts()


def test_a_30_day_window_is_read_in_five_7_day_chunks_without_gaps_or_duplicates(
    plex_edge_plant: Path, plex_fast_retries: dict
) -> None:
    # Given punches exactly at midnight every day (so on every chunk edge) and inclusive server bounds
    with SimulatorServer(plex_edge_plant, rate_limit=0) as sim:
        client = PlexLaborClient(sim.settings(**plex_fast_retries))
        begin, end = PLANT_START, PLANT_START + timedelta(days=30)
        # When the client reads 30 days with 7-day chunks
        entries = client.time_clock_entries(begin, end)
        calls = _calls(sim, "/hcm/v1/time-clock-entries")
    # Then five calls were made, every punch in [begin, end) came back once, and none outside
    assert len(calls) == 5
    ids = [entry.id for entry in entries]
    assert len(ids) == len(set(ids))
    expected = PlantFolderSource(plex_edge_plant).time_clock_entries(begin, end)
    assert ids == [entry.id for entry in expected]
    assert len(ids) == 30 * 3
    assert {entry.clockin_time for entry in entries} >= {begin + timedelta(days=7 * n) for n in range(5)}
    assert all(begin <= entry.clockin_time < end for entry in entries)


def test_the_employee_filter_is_sent_and_honoured(plex_client: PlexLaborClient) -> None:
    begin = PLANT_START
    entries = plex_client.time_clock_entries(begin, begin + timedelta(days=10), employee_id="E0002")
    assert len(entries) == 10
    assert {entry.employee_id for entry in entries} == {"E0002"}


def test_incremental_polling_by_modified_date_sees_every_change_once(
    plex_sim: SimulatorServer, plex_client: PlexLaborClient, plex_sample_plant: Path
) -> None:
    # Given a poller that advances a cursor one day at a time over the whole plant (+2 days for edits)
    cursor, stop = PLANT_START, PLANT_START + timedelta(days=38)
    seen: dict[str, object] = {}
    polls = 0
    # When it polls [cursor, cursor + 1 day) repeatedly
    while cursor < stop:
        until = cursor + timedelta(days=1)
        for entry in plex_client.time_clock_entries_modified(cursor, until):
            assert entry.id not in seen, "a change was delivered twice"
            assert cursor <= modified_marker(entry) < until
            seen[entry.id] = entry
        cursor, polls = until, polls + 1
    # Then every punch was delivered exactly once, edited punches in the window of their edit
    every = PlantFolderSource(plex_sample_plant).time_clock_entries(PLANT_START, stop)
    assert set(seen) == {entry.id for entry in every}
    edited = [entry for entry in every if entry.modified_date is not None]
    assert edited and all(
        entry.modified_date is not None and entry.modified_date.date() > entry.clockin_time.date() for entry in edited
    )
    assert polls == 38


def test_labor_entries_without_dates_is_a_400_naming_the_parameters(plex_client: PlexLaborClient) -> None:
    # Given the labor-entries path without beginDate/endDate
    path = plex_client.settings.path_for("labor-entries")
    # When it is read / Then a typed 400 error names both parameters
    with pytest.raises(PlexRequestError, match="beginDate") as caught:
        plex_client.connect.get_list(path)
    assert caught.value.status == 400
    assert "endDate" in str(caught.value)
    assert {item["target"] for item in caught.value.errors} == {"beginDate", "endDate"}


def test_labor_entries_are_read_by_start_time(plex_client: PlexLaborClient, plex_sample_plant: Path) -> None:
    begin, end = PLANT_START + timedelta(days=3), PLANT_START + timedelta(days=12)
    entries = plex_client.labor_entries(begin, end)
    assert entries == PlantFolderSource(plex_sample_plant).labor_entries(begin, end)
    assert len(entries) == 9 * 4


def test_a_no_data_404_is_an_empty_list_but_an_unknown_path_raises(
    plex_sim: SimulatorServer, plex_client: PlexLaborClient
) -> None:
    # Given a simulator that answers empty reads with 404 and an empty body, as Plex may
    plex_sim.set_config(empty_as_404=True)
    far = PLANT_START + timedelta(days=400)
    # When a window without data is read / Then it is an empty list
    assert plex_client.time_clock_entries(far, far + timedelta(days=1)) == []
    # And a wrong path is still an error
    with pytest.raises(PlexNotFoundError, match="No resource"):
        plex_client.connect.get_list("/mdm/v1/no-such-resource")


def test_operations_are_read_per_job_and_for_all_jobs(plex_client: PlexLaborClient) -> None:
    assert [op.id for op in plex_client.job_operations("J2")] == ["J2-OP1", "J2-OP2"]
    assert len(plex_client.job_operations()) == 6
    with pytest.raises(PlexNotFoundError):
        plex_client.job_operations("NO-SUCH-JOB")


def test_the_server_rate_limit_answers_429_with_retry_after(plex_sample_plant: Path, plex_fast_retries: dict) -> None:
    # Given a simulator allowing 2 calls a minute and a client that neither retries nor waits out a 429
    with SimulatorServer(plex_sample_plant, rate_limit=2) as sim:
        client = PlexLaborClient(sim.settings(**{**plex_fast_retries, "max_retries": 0, "rate_limited_patience_s": 0}))
        client.employees()
        client.employees()
        # When a third call comes within the minute / Then it is rate limited with a Retry-After hint
        with pytest.raises(PlexRateLimitedError) as caught:
            client.employees()
    assert caught.value.status == 429
    assert caught.value.retry_after_s is not None and 1 <= caught.value.retry_after_s <= 60


def test_the_client_side_bucket_paces_calls(plex_settings: Callable[..., PlexSettings]) -> None:
    # Given a client limited to 600 calls a minute (one per 100 ms) with no burst
    client = PlexLaborClient(plex_settings(rate_limit_per_minute=600, rate_limit_burst=1))
    # When it makes four calls
    started = time.monotonic()
    for _ in range(4):
        client.workcenters()
    # Then they were spread over at least 300 ms
    assert time.monotonic() - started >= 0.28
