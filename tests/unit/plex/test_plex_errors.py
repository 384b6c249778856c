"""Parsing Plex's error envelope into typed errors."""

from __future__ import annotations

import json

import pytest
import requests

from plexlabor.plex.errors import (
    PlexAuthError,
    PlexError,
    PlexNotFoundError,
    PlexRateLimitedError,
    PlexRequestError,
    PlexServerError,
    error_from_response,
    parse_envelope,
)
from plexlabor.plex.transport import json_body

ENVELOPE = json.dumps(
    {
        "code": "REQUIRED_PARAMETER_MISSING",
        "message": "Missing required query parameter(s): beginDate",
        "errors": [{"code": "REQUIRED", "target": "beginDate", "message": "'beginDate' is required"}],
    }
)


def test_the_envelope_is_read_into_code_message_and_errors() -> None:
    code, message, errors = parse_envelope(ENVELOPE)
    assert code == "REQUIRED_PARAMETER_MISSING"
    assert message and "beginDate" in message
    assert errors[0]["target"] == "beginDate"


@pytest.mark.parametrize("body", ["", "   ", "<html>Bad Gateway</html>", "[1, 2]"])
def test_bodies_that_are_not_an_envelope_do_not_break_parsing(body: str) -> None:
    code, _message, errors = parse_envelope(body)
    assert code is None and errors == []


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, PlexRequestError),
        (401, PlexAuthError),
        (403, PlexAuthError),
        (404, PlexNotFoundError),
        (409, PlexRequestError),
        (429, PlexRateLimitedError),
        (500, PlexServerError),
        (503, PlexServerError),
    ],
)
def test_each_status_maps_to_its_error_type(status: int, kind: type) -> None:
    error = error_from_response(status, ENVELOPE, method="GET", path="/x")
    assert type(error) is kind
    assert error.status == status and error.code == "REQUIRED_PARAMETER_MISSING"


def test_a_401_says_bad_key_or_product_not_subscribed() -> None:
    error = error_from_response(401, '{"code":"X","message":"nope"}', method="GET", path="/mdm/v1/employees")
    assert "bad key or API product not subscribed" in str(error)
    assert "GET /mdm/v1/employees -> 401" in str(error)


def test_a_429_keeps_the_retry_after_hint() -> None:
    error = error_from_response(429, "", method="GET", path="/x", retry_after="7")
    assert isinstance(error, PlexRateLimitedError) and error.retry_after_s == 7.0


def test_the_error_text_lists_the_detailed_errors() -> None:
    error = error_from_response(400, ENVELOPE, method="GET", path="/labor")
    assert "REQUIRED beginDate" in str(error)


@pytest.mark.parametrize(
    ("body", "no_data"),
    [
        ("", True),
        ('{"code":"NO_DATA","message":"No data found"}', True),
        ('{"code":"NOT_FOUND","message":"No records found for the filter"}', True),
        ('{"code":"NOT_FOUND","message":"No resource at GET /mdm/v1/x"}', False),
    ],
)
def test_a_404_knows_when_it_means_no_data(body: str, no_data: bool) -> None:
    error = error_from_response(404, body, method="GET", path="/x")
    assert isinstance(error, PlexNotFoundError) and error.means_no_data is no_data


def test_a_non_json_success_answer_is_a_typed_error() -> None:
    # Given a 200 answer in HTML (a wrong base URL, a proxy login page)
    response = requests.Response()
    response._content = b"<html>login</html>"
    response.status_code = 200
    response.headers["Content-Type"] = "text/html"
    # When it is read as JSON / Then a PlexError says so instead of a JSONDecodeError
    with pytest.raises(PlexError, match="not JSON"):
        json_body(response, "GET", "/mdm/v1/employees")
