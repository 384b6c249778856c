"""The `plexlabor` subcommands of each capability (imported lazily by `plexlabor_dev.cli`)."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, datetime
from typing import TypeVar

from plexlabor.plant import META_FILE, BadRecord, PlantFolder
from plexlabor.platform import env
from plexlabor.platform.clock import outside_dates

ENDPOINT_URL = "AWS_ENDPOINT_URL"
"""The variable boto3 takes an endpoint from (`--endpoint-url`: e.g. the local runtime's moto server)."""


def day_flag(value: str, flag: str) -> date:
    """A command-line day, YYYY-MM-DD, in the years plexlabor takes; a ValueError naming the flag and
    the value otherwise."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{flag}: '{value}' is not a date (YYYY-MM-DD)") from None
    return _in_range(day, value, flag)


DateT = TypeVar("DateT", date, datetime)


def _in_range(moment: DateT, value: str, flag: str) -> DateT:
    """`moment` if it lies in the dates plexlabor takes (`platform.clock.outside_dates`); else a
    ValueError naming the flag: a 9999-12-31 placeholder or a typed 0001 would otherwise fail in the
    date arithmetic of whatever reads the window (an OverflowError's traceback)."""
    if problem := outside_dates(moment):
        raise ValueError(f"{flag}: '{value}' is outside the dates plexlabor takes ({problem})")
    return moment


def moment_flag(value: str, flag: str) -> date | datetime:
    """A window bound (`--since`, `--until`): a day, YYYY-MM-DD (the plant's local day), or an ISO 8601
    time with its zone; a ValueError naming the flag otherwise (a time without a zone is refused, never
    read as UTC)."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        pass
    else:
        return _in_range(day, value, flag)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{flag}: '{value}' is neither a day (YYYY-MM-DD) nor an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise ValueError(f"{flag}: '{value}' has no time zone; add Z or an offset (or give a day, YYYY-MM-DD)")
    return _in_range(moment, value, flag)


def audit_table_flag(args: argparse.Namespace) -> str:
    """The audit table, `--audit-table` or AUDIT_TABLE_NAME (a ValueError naming the flag when neither is
    given); a `--endpoint-url` is put in force for the AWS clients."""
    table: str | None = args.audit_table or os.environ.get(env.AUDIT_TABLE_NAME)
    if not table:
        raise ValueError(f"no --audit-table (or {env.AUDIT_TABLE_NAME})")
    if args.endpoint_url:
        os.environ[ENDPOINT_URL] = args.endpoint_url
    return table


REGION = "AWS_DEFAULT_REGION"
"""The variable boto3 takes the region from (not AWS_REGION: that one is copied over when alone)."""
LOCAL_HINT = "or --local while `plexlabor local up` runs"


def aws_failure(error: BaseException | None, table: str | None = None) -> str | None:
    """A one-line message for what botocore raises (or the audit adapter raised from) when the AWS settings
    are wrong; None for anything else."""
    from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError, NoRegionError

    from plexlabor.audit.errors import AuditError

    if isinstance(error, AuditError):
        error = error.__cause__
    endpoint = os.environ.get(ENDPOINT_URL) or "AWS"
    if isinstance(error, NoRegionError):
        return f"no AWS region: set {REGION} (e.g. us-east-1), {LOCAL_HINT}"
    if isinstance(error, NoCredentialsError):
        return f"no AWS credentials for {endpoint} ({LOCAL_HINT})"
    if isinstance(error, EndpointConnectionError):
        return (
            f"cannot reach {error.kwargs.get('endpoint_url', endpoint)} (--endpoint-url, {ENDPOINT_URL}; {LOCAL_HINT})"
        )
    if isinstance(error, ClientError) and error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
        if error.operation_name == "GetSecretValue":
            return f"the Plex key's secret ({env.PLEX_API_KEY_SECRET_ARN}) is not at {endpoint} ({LOCAL_HINT})"
        table = table or os.environ.get(env.AUDIT_TABLE_NAME)
        return f"audit table {table} not found at {endpoint} (--audit-table, {env.AUDIT_TABLE_NAME}; {LOCAL_HINT})"
    return None


NOT_A_PLANT = "--plant {}: not a plant folder (no plant.json; make one with `plexlabor plant generate`)"


def plant_flag(value: str) -> PlantFolder:
    """The --plant folder; a FileNotFoundError naming the flag when there is no such folder or it holds
    no plant (the same words from every command)."""
    folder = PlantFolder(value)
    if not folder.path.is_dir():
        raise FileNotFoundError(f"--plant: no such folder: {value}")
    if not (folder.path / META_FILE).is_file():
        raise FileNotFoundError(NOT_A_PLANT.format(value))
    return folder


SHOWN_BAD_RECORDS = 5
"""Bad records named one by one; the rest are counted."""


def report_skipped(skipped: list[BadRecord], done: str) -> None:
    """Name the skipped bad records on stderr (file, line, field), then count them; `done` says what
    became of the other records ("validated", "assessed")."""
    for bad in skipped[:SHOWN_BAD_RECORDS]:
        print(f"plexlabor: skipped {bad}", file=sys.stderr)
    more = len(skipped) - SHOWN_BAD_RECORDS
    print(
        f"plexlabor: {len(skipped)} bad record{'s' if len(skipped) != 1 else ''} skipped"
        + (f" ({more} not shown)" if more > 0 else "")
        + f"; the other records were {done}",
        file=sys.stderr,
    )


def require_records(folder: PlantFolder, resource: str) -> None:
    """Refuse a plant folder with no `resource` records, naming the folder and the file (e.g. no shifts)."""
    folder.meta()  # a folder that is not a plant is named as such first
    if next(folder.iter_raw(resource), None) is None:
        raise ValueError(f"--plant {folder.path}: no {resource} ({folder.file_for(resource).name} is missing or empty)")
