"""Punches validated, counted for the KPI page: once per record, by the validator and the nightly sweep."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from functions.norms_refresh import handler as nightly
from plexlabor.audit.errors import AuditUnavailableError
from plexlabor.audit.validations import InMemoryValidationCounter, ValidatedRecord
from plexlabor.intake.messages import PunchMessage, record_time
from plexlabor.intake.norms_store import InMemoryNormsStore
from plexlabor.models import TimeClockEntry
from tests.support import FakeLambdaContext
from tests.unit.intake.intake_samples import scheduled_event
from tests.unit.intake.test_intake_norms_refresh import make_deps as nightly_deps
from tests.unit.intake.test_intake_validator_handler import NOW, failed_ids, findings_in, make_deps, run


def bodies(*samples: Any) -> list[str]:
    return [sample.message().model_dump_json() for sample in samples]


def test_each_record_validated_is_counted_once_on_the_day_it_was_validated(
    plant_source, samples, audit, approvals
) -> None:
    counter = InMemoryValidationCounter()
    deps = make_deps(plant_source, samples, audit, approvals)
    deps.counter = counter
    # When a clean punch, a flagged one and a labor entry are validated, then redelivered
    run(deps, bodies(samples.clean, samples.review, samples.clean_labor))
    run(deps, bodies(samples.clean, samples.review))
    # ...and the flagged punch comes back with a later version (its clock-out, an edit)
    entry = samples.review.entry
    assert isinstance(entry, TimeClockEntry)
    edited = entry.model_copy(update={"modified_date": NOW})
    _, response = run(deps, [PunchMessage.of(edited, "poll", NOW).model_dump_json()])
    # Then the three records count once each, on today's plant-local date
    assert response == {"batchItemFailures": []}
    zone = ZoneInfo(samples.timezone)
    [today] = counter.days(NOW.astimezone(zone).date() - timedelta(days=30), NOW.astimezone(zone).date())
    assert today.day == NOW.astimezone(zone).date() and today.validated == 3
    assert today.by_resource == {"labor-entries": 1, "time-clock-entries": 2}
    departments = {e.id: e.department_code for e in plant_source.employees()}
    assert sum(today.by_department.values()) == 3
    assert set(today.by_department) == {
        departments[s.entry.employee_id] for s in (samples.clean, samples.review, samples.clean_labor)
    }
    # ...each kept under the day of the record itself
    assert set(counter.markers) == {
        (record_time(s.entry).astimezone(zone).date(), s.key)
        for s in (samples.clean, samples.review, samples.clean_labor)
    }


class FailingCounter(InMemoryValidationCounter):
    """Refuses to count one record, as DynamoDB does when a counter shard stays busy."""

    def __init__(self, failing_record: str) -> None:
        super().__init__()
        self.failing_record = failing_record

    def count(self, records: Any, on: Any) -> int:
        if any(record.record_key == self.failing_record for record in records):
            raise AuditUnavailableError("DynamoDB busy during count a validated record: ['TransactionConflict']")
        return super().count(records, on)


def test_a_count_that_fails_fails_the_record_and_its_retry_counts_it_without_validating_again(
    plant_source, samples, audit, approvals
) -> None:
    counter = FailingCounter(samples.review.key)
    deps = make_deps(plant_source, samples, audit, approvals)
    deps.counter = counter
    # When the count of one record fails, that record fails (SQS redelivers it)...
    event, response = run(deps, bodies(samples.clean, samples.review))
    assert failed_ids(response) == [event["Records"][1]["messageId"]]
    # ...its finding and approval already recorded
    assert len(findings_in(audit)) == 1 and len(approvals.started) == 1
    # And when it is redelivered, it is counted: validation is answered from the idempotency record
    counter.failing_record = "-"
    _, response = run(deps, bodies(samples.review))
    assert response == {"batchItemFailures": []}
    assert [d.validated for d in counter.days(NOW.date() - timedelta(days=1), NOW.date())] == [2]
    assert len(findings_in(audit)) == 1 and approvals.attempts == 1


def test_the_sweep_counts_only_the_punches_no_validator_counted(plant_source, recorder, audit) -> None:
    counter = InMemoryValidationCounter()
    deps = nightly_deps(plant_source, recorder, InMemoryNormsStore())
    deps.counter = counter
    zone = ZoneInfo(plant_source.plant.meta().timezone)
    # Given the validator already counted one punch of the window, yesterday
    end = plant_source.plant.meta().end
    in_window = next(e for e in plant_source.time_clock_entries(end - timedelta(days=1), end) if e.clockin_time < end)
    key = f"time-clock-entries:{in_window.id}"
    counter.count(
        [ValidatedRecord(key, in_window.clockin_time.astimezone(zone).date())], end.date() - timedelta(days=1)
    )
    # When the nightly job runs twice (a retry)
    first = nightly.handler(scheduled_event(), FakeLambdaContext(), dependencies=deps)["sweep"]
    second = nightly.handler(scheduled_event(), FakeLambdaContext(), dependencies=deps)["sweep"]
    # Then the first counted every other punch and labor entry of the window, the second nothing
    assert first["validated"] == second["validated"] > 1
    assert (first["counted"], second["counted"]) == (first["validated"] - 1, 0)
    sweep_day = recorder.clock().astimezone(zone).date()
    counts = {d.day: d.validated for d in counter.days(sweep_day - timedelta(days=7), sweep_day)}
    assert counts[sweep_day] == first["counted"]
    assert {resource for resource, _ in (m[1].split(":", 1) for m in counter.markers)} <= {
        "time-clock-entries",
        "labor-entries",
    }
