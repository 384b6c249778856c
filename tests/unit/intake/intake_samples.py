"""Shared test data of the intake tests (unit and integration): punches picked from the labelled plant,
and SQS and EventBridge events around them (the fake Lambda context and `load_event` are tests.support's).

Import as `tests.unit.intake.intake_samples` (the integration tests use it too); both tiers' conftests
re-export its fixtures `plant_source` and `samples`.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from plexlabor.intake.context import BatchContext
from plexlabor.intake.messages import PunchMessage
from plexlabor.models import LaborEntry, TimeClockEntry, record_key
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.findings import Finding
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant
from tests.support import load_event

INTAKE_PLANT = PlantSpec(employees=20, weeks=4, seed=3, anomaly_rate=0.12)
"""Small (0.2 s to generate, a few hundred punches) but with every sample the tests need."""

WEBHOOK_SECRET = "test-webhook-secret"
"""The secret `events/punch_webhook.json` is signed with."""
WEBHOOK_SIGNED_AT = 1772430720
"""Its `X-Plexlabor-Timestamp` (2026-03-02T05:52:00Z)."""


@contextmanager
def captured_logs(logger: Any) -> Iterator[io.StringIO]:
    """What a Powertools Logger writes while the block runs (its handler holds its own stream)."""
    stream = io.StringIO()
    handler = logger.registered_handler
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


@dataclass(frozen=True)
class Sample:
    entry: TimeClockEntry | LaborEntry
    findings: tuple[Finding, ...]

    @property
    def key(self) -> str:
        return record_key(self.entry.resource, self.entry.id)

    def message(self, source: str = "webhook", received_at: datetime | None = None) -> PunchMessage:
        return PunchMessage.of(self.entry, source, received_at or datetime(2026, 11, 21, 6, tzinfo=UTC))  # type: ignore[arg-type]


@dataclass(frozen=True)
class PlantSamples:
    timezone: str
    start: datetime
    end: datetime
    review: Sample
    """A punch with exactly one finding, routed to review; its employee has a supervisor who has one."""
    other_review: Sample
    """Another employee's review punch, in the same week as `review`."""
    clean: Sample
    """A punch with no finding, in the same week as `review`."""
    clean_labor: Sample
    """A labor entry with no finding, in the same week as `review`."""


class NoSupervisors:
    """`source` as the labor-data port, but nobody has a supervisor (a finding nobody can approve)."""

    def __init__(self, source: PlantFolderSource) -> None:
        self.source = source

    def __getattr__(self, name: str) -> Any:
        return getattr(self.source, name)

    def employees(self) -> list[Any]:
        return [e.model_copy(update={"supervisor_id": None}) for e in self.source.employees()]


def make_plant(path: Path) -> PlantFolderSource:
    """Generate the intake tests' plant into `path`."""
    generate_plant(INTAKE_PLANT, path)
    return PlantFolderSource(path)


@pytest.fixture(scope="session")
def plant_source(tmp_path_factory: pytest.TempPathFactory) -> PlantFolderSource:
    """A small labelled plant as a labor-data port (generated and parsed once per session)."""
    return make_plant(tmp_path_factory.mktemp("intake-plant"))


@pytest.fixture(scope="session")
def samples(plant_source: PlantFolderSource) -> PlantSamples:
    return find_samples(plant_source)


def find_samples(source: PlantFolderSource) -> PlantSamples:
    """Pick the sample records of a generated plant (deterministic for a given plant)."""
    meta = source.plant.meta()
    labelled = {label.record_key for label in source.plant.labels()}
    supervisor = {e.id: e.supervisor_id for e in source.employees()}
    punches = source.time_clock_entries(meta.start, meta.end)
    labor = source.labor_entries(meta.start, meta.end)
    engine = ValidationEngine()
    context = BatchContext(
        source=source,
        timezone=meta.timezone,
        entries=[*punches, *labor],
        load_norms=lambda: None,
        now=lambda: meta.end,
    )

    def sample(entry: TimeClockEntry | LaborEntry) -> Sample:
        data, norms = context.for_entry(entry)
        return Sample(entry, tuple(engine.realtime(entry, data, norms)))

    def escalates(employee: str) -> bool:
        boss = supervisor.get(employee)
        return boss is not None and supervisor.get(boss) is not None

    def is_review(s: Sample) -> bool:
        """Routed to review whatever the norms: a rule's finding (no learned features), not a history one,
        whose confidence is capped by the history behind it (a handler with no stored norms sees a week)."""
        return bool(s.findings) and all(f.route == "review" and "features" not in f.evidence for f in s.findings)

    def week_of(entry: TimeClockEntry | LaborEntry) -> tuple[int, int]:
        moment = entry.clockin_time if isinstance(entry, TimeClockEntry) else entry.start_time
        year, week, _ = moment.isocalendar()
        return year, week

    flagged = [p for p in punches if record_key(p.resource, p.id) in labelled]
    middle = flagged[len(flagged) // 2 :]  # a week with a full history around it
    review = next(
        s for s in map(sample, middle) if len(s.findings) == 1 and is_review(s) and escalates(s.entry.employee_id)
    )
    week = week_of(review.entry)

    def same_week(entry: TimeClockEntry | LaborEntry) -> bool:
        return week_of(entry) == week and entry.employee_id != review.entry.employee_id

    other_review = next(
        s
        for s in map(sample, (p for p in flagged if same_week(p)))
        if is_review(s) and supervisor.get(s.entry.employee_id)
    )
    clean = next(
        s
        for s in map(sample, (p for p in punches if same_week(p) and record_key(p.resource, p.id) not in labelled))
        if not s.findings
    )
    clean_labor = next(
        s
        for s in map(sample, (e for e in labor if same_week(e) and record_key(e.resource, e.id) not in labelled))
        if not s.findings
    )
    return PlantSamples(meta.timezone, meta.start, meta.end, review, other_review, clean, clean_labor)


def sqs_event(bodies: list[str], queue_arn: str = "arn:aws:sqs:us-east-1:123456789012:plexlabor-test-punch") -> dict:
    """An SQS event as Lambda's event source mapping delivers it."""
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": f"handle-{i}",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1795680000000",
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                    "ApproximateFirstReceiveTimestamp": "1795680000010",
                },
                "messageAttributes": {},
                "md5OfBody": "0" * 32,
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "us-east-1",
            }
            for i, body in enumerate(bodies)
        ]
    }


def scheduled_event(detail: dict[str, Any] | None = None) -> dict[str, Any]:
    """An EventBridge scheduled event (a schedule sends `detail: {}`)."""
    event = load_event("punch_poller")
    event["detail"] = detail or {}
    return event
