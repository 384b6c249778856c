"""`plexlabor assess --plant DIR | --plex-url URL | --local [--since D] [--until D] [--json]`: the
preliminary data assessment (`plexlabor.validation.assessment`) of a plant folder, a Plex tenant (settings
from the `PLEXLABOR_PLEX_*` variables, the base URL from the flag) or the simulator of the running
`plexlabor local up` (its URL, key and Data Source credentials, no other setting)."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING

from plexlabor_dev.commands import moment_flag, plant_flag, report_skipped
from plexlabor_dev.progress import step

if TYPE_CHECKING:
    from plexlabor.plex import PlexSettings
    from plexlabor.validation.assessment import AssessmentReport


def assess_command(args: argparse.Namespace) -> int:
    """Print the assessment. Plant-folder records that do not parse are skipped and named, the rest
    assessed (exit 1, as `validate`); a user error or an unreachable Plex prints no report."""
    from plexlabor.plex.folder import PlantFolderSource
    from plexlabor.validation.assessment import assess, format_report

    since = moment_flag(args.since, "--since") if args.since else None
    until = moment_flag(args.until, "--until") if args.until else None
    report: AssessmentReport | None
    folder: PlantFolderSource | None = None
    if args.plant:
        folder = PlantFolderSource(plant_flag(args.plant), skip_bad_records=True)
        report = assess(folder, since, until, on_step=step)
    else:
        settings = _local_plex_settings() if args.local else _plex_settings(args.plex_url)
        flag = "--local" if args.local else "--plex-url"
        report = _assess_plex(settings, flag, since, until)
    if report is None:
        return 1
    if not report.time_clock_entries:
        raise ValueError(
            f"--since/--until: no punches in {report.source} from {report.window_start:%Y-%m-%d} to "
            f"{report.window_end:%Y-%m-%d}, nothing to assess"
        )
    print(report.model_dump_json(indent=2) if args.json else format_report(report))
    if folder is not None and folder.skipped:
        report_skipped(folder.skipped, "assessed")
        return 1
    return 0


def _plex_settings(url: str) -> PlexSettings:
    """`--plex-url`: the `PLEXLABOR_PLEX_*` variables, with the base URL from the flag."""
    from pydantic import ValidationError

    from plexlabor.plex import plex_settings_from_env

    try:
        return plex_settings_from_env(os.environ, base_url=url)
    except ValidationError as error:
        missing = [".".join(str(p) for p in e["loc"]) for e in error.errors()]
        names = ", ".join(f"PLEXLABOR_PLEX_{name.upper()}" for name in missing)
        raise ValueError(f"--plex-url: Plex settings incomplete or invalid: {names}") from None


def _local_plex_settings() -> PlexSettings:
    """`--local`: the settings punch_poller has in the running local runtime, its key and Data Source
    credentials read from the runtime's Secrets Manager (moto) as the function reads them; the Data
    Source API is the simulator's too."""
    from plexlabor.platform.aws import read_secret
    from plexlabor.platform.settings import PlexConnectionSettings
    from plexlabor.plex.sources import plex_settings_from
    from plexlabor_dev.local.environment import EnvPatch
    from plexlabor_dev.local.state import command_environment, read_state

    changes = {"PLEXLABOR_PLEX_DATASOURCE_BASE_URL": read_state().urls["plex"], **command_environment("punch_poller")}
    with EnvPatch.of(changes):  # the secret is read from the runtime's moto
        return plex_settings_from(PlexConnectionSettings.from_env(), read_secret)


def _assess_plex(
    settings: PlexSettings, flag: str, since: date | datetime | None, until: date | datetime | None
) -> AssessmentReport | None:
    from plexlabor.plex import PlexError, PlexLaborClient
    from plexlabor.plex.settings import describe_plex_settings
    from plexlabor.validation.assessment import assess

    print("Plex settings in force:", file=sys.stderr)
    for line in describe_plex_settings(settings):
        print(f"  {line}", file=sys.stderr)
    try:
        with PlexLaborClient(settings) as client:
            return assess(client, since, until, on_step=step)
    except PlexError as error:
        print(f"plexlabor: error: {flag} {settings.base_url}: {error}", file=sys.stderr)
        return None
