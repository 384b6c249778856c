"""Scheduled events, fired on demand: moto never fires EventBridge rules or schedules itself."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from infra.constants import SERVICE_NAME
from plexlabor_dev.local.environment import AWS_ACCOUNT_ID


def rule_arn(region: str, stage: str, function: str) -> str:
    return f"arn:aws:events:{region}:{AWS_ACCOUNT_ID}:rule/{SERVICE_NAME}-{stage}-{function}"


def scheduled_event(
    resource_arn: str,
    region: str,
    *,
    detail: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The event an EventBridge schedule rule sends its Lambda target."""
    when = (now or datetime.now(UTC)).astimezone(UTC)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": AWS_ACCOUNT_ID,
        "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [resource_arn],
        "detail": dict(detail or {}),
    }
