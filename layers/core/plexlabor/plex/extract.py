"""A snapshot kept as bytes: read from Plex once, stored, and indexed later by others (the backfill's shards).

`pack_snapshot` writes a `PlexSnapshot` as gzip'd text: a header line (the time zone, each kind's window
and the kinds present), then one line per kind, a JSON array of its records in Plex's camelCase shape.
`unpack_snapshot` reads it back into the same snapshot, each array parsed by pydantic in one call (the
models dump and parse their own JSON: nothing is mapped by hand). A body that is not such a snapshot
raises `ExtractError`; a record that does not parse raises `PlexDataError` naming its field.
"""

from __future__ import annotations

import gzip
import io
import json
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from plexlabor.models import PLANT_MODELS
from plexlabor.plex.folder import list_adapter, parse_lines
from plexlabor.plex.snapshot import REFERENCE, WINDOWED, PlexSnapshot

FORMAT = "plexlabor-snapshot/1"
KINDS = (*REFERENCE, *WINDOWED)


class ExtractError(ValueError):
    """The bytes are not a packed snapshot (another format, a truncated body); the message says what."""


def pack_snapshot(snapshot: PlexSnapshot) -> bytes:
    """The snapshot as gzip'd JSON: a header line, then a JSON array per kind that has records."""
    rows = snapshot.rows()
    kinds = [kind for kind in KINDS if rows[kind]]
    header = {
        "format": FORMAT,
        "timezone": snapshot.timezone,
        "windows": {kind: [begin.isoformat(), end.isoformat()] for kind, (begin, end) in snapshot.windows.items()},
        "kinds": kinds,
    }
    packed = io.BytesIO()
    with gzip.GzipFile(fileobj=packed, mode="wb", compresslevel=5) as text:  # one kind's text at a time
        text.write(json.dumps(header).encode())
        for kind in kinds:
            text.write(b"\n" + list_adapter(PLANT_MODELS[kind]).dump_json(list(rows[kind]), by_alias=True))
    return packed.getvalue()


def unpack_snapshot(data: bytes) -> PlexSnapshot:
    """The snapshot `pack_snapshot` wrote. Decompressed a line at a time: one kind's text is held at once
    beside the records (a 28-day slice of a 5,000-person plant is about 850 MB of text)."""
    values: dict[str, tuple[Any, ...]] = {}
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as text:
            header: dict[str, Any] = json.loads(text.readline())
            if not isinstance(header, dict) or header.get("format") != FORMAT:
                raise ExtractError(f"not a packed snapshot of format {FORMAT}")
            kinds: list[str] = header["kinds"]
            if not set(kinds) <= set(KINDS):
                raise ExtractError(f"a packed snapshot of unknown kinds: {sorted(set(kinds) - set(KINDS))}")
            for kind in kinds:
                array = text.readline().rstrip(b"\n")
                if not array:
                    raise ExtractError(f"a packed snapshot without its {kind}: truncated?")
                values[kind.replace("-", "_")] = tuple(_parse(kind, array))
    except (OSError, EOFError, ValueError) as error:
        if isinstance(error, ValueError) and not isinstance(error, json.JSONDecodeError):
            raise  # ExtractError, or a record named with its field
        raise ExtractError(f"not a packed snapshot: {error}") from None
    windows = {
        kind: (datetime.fromisoformat(b), datetime.fromisoformat(e)) for kind, (b, e) in header["windows"].items()
    }
    return PlexSnapshot(timezone=header["timezone"], windows=windows, **values)


def _parse(kind: str, array: bytes) -> list[Any]:
    model = PLANT_MODELS[kind]
    try:
        return list_adapter(model).validate_json(array)
    except ValidationError:  # name the record and its field
        return parse_lines(model, [json.dumps(row).encode() for row in json.loads(array)])
