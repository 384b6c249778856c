"""`plexlabor writeback revert FINDING_ID`: undo a finding's write-back (see `WritebackService.revert`)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from plexlabor.approval.errors import NothingToRevertError
from plexlabor.platform import env
from plexlabor.platform.errors import ConfigurationError

ENDPOINT_URL = "AWS_ENDPOINT_URL"


@contextmanager
def _endpoint(url: str | None) -> Iterator[None]:
    """AWS clients made inside go to `url` (`plexlabor.platform.aws.aws_client` reads the variable)."""
    previous = os.environ.get(ENDPOINT_URL)
    if url:
        os.environ[ENDPOINT_URL] = url
    try:
        yield
    finally:
        if url and previous is None:
            del os.environ[ENDPOINT_URL]
        elif url and previous is not None:
            os.environ[ENDPOINT_URL] = previous


def revert_command(args: argparse.Namespace) -> int:
    """plex_writeback's service, built from the environment as the function builds it
    (`WritebackSettings`); `--audit-table` stands in for `AUDIT_TABLE_NAME`."""
    from plexlabor.approval.settings import WritebackSettings
    from plexlabor.approval.wiring import build_writeback

    environ = dict(os.environ)
    if args.audit_table:
        environ[env.AUDIT_TABLE_NAME] = args.audit_table
    try:
        settings = WritebackSettings.from_env(environ)
        with _endpoint(args.endpoint_url):
            service = build_writeback(settings)
    except ConfigurationError as error:
        print(f"plexlabor: error: {error}", file=sys.stderr)
        return 2
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
