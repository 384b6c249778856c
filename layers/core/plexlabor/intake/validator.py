"""Validating punches against their batch's context: the domain side of `punch_validator`.

Each SQS record's body is a `PunchMessage`. `validate_batch` returns the partial batch response
`{"batchItemFailures": [{"itemIdentifier": "<messageId>"}, ...]}` (the event source mapping needs
`ReportBatchItemFailures`): a record that fails is retried alone, the others are done.

Per record, once per record version (Powertools idempotency on `record_key` + version, DynamoDB):
the record's real-time checks run against the plant data of its week (read once per batch for all
its records), and every finding becomes an audit event; review-routed findings start an approval.
A review finding nobody can approve is recorded unrouted (`intake.recording`), logged as an error and
counted in the `UnroutableFindings` metric (an alarm watches it); the record is done, not retried.

Every record validated is then counted for the KPI page (`plexlabor.audit.validations`: punches
validated per plant-local day, the flagged share's denominator), on every delivery: the count's own
marker, not the idempotency record, makes it once per record (a redelivery, a retry after a failed
count, the record's next version add nothing). A count that fails fails the record: it is retried,
its validation answered from the idempotency record, and counted then.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer
from pydantic import ValidationError

from plexlabor.audit.validations import ValidatedRecord, ValidationCounter
from plexlabor.intake.context import BatchContext
from plexlabor.intake.messages import PunchMessage, PunchVersion, record_time
from plexlabor.intake.recording import UNROUTABLE_METRIC, FindingRecorder, PlantPlaces, build_recorder
from plexlabor.intake.settings import ValidatorSettings
from plexlabor.platform.clock import utc_now
from plexlabor.platform.observability import logger, metrics, tracer
from plexlabor.platform.settings import PerEnvironment
from plexlabor.platform.sqs import SqsEventOf, SqsRecordOf
from plexlabor.plex.port import LaborDataPort
from plexlabor.validation.engine import EngineSettings, ValidationEngine
from plexlabor.validation.norms import Norms
from plexlabor.validation.registry import ScorerLoader

ACTOR = "punch_validator"


PunchSqsRecord = SqsRecordOf[PunchMessage]
PunchSqsEvent = SqsEventOf[PunchMessage]


processor = BatchProcessor(event_type=EventType.SQS, model=PunchSqsRecord)


@dataclass
class PunchValidator:
    engine: ValidationEngine
    recorder: FindingRecorder

    def validate(self, message: PunchMessage, context: BatchContext) -> dict[str, Any]:
        """Run the real-time checks on the message's record, record every finding; return a JSON-safe
        summary (the idempotency layer stores it as this record version's result)."""
        data, norms = context.for_entry(message.entry)
        findings = self.engine.realtime(message.entry, data, norms)
        recorded = [self.recorder.record(finding, data) for finding in findings]
        person = data.employees.get(message.employee_id)
        return {
            "record_key": message.record_key,
            "version": message.version.version,
            "norms_version": norms.version,
            "department": person.department if person else None,
            "findings": [
                {
                    "finding_id": r.finding_id,
                    "route": r.route,
                    "new": r.new,
                    "approval_started": r.approval_started,
                    "unrouted": r.unrouted,
                }
                for r in recorded
            ],
        }


@dataclass
class Dependencies:
    source: LaborDataPort
    timezone: str
    recorder: FindingRecorder
    load_norms: Callable[[], Norms | None]
    persistence: BasePersistenceLayer
    idempotency: IdempotencyConfig = field(default_factory=lambda: IdempotencyConfig(expires_after_seconds=14 * 86400))
    engine: ValidationEngine = field(default_factory=ValidationEngine)
    clock: Callable[[], datetime] = utc_now
    counter: ValidationCounter | None = None
    """Where validated records are counted (the state table); None: not counted."""
    scorer: ScorerLoader | None = None
    """The scorer model in force and its shadow (`plexlabor.validation.registry.scorer_in_force`: cached,
    re-checked on a TTL, the packaged model when the registry has none), read once per batch; None: `engine`'s own."""

    def count(self, message: PunchMessage, result: dict[str, Any]) -> int:
        """Count the record as validated today (plant time); 1 if it was not counted before."""
        if self.counter is None:
            return 0
        zone = ZoneInfo(self.timezone)
        record_day = record_time(message.entry).astimezone(zone).date()
        record = ValidatedRecord(message.record_key, record_day, result.get("department"))
        return self.counter.count([record], self.clock().astimezone(zone).date())

    @cached_property
    def validate_once(self) -> Callable[..., dict[str, Any]]:
        """`validate(version=..., message=..., batch=...)`, run once per record version."""
        validator = PunchValidator(self.engine, self.recorder)

        def validate(*, version: PunchVersion, message: PunchMessage, batch: BatchContext) -> dict[str, Any]:
            result = validator.validate(message, batch)  # only on a version's first delivery
            findings = result["findings"]
            metrics.add_metric(name="FindingsRecorded", unit=MetricUnit.Count, value=sum(f["new"] for f in findings))
            metrics.add_metric(
                name="ApprovalsStarted", unit=MetricUnit.Count, value=sum(f["approval_started"] for f in findings)
            )
            unrouted = [f["finding_id"] for f in findings if f["unrouted"]]
            if unrouted:
                logger.error("review findings with no supervisor to route to: recorded unrouted", finding_ids=unrouted)
                metrics.add_metric(name=UNROUTABLE_METRIC, unit=MetricUnit.Count, value=len(unrouted))
            return result

        return idempotent_function(
            data_keyword_argument="version",
            config=self.idempotency,
            persistence_store=self.persistence,
            key_prefix=ACTOR,
        )(validate)


def _no_norms() -> Norms | None:
    return None


def _build(settings: ValidatorSettings) -> Dependencies:
    """The real adapters (clients are created on first use)."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from plexlabor.audit.dynamodb import DynamoDbValidationCounter
    from plexlabor.intake.aws import S3NormsStore
    from plexlabor.intake.norms_store import CachedNorms
    from plexlabor.intake.sources import ReferenceCache
    from plexlabor.platform.aws import aws_client
    from plexlabor.plex.sources import open_labor_source_from_aws
    from plexlabor.validation.exploration import Exploration
    from plexlabor.validation.registry import scorer_in_force

    dynamodb = aws_client("dynamodb")  # one client for the audit, idempotency and state tables
    source = open_labor_source_from_aws(settings)
    port = ReferenceCache(source.port, settings.reference_max_age_s)
    if settings.artifacts_bucket_name:
        load_norms = CachedNorms(S3NormsStore(settings.artifacts_bucket_name), settings.norms_max_age_s).latest
    else:
        load_norms = _no_norms
    clock = utc_now
    return Dependencies(
        source=port,
        timezone=source.timezone,
        recorder=build_recorder(
            settings, ACTOR, PlantPlaces(port, settings.reference_max_age_s), clock=clock, dynamodb=dynamodb
        ),
        load_norms=load_norms,
        persistence=DynamoDBPersistenceLayer(table_name=settings.idempotency_table_name, boto3_client=dynamodb),
        idempotency=IdempotencyConfig(expires_after_seconds=settings.idempotency_expires_s),
        clock=clock,
        counter=(
            DynamoDbValidationCounter(settings.state_table_name, client=dynamodb) if settings.state_table_name else None
        ),
        scorer=scorer_in_force(settings.artifacts_bucket_name, settings.scorer_max_age_s),
        engine=ValidationEngine(
            settings=EngineSettings.of(settings.validation_policy),
            exploration=Exploration(share) if (share := settings.scorer_exploration_share) > 0 else None,
        ),  # exploration off (the default): no second copy of the packaged scorer parsed at a cold start
    )


build_dependencies = PerEnvironment(ValidatorSettings, _build)
"""The dependencies from the environment: built on first use, rebuilt only if a variable it reads changes."""


def _messages(event: dict[str, Any]) -> list[PunchMessage]:
    """The batch's well-formed messages. A malformed one fails alone in the processor; it is logged here
    with its message id, record id and the fields that do not parse (never a value)."""
    messages = []
    for record in event.get("Records", []):
        try:
            messages.append(PunchMessage.model_validate_json(record.get("body") or ""))
        except ValidationError as error:
            logger.warning(
                "a punch message that does not parse fails alone; the others are validated",
                message_id=record.get("messageId"),
                record_id=_record_id(record.get("body")),
                fields=_fields(error),
            )
    return messages


def batch_clock(messages: list[PunchMessage], clock: Callable[[], datetime]) -> Callable[[], datetime]:
    """What the batch's checks take as now: the earliest moment its polls read the source up to, never later
    than the clock; the clock when no message came from a poll. The earliest, because one batch may hold a
    replay of a past window beside the live poll: judged as of now, the replay's shifts still on the floor at
    its end would be missed punches; judged as of the replay's end, a live record only waits for the nightly
    sweep to call a clock-out missing (a record just polled is never overdue)."""
    known = [message.known_until for message in messages if message.known_until is not None]
    if not known:
        return clock
    horizon = min(known)
    return lambda: min(clock(), horizon)


def _fields(error: ValidationError) -> list[str]:
    """The fields a message's errors name: each error's location, or for an error about the record as a
    whole the fields its message quotes (`field 'employeeId' is missing`); never a value."""
    names: set[str] = set()
    for problem in error.errors():
        location = ".".join(str(part) for part in problem["loc"])
        names.update([location] if location else re.findall(r"field '(\w+)'", problem["msg"]) or ["(record)"])
    return sorted(names)


def _record_id(body: Any) -> str | None:
    """The Plex record id a malformed message's body names, when it names one (`record.id`; at most 100
    characters: the body is untrusted)."""
    try:
        found = json.loads(body).get("record", {}).get("id")
    except (TypeError, ValueError, AttributeError, RecursionError):
        return None
    return found[:100] if isinstance(found, str) else None


def validate_batch(deps: Dependencies, event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Validate every record of an SQS batch once per record version; the partial batch response."""
    deps.idempotency.register_lambda_context(context)
    if deps.scorer is not None:
        deps.scorer.score_with(deps.engine)  # the model in force, the same for the whole batch

    def norms_missing(version: str) -> None:
        logger.warning("no stored norms yet: using norms computed from this batch's context", norms_version=version)

    messages = _messages(event)
    batch = BatchContext(
        source=deps.source,
        timezone=deps.timezone,
        entries=[message.entry for message in messages],
        load_norms=deps.load_norms,
        now=batch_clock(messages, deps.clock),
        on_norms_missing=norms_missing,
        week_starts=deps.engine.settings.policy.pay_week_starts,
    )

    @tracer.capture_method
    def record_handler(record: PunchSqsRecord) -> dict[str, Any]:
        message = record.body
        with logger.append_context_keys(
            record_key=message.record_key, employee_id=message.employee_id, message_id=record.messageId
        ):
            try:
                result = deps.validate_once(version=message.version, message=message, batch=batch)
                counted = deps.count(message, result)
            except Exception:
                logger.exception("punch validation failed; the record will be retried")
                raise
            logger.info("punch validated", findings=[f["finding_id"] for f in result["findings"]], counted=counted)
        metrics.add_metric(name="PunchesValidated", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name="PunchesCounted", unit=MetricUnit.Count, value=counted)
        return result

    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    failures = response.get("batchItemFailures", [])
    if failures:
        metrics.add_metric(name="PunchesFailed", unit=MetricUnit.Count, value=len(failures))
        logger.warning("records failed; they will be retried", failed=[f["itemIdentifier"] for f in failures])
    return dict(response)
