"""The simulator's own behaviour: control API, filters, faults, webhooks, the CLI, a generated plant."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

from plexlabor.models import TimeClockEntry
from plexlabor.plant import PlantFolder
from plexlabor.plex import PlantFolderSource, PlexLaborClient
from plexlabor.webhooks import verify
from plexlabor_dev.cli import main
from plexlabor_dev.simulator.faults import FaultConfig, FaultInjector
from plexlabor_dev.simulator.server import SimulatorServer
from plexlabor_dev.simulator.webhook_sender import WebhookSender

KEY = {"X-Plex-Connect-Api-Key": "sim-key"}


class _Receiver:
    """A tiny webhook endpoint on 127.0.0.1 that keeps what it receives."""

    def __init__(self) -> None:
        received: list[tuple[bytes, dict[str, str]]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((body, dict(self.headers.items())))
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.received = received
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hooks/punch"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05})

    def __enter__(self) -> _Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def test_unknown_paths_get_the_404_envelope(plex_sim: SimulatorServer) -> None:
    answer = requests.get(plex_sim.base_url + "/mdm/v1/nothing-here", headers=KEY, timeout=5)
    assert answer.status_code == 404
    assert answer.json()["code"] == "NOT_FOUND" and answer.json()["errors"] == []


def test_dates_are_served_in_plex_format_and_bounds_are_inclusive(plex_sim: SimulatorServer) -> None:
    # Given a window that ends exactly on a known clock-in
    first = requests.get(plex_sim.base_url + "/hcm/v1/time-clock-entries", headers=KEY, timeout=5).json()[0]
    clock_in = first["clockinTime"]
    # When the window [clock_in, clock_in] is asked for
    rows = requests.get(
        plex_sim.base_url + "/hcm/v1/time-clock-entries",
        params={"beginDate": clock_in, "endDate": clock_in},
        headers=KEY,
        timeout=5,
    ).json()
    # Then that punch is returned, its dates in the 7-digit UTC format
    assert first["id"] in [row["id"] for row in rows]
    assert len(clock_in) == 28 and clock_in.endswith("Z") and clock_in[19] == "."


def test_a_bad_date_parameter_is_a_400_naming_it(plex_sim: SimulatorServer) -> None:
    answer = requests.get(
        plex_sim.base_url + "/hcm/v1/time-clock-entries",
        params={"modifiedDateStart": "yesterday"},
        headers=KEY,
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["target"] == "modifiedDateStart"


def test_faults_can_be_switched_at_runtime_over_http(plex_sim: SimulatorServer) -> None:
    # When 500s are switched on through the control API
    config = requests.post(plex_sim.base_url + "/_sim/faults", json={"rate_500": 1.0}, timeout=5).json()
    failing = requests.get(plex_sim.base_url + "/mdm/v1/employees", headers=KEY, timeout=5)
    # And switched off again
    requests.post(plex_sim.base_url + "/_sim/faults", json={"reset": True}, timeout=5)
    working = requests.get(plex_sim.base_url + "/mdm/v1/employees", headers=KEY, timeout=5)
    # Then calls failed in between, with the envelope, and work after
    assert config["rate_500"] == 1.0
    assert failing.status_code == 500 and failing.json()["code"] == "INTERNAL_SERVER_ERROR"
    assert working.status_code == 200


def test_an_invalid_fault_setting_is_rejected(plex_sim: SimulatorServer) -> None:
    answer = requests.post(plex_sim.base_url + "/_sim/faults", json={"rate_500": 3}, timeout=5)
    assert answer.status_code == 400


def test_fault_draws_are_deterministic_for_a_seed() -> None:
    def outcomes(seed: int) -> list[str]:
        injector = FaultInjector(FaultConfig(rate_429=0.2, rate_500=0.2, rate_drop=0.1, seed=seed))
        return [injector.decide("/x")[1] for _ in range(200)]

    assert outcomes(7) == outcomes(7)
    assert outcomes(7) != outcomes(8)
    shares = outcomes(7)
    assert 20 <= shares.count("500") <= 60 and 5 <= shares.count("drop") <= 35


def test_control_requests_are_not_rate_limited_or_authenticated(plex_sample_plant: Path) -> None:
    with SimulatorServer(plex_sample_plant, rate_limit=1) as sim:
        for _ in range(5):
            assert requests.get(sim.base_url + "/_sim/health", timeout=5).json()["ok"] is True


def test_the_simulator_posts_signed_punch_webhooks(plex_sim: SimulatorServer) -> None:
    # Given a receiver and a one-day window holding 4 punches
    with _Receiver() as receiver:
        # When the simulator is asked to send the punches of that window
        report = requests.post(
            plex_sim.base_url + "/_sim/webhooks",
            json={
                "url": receiver.url,
                "secret": "s3cret",
                "beginDate": "2026-03-02T00:00:00Z",
                "endDate": "2026-03-02T23:59:59Z",
            },
            timeout=10,
        ).json()
    # Then each punch arrived once as camelCase JSON with a valid signature
    assert report["sent"] == 4 and report["failed"] == 0
    assert len(receiver.received) == 4
    for body, headers in receiver.received:
        verify(body, headers, "s3cret", now=time.time())
        punch = TimeClockEntry.from_plex(json.loads(body))
        assert punch.clockin_time.date().isoformat() == "2026-03-02"


def test_the_webhook_sender_reports_failures(plex_sample_plant: Path) -> None:
    # Given a URL where nothing listens (a port we bound and closed)
    with _Receiver() as receiver:
        url = receiver.url
    rows = list(PlantFolder(plex_sample_plant).iter_raw("time-clock-entries"))[:2]
    report = WebhookSender(url, "s", timeout_s=0.5).send_all(rows)
    assert (report.sent, report.failed) == (0, 2)


def _as_a_runner_starts_it() -> None:
    """Test runners and job launchers often start children with SIGINT ignored and blocked."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def test_the_cli_serves_a_plant_until_interrupted(plex_sample_plant: Path) -> None:
    # Given `plexlabor simulator` started on a free port, by a parent that ignores and blocks Ctrl-C
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "plexlabor_dev.cli",
            "simulator",
            "--plant",
            str(plex_sample_plant),
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=_as_a_runner_starts_it,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = line.strip().rsplit(" ", 1)[-1]
        # When we call it / Then it answers like the library server
        assert url.startswith("http://127.0.0.1:")
        assert requests.get(url + "/mdm/v1/employees", headers=KEY, timeout=5).status_code == 200
        assert requests.get(url + "/mdm/v1/employees", timeout=5).status_code == 401
    finally:
        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    # And Ctrl-C stops it cleanly
    assert code == 0


@pytest.fixture(scope="module")
def generated_sim(labelled_plant: PlantFolder) -> Iterator[SimulatorServer]:
    with SimulatorServer(labelled_plant.path, rate_limit=0) as server:
        yield server


def test_a_generated_plant_reads_the_same_over_http_as_from_disk(
    generated_sim: SimulatorServer, labelled_plant: PlantFolder, plex_fast_retries: dict
) -> None:
    # Given the generator's plant, served by the simulator and read from disk
    client = PlexLaborClient(generated_sim.settings(**plex_fast_retries))
    folder = PlantFolderSource(labelled_plant)
    meta = labelled_plant.meta()
    begin, end = meta.start, meta.end + timedelta(days=1)
    # When both ports are read / Then every method returns the same records
    for method in (
        *("employees", "user_accounts", "workcenters", "approved_workcenters", "jobs"),  # Connect REST
        *("buildings", "clock_devices", "shifts", "skills", "certifications", "workcenter_requirements"),  # Data Source
    ):
        assert getattr(client, method)() == getattr(folder, method)(), method
    for method in (
        "time_clock_entries",
        "time_clock_entries_modified",
        "labor_entries",
        "shift_assignments",
        "workcenter_events",
        "badge_swipes",
        "scrap_entries",
        "downtime_entries",
        "nonconformances",
    ):
        from_http, from_disk = getattr(client, method)(begin, end), getattr(folder, method)(begin, end)
        assert from_http == from_disk, method
        assert from_http or method in ("scrap_entries", "downtime_entries", "nonconformances"), method
    some_job = folder.jobs()[0].id
    assert client.job_operations(some_job) == folder.job_operations(some_job)


def test_the_cli_refuses_a_folder_that_is_not_a_plant(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # An empty folder used to be served as a plant with no data
    assert main(["simulator", "--plant", str(tmp_path), "--port", "0"]) == 2
    assert f"--plant {tmp_path}: not a plant folder (no plant.json" in capsys.readouterr().err
