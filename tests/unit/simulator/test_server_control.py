"""The simulator's control API (`/_sim`) and request handling, without a socket: the app alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from plexlabor_dev.simulator.sample_plant import write_sample_plant
from plexlabor_dev.simulator.server import HttpError, PlexSimulatorApp, SimulatorState
from plexlabor_dev.simulator.store import PlantStore


@pytest.fixture
def app(tmp_path: Path) -> PlexSimulatorApp:
    write_sample_plant(tmp_path, employees=2, days=2)
    state = SimulatorState(
        PlantStore(tmp_path), api_key="k", rate_limit=2, datasource_user="u", datasource_password="p"
    )
    return PlexSimulatorApp(state)


def post(app: PlexSimulatorApp, path: str, body: dict[str, Any]) -> Any:
    return app.handle_control("POST", path, json.dumps(body).encode()).payload


def test_health_and_unknown_control_paths(app: PlexSimulatorApp) -> None:
    assert app.handle_control("GET", "/_sim/health", b"").payload["ok"] is True
    for method, path in (("PUT", "/_sim/writes"), ("GET", "/_sim/nothing"), ("GET", "/_sim/webhooks")):
        with pytest.raises(HttpError) as raised:
            app.handle_control(method, path, b"")
        assert raised.value.status == 404


def test_writes_are_listed_and_cleared(app: PlexSimulatorApp) -> None:
    # Given a custom-object write through the API
    reply = app.handle("POST", "/platform/custom-objects/v1/data/Audit", {}, {"x-plex-connect-api-key": "k"}, b"{}")
    assert reply.status == 201
    # Then the control API lists it, and DELETE empties the list
    assert len(app.handle_control("GET", "/_sim/writes", b"").payload) == 1
    assert app.handle_control("DELETE", "/_sim/writes", b"").status == 204
    assert app.handle_control("GET", "/_sim/writes", b"").payload == []


def test_config_change_is_validated_and_can_reset_the_rate_limit(app: PlexSimulatorApp) -> None:
    # Given a rate limit of 2 calls a minute, used up
    assert app.state.rate_limit.check() is None and app.state.rate_limit.check() is None
    assert app.state.rate_limit.check() is not None
    # When the config changes with reset_rate_limit
    config = post(app, "/_sim/config", {"datasource_row_limit": 5, "reset_rate_limit": True})
    # Then the change applies and the rate window is empty again
    assert config["datasource_row_limit"] == 5
    assert app.state.rate_limit.check() is None
    # And a bad value is a 400 naming the field
    with pytest.raises(HttpError) as raised:
        post(app, "/_sim/config", {"datasource_row_limit": 0})
    assert raised.value.status == 400 and "datasource_row_limit" in raised.value.message


def test_faults_change_is_validated(app: PlexSimulatorApp) -> None:
    assert post(app, "/_sim/faults", {"rate_500": 0.5})["rate_500"] == 0.5
    with pytest.raises(HttpError) as raised:
        post(app, "/_sim/faults", {"rate_500": 3})
    assert raised.value.status == 400
    with pytest.raises(HttpError) as raised:
        app.handle_control("POST", "/_sim/faults", b"[1]")
    assert raised.value.message == "Request body must be a JSON object"
