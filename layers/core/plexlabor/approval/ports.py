"""The approval workflow's ports, and the in-memory fakes the unit tests use.

- `TaskTokenStore`: where approval_notify keeps each stage's Step Functions task token, server-side
  (the token never goes in a URL), for approval_callback to resume the execution with.
- `SupervisorDirectory`: a supervisor id -> an e-mail address.
- `Notifier`: delivers one digest (all of a supervisor's pending approvals of a batch).
- `TaskCallback`: resumes the waiting execution (SendTaskSuccess).
- `WritebackSender`: queues an approved recommendation (a crew assignment) for plex_writeback.
The boto3 adapters are in `plexlabor.approval.aws`; `PlexEmployeeDirectory` in `.directory`. The signed links
are `plexlabor.audit.links.LinkTokens` (`ApprovalLinkSigner`; on AWS `approval.wiring.SecretLinkSigner`,
which follows the signing-key secret).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from plexlabor.approval.errors import ApprovalClosedError
from plexlabor.approval.messages import RecommendationWriteback, Stage, WritebackMessage
from plexlabor.approval.request import ApprovalRequest
from plexlabor.validation.findings import Finding


class PendingApproval(BaseModel):
    """One notified stage of one approval: what the callback needs to resume the execution."""

    model_config = ConfigDict(frozen=True)

    finding_id: str
    stage: Stage
    supervisor_id: str
    task_token: str = Field(repr=False)
    link_nonce: str = Field(repr=False)
    """Binds the stored token to the one link that was mailed: an older link for the same stage no
    longer matches once a redelivered notification has issued a newer one."""
    link_expires_at: AwareDatetime
    notified_at: AwareDatetime
    request: ApprovalRequest


@runtime_checkable
class TaskTokenStore(Protocol):
    def save(self, pending: PendingApproval) -> None:
        """Store (or replace) the pending approval of `(finding_id, stage)`."""
        ...

    def for_finding(self, finding_id: str) -> list[PendingApproval]:
        """Every stored stage of one finding (strongly consistent), first stage first."""
        ...


class InMemoryTaskTokenStore:
    def __init__(self) -> None:
        self._items: dict[tuple[str, Stage], PendingApproval] = {}
        self._lock = threading.Lock()

    def save(self, pending: PendingApproval) -> None:
        with self._lock:
            self._items[(pending.finding_id, pending.stage)] = pending

    def for_finding(self, finding_id: str) -> list[PendingApproval]:
        with self._lock:
            found = [item for (fid, _), item in self._items.items() if fid == finding_id]
        return sorted(found, key=lambda item: stage_order(item.stage))


@runtime_checkable
class SupervisorDirectory(Protocol):
    def address_of(self, supervisor_id: str) -> str | None:
        """The supervisor's e-mail address, or None when the directory has none."""
        ...


class InMemorySupervisorDirectory:
    def __init__(self, addresses: Mapping[str, str]) -> None:
        self._addresses = dict(addresses)

    def address_of(self, supervisor_id: str) -> str | None:
        return self._addresses.get(supervisor_id)


class DigestItem(BaseModel):
    """One finding awaiting a decision, with the signed link that decides it."""

    model_config = ConfigDict(frozen=True)

    finding: Finding
    stage: Stage
    employee_number: str | None = None
    link_url: str = Field(repr=False)
    expires_at: AwareDatetime
    message_id: str
    """The SQS message this item came from (a failed delivery fails that message)."""


class Digest(BaseModel):
    """Everything one supervisor is asked in one batch: one e-mail, not one per punch."""

    model_config = ConfigDict(frozen=True)

    supervisor_id: str
    address: str = Field(repr=False)
    items: tuple[DigestItem, ...] = Field(min_length=1)
    queue_url: str | None = None
    """The web app's review queue, where the same items (and every other kind) can be decided."""


@runtime_checkable
class Notifier(Protocol):
    def send(self, digest: Digest) -> str | None:
        """Deliver the digest; return the channel's message id, if any. Raise on failure."""
        ...


class RecordingNotifier:
    """The fake: keeps every digest; `fail_for` supervisors raise, as a bounced send would."""

    def __init__(self, fail_for: set[str] | None = None) -> None:
        self.sent: list[Digest] = []
        self.fail_for = set(fail_for or ())

    def send(self, digest: Digest) -> str | None:
        if digest.supervisor_id in self.fail_for:
            raise ConnectionError(f"cannot deliver to {digest.supervisor_id}")
        self.sent.append(digest)
        return f"fake-{len(self.sent)}"


@runtime_checkable
class WritebackSender(Protocol):
    def send(self, message: RecommendationWriteback | WritebackMessage) -> None:
        """Queue an approved recommendation (or a finding decided without its workflow) for
        plex_writeback. Raise when it is not queued."""
        ...


class RecordingWritebackSender:
    """The fake: keeps every message; `failing` makes `send` raise, as an unreachable queue would."""

    def __init__(self) -> None:
        self.sent: list[RecommendationWriteback | WritebackMessage] = []
        self.failing = False

    def send(self, message: RecommendationWriteback | WritebackMessage) -> None:
        if self.failing:
            raise ConnectionError("the write-back queue is unreachable")
        self.sent.append(message)


@runtime_checkable
class TaskCallback(Protocol):
    def succeed(self, task_token: str, output: dict[str, Any]) -> None:
        """Resume the waiting execution with `output`. Raise ApprovalClosedError when the
        execution no longer waits on this token (timed out, already answered, stopped)."""
        ...


class RecordingTaskCallback:
    """The fake: records successes; tokens in `closed` answer as a timed-out task would."""

    def __init__(self) -> None:
        self.succeeded: list[tuple[str, dict[str, Any]]] = []
        self.closed: set[str] = set()

    def succeed(self, task_token: str, output: dict[str, Any]) -> None:
        if task_token in self.closed:
            raise ApprovalClosedError("this approval request timed out before the decision arrived")
        self.succeeded.append((task_token, output))
        self.closed.add(task_token)


def stage_order(stage: Stage) -> int:
    return list(Stage).index(stage)


__all__ = [
    "Digest",
    "DigestItem",
    "InMemorySupervisorDirectory",
    "InMemoryTaskTokenStore",
    "Notifier",
    "PendingApproval",
    "RecordingNotifier",
    "RecordingTaskCallback",
    "RecordingWritebackSender",
    "SupervisorDirectory",
    "TaskCallback",
    "TaskTokenStore",
    "WritebackSender",
    "stage_order",
]
