"""punch_validator with fakes: partial batch failures, one finding per duplicate, one approval per finding."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from functions.punch_validator import handler as validator
from plexlabor.audit import AuditEventType, AuditStatus, InMemoryAuditStore
from plexlabor.audit.errors import AuditUnavailableError
from plexlabor.intake.approvals import InMemoryApprovalStarter
from plexlabor.intake.idempotency import InMemoryPersistenceLayer
from plexlabor.intake.norms_store import InMemoryNormsStore
from plexlabor.intake.recording import FindingRecorder
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.validation.norms import Norms
from tests.support import FakeLambdaContext
from tests.unit.intake.intake_samples import NoSupervisors, PlantSamples, captured_logs, sqs_event

NOW = datetime(2026, 11, 26, 7, 30, tzinfo=UTC)


class CountingSource:
    """The plant folder port, counting the reads of transaction windows."""

    def __init__(self, inner: PlantFolderSource) -> None:
        self.inner = inner
        self.window_reads = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def time_clock_entries(self, *args: Any, **kwargs: Any) -> Any:
        self.window_reads += 1
        return self.inner.time_clock_entries(*args, **kwargs)


class FlakyAudit(InMemoryAuditStore):
    """Refuses appends about one record, as a throttled DynamoDB would."""

    def __init__(self, failing_record: str) -> None:
        super().__init__()
        self.failing_record = failing_record

    def append(self, event: Any) -> None:
        if event.record_key == self.failing_record:
            raise AuditUnavailableError("DynamoDB unavailable during append: ThrottlingException")
        super().append(event)


def make_deps(
    source: Any,
    samples: PlantSamples,
    audit: InMemoryAuditStore,
    approvals: InMemoryApprovalStarter,
    *,
    norms: Norms | None = None,
    persistence: InMemoryPersistenceLayer | None = None,
    default_supervisor: str | None = "SUP-DEFAULT",
) -> validator.Dependencies:
    store = InMemoryNormsStore(norms)
    return validator.Dependencies(
        source=source,
        timezone=samples.timezone,
        recorder=FindingRecorder(
            audit=audit,
            approvals=approvals,
            actor="punch_validator",
            clock=lambda: NOW,
            default_supervisor=default_supervisor,
        ),
        load_norms=store.latest,
        persistence=persistence or InMemoryPersistenceLayer(),
        clock=lambda: NOW,
    )


def run(deps: validator.Dependencies, bodies: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    event = sqs_event(bodies)
    response = validator.handler(event, FakeLambdaContext(), dependencies=deps)
    return event, response


def failed_ids(response: dict[str, Any]) -> list[str]:
    return [failure["itemIdentifier"] for failure in response["batchItemFailures"]]


def findings_in(audit: InMemoryAuditStore) -> list[Any]:
    return [e for e in audit.by_status(AuditStatus.PENDING_APPROVAL)] + [e for e in audit.by_status(AuditStatus.LOGGED)]


def test_a_review_routed_finding_is_audited_and_starts_exactly_one_approval(
    plant_source, samples, audit, approvals
) -> None:
    # Given a punch the engine flags for review
    deps = make_deps(plant_source, samples, audit, approvals)
    (finding,) = samples.review.findings
    # When it is validated
    _, response = run(deps, [samples.review.message().model_dump_json()])
    # Then one finding event, pending approval, addressed to the employee's supervisor...
    assert response == {"batchItemFailures": []}
    (event,) = audit.history(samples.review.key)
    assert event.event_type is AuditEventType.FINDING and event.status is AuditStatus.PENDING_APPROVAL
    assert event.finding_id == finding.finding_id and event.payload["finding_id"] == finding.finding_id
    assert event.model_version == event.payload["model_version"]
    assert (
        event.employee_id == samples.review.entry.employee_id and event.payload["anomaly_type"] == finding.anomaly_type
    )
    supervisor = {e.id: e.supervisor_id for e in plant_source.employees()}
    employee_supervisor = supervisor[samples.review.entry.employee_id]
    assert event.supervisor_id == employee_supervisor
    # ...and one approval, escalating to the supervisor's own supervisor
    (request,) = approvals.started.values()
    assert request.execution_name == finding.finding_id
    assert request.supervisor_id == employee_supervisor
    assert request.escalation_supervisor_id == supervisor[employee_supervisor]
    # ...telling the supervisor who it is by the plant's employee number (the finding keeps the id only)
    numbers = {e.id: e.employee_no for e in plant_source.employees()}
    assert request.employee_number == numbers[samples.review.entry.employee_id]


def test_a_clean_punch_and_labor_entry_record_nothing(plant_source, samples, audit, approvals) -> None:
    deps = make_deps(plant_source, samples, audit, approvals)
    _, response = run(
        deps, [samples.clean.message().model_dump_json(), samples.clean_labor.message().model_dump_json()]
    )
    assert response == {"batchItemFailures": []}
    assert findings_in(audit) == [] and approvals.started == {}


def test_duplicate_delivery_yields_one_finding_and_one_approval(plant_source, samples, audit, approvals) -> None:
    # Given the same punch sent twice in one batch, redelivered in a second batch, and polled too
    deps = make_deps(plant_source, samples, audit, approvals)
    body = samples.review.message().model_dump_json()
    run(deps, [body, body])
    run(deps, [body])
    run(deps, [samples.review.message(source="poll").model_dump_json()])
    # Then the audit holds one finding and one approval was started
    assert len(audit.history(samples.review.key)) == 1
    assert len(approvals.started) == 1


def test_even_past_the_idempotency_store_a_finding_is_recorded_once(plant_source, samples, audit, approvals) -> None:
    # Given two containers that do not share an idempotency store (or an expired record)
    body = samples.review.message().model_dump_json()
    run(make_deps(plant_source, samples, audit, approvals), [body])
    run(make_deps(plant_source, samples, audit, approvals), [body])
    # Then the audit's stable event id and the execution name still make it one of each
    assert len(audit.history(samples.review.key)) == 1
    assert len(approvals.started) == 1 and approvals.attempts == 2


def test_a_malformed_message_fails_alone_and_the_others_are_done(
    plant_source, samples, audit, approvals, caplog: pytest.LogCaptureFixture
) -> None:
    deps = make_deps(plant_source, samples, audit, approvals)
    bodies = [
        samples.review.message().model_dump_json(),
        '{"source": "webhook", "resource": "time-clock-entries", "record": {"id": "X"}, '
        '"received_at": "2026-11-26T07:00:00Z"}',
        samples.other_review.message().model_dump_json(),
    ]
    event, response = run(deps, bodies)
    assert failed_ids(response) == [event["Records"][1]["messageId"]]
    assert audit.history(samples.review.key) and audit.history(samples.other_review.key)
    # and the log names the message, its record and the fields that do not parse
    logged = [r for r in caplog.records if "does not parse" in r.getMessage()]
    assert [(r.message_id, r.record_id) for r in logged] == [(event["Records"][1]["messageId"], "X")]  # type: ignore[attr-defined]
    assert logged[0].fields == ["employeeId"]  # type: ignore[attr-defined]


def test_a_record_whose_processing_fails_is_retried_alone(plant_source, samples, approvals) -> None:
    # Given an audit store that refuses one record's events
    audit = FlakyAudit(samples.other_review.key)
    persistence = InMemoryPersistenceLayer()
    deps = make_deps(plant_source, samples, audit, approvals, persistence=persistence)
    bodies = [samples.review.message().model_dump_json(), samples.other_review.message().model_dump_json()]
    # When the batch runs, only that record is reported failed
    event, response = run(deps, bodies)
    assert failed_ids(response) == [event["Records"][1]["messageId"]]
    assert audit.history(samples.review.key) and not audit.history(samples.other_review.key)
    # And when SQS redelivers it after the store recovers, it is validated (not answered from the cache)
    audit.failing_record = "-"
    _, response = run(deps, [bodies[1]])
    assert response == {"batchItemFailures": []}
    assert len(audit.history(samples.other_review.key)) == len(samples.other_review.findings)


def test_the_batch_reads_its_context_once(plant_source, samples, audit, approvals) -> None:
    source = CountingSource(plant_source)
    deps = make_deps(source, samples, audit, approvals)
    run(
        deps,
        [
            samples.review.message().model_dump_json(),
            samples.other_review.message().model_dump_json(),
            samples.clean.message().model_dump_json(),
            samples.clean_labor.message().model_dump_json(),
        ],
    )
    assert source.window_reads == 1


def test_a_batch_already_validated_reads_nothing(plant_source, samples, audit, approvals) -> None:
    source = CountingSource(plant_source)
    deps = make_deps(source, samples, audit, approvals)
    body = samples.review.message().model_dump_json()
    run(deps, [body])
    run(deps, [body])
    assert source.window_reads == 1


def test_without_stored_norms_they_are_computed_from_the_context_and_a_warning_is_logged(
    plant_source, samples, audit, approvals
) -> None:
    deps = make_deps(plant_source, samples, audit, approvals, norms=None)
    with captured_logs(validator.logger) as logs:
        run(deps, [samples.review.message().model_dump_json()])
    assert "no stored norms yet" in logs.getvalue()
    (event,) = audit.history(samples.review.key)
    assert "+norms-" in event.model_version


def test_stored_norms_are_used_when_present(plant_source, samples, audit, approvals) -> None:
    norms = Norms("norms-stored-1", {}, {})
    deps = make_deps(plant_source, samples, audit, approvals, norms=norms)
    with captured_logs(validator.logger) as logs:
        run(deps, [samples.review.message().model_dump_json()])
    assert "no stored norms yet" not in logs.getvalue()
    assert all(e.model_version.endswith("+norms-stored-1") for e in audit.history(samples.review.key))


def test_a_review_finding_nobody_can_approve_is_recorded_unrouted_not_retried(
    plant_source, samples, audit, approvals, capsys
) -> None:
    # Given an employee whose supervisor is unknown and no default supervisor configured
    deps = make_deps(NoSupervisors(plant_source), samples, audit, approvals, default_supervisor=None)
    # When their review finding is validated
    _, response = run(deps, [samples.clean.message().model_dump_json(), samples.review.message().model_dump_json()])
    # Then the record is done (retrying cannot find a supervisor: it went to the DLQ with no audit record)
    assert failed_ids(response) == [] and approvals.started == {}
    # and the audit says so: the finding, logged, unrouted for want of a supervisor, addressed to nobody
    (event,) = audit.history(samples.review.key)
    assert event.event_type is AuditEventType.FINDING and event.status is AuditStatus.LOGGED
    assert event.payload["unrouted"] == "no_supervisor" and event.payload["route"] == "review"
    assert event.supervisor_id is None and event.finding_id == samples.review.findings[0].finding_id
    # and a metric an alarm watches counts it
    emitted = [line for line in capsys.readouterr().out.splitlines() if '"CloudWatchMetrics"' in line]
    assert any('"UnroutableFindings":[1.0]' in line.replace(" ", "") for line in emitted), emitted
    # A redelivery records nothing more and starts nothing
    _, again = run(deps, [samples.review.message(received_at=NOW).model_dump_json()])
    assert failed_ids(again) == [] and len(audit.history(samples.review.key)) == 1 and approvals.started == {}


def test_when_every_record_fails_the_invocation_fails(plant_source, samples, audit, approvals) -> None:
    # Powertools' default: an entirely failed batch raises, so Lambda reports an error (and backs off).
    class PlexDown:
        def __getattr__(self, name: str) -> Any:
            raise ConnectionError("Plex unavailable")

    deps = make_deps(PlexDown(), samples, audit, approvals)
    with pytest.raises(BatchProcessingError):
        run(deps, [samples.review.message().model_dump_json(), samples.clean.message().model_dump_json()])
    assert audit.history(samples.review.key) == []


def test_logs_name_record_and_employee_keys_but_not_the_record(plant_source, samples, audit, approvals) -> None:
    deps = make_deps(plant_source, samples, audit, approvals)
    with captured_logs(validator.logger) as logs:
        run(deps, [samples.review.message().model_dump_json()])
    text = logs.getvalue()
    assert samples.review.key in text and samples.review.entry.employee_id in text
    assert "clockinTime" not in text and "firstName" not in text


@pytest.mark.parametrize("route", ["review", "trend"])
def test_finding_status_follows_the_route(samples, audit, approvals, recorder, plant_source, route) -> None:
    from plexlabor.validation.data import PlantData

    finding = samples.review.findings[0].model_copy(update={"route": route})
    data = PlantData.build({"employees": plant_source.employees()}, samples.timezone, NOW.timestamp())
    recorded = recorder.record(finding, data)
    (event,) = audit.history(finding.record_key)
    expected = AuditStatus.PENDING_APPROVAL if route == "review" else AuditStatus.LOGGED
    assert event.status is expected and recorded.approval_started is (route == "review")
