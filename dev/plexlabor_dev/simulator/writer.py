"""Writes a generated plant folder: one JSON-lines file per resource, `labels.jsonl` and `plant.json`."""

from __future__ import annotations

from collections import defaultdict
from contextlib import ExitStack
from typing import IO, Any

from plexlabor.models import PLANT_MODELS, record_key
from plexlabor.models.anomalies import AnomalyLabel, AnomalyType
from plexlabor.plant import PlantFolder, PlantMeta
from plexlabor_dev.simulator.difficulty import LabelNoise
from plexlabor_dev.simulator.jsonlines import dumps


class PlantWriter:
    """Streams rows to the resource files as they are made; keeps the labels until the end.

    Use as a context manager: the resource files are open inside the `with` block. With `noise`, the
    labels are kept as a person would have marked them (`difficulty.LabelNoise`).
    """

    def __init__(self, folder: PlantFolder, noise: LabelNoise | None = None) -> None:
        self.folder = folder
        self.noise = noise
        self.counts: dict[str, int] = defaultdict(int)
        self.label_counts: dict[str, int] = defaultdict(int)
        self.labels: list[AnomalyLabel] = []
        self._files: dict[str, IO[str]] = {}
        self._stack = ExitStack()

    def __enter__(self) -> PlantWriter:
        self.folder.path.mkdir(parents=True, exist_ok=True)
        for resource in PLANT_MODELS:
            self._files[resource] = self._stack.enter_context(
                self.folder.file_for(resource).open("w", encoding="utf-8")
            )
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()
        self._files.clear()

    def emit(self, resource: str, row: dict[str, Any]) -> None:
        self._files[resource].write(dumps(row))
        self.counts[resource] += 1

    def label(self, resource: str, record_id: str, anomaly: AnomalyType, employee_id: str | None, detail: str) -> None:
        key = record_key(resource, record_id)
        if self.noise and self.noise.drops(key, anomaly):
            return
        self._keep(key, anomaly, employee_id, detail)

    def mislabel(self, resource: str, record_id: str, anomaly: AnomalyType, employee_id: str) -> None:
        """A wrong label on a normal record (label noise)."""
        key = record_key(resource, record_id)
        if self.noise:
            self.noise.added(key, anomaly)
        self._keep(key, anomaly, employee_id, "label noise: a normal record marked as an anomaly")

    def _keep(self, key: str, anomaly: AnomalyType, employee_id: str | None, detail: str) -> None:
        self.labels.append(
            AnomalyLabel(
                record_key=key,
                anomaly_type=anomaly,
                employee_id=employee_id,
                detail=detail,
            )
        )
        self.label_counts[anomaly.value] += 1

    def finish(self, meta: PlantMeta) -> PlantMeta:
        """Write `labels.jsonl` and `plant.json` (after the `with` block closed the resource files)."""
        self.folder.write_labels(self.labels)
        if self.noise:
            self.noise.write(self.folder.path)
        self.folder.write_meta(meta)
        return meta
