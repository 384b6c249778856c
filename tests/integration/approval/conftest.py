"""Fixtures of the approval integration tests: moto with Step Functions execution on, and a Plex simulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from approval_aws import BASE_URL, MAX_RECEIVE_COUNT, REGION, SENDER, SIGNING_KEY, SUPERVISORS, Stack
from moto import mock_aws

from plexlabor.approval import wiring
from plexlabor_dev.simulator.sample_plant import DEFAULT_START, write_sample_plant
from plexlabor_dev.simulator.server import SimulatorServer


@pytest.fixture(scope="session")
def approval_plant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small sample plant, with e-mail addresses for two supervisors."""
    path = tmp_path_factory.mktemp("approval-plant")
    write_sample_plant(path, employees=4, days=7, start=DEFAULT_START)
    employees = path / "employees.jsonl"
    rows = [json.loads(line) for line in employees.read_text().splitlines() if line.strip()]
    for row in rows:
        row["email"] = SUPERVISORS.get(row["id"])
    employees.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


@pytest.fixture
def stack(approval_plant: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    wiring.reset()
    with (
        mock_aws(config={"stepfunctions": {"execute_state_machine": True}}),
        SimulatorServer(approval_plant, rate_limit=0) as sim,
    ):
        secrets = boto3.client("secretsmanager", region_name=REGION)
        signing_arn = secrets.create_secret(Name="plexlabor/test/approval-link-signing-key", SecretString=SIGNING_KEY)[
            "ARN"
        ]
        plex_arn = secrets.create_secret(Name="plexlabor/test/plex-api-key", SecretString=sim.state.api_key)["ARN"]
        env = {
            "AUDIT_TABLE_NAME": "plexlabor-audit",
            "STATE_TABLE_NAME": "plexlabor-state",
            "APPROVAL_SIGNING_KEY_SECRET_ARN": signing_arn,
            "PLEX_API_KEY_SECRET_ARN": plex_arn,
            "NOTIFY_SENDER": SENDER,
            "APPROVAL_BASE_URL": BASE_URL,
            "MAX_RECEIVE_COUNT": str(MAX_RECEIVE_COUNT),
            "PLEXLABOR_PLEX_BASE_URL": sim.base_url,
            "PLEXLABOR_PLEX_WRITE_MODE": "custom_object",
            "PLEXLABOR_PLEX_RATE_LIMIT_PER_MINUTE": "0",
            "PLEXLABOR_PLEX_MAX_RETRIES": "1",
            "PLEXLABOR_PLEX_BACKOFF_FACTOR": "0.01",
            "PLEXLABOR_PLEX_BACKOFF_JITTER_S": "0",
            "PLEXLABOR_PLEX_TIMEOUT_S": "2",
            "POWERTOOLS_SERVICE_NAME": "plexlabor",
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        deployed = Stack(sim=sim, env=env)
        deployed.provision()
        yield deployed
    wiring.reset()
