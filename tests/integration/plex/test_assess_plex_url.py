"""`plexlabor assess --plex-url` against the simulator: the banner shows the settings in force, and a
Data Source API host that does not resolve is reported as a DNS failure naming the host."""

from __future__ import annotations

import pytest

from plexlabor_dev.cli import main
from plexlabor_dev.simulator.server import SimulatorServer

FAST = {
    "PLEXLABOR_PLEX_MAX_RETRIES": "0",
    "PLEXLABOR_PLEX_RATE_LIMIT_PER_MINUTE": "0",
    "PLEXLABOR_PLEX_TIMEOUT_S": "5",
}


def _environment(monkeypatch: pytest.MonkeyPatch, sim: SimulatorServer, **extra: str) -> None:
    values = {
        "PLEXLABOR_PLEX_API_KEY": sim.state.api_key,
        "PLEXLABOR_PLEX_DATASOURCE_USERNAME": sim.state.datasource_user,
        "PLEXLABOR_PLEX_DATASOURCE_PASSWORD": sim.state.datasource_password,
        **FAST,
        **extra,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def test_a_data_source_host_that_does_not_resolve_is_a_dns_failure(
    plex_sim: SimulatorServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given Connect on the simulator but the Data Source API on a host that does not exist
    _environment(monkeypatch, plex_sim, PLEXLABOR_PLEX_DATASOURCE_BASE_URL="http://plex-datasource.invalid")
    # When assessed
    code = main(["assess", "--plex-url", plex_sim.base_url, "--since", "2026-03-02", "--until", "2026-03-08"])
    err = capsys.readouterr().err
    # Then the banner showed both URLs and the error says DNS and names the host, not a timeout
    assert code == 1
    assert f"Connect REST  {plex_sim.base_url}  key set" in err
    assert "Data Source   http://plex-datasource.invalid  user sim-user, password set" in err
    assert "DNS failure: cannot resolve host plex-datasource.invalid" in err
    assert "no answer within" not in err and plex_sim.state.datasource_password not in err


def test_the_banner_warns_when_only_connect_points_at_the_simulator(
    plex_sim: SimulatorServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _environment(monkeypatch, plex_sim, PLEXLABOR_PLEX_DATASOURCE_BASE_URL=plex_sim.base_url)
    code = main(["assess", "--plex-url", plex_sim.base_url, "--since", "2026-03-02", "--until", "2026-03-08"])
    captured = capsys.readouterr()
    assert code == 0 and "readiness:" in captured.out
    assert f"Data Source   {plex_sim.base_url}  user sim-user" in captured.err and "warning" not in captured.err
