"""The real-time validator's labor-data port: `ReferenceCache` (in `plexlabor.plex`, where crew_replan's
refreshes use it too)."""

from plexlabor.plex.reference_cache import ReferenceCache

__all__ = ["ReferenceCache"]
