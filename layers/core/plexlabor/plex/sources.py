"""Where a function reads labor data, from its settings: a plant folder or Plex.

The Plex secret's format is `plexlabor.plex.settings.parse_plex_secret`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from plexlabor.platform import env
from plexlabor.platform.errors import ConfigurationError
from plexlabor.platform.settings import DEFAULT_JOB_LEAD_DAYS, PlexConnectionSettings, PlexSourceSettings
from plexlabor.plex.port import LaborDataPort
from plexlabor.plex.settings import PlexSettings, plex_settings_from_env


@dataclass
class LaborSource:
    """A labor-data port, the plant's IANA time zone (weeks and shifts are local) and how long before its due date
    a job's first operation may be scheduled (`PLEXLABOR_JOB_LEAD_DAYS`: the crew reads only jobs near the shift)."""

    port: LaborDataPort
    timezone: str
    job_lead_days: float = DEFAULT_JOB_LEAD_DAYS

    def __enter__(self) -> LaborSource:
        return self

    def __exit__(self, *exc: object) -> None:
        """Close a Plex client's connections (a plant folder holds none)."""
        close = getattr(self.port, "close", None)
        if close is not None:
            close()


def open_labor_source(
    settings: PlexSourceSettings, get_secret: Callable[[str], str], *, interactive: bool = False
) -> LaborSource:
    """A plant folder when `PLEXLABOR_PLANT_DIR` is set, else a Plex client (key from the secret; with
    `plex.settings.INTERACTIVE_LIMITS` when `interactive`: a person waits on the read)."""
    if settings.plant_dir:
        from plexlabor.plex.folder import PlantFolderSource

        if not Path(settings.plant_dir).is_dir():  # else every read would quietly return nothing
            raise ConfigurationError(f"{env.PLANT_DIR}={settings.plant_dir} is not a directory")
        folder = PlantFolderSource(settings.plant_dir)
        return LaborSource(folder, settings.timezone or folder.plant.meta().timezone, settings.job_lead_days)

    from plexlabor.plex.client import PlexLaborClient

    assert settings.timezone is not None  # PlexSourceSettings requires it without a plant folder
    plex = plex_settings_from(settings, get_secret)
    client = PlexLaborClient(plex.interactive() if interactive else plex)
    return LaborSource(client, settings.timezone, settings.job_lead_days)


def plex_settings_from(settings: PlexConnectionSettings, get_secret: Callable[[str], str]) -> PlexSettings:
    """The `PLEXLABOR_PLEX_*` settings, with the key (and any Data Source credentials) from the Plex
    secret when its ARN is set. Errors name the variables, never a value: the input may be a secret."""
    secret_arn = settings.plex_api_key_secret_arn
    try:
        return plex_settings_from_env(settings.plex_env, secret=get_secret(secret_arn) if secret_arn else None)
    except ValidationError as error:  # name the fields only
        fields = ", ".join(".".join(str(part) for part in e["loc"]) for e in error.errors())
        raise ConfigurationError(
            f"Plex settings invalid or missing: {fields} (set {env.PLEX_API_KEY_SECRET_ARN} and the "
            f"{env.PLEX_PREFIX}* variables)"
        ) from None
    except ValueError as error:  # a secret or a PLEXLABOR_PLEX_* map that does not parse; names which
        raise ConfigurationError(str(error)) from None


def open_labor_source_from_aws(settings: PlexSourceSettings, *, interactive: bool = False) -> LaborSource:
    """`open_labor_source` with the Plex secret read from Secrets Manager (cached for 5 minutes)."""
    from plexlabor.platform.aws import read_secret

    return open_labor_source(settings, read_secret, interactive=interactive)
