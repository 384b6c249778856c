"""PlexWriter in each write mode, against the simulator's recorded writes."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import requests

from plexlabor.plex import (
    PlexNotFoundError,
    PlexRateLimitedError,
    PlexRequestError,
    PlexServerError,
    PlexSettings,
    PlexWriter,
    WriteRequest,
)
from plexlabor_dev.simulator.server import SimulatorServer

CLOCKOUT = {"employeeId": "E0001", "clockoutTime": "2026-03-02T14:00:00.0000000Z"}


def _posts(sim: SimulatorServer) -> list[dict]:
    return [entry for entry in sim.requests() if entry["method"] == "POST"]


def test_dry_run_sends_nothing(plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings]) -> None:
    # Given a writer in dry-run mode
    writer = PlexWriter(plex_settings(write_mode="dry_run"))
    # When it clocks an operator out
    result = writer.clock_out("WC1", CLOCKOUT, reference="finding-1")
    # Then the result describes the call and the simulator saw no request at all
    assert (result.sent, result.mode, result.method) == (False, "dry_run", "POST")
    assert result.path == "/production/v1/control/workcenters/WC1/operators/clockout"
    assert result.payload == CLOCKOUT
    assert plex_sim.requests() == [] and plex_sim.writes() == []
    assert list(writer.recorded) == [result]


def test_custom_object_mode_posts_the_suggestion_to_the_custom_object(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings]
) -> None:
    # Given a writer in custom-object mode
    writer = PlexWriter(plex_settings(write_mode="custom_object", custom_object_name="labor_suggestions"))
    # When it clocks an operator out
    result = writer.clock_out("WC1", CLOCKOUT, idempotency_key="k-1", reference="finding-1")
    # Then the simulator recorded one POST to the custom object carrying the target call, flat
    assert result.sent and result.status == 201
    (write,) = plex_sim.writes()
    assert write["path"] == "/platform/custom-objects/v1/data/labor_suggestions"
    assert write["body"]["targetPath"] == "/production/v1/control/workcenters/WC1/operators/clockout"
    assert json.loads(write["body"]["payloadJson"]) == CLOCKOUT
    assert write["body"]["reference"] == "finding-1" and write["idempotencyKey"] == "k-1"
    # And the custom object can be read back
    stored = writer.transport.get_list("/platform/custom-objects/v1/data/labor_suggestions")
    assert stored[0]["id"] == result.response["id"]


def test_direct_mode_posts_to_the_real_resource(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings]
) -> None:
    writer = PlexWriter(plex_settings(write_mode="direct"))
    result = writer.clock_in("WC2", {"employeeId": "E0002"})
    assert result.sent and result.status == 200
    (write,) = plex_sim.writes()
    assert write["path"] == "/production/v1/control/workcenters/WC2/operators/clockin"
    assert write["body"] == {"employeeId": "E0002"}


def test_record_stores_a_finding_in_the_custom_object(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings]
) -> None:
    writer = PlexWriter(plex_settings(write_mode="direct"))
    writer.record({"findingId": "F1", "anomalyType": "MISSED_PUNCH"}, name="labor_findings")
    (write,) = plex_sim.writes()
    assert write["path"] == "/platform/custom-objects/v1/data/labor_findings"


def test_a_post_is_not_retried_on_500_even_with_an_idempotency_key(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings]
) -> None:
    # Given the next call fails with 500 (Plex may or may not have applied it)
    plex_sim.set_faults(next=["500"])
    writer = PlexWriter(plex_settings(write_mode="direct"))
    # When the writer posts / Then it raises at once: exactly one POST reached the server
    with pytest.raises(PlexServerError):
        writer.clock_out("WC1", CLOCKOUT, idempotency_key="k-500")
    assert len(_posts(plex_sim)) == 1
    assert plex_sim.writes() == []


def test_a_post_without_idempotency_key_is_not_retried_on_429(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings]
) -> None:
    plex_sim.set_faults(next=["429"], retry_after_s=0)
    writer = PlexWriter(plex_settings(write_mode="direct"))
    with pytest.raises(PlexRateLimitedError):
        writer.clock_out("WC1", CLOCKOUT)
    assert len(_posts(plex_sim)) == 1


@pytest.mark.parametrize("fault", ["429", "503"])
def test_an_idempotent_post_is_retried_after_a_rejection(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings], fault: str
) -> None:
    # Given the first POST is rejected before processing
    plex_sim.set_faults(next=[fault], retry_after_s=0)
    writer = PlexWriter(plex_settings(write_mode="direct"))
    # When the writer posts with an idempotency key / Then the retry lands, once
    result = writer.clock_out("WC1", CLOCKOUT, idempotency_key="k-retry")
    assert result.status == 200
    assert len(_posts(plex_sim)) == 2
    assert len(plex_sim.writes()) == 1


def test_the_same_idempotency_key_is_written_once(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings]
) -> None:
    writer = PlexWriter(plex_settings(write_mode="direct"))
    first = writer.clock_out("WC1", CLOCKOUT, idempotency_key="k-same")
    second = writer.clock_out("WC1", CLOCKOUT, idempotency_key="k-same")
    assert first.response == second.response
    assert len(plex_sim.writes()) == 1


def test_writing_to_an_unknown_workcenter_raises_not_found(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings]
) -> None:
    writer = PlexWriter(plex_settings(write_mode="direct"))
    with pytest.raises(PlexNotFoundError):
        writer.clock_out("NO-WC", CLOCKOUT)


def test_sim_writes_can_be_inspected_and_cleared_over_http(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings]
) -> None:
    PlexWriter(plex_settings(write_mode="direct")).clock_in("WC1", {"employeeId": "E0001"})
    assert len(requests.get(plex_sim.base_url + "/_sim/writes", timeout=5).json()) == 1
    assert requests.delete(plex_sim.base_url + "/_sim/writes", timeout=5).status_code == 204
    assert requests.get(plex_sim.base_url + "/_sim/writes", timeout=5).json() == []


NONCONFORMANCE = {
    "externalReference": "incident-1",
    "nonconformanceType": "safety incident",
    "description": "Caught a finger in the press brake.",
    "foundTime": "2026-03-04T10:30:00+00:00",
}


@pytest.mark.parametrize("mode", ["direct", "custom_object"])
def test_the_simulator_takes_a_nonconformance_in_either_write_mode(
    mode: str, plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings]
) -> None:
    # A confirmed incident as a nonconformance record (plexlabor.approval.recommendations.nonconformance_record)
    writer = PlexWriter(plex_settings(write_mode=mode))
    request = WriteRequest(action="nonconformance-create", payload=NONCONFORMANCE, idempotency_key="nc-1")
    result = writer.write(request)
    (write,) = plex_sim.writes()
    assert result.sent and result.status == 201
    if mode == "direct":
        assert write["path"] == "/quality/v1/nonconformances" and write["body"] == NONCONFORMANCE
        assert result.response["id"] == f"NC-{write['seq']:06d}"
    else:
        assert write["body"]["targetPath"] == "/quality/v1/nonconformances"
        assert json.loads(write["body"]["payloadJson"]) == NONCONFORMANCE


def test_the_simulator_refuses_a_nonconformance_without_its_fields(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings]
) -> None:
    writer = PlexWriter(plex_settings(write_mode="direct"))
    incomplete = {key: value for key, value in NONCONFORMANCE.items() if key != "description"}
    with pytest.raises(PlexRequestError, match="description"):
        writer.write(WriteRequest(action="nonconformance-create", payload=incomplete))
    assert plex_sim.writes() == []
