"""A direct write-back whose answer is lost after Plex applied it (a read timeout): the retry finds the
new values in Plex and must still record the values they replaced, read before the first attempt wrote,
so the write can be reverted; the record is written once. On the last attempt the record is looked up
before anything is dead-lettered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from approval_fakes import FakePlex, World
from test_writeback import CLOCKOUT, FakeResponse, _entry, event_of, message, of_type, run

from plexlabor.approval.writeback import WritebackService
from plexlabor.audit import AuditEventType
from plexlabor.models import TimeClockEntry
from plexlabor.plex import PlexSettings, PlexWriter
from plexlabor.plex.errors import PlexTimeoutError

UPDATE_PATH = "/hcm/v1/time-clock-entries/{id}"


@dataclass
class AppliesThenTimesOut:
    """Plex applies each write to the record, then the first answer is lost (a read timeout)."""

    plex: FakePlex
    posts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def post(self, path: str, body: dict[str, Any], *, idempotency_key: str | None = None) -> FakeResponse:
        self.posts.append((path, body))
        [entry] = self.plex.entries
        self.plex.entries = [TimeClockEntry.from_plex({**entry.to_plex(), **body})]
        if len(self.posts) == 1:
            raise PlexTimeoutError("read timed out")
        return FakeResponse(200, {})


def direct_service(world: World, plex: FakePlex, transport: AppliesThenTimesOut) -> WritebackService:
    settings = PlexSettings(api_key="k", write_mode="direct", resource_paths={"time-clock-entry-update": UPDATE_PATH})  # type: ignore[call-arg]
    writer = PlexWriter(settings, transport=transport)  # type: ignore[arg-type]
    return WritebackService(audit=world.audit, writer=writer, plex=plex, max_receive_count=3, clock=world.clock)


def test_a_lost_answer_after_plex_applied_the_write_keeps_the_replaced_values(world: World) -> None:
    # Given a missed clock-out, and Plex that applies the write but whose answer is lost
    plex = FakePlex(entries=[_entry()])
    transport = AppliesThenTimesOut(plex)
    service = direct_service(world, plex, transport)
    # When the first attempt times out, SQS brings the message back
    assert run(event_of(message()), service) == {"batchItemFailures": [{"itemIdentifier": "m-0"}]}
    assert plex.entries[0].to_plex()["clockoutTime"] == CLOCKOUT  # Plex holds the new value
    # Then the retry writes nothing more and records the write-back with the value it replaced
    assert run(event_of(message(), receive_count=2), service) == {"batchItemFailures": []}
    assert len(transport.posts) == 1
    [written] = of_type(world, AuditEventType.WRITEBACK)
    assert written.payload["already_applied"] is True
    assert written.previous_values == {"clockoutTime": None}


def test_a_lost_answer_on_the_last_attempt_is_looked_up_and_recorded_not_dead_lettered(world: World) -> None:
    plex = FakePlex(entries=[_entry()])
    transport = AppliesThenTimesOut(plex)
    service = direct_service(world, plex, transport)
    # When the last attempt's answer is lost after Plex applied it
    assert run(event_of(message(), receive_count=3), service) == {"batchItemFailures": []}
    # Then the record is read back: the write-back is recorded with the value it replaced, nothing failed
    # (before: `writeback_failed`, dead-lettered, although Plex held the write)
    assert of_type(world, AuditEventType.WRITEBACK_FAILED) == []
    [written] = of_type(world, AuditEventType.WRITEBACK)
    assert written.payload["already_applied"] is True and written.payload["applied_by_earlier_attempt"] is True
    assert written.previous_values == {"clockoutTime": None} and len(transport.posts) == 1


@dataclass
class TimesOutWithoutApplying:
    """Plex that never answers in time and never applies the write."""

    posts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def post(self, path: str, body: dict[str, Any], *, idempotency_key: str | None = None) -> FakeResponse:
        self.posts.append((path, body))
        raise PlexTimeoutError("read timed out")


def test_a_write_not_applied_on_the_last_attempt_is_still_dead_lettered_and_recorded(world: World) -> None:
    plex = FakePlex(entries=[_entry()])
    transport = TimesOutWithoutApplying()
    service = direct_service(world, plex, transport)  # type: ignore[arg-type]
    assert run(event_of(message(), receive_count=3), service) == {"batchItemFailures": [{"itemIdentifier": "m-0"}]}
    assert [e.payload["dead_lettered"] for e in of_type(world, AuditEventType.WRITEBACK_FAILED)] == [True]
    assert of_type(world, AuditEventType.WRITEBACK) == [] and len(transport.posts) == 1


def test_a_look_up_that_fails_on_the_last_attempt_records_the_failure(world: World) -> None:
    plex = FakePlex(entries=[_entry()])
    transport = AppliesThenTimesOut(plex)
    service = direct_service(world, plex, transport)
    reads = 0
    read = plex.time_clock_entries

    def down_for_the_second_read(*args: Any, **kwargs: Any) -> Any:
        nonlocal reads
        reads += 1
        if reads == 2:  # the look-up after the lost answer
            raise PlexTimeoutError("Plex stopped answering")
        return read(*args, **kwargs)

    plex.time_clock_entries = down_for_the_second_read  # type: ignore[method-assign]
    assert run(event_of(message(), receive_count=3), service) == {"batchItemFailures": [{"itemIdentifier": "m-0"}]}
    assert [e.payload["dead_lettered"] for e in of_type(world, AuditEventType.WRITEBACK_FAILED)] == [True]
    # a redrive from the DLQ reads Plex again and records the write with the value it replaced
    assert run(event_of(message(), receive_count=1), service) == {"batchItemFailures": []}
    [written] = of_type(world, AuditEventType.WRITEBACK)
    assert written.previous_values == {"clockoutTime": None} and len(transport.posts) == 1
