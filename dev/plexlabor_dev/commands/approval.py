"""`plexlabor writeback revert FINDING_ID`: undo a finding's write-back (see `WritebackService.revert`).

Settings as plex_writeback reads them (`WritebackSettings`: `AUDIT_TABLE_NAME`, `PLEX_API_KEY_SECRET_ARN`,
the `PLEXLABOR_PLEX_*` variables) plus the AWS region and endpoint; `--audit-table` and `--endpoint-url`
stand in for two of them, and `--local` takes them all from the running `plexlabor local up`
(`plexlabor_dev.local.state`). What is used is printed first; a missing setting is named with its flag.
"""

from __future__ import annotations

import argparse
import os
import sys

from plexlabor.approval.errors import NothingToRevertError
from plexlabor.platform import env
from plexlabor.platform.errors import ConfigurationError
from plexlabor_dev.commands import ENDPOINT_URL, LOCAL_HINT, REGION, aws_failure


def _changes(args: argparse.Namespace) -> dict[str, str | None]:
    """The variables this run sets: the local runtime's (`--local`), then the flags."""
    changes: dict[str, str | None] = {}
    if getattr(args, "local", False):
        from plexlabor_dev.local.state import command_environment

        changes.update(command_environment("plex_writeback"))
    if args.audit_table:
        changes[env.AUDIT_TABLE_NAME] = args.audit_table
    if args.endpoint_url:
        changes[ENDPOINT_URL] = args.endpoint_url
    if REGION not in changes and not os.environ.get(REGION) and os.environ.get("AWS_REGION"):
        changes[REGION] = os.environ["AWS_REGION"]
    return changes


def _explain(error: ConfigurationError) -> str:
    text = str(error)
    if env.AUDIT_TABLE_NAME in text:
        return f"no audit table: give --audit-table NAME, set {env.AUDIT_TABLE_NAME}, {LOCAL_HINT}"
    return f"{text} ({LOCAL_HINT})"


def revert_command(args: argparse.Namespace) -> int:
    """plex_writeback's service, built from the environment as the function builds it, then `revert`."""
    from botocore.exceptions import BotoCoreError, ClientError

    from plexlabor.approval.settings import WritebackSettings
    from plexlabor.approval.wiring import build_writeback
    from plexlabor.audit.errors import AuditError
    from plexlabor_dev.local.environment import EnvPatch

    if not args.finding_id.strip():  # before: DynamoDB's ValidationException as a traceback
        print(
            "plexlabor: error: FINDING: give the id of the finding whose write-back to undo "
            "(e.g. f-40517e721f996f8971ffe939, as on its review page or e-mail), not an empty one",
            file=sys.stderr,
        )
        return 2
    # AWS clients made inside read the variables (`plexlabor.platform.aws.aws_client`); all are put back after
    with EnvPatch.of(_changes(args)):
        try:
            settings = WritebackSettings.from_env(dict(os.environ))
        except ConfigurationError as error:
            print(f"plexlabor: error: {_explain(error)}", file=sys.stderr)
            return 2
        table = settings.audit_table_name
        region = os.environ.get(REGION) or f"NOT SET: {REGION}"
        plex = settings.plex_env
        print(
            f"audit table {table} at {os.environ.get(ENDPOINT_URL) or 'AWS'} (region {region}); "
            f"Plex {plex.get(env.PLEX_BASE_URL, 'https://connect.plex.com (default)')}, "
            f"write mode {plex.get(env.PLEX_WRITE_MODE, 'dry_run')}",
            file=sys.stderr,
        )
        try:
            service = build_writeback(settings)
            event = service.revert(args.finding_id, actor=args.actor)
        except ConfigurationError as error:
            print(f"plexlabor: error: {_explain(error)}", file=sys.stderr)
            return 2
        except NothingToRevertError as refusal:
            print(f"plexlabor: nothing reverted: {refusal}", file=sys.stderr)
            return 1
        except (BotoCoreError, ClientError, AuditError) as error:
            message = aws_failure(error, table)
            if message is None:
                raise
            print(f"plexlabor: error: {message}", file=sys.stderr)
            return 2
    payload = event.payload
    print(
        f"reverted {args.finding_id} on {event.record_key}: restored {sorted(payload['restored'])} "
        f"({payload['mode']}, {payload['method']} {payload['path']}, status {payload['status']})"
    )
    return 0
