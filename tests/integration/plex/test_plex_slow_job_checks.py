"""A Plex that accepts the connection and never answers (overloaded, a hung proxy): the job checks of
incident_log and of the copilot each cost one short wait (`plex.settings.INTERACTIVE_LIMITS`), then take the job
as typed (review 140 R1: incident_log's waited past API Gateway's 29 s, with the batch limits, and the report was
lost). 127.0.0.1 only; each check bounded by a watchdog."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from plexlabor.copilot.wiring import CopilotSettings, plex_jobs
from plexlabor.incidents.wiring import plant_jobs
from plexlabor.platform.settings import PlexSourceSettings
from plexlabor.plex.jobs import JobCheck, PlexJobs

WATCHDOG_S = 12.0
"""How long a check is waited for (the batch limits: 5 tries of 30 s)."""


@pytest.fixture
def silent_plex() -> Iterator[dict[str, str]]:
    """The Plex variables of a server on 127.0.0.1 that accepts connections and never answers."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        try:
            while True:
                held.append(server.accept()[0])
        except OSError:  # closed at teardown
            return

    threading.Thread(target=accept, daemon=True).start()
    yield {"PLEXLABOR_PLEX_BASE_URL": f"http://127.0.0.1:{server.getsockname()[1]}", "PLEXLABOR_PLEX_API_KEY": "k"}
    server.close()
    for connection in held:
        connection.close()


def _incident_jobs(plex: dict[str, str]) -> PlexJobs:
    return plant_jobs(PlexSourceSettings.model_validate({**plex, "PLEXLABOR_TIMEZONE": "America/Detroit"}))


def _copilot_jobs(plex: dict[str, str]) -> PlexJobs:
    jobs = plex_jobs(CopilotSettings.model_validate({**plex, "PLEXLABOR_ARTIFACTS_DIR": "/tmp/none"}))
    assert jobs is not None
    return jobs


@pytest.mark.parametrize("jobs_of", [_incident_jobs, _copilot_jobs], ids=["incident_log", "copilot"])
def test_a_silent_plex_costs_one_short_wait_and_the_job_is_taken_as_typed(
    silent_plex: dict[str, str], jobs_of: Callable[[dict[str, str]], PlexJobs]
) -> None:
    jobs, found = jobs_of(silent_plex), []
    started = time.monotonic()
    checking = threading.Thread(target=lambda: found.append(jobs.check("J101058")), daemon=True)
    checking.start()
    checking.join(WATCHDOG_S)
    waited = time.monotonic() - started

    assert not checking.is_alive(), f"the job check still waited on Plex after {waited:.0f} s"
    assert found == [JobCheck("J101058", checked=False)] and waited < 8
