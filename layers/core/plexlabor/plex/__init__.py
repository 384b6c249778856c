"""Plex clients: Connect REST and Data Source API transports under one labor-data port.

Importing this package reads no configuration; `load_plex_settings()` does, on first use.
"""

from plexlabor.plex.client import PlexLaborClient
from plexlabor.plex.datasource import DataSourceResult, DataSourceTransport, parse_datasource_response
from plexlabor.plex.errors import (
    PlexAuthError,
    PlexConnectionError,
    PlexDataError,
    PlexError,
    PlexNotFoundError,
    PlexRateLimitedError,
    PlexRequestError,
    PlexRowLimitError,
    PlexServerError,
    PlexTimeoutError,
)
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.port import LaborDataPort
from plexlabor.plex.settings import PlexSettings, load_plex_settings, plex_settings_from_env
from plexlabor.plex.transport import ConnectTransport, TokenBucket
from plexlabor.plex.writeback import PlexWriter, WriteRequest, WriteResult

__all__ = [
    "ConnectTransport",
    "DataSourceResult",
    "DataSourceTransport",
    "LaborDataPort",
    "PlantFolderSource",
    "PlexAuthError",
    "PlexConnectionError",
    "PlexDataError",
    "PlexError",
    "PlexLaborClient",
    "PlexNotFoundError",
    "PlexRateLimitedError",
    "PlexRequestError",
    "PlexRowLimitError",
    "PlexServerError",
    "PlexSettings",
    "PlexTimeoutError",
    "PlexWriter",
    "TokenBucket",
    "WriteRequest",
    "WriteResult",
    "load_plex_settings",
    "parse_datasource_response",
    "plex_settings_from_env",
]
