"""Unallocated time coded by hand: the reviewer's indirect code or job operation for a stretch, checked, and
recorded as a suggestion of their own (ux164 #5: the item asked to "code it (training, meeting, waiting) or name
the job", and the page had no field for either).

The choice is one of:
- an **indirect code** of the plant (`AllocationArtifact.indirect_codes`: `ALLOCATION_INDIRECT_CODES`, the
  departments' codes and those Plex recorded that day, as allocation_nightly stored them);
- a **job operation worked that day** (job number and operation number), one of the day's job operations in the
  night's report (`AllocationReport.jobs`, read from Plex's labor entries, jobs and job operations), charged at
  its workcenter.
Anything else is refused with the field and the reason (`CodingRefusedError`, a 400 on the page).

`coded_event` is the choice as an `unallocated_time` recommendation by the reviewer (`chosen_by_hand`, `replaces`:
the suggestion it codes; the KPIs count it chosen by hand, and the suggestion's rejection overridden, as a swap
on the crew board, or, when the suggestion proposed no job (`audit.events.NO_PROPOSAL`), coded without a proposal:
the model asked for exactly this, ux_s13 #17c), carrying what approving it writes: a job's labor entry
(`labor_entry`, as the night's suggestion of a likely job does) or the indirect code's entry (`indirect_entry`,
which plex_writeback records as indirect labor in the suggestions custom object: `approval.writeback`).
`take_stretch` records it as the stretch's next coding, one at a time (a conditional write). The web app approves it
at once (`review.decisions.ReviewService.approve_new`) and rejects the suggestion it replaces.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from plexlabor.allocation.artifact import AllocationArtifact
from plexlabor.allocation.nightly import KIND, job_labor_entry, suggestion_record_key
from plexlabor.allocation.policy import AllocationPolicy
from plexlabor.allocation.report import JobCost
from plexlabor.approval.errors import ApprovalError
from plexlabor.audit.errors import AuditConflictError
from plexlabor.audit.events import (
    NO_PROPOSAL,
    AuditEvent,
    AuditEventType,
    AuditStatus,
    recommendation_event,
    stable_event_id,
)
from plexlabor.audit.store import AuditStore
from plexlabor.models.types import format_plex_datetime

STRETCH_FIELDS = ("as_of", "employee_no", "department", "start", "end", "minutes", "cost", "shift_code")
"""What a coding keeps of the suggestion it codes: the stretch, whose it is and what it cost."""


class CodingRefusedError(ValueError):
    """A coding the page does not record: the reason, naming the field."""


@dataclass(frozen=True)
class Coding:
    """What the reviewer chose: an indirect code, or a job operation of the day (with its workcenter's code)."""

    indirect_code: str | None = None
    job: JobCost | None = None
    workcenter_code: str | None = None

    def words(self) -> str:
        if self.job is None:
            return _words(self.indirect_code, None, None, None)
        return _words(None, self.job.job_no, self.job.operation_no, self.workcenter_code)


def _words(indirect_code: object, job_no: object, operation_no: object, workcenter_code: object) -> str:
    """A coding's choice in words: "the indirect code TRAINING", "job J100007 op 20 at WC-10"."""
    if indirect_code:
        return f"the indirect code {indirect_code}"
    at = f" at {workcenter_code}" if workcenter_code else ""
    return f"job {job_no} op {operation_no}{at}"


def indirect_codes(artifact: AllocationArtifact) -> list[str]:
    """The codes a stretch of this report may be coded to (a report stored before they were: the defaults)."""
    return artifact.indirect_codes or AllocationPolicy().codes()


def writable_jobs(artifact: AllocationArtifact) -> list[JobCost]:
    """The day's job operations a stretch may be charged to: those whose job and workcenter the report names."""
    return [j for j in artifact.report.jobs if j.job_id and j.workcenter_id and j.operation_no is not None]


def read_coding(form: Mapping[str, str], artifact: AllocationArtifact) -> Coding:
    """The choice the form makes (`code`, or `job` and `operation`), checked against the day's report."""
    code, job, operation = (form.get(name, "").strip() for name in ("code", "job", "operation"))
    if code and (job or operation):
        raise CodingRefusedError("Choose an indirect code or a job, not both.")
    if code:
        codes = indirect_codes(artifact)
        found = next((c for c in codes if c.casefold() == code.casefold()), None)
        if found is None:
            raise CodingRefusedError(
                f"Indirect code: {code[:40]!r} is not one of the plant's codes ({', '.join(codes)})."
            )
        return Coding(indirect_code=found)
    if not job:
        raise CodingRefusedError("Choose an indirect code, or give the job number and operation.")
    day = artifact.day.isoformat()
    if artifact.report.jobs and not writable_jobs(artifact):
        raise CodingRefusedError(
            f"Job: the night's report of {day} was made before a job could be chosen here (it names no job ids); "
            "choose an indirect code, or enter the job in Plex."
        )
    of_job = [j for j in writable_jobs(artifact) if j.job_no.casefold() == job.casefold()]
    if not of_job:
        raise CodingRefusedError(
            f"Job: no labor was recorded on job {job[:40]!r} on {day} in Plex; give a job worked that day."
        )
    worked = ", ".join(str(j.operation_no) for j in sorted(of_job, key=lambda j: j.operation_no or 0))
    try:
        number = int(operation)
    except ValueError:
        raise CodingRefusedError(
            f"Operation: give the operation number of job {of_job[0].job_no} (worked on {day}: {worked})."
        ) from None
    chosen = next((j for j in of_job if j.operation_no == number), None)
    if chosen is None:
        raise CodingRefusedError(
            f"Operation: job {of_job[0].job_no} had no labor on operation {number} on {day} (worked: {worked})."
        )
    ref = artifact.workcenters.get(chosen.workcenter_id or "")
    return Coding(job=chosen, workcenter_code=ref.code if ref else None)


def waiting_suggestion(events: list[AuditEvent]) -> AuditEvent | None:
    """An item's history: its `unallocated_time` suggestion when it is still waiting (no decision or expiry yet)."""
    opening = next((e for e in events if e.event_type is AuditEventType.RECOMMENDATION), None)
    closed = any(e.status in (AuditStatus.APPROVED, AuditStatus.REJECTED, AuditStatus.EXPIRED) for e in events)
    if opening is None or opening.payload.get("kind") != KIND or closed:
        return None
    return opening


class StretchTakenError(Exception):
    """A coding not recorded: another coding of the same stretch stands (`coding`: approved or waiting), or the
    suggestion was decided meanwhile (`decided`: what closed it); neither: the codings of the stretch changed at
    every read (`TAKE_ATTEMPTS`)."""

    def __init__(self, coding: AuditEvent | None, approved: bool = False, decided: AuditEvent | None = None) -> None:
        taken = coding.event_id if coding else decided.event_id if decided else "at the same moment"
        super().__init__(f"the stretch is coded or decided already ({taken})")
        self.coding = coding
        self.approved = approved
        self.decided = decided


TAKE_ATTEMPTS = 3
"""How often a coding reads the stretch's codings again after another took the place it meant to record."""


def take_stretch(audit: AuditStore, opening: AuditEvent, coding: Coding, by: str, now: datetime) -> AuditEvent:
    """Record the coding of the suggestion `opening` by `by` (waiting, `coded_event`) as its stretch's next coding,
    unless another coding of the stretch stands (`StretchTakenError` naming it; nothing recorded). The stretch's n-th
    coding has a stable id, so of two codings at the same moment (two tabs, the supervisor and a department's) only
    the first is recorded, the other refused (review_s13 L1: both were approved and both written); one let go
    (`ReviewService.let_go`: its write could not be queued) or rejected does not stand, and the next takes the next id.
    The record's history is read with strong consistency (`AuditStore.history`), so a suggestion decided a moment ago
    (approved in the queue: its write on the way) is refused too, though the page's read of it (an index) lagged."""
    item_id = opening.finding_id or opening.event_id
    for _ in range(TAKE_ATTEMPTS):
        history = audit.history(opening.record_key)
        decided = next((e for e in history if e.finding_id == item_id and e.status in _CLOSED), None)
        if decided is not None:
            raise StretchTakenError(None, decided=decided)
        earlier = _codings_of(history, item_id)
        standing = next(iter(_standing(history, earlier)), None)
        if standing is not None:
            raise StretchTakenError(standing, approved=_approved(history, standing.event_id))
        coded = coded_event(opening, coding, by, now, len(earlier) + 1)
        try:
            audit.append(coded)
        except AuditConflictError:  # another coding took this place a moment ago: read again
            continue
        return coded
    raise StretchTakenError(None)


_CLOSED = (AuditStatus.APPROVED, AuditStatus.REJECTED, AuditStatus.EXPIRED)


def _codes(event: AuditEvent, item_id: str) -> bool:
    """Whether `event` (a recommendation) is a coding by hand of the suggestion `item_id`."""
    return bool(event.payload.get("chosen_by_hand")) and event.payload.get("replaces") == item_id


def _codings_of(history: Iterable[AuditEvent], item_id: str) -> list[AuditEvent]:
    """The codings by hand of the suggestion `item_id` in a record's history, oldest first."""
    return [e for e in history if e.event_type is AuditEventType.RECOMMENDATION and _codes(e, item_id)]


def _approved(history: Iterable[AuditEvent], item_id: str) -> bool:
    return any(e.finding_id == item_id and e.status is AuditStatus.APPROVED for e in history)


def _standing(history: list[AuditEvent], codings: Iterable[AuditEvent]) -> list[AuditEvent]:
    """Those of `codings` that stand: approved, or not closed yet (waiting)."""
    standing = []
    for coding in codings:
        closed = {e.status for e in history if e.finding_id == coding.event_id and e.status in _CLOSED}
        if AuditStatus.APPROVED in closed or not closed:
            standing.append(coding)
    return standing


class StretchHeldError(ApprovalError):
    """An approval of unallocated time refused because another decision holds its stretch (`StretchHold`)."""

    http_status = 409


@dataclass(frozen=True)
class StretchHold:
    """The review service's guard for unallocated time (`review.decisions.ApprovalGuard`): one coding per stretch,
    whichever way it is approved (review_s14 #3). `take_stretch` keeps one coding standing per stretch and refuses a
    coding of a decided suggestion; this refuses, from the queue or the item page, the approval of the suggestion
    while a coding of its stretch stands (waiting or approved), and the approval of a coding once the suggestion it
    codes, or another coding of it, was approved: else both were approved and two writes went to Plex. The stretch's
    record is read with strong consistency (`AuditStore.history`); nothing is held, so there is nothing to let go."""

    audit: AuditStore

    def hold(
        self, kind: str, item_id: str, employee_id: str | None, details: Mapping[str, Any], by: str, now: datetime
    ) -> Callable[[], None]:
        if kind != KIND or not employee_id:
            return _nothing
        history = self.audit.history(suggestion_record_key(employee_id))
        if not details.get("chosen_by_hand"):
            standing = [c for c in _standing(history, _codings_of(history, item_id)) if c.event_id != item_id]
            if standing:
                coding = standing[-1]
                state = "approved" if _approved(history, coding.event_id) else "waiting to be approved"
                raise StretchHeldError(
                    f"Not approved: this time is coded by hand already ({coding.payload.get('suggestion')}, by "
                    f"{coding.actor}, {state}; item {coding.event_id}). One coding per stretch: decide that coding, or "
                    "reject this suggestion."
                )
            return _nothing
        suggestion = str(details.get("replaces"))
        approval = next((e for e in history if e.finding_id == suggestion and e.status is AuditStatus.APPROVED), None)
        if approval is not None:
            opening = next((e for e in history if e.event_id == suggestion), None)
            said = opening.payload.get("suggestion") if opening else None
            raise StretchHeldError(
                f"Not approved: the suggestion this coding replaces ({said or 'its likely job'}; item {suggestion}) "
                f"was approved by {approval.actor} already. One coding per stretch: reject this coding."
            )
        codings = _codings_of(history, suggestion)
        other = next((c for c in codings if c.event_id != item_id and _approved(history, c.event_id)), None)
        if other is not None:
            raise StretchHeldError(
                f"Not approved: this time was coded by hand and approved already ({other.payload.get('suggestion')}, "
                f"by {other.actor}; item {other.event_id}). One coding per stretch: reject this coding."
            )
        return _nothing


def _nothing() -> None:
    """A hold that holds nothing has nothing to let go."""


def coded_event(opening: AuditEvent, coding: Coding, by: str, now: datetime, n: int) -> AuditEvent:
    """The coding of the suggestion `opening` as a waiting recommendation by `by`, its stretch's `n`-th coding (its
    id stable per suggestion and `n`: `take_stretch`)."""
    payload = opening.payload
    item_id = opening.finding_id or opening.event_id
    employee_id = str(opening.employee_id)
    start, end = (datetime.fromisoformat(str(payload[name])) for name in ("start", "end"))
    if coding.job is not None:
        j = coding.job
        assert j.job_id and j.workcenter_id  # `writable_jobs`
        chosen = {
            "job_operation_id": j.job_operation_id,
            "job_no": j.job_no,
            "operation_no": j.operation_no,
            "job_id": j.job_id,
            "workcenter_id": j.workcenter_id,
            "workcenter_code": coding.workcenter_code,
            "labor_entry": job_labor_entry(employee_id, j.workcenter_id, j.job_id, j.job_operation_id, start, end),
        }
    else:
        chosen = {
            "indirect_code": coding.indirect_code,
            "labor_entry": None,
            "indirect_entry": {
                "employeeId": employee_id,
                "indirectCode": coding.indirect_code,
                "startTime": format_plex_datetime(start),
                "endTime": format_plex_datetime(end),
            },
        }
    was = f"job {payload['job_no']} op {payload['operation_no']}" if payload.get("labor_entry") else "no job"
    note = (
        f"{employee_id}: {payload.get('minutes')} paid minutes on {payload.get('as_of')} "
        f"(${float(payload.get('cost') or 0.0):,.2f}) coded by hand to {coding.words()} (suggested: {was})."
    )
    return recommendation_event(
        opening.record_key,
        stable_event_id("allocation", KIND, "coded", item_id, str(n)),
        status=AuditStatus.PENDING_APPROVAL,
        occurred_at=now,
        actor=by,
        model_version=opening.model_version or "",
        supervisor_id=opening.supervisor_id,
        employee_id=employee_id,
        payload={key: payload[key] for key in STRETCH_FIELDS if key in payload}
        | chosen
        | {
            "kind": KIND,
            "suggestion": f"charge {payload.get('minutes')} min to {coding.words()}",
            "chosen_by_hand": True,
            "replaces": item_id,
            **({NO_PROPOSAL: True} if not payload.get("labor_entry") else {}),
            "confidence": 1.0,
            "severity": "low",
            "note": note,
        },
    )


@dataclass(frozen=True)
class Coded:
    """A suggestion's coding by hand (waiting, approved, written or refused by Plex, or expired; not one rejected or
    let go), for the pages that show the suggestion (ux_s13 #8: `/allocation` offered "Decide" for a coded stretch,
    its item read "Rejected")."""

    event: AuditEvent
    """The coding: the coder's own recommendation (`coded_event`)."""
    approval: AuditEvent | None = None
    written: AuditEvent | None = None
    """plex_writeback's `writeback` event of it (`sent` False: the dry run, nothing sent)."""
    failed: AuditEvent | None = None
    """plex_writeback's newest `writeback_failed` of it: refused (`retryable` False: Plex holds other time there, a
    4xx), or the last attempt failed and the message went to the dead-letter queue (`retryable`)."""
    expired: AuditEvent | None = None
    """The review sweep's expiry of it: nobody decided it in time."""

    @property
    def stands(self) -> bool:
        """Whether it holds its stretch, as `take_stretch` judges: approved (whatever became of its write), or waiting;
        an expired one does not (the stretch may be coded again)."""
        return self.approval is not None or self.expired is None

    def to(self) -> str:
        """What it was coded to, as `Coding.words` says it."""
        p = self.event.payload
        return _words(p.get("indirect_code"), p.get("job_no"), p.get("operation_no"), p.get("workcenter_code"))

    def state(self) -> str:
        """How far it went: waiting to be approved, expired, approved (its write on the way), written to Plex (or
        planned only, in the dry run), or approved and not written (review_s14 #6, L8: a refused write read "on its
        way to Plex" for ever, an expired coding "waiting to be approved")."""
        if self.written is not None:
            return "written to Plex" if self.written.payload.get("sent") else "approved (dry run: nothing sent to Plex)"
        if self.approval is None:
            return "expired, nobody approved it: nothing written" if self.expired else "waiting to be approved"
        if self.failed is None:
            return "approved, on its way to Plex"
        message = str(self.failed.payload.get("message") or "no reason recorded")
        if self.failed.payload.get("retryable"):
            return f"approved, but the write to Plex failed ({message}): it waits for plant IT to send it again"
        return f"approved, but Plex refused it: not written ({message})"


def codings(events: Iterable[AuditEvent]) -> dict[str, Coded]:
    """Suggestion id -> its newest coding among `events` (a record's history, or the kind's events since the night's
    report with the write-back failures of its approved codings: `webapp.allocation.stretch_events`) that was not
    rejected, with its approval, write-back, newest write-back failure and expiry when `events` hold them."""
    events = sorted(events, key=lambda e: e.occurred_at)
    rejected = {
        e.finding_id for e in events if e.event_type is AuditEventType.DECISION and e.status is AuditStatus.REJECTED
    }
    found: dict[str, Coded] = {}
    for coding in events:
        if coding.event_type is not AuditEventType.RECOMMENDATION or not coding.payload.get("chosen_by_hand"):
            continue
        if coding.payload.get("kind") != KIND or coding.event_id in rejected:
            continue
        its = [e for e in events if e.finding_id == coding.event_id]
        approval = next(
            (e for e in its if e.event_type is AuditEventType.DECISION and e.status is AuditStatus.APPROVED), None
        )
        written = next((e for e in its if e.status is AuditStatus.WRITTEN), None)
        failed = [e for e in its if e.event_type is AuditEventType.WRITEBACK_FAILED]
        expired = next((e for e in its if e.status is AuditStatus.EXPIRED), None)
        found[str(coding.payload.get("replaces"))] = Coded(
            coding, approval, written, failed[-1] if failed else None, expired
        )
    return found
