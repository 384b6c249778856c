"""A plant folder: one JSON-lines file per Plex resource, plus `plant.json` and `labels.jsonl`.

The generator writes it, the simulator serves it and the batch commands read it; the format is
documented in `docs/data-format.md`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from plexlabor.models import PLANT_MODELS, PlexDataError, PlexModel
from plexlabor.models.anomalies import AnomalyLabel
from plexlabor.models.base import describe_validation_error
from plexlabor.models.types import UtcDatetime

ModelT = TypeVar("ModelT", bound=PlexModel)
RecordT = TypeVar("RecordT")

META_FILE = "plant.json"
LABELS_FILE = "labels.jsonl"


_RECORD_ID = re.compile(rb'"id"\s*:\s*"([^"]{1,80})"')


@dataclass(frozen=True)
class BadRecord:
    """A line of a plant file that does not parse: where it is, its record id if it shows one, what is wrong."""

    file: Path
    line: int
    record_id: str | None
    field: str | None
    problem: str

    def __str__(self) -> str:
        record = f" (id {self.record_id})" if self.record_id else ""
        what = f"field '{self.field}' {self.problem}" if self.field else self.problem
        return f"{self.file} line {self.line}{record}: {what}"

    @classmethod
    def of(cls, file: Path, line: int, raw: bytes | str, error: ValueError) -> BadRecord:
        """`error` is what reading the line raised: a `json.JSONDecodeError` or a `PlexDataError`."""
        text = raw.encode() if isinstance(raw, str) else raw
        found = _RECORD_ID.search(text)
        record_id = found.group(1).decode(errors="replace") if found else None
        if isinstance(error, json.JSONDecodeError):
            return cls(file, line, record_id, None, f"not valid JSON ({error.msg}, column {error.colno})")
        if isinstance(error, PlexDataError):
            return cls(file, line, record_id, error.field, error.problem)
        return cls(file, line, record_id, None, str(error))


class BadRecordError(PlexDataError):
    """A plant file holds a record that does not parse; the message names the file, line, record and field."""

    def __init__(self, bad: BadRecord) -> None:
        self.bad = bad
        self.resource, self.field, self.problem = bad.file.stem, bad.field or "(record)", bad.problem
        ValueError.__init__(self, str(bad))


class PlantMeta(BaseModel):
    """What `plant.json` says about a generated plant."""

    model_config = ConfigDict(extra="ignore")

    name: str
    seed: int
    timezone: str
    start: UtcDatetime
    end: UtcDatetime
    generated_at: datetime
    counts: dict[str, int]
    anomaly_rate: float
    anomaly_counts: dict[str, int]


class PlantFolder:
    """Read and write the files of one plant folder."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def file_for(self, resource: str) -> Path:
        if resource not in PLANT_MODELS:
            raise KeyError(f"unknown plant resource '{resource}'")
        return self.path / f"{resource}.jsonl"

    def write_raw(self, resource: str, rows: Iterable[dict[str, Any]]) -> int:
        """Write Plex-shaped rows (camelCase dicts) for one resource; return how many."""
        self.path.mkdir(parents=True, exist_ok=True)
        count = 0
        with self.file_for(resource).open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, separators=(",", ":")))
                handle.write("\n")
                count += 1
        return count

    def iter_raw(self, resource: str) -> Iterator[dict[str, Any]]:
        """Yield the Plex-shaped rows of one resource (nothing if the file is absent)."""
        path = self.file_for(resource)
        if not path.exists():
            return
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError as error:
                        raise BadRecordError(BadRecord.of(path, number, line, error)) from None

    def load(self, model: type[ModelT]) -> list[ModelT]:
        """Parse every row of one resource into its model; a bad row raises `BadRecordError`."""
        path = self.file_for(model.resource)
        if not path.exists():
            return []
        return list(read_records(path, model.from_plex, model.resource))

    def write_meta(self, meta: PlantMeta) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        (self.path / META_FILE).write_text(meta.model_dump_json(indent=2) + "\n", encoding="utf-8")

    def meta(self) -> PlantMeta:
        path = self.path / META_FILE
        if not path.exists():
            raise FileNotFoundError(f"{self.path} is not a plant folder: {META_FILE} is missing")
        return PlantMeta.model_validate_json(path.read_text(encoding="utf-8"))

    def write_labels(self, labels: Iterable[AnomalyLabel]) -> int:
        self.path.mkdir(parents=True, exist_ok=True)
        count = 0
        with (self.path / LABELS_FILE).open("w", encoding="utf-8") as handle:
            for label in labels:
                handle.write(label.model_dump_json(exclude_none=True) + "\n")
                count += 1
        return count

    def labels(self) -> list[AnomalyLabel]:
        path = self.path / LABELS_FILE
        return read_labels(path) if path.exists() else []


def read_labels(path: Path) -> list[AnomalyLabel]:
    """Read a labels file; a malformed label raises `BadRecordError` naming its file, line and field."""
    return list(read_records(path, AnomalyLabel.model_validate, "label"))


def read_records(path: Path, parse: Callable[[Any], RecordT], kind: str) -> Iterator[RecordT]:
    """Parse each non-blank JSON line of `path`; a line that is not JSON or not a `kind` raises
    `BadRecordError` naming the file, line, record and field."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    yield parse(json.loads(line))
                except ValidationError as error:
                    bad = BadRecord.of(path, number, line, describe_validation_error(kind, error))
                    raise BadRecordError(bad) from None
                except ValueError as error:  # not JSON, or a PlexDataError naming the field already
                    raise BadRecordError(BadRecord.of(path, number, line, error)) from None
