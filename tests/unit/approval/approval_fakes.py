"""Fakes and builders of the approval unit tests (no AWS, no network); fixtures in conftest.py."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from plexlabor.approval.callback import CallbackService
from plexlabor.approval.messages import ApprovalNotice, RecommendationWriteback, Stage
from plexlabor.approval.notify import NotifyService
from plexlabor.approval.ports import (
    InMemorySupervisorDirectory,
    InMemoryTaskTokenStore,
    RecordingNotifier,
    RecordingTaskCallback,
    RecordingWritebackSender,
)
from plexlabor.approval.request import ApprovalRequest
from plexlabor.audit import ApprovalLinkSigner, InMemoryAuditStore, InMemoryLinkNonceStore
from plexlabor.models import Employee, TimeClockEntry, UserAccount
from tests.support import load_event, make_request
from tests.support import make_finding as make_finding  # the approval unit tests import it from here

KEY = b"unit-test-signing-key-0123456789abcdef-xyz"
T0 = datetime(2026, 3, 3, 4, 0, tzinfo=UTC)
ADDRESSES = {"E0001": "sup1@plant.example", "E0100": "boss@plant.example", "E0200": "sup2@plant.example"}


class Clock:
    """A settable clock shared by the signer and the services; each reading is 1 ms after the last,
    so events recorded one after the other sort in that order."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def notice(request: ApprovalRequest | None = None, stage: Stage = Stage.FIRST, token: str = "task-1") -> ApprovalNotice:
    return ApprovalNotice(stage=stage, task_token=token, request=request or make_request())


def sqs_event(*bodies: Any, receive_count: int = 1) -> dict[str, Any]:
    template = load_event("approval_notify")["Records"][0]
    records = []
    for number, body in enumerate(bodies):
        record = json.loads(json.dumps(template))
        record["messageId"] = f"m-{number}"
        record["body"] = body if isinstance(body, str) else json.dumps(body)
        record["attributes"]["ApproximateReceiveCount"] = str(receive_count)
        records.append(record)
    return {"Records": records}


def api_event(
    method: str, token: str, body: str | None = None, authorizer: dict[str, Any] | None = None
) -> dict[str, Any]:
    event = load_event("approval_callback", method.lower())
    event["path"] = f"/approvals/{token}"
    event["pathParameters"] = {"token": token}
    event["requestContext"]["path"] = f"/prod/approvals/{token}"
    event["body"] = body
    if authorizer is not None:
        event["requestContext"]["authorizer"] = authorizer
    return event


@dataclass
class World:
    """One approval's world: a clock, the fakes, and both services on them."""

    clock: Clock = field(default_factory=Clock)
    audit: InMemoryAuditStore = field(default_factory=InMemoryAuditStore)
    tokens: InMemoryTaskTokenStore = field(default_factory=InMemoryTaskTokenStore)
    nonces: InMemoryLinkNonceStore = field(default_factory=InMemoryLinkNonceStore)
    notifier: RecordingNotifier = field(default_factory=RecordingNotifier)
    tasks: RecordingTaskCallback = field(default_factory=RecordingTaskCallback)
    directory: InMemorySupervisorDirectory = field(default_factory=lambda: InMemorySupervisorDirectory(ADDRESSES))
    writebacks: RecordingWritebackSender = field(default_factory=RecordingWritebackSender)

    @property
    def recommendations_sent(self) -> list[RecommendationWriteback]:
        """The writebacks sent, where each is a reviewed recommendation's (what the review queue sends)."""
        sent = []
        for message in self.writebacks.sent:
            assert isinstance(message, RecommendationWriteback), message
            sent.append(message)
        return sent

    @property
    def signer(self) -> ApprovalLinkSigner:
        return ApprovalLinkSigner(KEY, clock=self.clock)

    @property
    def notify(self) -> NotifyService:
        return NotifyService(
            signer=self.signer,
            tokens=self.tokens,
            audit=self.audit,
            directory=self.directory,
            notifier=self.notifier,
            base_url="https://approvals.example/prod/",
            clock=self.clock,
        )

    @property
    def callback(self) -> CallbackService:
        return CallbackService(
            signer=self.signer,
            nonces=self.nonces,
            tokens=self.tokens,
            audit=self.audit,
            tasks=self.tasks,
            clock=self.clock,
        )

    def notified(self, *notices: ApprovalNotice) -> list[str]:
        """Run one notify batch; return the link tokens mailed, in order."""
        batch = self.notify.batch()
        for number, item in enumerate(notices):
            batch.add(item, f"m-{number}")
        assert batch.flush() == []
        return [item.link_url.rsplit("/", 1)[1] for digest in self.notifier.sent for item in digest.items]

    def events(self, finding_id: str = "f-000000000000000000000001") -> list[str]:
        return [event.event_type.value for event in self.audit.for_finding(finding_id)]


@dataclass
class FakePlex:
    """The labor-data port slice the approval code reads."""

    entries: list[TimeClockEntry] = field(default_factory=list)
    employees_list: list[Employee] = field(default_factory=list)
    accounts: list[UserAccount] = field(default_factory=list)
    fail_with: Exception | None = None
    reads: int = 0

    def time_clock_entries(
        self, begin: datetime, end: datetime, *, employee_id: str | None = None
    ) -> list[TimeClockEntry]:
        self.reads += 1
        if self.fail_with is not None:
            raise self.fail_with
        return [
            e
            for e in self.entries
            if begin <= e.clockin_time < end and (employee_id is None or e.employee_id == employee_id)
        ]

    def employees(self) -> list[Employee]:
        self.reads += 1
        return list(self.employees_list)

    def user_accounts(self) -> list[UserAccount]:
        return list(self.accounts)


def open_entry(entry_id: str = "T0000002", clockout: str | None = None) -> TimeClockEntry:
    return TimeClockEntry.from_plex(
        {
            "id": entry_id,
            "employeeId": "E0002",
            "clockinTime": "2026-03-02T05:52:00.0000000Z",
            "clockoutTime": clockout,
        }
    )
