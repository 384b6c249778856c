"""PlexWriter without a network: dry run never touches a transport; modes shape the call."""

from __future__ import annotations

import json
from typing import Any

import pytest

from plexlabor.plex import PlexSettings, PlexWriter, WriteRequest


class ExplodingTransport:
    def post(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("dry run must not send anything")


def _writer(mode: str) -> PlexWriter:
    return PlexWriter(PlexSettings(api_key="k", write_mode=mode), transport=ExplodingTransport())  # type: ignore[arg-type]


def test_dry_run_returns_what_it_would_send_without_sending() -> None:
    writer = _writer("dry_run")
    result = writer.clock_out("WC 1/A", {"employeeId": "E1"}, idempotency_key="k1", reference="F1")
    assert result.sent is False and result.status is None
    assert result.path == "/production/v1/control/workcenters/WC%201%2FA/operators/clockout"
    assert (result.method, result.mode, result.reference) == ("POST", "dry_run", "F1")
    assert writer.record({"a": 1}).sent is False


def test_custom_object_mode_plans_a_flat_record() -> None:
    writer = _writer("custom_object")
    path, body = writer.plan(
        WriteRequest(action="workcenter-clockin", path_params={"workcenterId": "WC1"}, payload={"b": 2, "a": 1})
    )
    assert path == "/platform/custom-objects/v1/data/plexlabor_suggestions"
    assert body["targetPath"] == "/production/v1/control/workcenters/WC1/operators/clockin"
    assert json.loads(body["payloadJson"]) == {"a": 1, "b": 2}
    assert all(not isinstance(value, dict | list) for value in body.values())


def test_direct_mode_plans_the_real_resource() -> None:
    path, body = _writer("direct").plan(
        WriteRequest(action="workcenter-clockout", path_params={"workcenterId": "WC1"}, payload={"x": 1})
    )
    assert path == "/production/v1/control/workcenters/WC1/operators/clockout" and body == {"x": 1}


def test_a_missing_path_parameter_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="workcenterId"):
        _writer("direct").plan(WriteRequest(action="workcenter-clockout", payload={}))
