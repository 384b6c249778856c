"""Driving the product from outside, as Plex and supervisors do: for `make demo` and the e2e tests.

- `DayReplay`: a plant's punches (time-clock and labor entries) of one local day, ready to send as
  signed webhooks; `busiest_days` ranks days by the anomalies the generator injected.
- `approval_links`: the approval links in the e-mails moto captured, with the finding and the
  supervisor each link names (read from the token without checking it: the service checks).
- `Supervisor`: opens a link (GET the page), approves or rejects it (POST the page's own form).
- `AuditView`: the audit table read back through the audit store.
Nothing here reaches into a handler: everything goes through HTTP, SQS, SES and DynamoDB.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import requests

from plexlabor.audit.dynamodb import DynamoDbAuditStore
from plexlabor.audit.events import AuditEvent, AuditEventType, AuditStatus
from plexlabor.models.types import parse_plex_datetime
from plexlabor.plant import PlantFolder
from plexlabor_dev.local.mail import SentEmail

PUNCH_RESOURCES = {"time-clock-entries": "clockinTime", "labor-entries": "startTime"}
"""The resources the webhook accepts, and the field that says when a record happened."""


@dataclass(frozen=True)
class DayReplay:
    """The punches of one local day of a plant folder."""

    day: date
    punches: tuple[dict[str, Any], ...]

    @property
    def record_keys(self) -> list[str]:
        return [record_key_of(punch) for punch in self.punches]


def record_key_of(punch: dict[str, Any]) -> str:
    resource = "time-clock-entries" if "clockinTime" in punch else "labor-entries"
    return f"{resource}:{punch['id']}"


def _utc(value: str) -> datetime:
    moment = parse_plex_datetime(value)
    if not isinstance(moment, datetime):
        raise ValueError(f"not a Plex date: {value!r}")
    return moment


def _local_day(value: str, zone: ZoneInfo) -> date:
    return _utc(value).astimezone(zone).date()


def day_replay(plant_dir: Path | str, day: date) -> DayReplay:
    """Every time-clock and labor entry that started on `day` (plant time), in time order."""
    plant = PlantFolder(plant_dir)
    zone = ZoneInfo(plant.meta().timezone)
    punches: list[tuple[datetime, dict[str, Any]]] = []
    for resource, field in PUNCH_RESOURCES.items():
        for row in plant.iter_raw(resource):
            if row.get(field) and _local_day(row[field], zone) == day:
                punches.append((_utc(row[field]), row))
    punches.sort(key=lambda pair: (pair[0], pair[1]["id"]))
    return DayReplay(day, tuple(row for _, row in punches))


def labelled_punches(plant_dir: Path | str, day: date) -> list[dict[str, Any]]:
    """The punches of `day` that carry an injected anomaly (the generator's ground truth)."""
    labelled = {label.record_key for label in PlantFolder(plant_dir).labels()}
    return [punch for punch in day_replay(plant_dir, day).punches if record_key_of(punch) in labelled]


def busiest_days(plant_dir: Path | str, *, skip_last: int = 1) -> list[tuple[date, int]]:
    """Days ranked by the injected anomalies on their punches (most first); the last `skip_last`
    days are left out (their shifts may run past the end of the plant's history)."""
    plant = PlantFolder(plant_dir)
    zone = ZoneInfo(plant.meta().timezone)
    labelled = {label.record_key for label in plant.labels()}
    counts: Counter[date] = Counter()
    all_days: set[date] = set()
    for resource, field in PUNCH_RESOURCES.items():
        for row in plant.iter_raw(resource):
            if not row.get(field):
                continue
            day = _local_day(row[field], zone)
            all_days.add(day)
            if f"{resource}:{row['id']}" in labelled:
                counts[day] += 1
    excluded = set(sorted(all_days)[-skip_last:]) if skip_last else set()
    return sorted(
        ((day, count) for day, count in counts.items() if day not in excluded), key=lambda item: (-item[1], item[0])
    )


# -- approval links ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ApprovalLink:
    url: str
    token: str
    finding_id: str
    supervisor_id: str
    expires_at: int
    to: tuple[str, ...]
    subject: str


def token_claims(token: str) -> dict[str, Any]:
    """The claims a token carries, NOT verified (the approval service verifies them)."""
    payload = token.split(".", 1)[0]
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, binascii.Error) as error:
        raise ValueError("not an approval token") from error
    if not isinstance(data, dict):
        raise ValueError("not an approval token")
    return data


def approval_links(emails: Iterable[SentEmail], api_url: str) -> list[ApprovalLink]:
    """Every approval link in the e-mails, oldest e-mail first."""
    found: dict[str, ApprovalLink] = {}
    prefix = api_url.rstrip("/") + "/approvals/"
    for mail in emails:
        for url in mail.links(prefix):
            token = url[len(prefix) :].split("?", 1)[0].split("#", 1)[0]
            claims = token_claims(token)
            found.setdefault(
                url,
                ApprovalLink(url, token, str(claims["f"]), str(claims["s"]), int(claims["e"]), mail.to, mail.subject),
            )
    return list(found.values())


def latest_links(links: Sequence[ApprovalLink]) -> dict[str, ApprovalLink]:
    """finding id -> the newest link sent for it (an escalation supersedes the first link)."""
    latest: dict[str, ApprovalLink] = {}
    for link in links:
        latest[link.finding_id] = link
    return latest


# -- a supervisor at a browser -----------------------------------------------------------------------
_FORM = re.compile(r"<form\b[^>]*>", re.IGNORECASE)
_ACTION_BUTTON = re.compile(r"""<button\b[^>]*\bname=["']action["'][^>]*\bvalue=["'](\w+)["']""", re.IGNORECASE)


@dataclass(frozen=True)
class PageVisit:
    status: int
    body: str

    @property
    def actions(self) -> list[str]:
        """The decisions the page's form offers (e.g. ['approve', 'reject'])."""
        return _ACTION_BUTTON.findall(self.body)

    @property
    def text(self) -> str:
        """The page without tags, for checks on what a person reads."""
        return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", self.body))).strip()


class Supervisor:
    """Follows approval links over HTTP like a browser: GET shows the page, the form POSTs to it."""

    def __init__(self, name: str = "supervisor", timeout_s: float = 10.0) -> None:
        self.name = name
        self.timeout_s = timeout_s
        self._session = requests.Session()

    def close(self) -> None:
        self._session.close()

    def open(self, url: str) -> PageVisit:
        response = self._session.get(url, timeout=self.timeout_s)
        return PageVisit(response.status_code, response.text)

    def submit(self, url: str, action: str, reason: str | None = None) -> PageVisit:
        """POST the page's form: what the Approve / Reject button sends."""
        form = {"action": action, "reason": reason or ""}
        response = self._session.post(url, data=form, timeout=self.timeout_s)
        return PageVisit(response.status_code, response.text)

    def approve(self, url: str) -> PageVisit:
        return self._decide(url, "approve")

    def reject(self, url: str, reason: str) -> PageVisit:
        return self._decide(url, "reject", reason)

    def _decide(self, url: str, action: str, reason: str | None = None) -> PageVisit:
        page = self.open(url)
        if page.status != 200:
            return page
        if not _FORM.search(page.body) or action not in page.actions:
            raise AssertionError(f"the approval page at {urlsplit(url).path[:40]}... offers no {action} button")
        return self.submit(url, action, reason)


# -- the audit table ---------------------------------------------------------------------------------
class AuditView:
    """Reads the audit table the way an auditor would (through the audit store's queries)."""

    def __init__(self, store: DynamoDbAuditStore) -> None:
        self.store = store

    def by_status(self, status: AuditStatus) -> list[AuditEvent]:
        return self.store.by_status(status, limit=10_000)

    def findings(self, status: AuditStatus | None = None) -> list[AuditEvent]:
        statuses = [status] if status else [AuditStatus.LOGGED, AuditStatus.PENDING_APPROVAL]
        return [e for s in statuses for e in self.by_status(s) if e.event_type is AuditEventType.FINDING]

    def for_finding(self, finding_id: str) -> list[AuditEvent]:
        return sorted(self.store.for_finding(finding_id), key=lambda e: e.event_sk)

    def event_types(self, finding_id: str) -> list[str]:
        return [event.event_type.value for event in self.for_finding(finding_id)]

    def history(self, record_key: str) -> list[AuditEvent]:
        return self.store.history(record_key)


def event_counts(view: AuditView) -> Counter[str]:
    """How many audit events of each status there are."""
    return Counter({status.value: len(view.by_status(status)) for status in AuditStatus})
