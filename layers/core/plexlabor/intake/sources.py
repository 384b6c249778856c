"""Which labor-data port a function reads, from its settings: a plant folder or Plex.

The Plex secret (`PLEX_API_KEY_SECRET_ARN`) holds the Connect API key as plain text, or a JSON
object that may add the Data Source API credentials:
`{"api_key": "...", "datasource_username": "...", "datasource_password": "..."}`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from plexlabor.intake.errors import ConfigurationError
from plexlabor.intake.settings import ENV_PLANT_DIR, ENV_PLEX_API_KEY_SECRET_ARN, PlexSourceSettings
from plexlabor.plex.port import LaborDataPort

_SECRET_FIELDS = {
    "api_key": "api_key",
    "apiKey": "api_key",
    "datasource_username": "datasource_username",
    "datasourceUsername": "datasource_username",
    "datasource_password": "datasource_password",
    "datasourcePassword": "datasource_password",
}


def parse_plex_secret(value: str) -> dict[str, str]:
    """The PlexSettings fields a secret value provides (never logged, never echoed in errors)."""
    text = value.strip()
    if text.startswith("{"):
        try:
            raw = json.loads(text)
        except json.JSONDecodeError:
            raise ConfigurationError("the Plex secret looks like JSON but does not parse") from None
        fields = {_SECRET_FIELDS[k]: str(v) for k, v in raw.items() if k in _SECRET_FIELDS and v}
        if "api_key" not in fields:
            raise ConfigurationError("the Plex secret (JSON) has no api_key")
        return fields
    if not text:
        raise ConfigurationError("the Plex secret is empty")
    return {"api_key": text}


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
        overrides = parse_plex_secret(get_secret(settings.plex_api_key_secret_arn))
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
