"""The simulator's in-memory view of a plant folder: raw Plex-shaped rows, indexed by date.

Rows stay dicts (no model parsing) so a large plant loads fast; each dated resource gets a sorted
index of Plex-format date strings (all the same width, so string order is time order) searched with
bisect. Everything is loaded lazily, once, under a lock.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from plexlabor.models.types import format_plex_datetime, parse_plex_datetime
from plexlabor.plant import PlantFolder
from plexlabor.plex.defaults import MODIFIED_FIELD_CHAIN

_PLEX_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$")

Row = dict[str, Any]


def normalize_date(value: Any) -> str | None:
    """A comparable Plex-format string for a date value, or None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and _PLEX_DATE.match(value):
        return value
    parsed = parse_plex_datetime(value)
    if not isinstance(parsed, datetime):
        raise ValueError(f"not a date: {value!r}")
    return format_plex_datetime(parsed)


class DateIndex:
    """Rows sorted by one date key; `between(lo, hi)` is inclusive at both ends."""

    def __init__(self, rows: Iterable[Row], key: Callable[[Row], str | None]) -> None:
        pairs = [(k, i, row) for i, row in enumerate(rows) if (k := key(row)) is not None]
        pairs.sort(key=lambda item: (item[0], item[1]))
        self.keys = [pair[0] for pair in pairs]
        self.rows = [pair[2] for pair in pairs]

    def between(self, lower: str | None, upper: str | None) -> list[Row]:
        start = 0 if lower is None else bisect_left(self.keys, lower)
        stop = len(self.keys) if upper is None else bisect_right(self.keys, upper)
        return self.rows[start:stop]


def modified_key(row: Row) -> str | None:
    """What `modifiedDateStart/End` compares: the first present of modifiedDate, createdDate, ..."""
    for name in MODIFIED_FIELD_CHAIN:
        if row.get(name):
            return normalize_date(row[name])
    return None


class PlantStore:
    """Lazy, thread-safe access to the rows of one plant folder."""

    def __init__(self, plant_dir: Path | str) -> None:
        self.folder = PlantFolder(plant_dir)
        if not self.folder.path.is_dir():
            raise FileNotFoundError(f"plant folder {self.folder.path} does not exist")
        self._rows: dict[str, list[Row]] = {}
        self._indexes: dict[tuple[str, str], DateIndex] = {}
        self._groups: dict[tuple[str, str], dict[str, list[Row]]] = {}
        self._lock = threading.RLock()

    def rows(self, resource: str) -> list[Row]:
        with self._lock:
            if resource not in self._rows:
                self._rows[resource] = list(self.folder.iter_raw(resource))
            return self._rows[resource]

    def index(self, resource: str, field: str) -> DateIndex:
        """Index on a camelCase date field, or on "modified" (the modified-date fallback chain)."""
        with self._lock:
            if (resource, field) not in self._indexes:
                rows = self.rows(resource)
                if field == "modified":
                    key: Callable[[Row], str | None] = modified_key
                else:

                    def key(row: Row) -> str | None:
                        return normalize_date(row.get(field))

                self._indexes[(resource, field)] = DateIndex(rows, key)
            return self._indexes[(resource, field)]

    def group(self, resource: str, field: str) -> dict[str, list[Row]]:
        """Rows grouped by the string value of one field (e.g. job operations by `jobId`)."""
        with self._lock:
            if (resource, field) not in self._groups:
                groups: dict[str, list[Row]] = defaultdict(list)
                for row in self.rows(resource):
                    groups[str(row.get(field))].append(row)
                self._groups[(resource, field)] = dict(groups)
            return self._groups[(resource, field)]

    def counts(self) -> dict[str, int]:
        from plexlabor.models import PLANT_MODELS

        return {resource: len(self.rows(resource)) for resource in PLANT_MODELS}
