"""Plex clients: Connect REST and Data Source API transports under one labor-data port.

Importing this package loads none of its modules and reads no configuration (`load_plex_settings()`
does, on first use): each name below is imported from its module when first asked for, so a function
that needs only the port, a plant folder or the errors does not load the HTTP client on its cold start.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_MODULE_OF = {
    "ConnectTransport": "transport",
    "DataSourceResult": "datasource",
    "DataSourceTransport": "datasource",
    "LaborDataPort": "port",
    "PlantFolderSource": "folder",
    "PlexAuthError": "errors",
    "PlexConnectionError": "errors",
    "PlexDataError": "errors",
    "PlexError": "errors",
    "PlexLaborClient": "client",
    "PlexNotFoundError": "errors",
    "PlexRateLimitedError": "errors",
    "PlexRequestError": "errors",
    "PlexRowLimitError": "errors",
    "PlexServerError": "errors",
    "PlexSettings": "settings",
    "PlexTimeoutError": "errors",
    "PlexWriter": "writeback",
    "TokenBucket": "transport",
    "WriteRequest": "writeback",
    "WriteResult": "writeback",
    "load_plex_settings": "settings",
    "parse_datasource_response": "datasource",
    "plex_settings_from_env": "settings",
}


if TYPE_CHECKING:  # the same names, for type checkers
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


def __getattr__(name: str) -> Any:
    """Import `name` from its module on first use (PEP 562), then keep it here."""
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
    globals()[name] = value
    return value
