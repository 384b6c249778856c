"""A plant folder: one JSON-lines file per Plex resource, plus `plant.json` and `labels.jsonl`.

The generator writes it, the simulator serves it and the batch commands read it; the format is
documented in `docs/data-format.md`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from plexlabor.models import PLANT_MODELS, PlexModel
from plexlabor.models.anomalies import AnomalyLabel
from plexlabor.models.types import UtcDatetime

ModelT = TypeVar("ModelT", bound=PlexModel)

META_FILE = "plant.json"
LABELS_FILE = "labels.jsonl"


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
            for line in handle:
                if line.strip():
                    yield json.loads(line)

    def load(self, model: type[ModelT]) -> list[ModelT]:
        """Parse every row of one resource into its model."""
        return [model.from_plex(row) for row in self.iter_raw(model.resource)]

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
        if not path.exists():
            return []
        with path.open(encoding="utf-8") as handle:
            return [AnomalyLabel.model_validate_json(line) for line in handle if line.strip()]
