"""Governance: the append-only audit store, publishing to it once, and the approval-link tokens.

Importing this package does not import boto3; the DynamoDB adapters live in
`plexlabor.audit.dynamodb` and the table schemas in `plexlabor.audit.schema`.
"""

from plexlabor.audit.errors import (
    AuditConflictError,
    AuditError,
    AuditUnavailableError,
    LinkActionNotAllowedError,
    LinkAlreadyUsedError,
    LinkError,
    LinkExpiredError,
    LinkForgedError,
    LinkWrongSupervisorError,
    http_status_for,
)
from plexlabor.audit.events import (
    AuditEvent,
    AuditEventType,
    AuditStatus,
    format_audit_time,
    new_event_id,
    stable_event_id,
)
from plexlabor.audit.links import (
    ApprovalAction,
    ApprovalLinkSigner,
    InMemoryLinkNonceStore,
    LinkClaims,
    LinkNonceStore,
)
from plexlabor.audit.publish import PublishResult, append_once, publish_once
from plexlabor.audit.store import AuditStore, InMemoryAuditStore

__all__ = [
    "ApprovalAction",
    "ApprovalLinkSigner",
    "AuditConflictError",
    "AuditError",
    "AuditEvent",
    "AuditEventType",
    "AuditStatus",
    "AuditStore",
    "AuditUnavailableError",
    "InMemoryAuditStore",
    "InMemoryLinkNonceStore",
    "LinkActionNotAllowedError",
    "LinkAlreadyUsedError",
    "LinkClaims",
    "LinkError",
    "LinkExpiredError",
    "LinkForgedError",
    "LinkNonceStore",
    "LinkWrongSupervisorError",
    "PublishResult",
    "append_once",
    "format_audit_time",
    "http_status_for",
    "new_event_id",
    "publish_once",
    "stable_event_id",
]
