"""Which labor-data port a function reads, from its settings: a plant folder or Plex.

The Plex secret's format is `plexlabor.plex.settings.parse_plex_secret`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from plexlabor.intake.errors import ConfigurationError
from plexlabor.intake.settings import ENV_PLANT_DIR, ENV_PLEX_API_KEY_SECRET_ARN, PlexSourceSettings
from plexlabor.plex.port import LaborDataPort
from plexlabor.plex.settings import parse_plex_secret


@dataclass
class LaborSource:
    """A labor-data port and the plant's IANA time zone (weeks and shifts are local)."""

    port: LaborDataPort
    timezone: str


def open_labor_source(settings: PlexSourceSettings, get_secret: Callable[[str], str]) -> LaborSource:
    """A plant folder when `PLEXLABOR_PLANT_DIR` is set, else a Plex client (key from the secret)."""
    if settings.plant_dir:
        from plexlabor.plex.folder import PlantFolderSource

        if not Path(settings.plant_dir).is_dir():  # else every read would quietly return nothing
            raise ConfigurationError(f"{ENV_PLANT_DIR}={settings.plant_dir} is not a directory")
        folder = PlantFolderSource(settings.plant_dir)
        return LaborSource(folder, settings.timezone or folder.plant.meta().timezone)

    from plexlabor.plex.client import PlexLaborClient
    from plexlabor.plex.settings import plex_settings_from_env

    overrides: dict[str, Any] = {}
    if settings.plex_api_key_secret_arn:
        try:
            overrides = parse_plex_secret(get_secret(settings.plex_api_key_secret_arn))
        except ValueError as error:
            raise ConfigurationError(str(error)) from None
    try:
        plex = plex_settings_from_env(settings.plex_env, **overrides)
    except ValidationError as error:  # name the fields only: the input may be a secret
        fields = ", ".join(".".join(str(part) for part in e["loc"]) for e in error.errors())
        raise ConfigurationError(
            f"Plex settings invalid or missing: {fields} (set {ENV_PLEX_API_KEY_SECRET_ARN} and the "
            "PLEXLABOR_PLEX_* variables)"
        ) from None
    except ValueError as error:  # a PLEXLABOR_PLEX_* map that is not JSON; names the variable
        raise ConfigurationError(str(error)) from None
    assert settings.timezone is not None  # PlexSourceSettings requires it without a plant folder
    return LaborSource(PlexLaborClient(plex), settings.timezone)


SECRET_MAX_AGE_SECONDS = 300


def open_labor_source_from_aws(settings: PlexSourceSettings) -> LaborSource:
    """`open_labor_source` with the Plex secret read from Secrets Manager (cached for 5 minutes)."""
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    from plexlabor.intake.aws import aws_client

    secrets = SecretsProvider(boto3_client=aws_client("secretsmanager"))
    return open_labor_source(settings, lambda arn: str(secrets.get(arn, max_age=SECRET_MAX_AGE_SECONDS)))


class ReferenceCache:
    """A labor-data port that keeps reference data (employees, workcenters, routings, job operations,
    certifications, buildings, clocks, shifts) for `max_age_s`; windowed reads always go through.

    The real-time validator reads a week of context per batch. Without this, every batch would also
    re-read the reference data, and job operations cost one Plex call per job: at Plex's ~200
    calls/minute a warm Lambda would spend most of its budget on data that changes a few times a day.
    """

    def __init__(self, port: LaborDataPort, max_age_s: float = 900.0, clock: Callable[[], float] | None = None) -> None:
        import time

        self.port, self.max_age_s = port, max_age_s
        self._clock = clock or time.monotonic
        self._cache: dict[tuple[str, object], tuple[float, list[Any]]] = {}
        self.reads = 0

    def _cached(self, name: str, key: object, read: Callable[[], list[Any]]) -> list[Any]:
        now = self._clock()
        hit = self._cache.get((name, key))
        if hit is None or now - hit[0] > self.max_age_s:
            hit = (now, read())
            self._cache[(name, key)] = hit
            self.reads += 1
        return list(hit[1])

    # reference data: cached
    def employees(self) -> list[Any]:
        return self._cached("employees", None, self.port.employees)

    def user_accounts(self) -> list[Any]:
        return self._cached("user_accounts", None, self.port.user_accounts)

    def workcenters(self) -> list[Any]:
        return self._cached("workcenters", None, self.port.workcenters)

    def approved_workcenters(self) -> list[Any]:
        return self._cached("approved_workcenters", None, self.port.approved_workcenters)

    def jobs(self) -> list[Any]:
        return self._cached("jobs", None, self.port.jobs)

    def job_operations(self, job_id: str | None = None) -> list[Any]:
        return self._cached("job_operations", job_id, lambda: self.port.job_operations(job_id))

    def buildings(self) -> list[Any]:
        return self._cached("buildings", None, self.port.buildings)

    def clock_devices(self) -> list[Any]:
        return self._cached("clock_devices", None, self.port.clock_devices)

    def shifts(self) -> list[Any]:
        return self._cached("shifts", None, self.port.shifts)

    def skills(self) -> list[Any]:
        return self._cached("skills", None, self.port.skills)

    def certifications(self) -> list[Any]:
        return self._cached("certifications", None, self.port.certifications)

    def workcenter_requirements(self) -> list[Any]:
        return self._cached("workcenter_requirements", None, self.port.workcenter_requirements)

    # transactions: always read
    def time_clock_entries(self, begin: datetime, end: datetime, *, employee_id: str | None = None) -> list[Any]:
        return self.port.time_clock_entries(begin, end, employee_id=employee_id)

    def time_clock_entries_modified(self, since: datetime, until: datetime) -> list[Any]:
        return self.port.time_clock_entries_modified(since, until)

    def labor_entries(self, begin: datetime, end: datetime) -> list[Any]:
        return self.port.labor_entries(begin, end)

    def shift_assignments(self, begin: datetime, end: datetime) -> list[Any]:
        return self.port.shift_assignments(begin, end)

    def workcenter_events(self, begin: datetime, end: datetime) -> list[Any]:
        return self.port.workcenter_events(begin, end)

    def badge_swipes(self, begin: datetime, end: datetime) -> list[Any]:
        return self.port.badge_swipes(begin, end)

    def scrap_entries(self, begin: datetime, end: datetime) -> list[Any]:
        return self.port.scrap_entries(begin, end)

    def downtime_entries(self, begin: datetime, end: datetime) -> list[Any]:
        return self.port.downtime_entries(begin, end)
