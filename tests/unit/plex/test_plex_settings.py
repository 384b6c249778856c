"""PlexSettings: environment loading, defaults shared with the simulator, secrets kept secret."""

from __future__ import annotations

import json
import logging

import pytest
from pydantic import ValidationError

from plexlabor.platform.settings import PlexConnectionSettings
from plexlabor.plex.datasource import DataSourceTransport
from plexlabor.plex.defaults import DEFAULT_DATASOURCE_FIELDS, DEFAULT_DATASOURCE_IDS, DEFAULT_RESOURCE_PATHS
from plexlabor.plex.errors import PlexError
from plexlabor.plex.settings import PlexSettings, load_plex_settings, plex_settings_from_env
from plexlabor.plex.sources import plex_settings_from
from plexlabor.plex.transport import ConnectTransport


def test_the_defaults_are_the_documented_plex_paths_and_the_simulator_map() -> None:
    settings = PlexSettings(api_key="k")
    assert settings.base_url == "https://connect.plex.com"
    assert settings.resource_paths["time-clock-entries"] == "/hcm/v1/time-clock-entries"
    assert settings.resource_paths == dict(DEFAULT_RESOURCE_PATHS)
    assert settings.datasources == dict(DEFAULT_DATASOURCE_IDS)
    assert settings.datasource_fields["badge-swipes"]["employeeId"] == "Employee_Key"
    assert settings.write_mode == "dry_run"
    assert (settings.rate_limit_per_minute, settings.date_chunk_days) == (180, 7)


def test_every_data_source_column_differs_from_its_model_field() -> None:
    for resource, columns in DEFAULT_DATASOURCE_FIELDS.items():
        assert all(field != column for field, column in columns.items()), resource


def test_environment_variables_build_the_settings_and_partial_maps_merge() -> None:
    # Given the variables a deployment sets, maps as JSON
    environ = {
        "PLEXLABOR_PLEX_API_KEY": "abc",
        "PLEXLABOR_PLEX_BASE_URL": "https://test.connect.plex.com/",
        "PLEXLABOR_PLEX_CUSTOMER_ID": "123456",
        "PLEXLABOR_PLEX_RATE_LIMIT_PER_MINUTE": "100",
        "PLEXLABOR_PLEX_DATASOURCES": json.dumps({"shifts": 4711}),
        "PLEXLABOR_PLEX_DATASOURCE_FIELDS": json.dumps({"shifts": {"shiftId": "Shift_No"}}),
        "PLEXLABOR_PLEX_WRITE_MODE": "custom_object",
    }
    # When settings are read from them
    settings = plex_settings_from_env(environ)
    # Then values are typed, the trailing slash dropped, and partial maps override only their entries
    assert settings.base_url == "https://test.connect.plex.com"
    assert settings.rate_limit_per_minute == 100
    assert settings.datasources["shifts"] == 4711 and settings.datasources["skills"] == 90105
    assert settings.datasource_fields["shifts"]["shiftId"] == "Shift_No"
    assert settings.datasource_fields["shifts"]["shiftCode"] == "Shift_Code"
    assert settings.write_mode == "custom_object"


def test_bad_values_are_refused_with_the_variable_named() -> None:
    with pytest.raises(ValueError, match="PLEXLABOR_PLEX_DATASOURCES"):
        plex_settings_from_env({"PLEXLABOR_PLEX_API_KEY": "k", "PLEXLABOR_PLEX_DATASOURCES": "{oops"})
    with pytest.raises(ValidationError):
        plex_settings_from_env({"PLEXLABOR_PLEX_API_KEY": "k", "PLEXLABOR_PLEX_WRITE_MODE": "yolo"})
    with pytest.raises(ValidationError):
        plex_settings_from_env({})  # no API key


def test_secrets_never_show_in_repr_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    settings = PlexSettings(
        api_key="super-secret-key", datasource_password="pw-123", datasource_username="ws-user@plex.com"
    )
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").info("settings: %r %s", settings, settings)
    text = repr(settings) + str(settings) + caplog.text + settings.model_dump_json()
    assert "super-secret-key" not in text and "pw-123" not in text and "ws-user" not in text


def test_load_plex_settings_reads_the_environment_lazily_and_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    load_plex_settings.cache_clear()
    monkeypatch.setenv("PLEXLABOR_PLEX_API_KEY", "first")
    try:
        first = load_plex_settings()
        monkeypatch.setenv("PLEXLABOR_PLEX_API_KEY", "second")
        assert load_plex_settings() is first
        load_plex_settings.cache_clear()
        assert load_plex_settings().api_key.get_secret_value() == "second"
    finally:
        load_plex_settings.cache_clear()


def test_tenant_and_customer_headers_are_sent_when_configured() -> None:
    transport = ConnectTransport(PlexSettings(api_key="k", tenant_id="t-1", customer_id="79870"))
    headers = transport._headers()
    assert headers["X-Plex-Connect-Api-Key"] == "k"
    assert headers["X-Plex-Connect-Tenant-Id"] == "t-1"
    assert headers["X-Plex-Connect-Customer-Id"] == "79870"
    assert "X-Plex-Connect-Tenant-Id" not in ConnectTransport(PlexSettings(api_key="k"))._headers()


def test_a_missing_resource_path_names_the_setting() -> None:
    with pytest.raises(KeyError, match="PLEXLABOR_PLEX_RESOURCE_PATHS"):
        PlexSettings(api_key="k").path_for("nope")


@pytest.mark.parametrize(
    ("secret", "named", "not_named"),
    [
        # on AWS the key comes from the Plex secret and the stack refuses credential variables (infra/config.py):
        # the error gives the secret's JSON form
        (
            "the-bare-connect-key",
            ['"datasource_username"', '"datasource_password"', "PLEX_API_KEY_SECRET_ARN"],
            "PLEXLABOR_PLEX_",
        ),
        (
            '{"api_key": "k", "datasource_username": ""}',
            ['"datasource_username"', "The Plex secret"],
            "PLEXLABOR_PLEX_",
        ),
        # locally, without the secret, the variables
        (None, ["PLEXLABOR_PLEX_DATASOURCE_USERNAME", "PLEXLABOR_PLEX_DATASOURCE_PASSWORD"], "secret"),
    ],
    ids=["secret-bare-key", "secret-json-without-account", "variables"],
)
def test_missing_data_source_credentials_name_where_they_go(
    secret: str | None, named: list[str], not_named: str
) -> None:

    environ = {"PLEXLABOR_PLEX_BASE_URL": "http://127.0.0.1:9"}
    if secret is None:
        environ["PLEXLABOR_PLEX_API_KEY"] = "local-key"
    else:
        environ["PLEX_API_KEY_SECRET_ARN"] = "arn:aws:secretsmanager:us-east-1:123456789012:secret:plex"
    settings = plex_settings_from(PlexConnectionSettings.model_validate(environ), lambda arn: secret or "")
    with pytest.raises(PlexError, match="Data Source API credentials are not configured") as error:
        DataSourceTransport(settings).execute(4711)  # refused before any request
    message = str(error.value)
    assert all(name in message for name in named), message
    assert not_named not in message
