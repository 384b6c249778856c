"""How review_sweep is wired: its settings, its dependencies built from the environment (the handler builds them once
per environment, `functions.review_sweep.handler.dependencies`), and its run.

Configuration (environment, read once per environment by `dependencies`):
- `AUDIT_TABLE_NAME` (required); `NOTIFY_SENDER` (the SES-verified sender, required);
- `WEB_APP_URL` (required): the notices link to `<WEB_APP_URL>queue`;
- `APPROVAL_WAIT_SECONDS` (8 h, as for punch findings): notice → escalation → expiry;
- `REVIEW_HR_EMAILS`, `REVIEW_PLANNER_EMAILS` (optional, comma-separated addresses): who hears of
  the kinds their role decides (`review.queue.ROLE_KINDS`) besides the item's supervisor;
- `REVIEW_EHS_EMAILS` (optional, likewise): the EHS lead's digest of the incidents waiting to be coded or confirmed
  (`build`'s `incidents`: the handler gives `incidents.waiting.IncidentWaitlist`); unset, nobody is mailed of them;
- where people are read (supervisors' addresses and their own supervisors), as for every function
  that reads labor data (`PlexSourceSettings`); `SUPERVISOR_DIRECTORY_TTL_S` (900); how people are
  named in the notices (`ReaderSettings`: `SHOW_NAMES_TO`, times in `PLEXLABOR_TIMEZONE`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import Field, field_validator

from plexlabor.approval.settings import DEFAULT_DIRECTORY_TTL_S, ReaderSettings
from plexlabor.audit.store import AuditStore
from plexlabor.platform import env
from plexlabor.platform.observability import logger, metrics
from plexlabor.platform.settings import PlexSourceSettings
from plexlabor.review.queue import ReviewQueue, Role
from plexlabor.review.sweep import IncidentWaitlist, Mailer, ReviewSweep

EMAIL = r"^[^@\s,]+@[^@\s,]+\.[^@\s,]+$"


class ReviewSweepSettings(PlexSourceSettings, ReaderSettings):
    audit_table_name: str = Field(alias=env.AUDIT_TABLE_NAME)
    notify_sender: str = Field(alias=env.NOTIFY_SENDER)
    web_app_url: str = Field(alias=env.WEB_APP_URL)
    wait_s: int = Field(default=8 * 3600, ge=1, le=7 * 24 * 3600, alias=env.APPROVAL_WAIT_SECONDS)
    hr_emails: tuple[str, ...] = Field(default=(), alias=env.REVIEW_HR_EMAILS)
    planner_emails: tuple[str, ...] = Field(default=(), alias=env.REVIEW_PLANNER_EMAILS)
    ehs_emails: tuple[str, ...] = Field(default=(), alias=env.REVIEW_EHS_EMAILS)
    directory_ttl_s: int = Field(default=DEFAULT_DIRECTORY_TTL_S, ge=0, alias=env.SUPERVISOR_DIRECTORY_TTL_S)

    @field_validator("hr_emails", "planner_emails", "ehs_emails", mode="before")
    @classmethod
    def _addresses(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        addresses = tuple(part.strip() for part in value.split(",") if part.strip())
        bad = next((a for a in addresses if not re.fullmatch(EMAIL, a)), None)
        if bad is not None:
            raise ValueError(f"{bad!r} is not an e-mail address (a comma-separated list of addresses)")
        return addresses

    @property
    def role_addresses(self) -> Mapping[Role, tuple[str, ...]]:
        return {Role.HR: self.hr_emails, Role.PLANNER: self.planner_emails, Role.EHS: self.ehs_emails}


IncidentWaitlistOf = Callable[[AuditStore, str, ZoneInfo], IncidentWaitlist[Any]]
"""Builds the incidents' port from the audit store, the web app's base URL (no trailing slash) and the plant zone."""


def build(settings: ReviewSweepSettings, incidents: IncidentWaitlistOf | None = None) -> ReviewSweep:
    """The real adapters (clients are created on first use); `incidents`: the EHS lead's digest (none without it)."""
    from plexlabor.approval.aws import SesNotifier
    from plexlabor.approval.directory import PlexEmployeeDirectory
    from plexlabor.approval.wiring import reader_for
    from plexlabor.audit.dynamodb import DynamoDbAuditStore
    from plexlabor.platform.aws import aws_client
    from plexlabor.plex.sources import open_labor_source_from_aws

    source = open_labor_source_from_aws(settings)
    store: AuditStore = DynamoDbAuditStore(settings.audit_table_name, client=aws_client("dynamodb"))
    mailer: Mailer = SesNotifier(settings.notify_sender, aws_client("ses"))

    def managers() -> dict[str, str]:
        return {e.id: e.supervisor_id for e in source.port.employees() if e.supervisor_id}

    directory = PlexEmployeeDirectory(source.port, ttl_s=settings.directory_ttl_s)
    return ReviewSweep(
        queue=ReviewQueue(store),
        audit=store,
        directory=directory,
        mailer=mailer,
        queue_url=settings.web_app_url.rstrip("/") + "/queue",
        wait=timedelta(seconds=settings.wait_s),
        role_addresses=settings.role_addresses,
        managers=managers,
        reader=reader_for(settings, directory),
        incidents=incidents(store, settings.web_app_url.rstrip("/"), settings.zone) if incidents else None,
    )


class ReviewSweepEvent(EventBridgeModel):
    """The schedule's event (its `detail` is not read)."""


def run(sweep: ReviewSweep, request: ReviewSweepEvent) -> dict[str, Any]:
    """One sweep; the counts (no ids, no addresses), also as metrics."""
    result = sweep.run().summary()
    logger.info("review sweep done", extra=result)
    for name, metric in (
        ("notified", "ReviewNotified"),
        ("escalated", "ReviewEscalated"),
        ("expired", "ReviewExpired"),
        ("unsent", "ReviewNoticesUnsent"),
        ("unrouted", "ReviewUnrouted"),
    ):
        metrics.add_metric(name=metric, unit=MetricUnit.Count, value=result[name])
    return dict(result)
