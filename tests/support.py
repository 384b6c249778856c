"""Helpers shared by every test tier (import as `tests.support`): the fake Lambda context (the local
runtime's, `plexlabor_dev.lambda_context`), the canonical events of `events/` loaded by the name of the
function they trigger, fake AWS credentials for moto (`use_fake_aws`), the finding and approval request
the approval and review tests of every tier start from (`make_finding`, `make_request`), and a generated
plant in a fresh folder (`generated_plant`).

The fixtures built on them (`lambda_context`) and the session's Powertools switches are in
tests/conftest.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plexlabor.approval.request import ApprovalRequest
from plexlabor.validation.findings import Finding
from plexlabor_dev.lambda_context import FakeLambdaContext as FakeLambdaContext  # the tests import it from here

if TYPE_CHECKING:  # for annotations only (allocation is imported by the tests that build its suggestions)
    import pytest

    from plexlabor.allocation.report import Suggestion
    from plexlabor_dev.simulator.context import PlantSpec

ROOT = Path(__file__).resolve().parents[1]
EVENTS_DIR = ROOT / "events"
"""One canonical event per trigger: `<function>.json`, or `<function>_<variant>.json` when a function
has several (`approval_callback_get.json`). `events/plex/` holds Plex API samples, not Lambda events."""
FUNCTIONS_DIR = ROOT / "functions"

REGION = "us-east-1"
ACCOUNT = "123456789012"
ARTIFACTS_BUCKET = "plexlabor-test-artifacts"
"""The artifacts bucket the tests create on moto."""


def function_names() -> list[str]:
    """Every function of the project: a folder of functions/ with a handler.py, sorted."""
    return sorted(path.name for path in FUNCTIONS_DIR.iterdir() if (path / "handler.py").is_file())


def event_file(function: str, variant: str | None = None) -> Path:
    """The canonical event of `function` (and `variant`); fails loudly if there is none."""
    name = function if variant is None else f"{function}_{variant}"
    path = EVENTS_DIR / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no canonical event events/{name}.json for functions/{function}/")
    return path


def load_event(function: str, variant: str | None = None) -> dict[str, Any]:
    """A fresh copy of the canonical event of `function`: callers may change it freely."""
    event: dict[str, Any] = json.loads(event_file(function, variant).read_text(encoding="utf-8"))
    return event


def use_fake_aws(monkeypatch: Any, region: str = REGION) -> None:
    """Never reach a real account (moto only): dummy credentials, `region`, and no profile or
    endpoint from the shell. `monkeypatch` is pytest's; the variables come back after the test."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION"):
        monkeypatch.setenv(name, region)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)


@contextmanager
def audit_table_on_moto(
    monkeypatch: Any, table: str, environment: Mapping[str, str | None], reset: Callable[[], None]
) -> Iterator[Any]:
    """A scheduled function's world on moto, for its handler end to end: fake AWS credentials,
    AUDIT_TABLE_NAME=`table` and `environment` set (None: unset), PLEXLABOR_TIMEZONE unset (the plant's
    default zone), the function's cached dependencies (`reset`) dropped before and after, and the audit
    table created, and `platform.aws`'s clients forgotten before and after (a client an earlier test made
    outside moto is not moto's: reused here it reaches for AWS). Yields the DynamoDB client; moto stays on
    until the caller leaves the block."""
    import boto3  # here, not at the top: most tests that import this module never start moto
    from moto import mock_aws

    from plexlabor.audit.dynamodb import create_audit_table
    from plexlabor.platform import aws

    use_fake_aws(monkeypatch)
    for name, value in {"AUDIT_TABLE_NAME": table, "PLEXLABOR_TIMEZONE": None, **environment}.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    reset()
    aws.reset()
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        create_audit_table(client, table)
        yield client
    reset()
    aws.reset()


def make_finding(**fields: Any) -> Finding:
    """A confident missed-punch finding routed for review: the sample plant's entry T0000002 (E0002 clocked
    in at 05:52, never out; the badge says out at 14:07). `fields` replace any of its fields."""
    data: dict[str, Any] = {
        "finding_id": "f-000000000000000000000001",
        "record_key": "time-clock-entries:T0000002",
        "employee_id": "E0002",
        "anomaly_type": "MISSED_PUNCH",
        "confidence": 0.93,
        "severity": "high",
        "note": "No clock-out 14 h after the shift ended at 14:00; likely out at 14:07 (badge-out)",
        "evidence": {
            "clockin": "2026-03-02T05:52:00.0000000Z",
            "hours_overdue": 14.0,
            "features": {"hours_overdue": 14.0, "history_log": 3.4},
        },
        "suggested_correction": {"clockoutTime": "2026-03-02T14:07:00.0000000Z"},
        "model_version": "scorer-1+norms-1",
        "route": "review",
    }
    data.update(fields)
    return Finding.model_validate(data)


BUDDY_EVIDENCE = {
    "geofence_ratio": 0.0,
    "device_unusual": 0.92,
    "biometric_low": 0.634,
    "no_badge_in": 1.0,
    "badge_elsewhere": 0.0,
    "no_workcenter_login": 1.0,
    "mobile": 0.0,
    "signal_count": 3.0,
}
"""A buddy punch's signals as `validation.checks.buddy` records them in its evidence."""


def make_request(finding: Finding | None = None, **fields: Any) -> ApprovalRequest:
    """The approval of `finding` (make_finding's by default) asked of supervisor E0001 for an hour."""
    data: dict[str, Any] = {"finding": finding or make_finding(), "supervisor_id": "E0001", "wait_seconds": 3600}
    data.update(fields)
    return ApprovalRequest.model_validate(data)


def make_unallocated(start: datetime, minutes: int, *, job: bool = True, **fields: Any) -> Suggestion:
    """An unallocated stretch of E0042 (MACH, shift 1, supervisor E0001) paid 24/h from `start`, with
    job J100007's operation 20 at WC-ID-10 as its likely job (its scan ended 12 min before the stretch);
    `job` False: no likely job. `fields` replace any of its fields."""
    from plexlabor.allocation.report import Suggestion

    likely_job: dict[str, Any] = {
        "job_operation_id": "JO-7",
        "job_no": "J100007",
        "operation_no": 20,
        "gap_minutes": 12,
        "job_id": "J-7",
        "workcenter_id": "WC-ID-10",
        "scan_side": "before",
    }
    data: dict[str, Any] = {
        "employee_id": "E0042",
        "employee_no": "1042",
        "department": "MACH",
        "shift": "1",
        "supervisor_id": "E0001",
        "start": start,
        "end": start + timedelta(minutes=minutes),
        "minutes": minutes,
        "cost": round(minutes * 24 / 60, 2),
        **likely_job,
        **fields,
    }
    if not job:
        data.update(dict.fromkeys(likely_job))
    return Suggestion(**data)


def fuzz_settings(examples: int) -> Any:
    """Hypothesis settings of the fuzzing modules: `examples` per case, the same ones every run (no
    example database, derandomized), no deadline or health check (a local runtime answers them)."""
    from hypothesis import HealthCheck, Phase, settings

    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


def generated_plant(tmp_path_factory: pytest.TempPathFactory, name: str, spec: PlantSpec) -> Path:
    """A fresh `<name>-plant` folder holding the plant `spec` generates."""
    from plexlabor_dev.simulator.generator import generate_plant

    plant = tmp_path_factory.mktemp(f"{name}-plant")
    generate_plant(spec, plant)
    return plant
