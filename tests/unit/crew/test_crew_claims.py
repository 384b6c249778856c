"""Claim logs (`crew.claims`): an entry is a conditional write, so two claims that both read a person's log before
either wrote to it are held once, the second refused saying who holds what; a seat overlapping a held one, or of a
shift the person called off, is refused; a seat after it is held; a release lets a claim go; the board's call-offs
come from the log at once. On the in-memory audit store and on the DynamoDB adapter on moto."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from plexlabor.audit import AuditEvent, AuditStatus, InMemoryAuditStore
from plexlabor.audit.store import AuditStore
from plexlabor.crew.claims import ClaimRefusedError, SeatClaims, call_offs_of, person_log
from tests.support import audit_table_on_moto

DAY = date(2026, 3, 4)
NOW = datetime(2026, 3, 4, 10, 41, tzinfo=UTC)
SIX = datetime(2026, 3, 4, 6, tzinfo=UTC)
TABLE = "plexlabor-audit-claim-logs"


@pytest.fixture(params=["in_memory", "dynamodb"])
def store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[AuditStore]:
    if request.param == "in_memory":
        yield InMemoryAuditStore()
        return
    from plexlabor.audit.dynamodb import DynamoDbAuditStore

    with audit_table_on_moto(monkeypatch, TABLE, {}, lambda: None) as client:
        yield DynamoDbAuditStore(TABLE, client=client)


class _ReadBefore:
    """The store as a writer sees it who read `record`'s log before another writer's entry: its first read of the
    log answers what was there then; its appends reach the store."""

    def __init__(self, store: AuditStore, record: str) -> None:
        self.store, self.stale = store, {record: store.history(record)}

    def history(self, record: str) -> list[AuditEvent]:
        return self.stale.pop(record) if record in self.stale else self.store.history(record)

    def append(self, event: AuditEvent) -> None:
        self.store.append(event)


def _seat(claims: SeatClaims, item: str, hours: tuple[int, int], employee: str = "E0050", by: str = "P0001") -> Any:
    start, end = SIX + timedelta(hours=hours[0] - 6), SIX + timedelta(hours=hours[1] - 6)
    workcenter = {"crew-a": "WLD-03", "crew-b": "WC-20", "crew-c": "WC-30"}[item]
    return claims.seat(employee, DAY, "1", item, workcenter, start, end, by, NOW)


def test_two_claims_that_read_the_log_before_either_wrote_are_held_once(store: AuditStore) -> None:
    # Given a second writer who read E0050's log (empty) before the first wrote to it
    late = SeatClaims(_ReadBefore(store, person_log(DAY, "E0050")), lambda: NOW)  # type: ignore[arg-type]

    # When the first holds E0050 at WLD-03 06:00-14:30 and the second then asks for WC-20 06:00-10:00
    _seat(SeatClaims(store, lambda: NOW), "crew-a", (6, 14), by="P0002")
    with pytest.raises(ClaimRefusedError) as refused:
        _seat(late, "crew-b", (6, 10))

    # Then its write of the log's first entry fails, it reads again and is refused, naming who holds what
    assert str(refused.value).startswith("E0050 was just placed on WLD-03 (06:00 UTC–14:00 UTC) by P0002 at 10:41 UTC")
    assert refused.value.http_status == 409
    assert len(store.history(person_log(DAY, "E0050"))) == 1


def test_a_seat_after_a_held_one_is_held_and_a_second_approval_of_a_seat_holds_its_own_entry(store: AuditStore) -> None:
    claims = SeatClaims(store, lambda: NOW)
    claims.seat("E0050", DAY, "1", "crew-a", "WLD-03", SIX, SIX + timedelta(hours=4), "P0001", NOW, token="first")
    _seat(claims, "crew-b", (10, 14))  # starts as the first ends
    # the same seat approved by another decision at the same time (review 155 R2): not refused, its own entry
    second = claims.seat("E0050", DAY, "1", "crew-a", "WLD-03", SIX, SIX + timedelta(hours=4), "P0002", NOW, "second")
    assert len(store.history(person_log(DAY, "E0050"))) == 3

    second()  # the second's write to Plex failed: it lets go its own entry only, the first's still holds
    with pytest.raises(ClaimRefusedError, match="E0050 was just placed on WLD-03"):
        _seat(claims, "crew-c", (8, 9))


def test_a_released_seat_is_free_and_a_call_off_bars_the_shift_until_released(store: AuditStore) -> None:
    claims = SeatClaims(store, lambda: NOW)
    _seat(claims, "crew-a", (6, 14))()  # held, then let go (the decision was not recorded)
    off = claims.call_off("E0050", DAY, "1", "sick", "P0003", NOW)

    with pytest.raises(ClaimRefusedError, match=r"E0050 just called off shift 1 \(recorded by P0003 at 10:41 UTC\)"):
        _seat(claims, "crew-b", (6, 10))
    with pytest.raises(ClaimRefusedError, match="called off shift 1"):
        claims.call_off("E0050", DAY, "1", "family", "P0001", NOW)
    events = store.history(person_log(DAY, "E0050"))
    assert [(c.employee_id, c.reason, c.by) for c in call_offs_of(events, DAY)] == [("E0050", "sick", "P0003")]

    off()  # the call-off's message could not be sent
    assert call_offs_of(store.history(person_log(DAY, "E0050")), DAY) == []
    _seat(claims, "crew-b", (6, 10))
    assert [e.status for e in store.history(person_log(DAY, "E0050"))] == [AuditStatus.CLAIMED] * 5


def test_a_night_seat_is_checked_against_the_next_days_seats(store: AuditStore) -> None:
    # Given E0050 held on the day before's night shift, 22:00-06:30 into this day (the day before's log)
    claims = SeatClaims(store, lambda: NOW)
    night = SIX - timedelta(hours=8)
    claims.seat("E0050", DAY - timedelta(days=1), "3", "crew-n", "WC-90", night, SIX + timedelta(minutes=30), "P1", NOW)

    # When this day's first shift seat 06:00-14:00 is approved: refused (the logs are per plan day)
    with pytest.raises(ClaimRefusedError, match=r"E0050 was just placed on WC-90"):
        _seat(claims, "crew-a", (6, 14))
    # a seat after the night ended is held
    _seat(claims, "crew-b", (7, 10))


def test_an_ended_seat_is_not_approved_and_holds_nothing(store: AuditStore) -> None:
    claims = SeatClaims(store, lambda: NOW)
    details = {"plan_day": DAY.isoformat(), "shift_code": "1", "start": SIX.isoformat(), "workcenter_code": "WLD-03"}
    ended = details | {"end": (NOW - timedelta(hours=3)).isoformat()}
    with pytest.raises(ClaimRefusedError, match="this seat ended at 07:41 UTC: a seat whose time is over") as refused:
        claims.hold("crew_assignment", "crew-a", "E0050", ended, "P0001", NOW)
    assert refused.value.http_status == 409
    assert store.history(person_log(DAY, "E0050")) == []
    # a seat running now is held
    running = details | {"end": (NOW + timedelta(hours=1)).isoformat()}
    claims.hold("crew_assignment", "crew-a", "E0050", running, "P1", NOW)
    assert len(store.history(person_log(DAY, "E0050"))) == 1


class _Counted:
    """The store, counting the reads of each log (`history`)."""

    def __init__(self, store: AuditStore) -> None:
        self.store, self.reads = store, Counter[str]()

    def history(self, record: str) -> list[AuditEvent]:
        self.reads[record] += 1
        return self.store.history(record)

    def append(self, event: AuditEvent) -> None:
        self.store.append(event)

    def for_finding(self, finding_id: str) -> list[AuditEvent]:
        return self.store.for_finding(finding_id)


def test_a_seat_claim_reads_the_days_log_once_and_still_holds_a_seat_back_in_plex(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # E0050 held at WLD-03 06:00-14:00 (crew-a), let go once its removal from Plex was written; that removal reverted
    counted = _Counted(InMemoryAuditStore())
    claims = SeatClaims(counted, lambda: NOW)  # type: ignore[arg-type]
    _seat(claims, "crew-a", (6, 14))()
    monkeypatch.setattr("plexlabor.crew.claims.back_in_plex", lambda store, seat_id: seat_id == "crew-a")
    counted.reads.clear()

    with pytest.raises(ClaimRefusedError, match="E0050 was just placed on WLD-03"):  # back in Plex: held again
        _seat(claims, "crew-b", (10, 14))
    _seat(claims, "crew-c", (14, 16))  # after it: held

    # each seat claim read the day's log once (until 2026-12-06 twice: once more for the seats back in Plex)
    assert counted.reads[person_log(DAY, "E0050")] == 2
    assert counted.reads[person_log(DAY - timedelta(days=1), "E0050")] == 2
    assert counted.reads[person_log(DAY + timedelta(days=1), "E0050")] == 2


def test_a_call_off_refuses_a_seat_of_another_shift_that_starts_as_it_ends_until_its_re_plan(store: AuditStore) -> None:
    # Given E0050 called off shift 1 "this shift only" (06:00-14:30 on the board), family or personal (ux_s16 #2)
    claims = SeatClaims(store, lambda: NOW)
    span = (SIX, SIX + timedelta(hours=8.5))
    claims.call_off("E0050", DAY, "1", "family", "P0003", NOW, span)
    after = SIX + timedelta(hours=8.5)

    # When a shift-2 seat of theirs starting as shift 1 ends (overtime extending it) is approved: refused, with why
    with pytest.raises(ClaimRefusedError) as refused:
        claims.seat("E0050", DAY, "2", "crew-b", "WC-20", after, after + timedelta(hours=2.7), "P0001", NOW)
    assert str(refused.value) == (
        "E0050 called off shift 1 (family or personal); this seat starts as that shift ends: re-plan pending"
    )
    # a night seat ending as the next day's shift 1 starts, which they called off too (read in that day's log)
    tomorrow = SIX + timedelta(days=1)
    claims.call_off(
        "E0050", DAY + timedelta(days=1), "1", None, "P0003", NOW, (tomorrow, tomorrow + timedelta(hours=8))
    )
    with pytest.raises(ClaimRefusedError) as refused:
        night = tomorrow - timedelta(hours=7.5)
        claims.seat("E0050", DAY, "3", "crew-n", "WC-90", night, tomorrow, "P0001", NOW)
    assert (
        str(refused.value)
        == "E0050 called off shift 1 of 2026-03-05; this seat ends as that shift starts: re-plan pending"
    )

    # Then a seat there within a scheduled shift of theirs (no hours outside it) stands, as in the re-plan
    claims.seat("E0050", DAY, "2", "crew-d", "WC-40", after, after + timedelta(hours=0.5), "P1", NOW, overtime=False)
    # and so do a shift-2 seat an hour after it ends and anyone else's
    later = after + timedelta(hours=1)
    claims.seat("E0050", DAY, "2", "crew-c", "WC-30", later, later + timedelta(hours=2), "P0001", NOW)
    claims.seat("E0051", DAY, "2", "crew-b", "WC-20", after, after + timedelta(hours=2.7), "P0001", NOW)


def test_a_call_off_without_the_shifts_span_refuses_only_its_own_shift(store: AuditStore) -> None:
    claims = SeatClaims(store, lambda: NOW)
    claims.call_off("E0050", DAY, "1", "sick", "P0003", NOW)  # recorded before the span was kept
    after = SIX + timedelta(hours=8.5)
    claims.seat("E0050", DAY, "2", "crew-b", "WC-20", after, after + timedelta(hours=2), "P0001", NOW)
