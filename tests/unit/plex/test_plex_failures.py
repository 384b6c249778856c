"""A request that got no response says what failed and where (DNS, TLS, refused, timeouts), and the
settings banner shows every setting in force without a secret's value."""

from __future__ import annotations

import pytest
import requests
from pydantic import SecretStr
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ReadTimeoutError,
    SSLError,
)

from plexlabor.plex.errors import PlexConnectionError, PlexTimeoutError
from plexlabor.plex.settings import PlexSettings, describe_plex_settings, plex_settings_from_env
from plexlabor.plex.transport import describe_failure

URL = "https://cloud.plex.com:443/api/datasources/1/execute"


def _wrapped(reason: Exception, kind: type[requests.exceptions.RequestException]) -> Exception:
    return kind(MaxRetryError(None, URL, reason))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "kind", "message"),
    [
        (
            _wrapped(
                NameResolutionError("cloud.plex.com", None, OSError("Name or service not known")),  # type: ignore[arg-type]
                requests.exceptions.ConnectionError,
            ),
            PlexConnectionError,
            "DNS failure: cannot resolve host cloud.plex.com",
        ),
        (
            _wrapped(
                NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused"),  # type: ignore[arg-type]
                requests.exceptions.ConnectionError,
            ),
            PlexConnectionError,
            "connection refused by cloud.plex.com:443",
        ),
        (
            _wrapped(SSLError("certificate verify failed"), requests.exceptions.SSLError),
            PlexConnectionError,
            "TLS failure with cloud.plex.com:443: certificate verify failed",
        ),
        (
            _wrapped(ConnectTimeoutError(None, "timed out"), requests.exceptions.ConnectTimeout),
            PlexTimeoutError,
            "no connection to cloud.plex.com:443 within 5 s",
        ),
        (
            _wrapped(ReadTimeoutError(None, URL, "read timed out"), requests.exceptions.ReadTimeout),  # type: ignore[arg-type]
            PlexTimeoutError,
            "no answer within 30 s from cloud.plex.com:443",
        ),
    ],
)
def test_a_failure_without_response_names_what_failed_and_the_host(
    error: requests.exceptions.RequestException, kind: type, message: str
) -> None:
    assert describe_failure(error, URL, (5.0, 30.0)) == (kind, message)


def test_the_banner_shows_both_apis_the_limits_and_what_differs_never_a_secret() -> None:
    settings = plex_settings_from_env(
        {
            "PLEXLABOR_PLEX_API_KEY": "the-key-value",
            "PLEXLABOR_PLEX_DATASOURCE_USERNAME": "sim-user",
            "PLEXLABOR_PLEX_DATASOURCE_PASSWORD": "the-password",
            "PLEXLABOR_PLEX_DATASOURCES": '{"shifts": 4711}',
            "PLEXLABOR_PLEX_WRITE_MODE": "custom_object",
        },
        base_url="http://127.0.0.1:8765",
    )
    text = "\n".join(describe_plex_settings(settings))
    assert "Connect REST  http://127.0.0.1:8765  key set" in text
    assert "Data Source   https://cloud.plex.com (the default)  user sim-user, password set" in text
    assert "timeout 30 s (connect 5 s), 4 retries, 180 calls/min" in text
    assert 'PLEXLABOR_PLEX_DATASOURCES={"shifts": 4711}' in text and "PLEXLABOR_PLEX_WRITE_MODE=custom_object" in text
    assert "set PLEXLABOR_PLEX_DATASOURCE_BASE_URL=http://127.0.0.1:8765 for the simulator" in text
    assert "the-key-value" not in text and "the-password" not in text


def test_no_warning_when_both_apis_point_at_the_same_place() -> None:
    settings = PlexSettings(
        base_url="http://127.0.0.1:8765", api_key=SecretStr("k"), datasource_base_url="http://127.0.0.1:8765"
    )
    lines = describe_plex_settings(settings)
    assert not any(line.startswith("warning") for line in lines)
    assert "user NOT SET, password NOT SET" in lines[1]
