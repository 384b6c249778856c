"""`plexlabor writeback revert FINDING_ID`: undo a finding's write-back (see `WritebackService.revert`)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from plexlabor.approval.errors import NothingToRevertError


def _client(service: str, endpoint_url: str | None) -> Any:
    from plexlabor.approval.aws import client

    return client(service, endpoint_url=endpoint_url) if endpoint_url else client(service)


def revert_command(args: argparse.Namespace) -> int:
    from plexlabor.approval.aws import read_secret
    from plexlabor.approval.corrections import with_fallback_paths
    from plexlabor.approval.settings import approval_settings_from_env
    from plexlabor.approval.writeback import WritebackService
    from plexlabor.audit.dynamodb import DynamoDbAuditStore
    from plexlabor.plex.client import PlexLaborClient
    from plexlabor.plex.settings import plex_settings_from_env
    from plexlabor.plex.writeback import PlexWriter

    settings = approval_settings_from_env()
    table = args.audit_table or settings.audit_table_name
    if not table:
        raise ValueError("no audit table: pass --audit-table or set AUDIT_TABLE_NAME")
    overrides: dict[str, Any] = {}
    if settings.plex_api_key_secret_arn:
        secrets = _client("secretsmanager", args.endpoint_url)
        overrides["api_key"] = read_secret(settings.plex_api_key_secret_arn, boto3_client=secrets)
    plex = with_fallback_paths(plex_settings_from_env(os.environ, **overrides))
    service = WritebackService(
        audit=DynamoDbAuditStore(table, client=_client("dynamodb", args.endpoint_url)),
        writer=PlexWriter(plex),
        plex=PlexLaborClient(plex),
    )
    try:
        event = service.revert(args.finding_id, actor=args.actor)
    except NothingToRevertError as refusal:
        print(f"plexlabor: nothing reverted: {refusal}", file=sys.stderr)
        return 1
    payload = event.payload
    print(
        f"reverted {args.finding_id} on {event.record_key}: restored {sorted(payload['restored'])} "
        f"({payload['mode']}, {payload['method']} {payload['path']}, status {payload['status']})"
    )
    return 0
