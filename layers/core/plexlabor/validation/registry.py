"""The scorer's model registry in the artifacts bucket, and the validator's cached loader.

Layout under `models/scorer/` (an `ArtifactStore` rooted there, `plexlabor.platform.artifacts`):

- `<version>/model.json`: the `ScorerModel` (plain coefficients);
- `<version>/card.json`: what made it: training window, data counts, metrics on the held-out
  decisions (its own and the model in force's), the code version, promoted or shadow;
- `<version>/training.jsonl`: the pseudonymised rows it learned from (`plexlabor.validation.decisions`),
  readable by `plexlabor train --decisions`;
- `latest.json`: the pointer to the model in force (`{"version", "since", "by", "previous"}`).

Nothing is deleted: a rollback moves the pointer back. `ScorerLoader` is what the validator uses: the
model in force, cached per container and re-checked every `max_age_s` (10 minutes by default); the
packaged model when there is none or it cannot be read (logged).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from plexlabor.platform.artifacts import ArtifactError, ArtifactStore, check_key
from plexlabor.platform.observability import logger
from plexlabor.validation.scorer import ScorerModel

SCORER_PREFIX = "models/scorer/"
"""The registry's prefix of the artifacts bucket (infra grants it: `infra.constants.SCORER_MODELS_PREFIX`)."""
SALT_PREFIX = "models/scorer-salt/"
"""Where each plant's pseudonymisation salt is (`<plant>.key`): apart from the rows, so a reader of the
registry (punch_validator) cannot reverse the pseudonyms; only scorer_retrain is granted it."""
LATEST_KEY = "latest.json"
DEFAULT_MAX_AGE_S = 600.0


def model_key(version: str) -> str:
    return check_key(f"{version}/model.json")


def card_key(version: str) -> str:
    return check_key(f"{version}/card.json")


def rows_key(version: str) -> str:
    return check_key(f"{version}/training.jsonl")


def _json(data: bytes | None, where: str) -> dict[str, Any] | None:
    if data is None:
        return None
    try:
        value = json.loads(data)
    except ValueError as error:
        raise ArtifactError(f"{where} is not JSON: {error}") from None
    if not isinstance(value, dict):
        raise ArtifactError(f"{where} is not a JSON object")
    return value


def _dump(value: dict[str, Any]) -> bytes:
    return (json.dumps(value, indent=1, sort_keys=True) + "\n").encode()


class ModelRegistry:
    """Every scorer model with its card, and the pointer to the one in force."""

    def __init__(self, store: ArtifactStore) -> None:
        self.store = store

    def save(self, model: ScorerModel, card: dict[str, Any], rows: bytes = b"") -> None:
        """Store a model, its card and its training rows (the card last: a model with a card is complete)."""
        self.store.put(model_key(model.version), _dump(model.to_json()), "application/json")
        if rows:
            self.store.put(rows_key(model.version), rows, "application/x-ndjson")
        self.store.put(card_key(model.version), _dump({**card, "version": model.version}), "application/json")

    def model(self, version: str) -> ScorerModel | None:
        data = _json(self.store.get(model_key(version)), f"model {version}")
        if data is None:
            return None
        try:
            return ScorerModel.from_json(data)
        except (KeyError, TypeError, ValueError) as error:
            raise ArtifactError(f"model {version} is malformed: {error!r}") from None

    def card(self, version: str) -> dict[str, Any] | None:
        return _json(self.store.get(card_key(version)), f"card of {version}")

    def pointer(self) -> dict[str, Any] | None:
        """`latest.json`, or None when no model was ever put in force."""
        return _json(self.store.get(LATEST_KEY), LATEST_KEY)

    def in_force(self) -> str | None:
        """The version in force, or None (the packaged model is used)."""
        pointer = self.pointer()
        version = None if pointer is None else pointer.get("version")
        return version if isinstance(version, str) else None

    def put_in_force(self, version: str, *, by: str, at: datetime) -> dict[str, Any]:
        """Point `latest.json` at a stored, complete model; the new pointer. ArtifactError if it is not stored."""
        if self.model(version) is None or self.card(version) is None:
            raise ArtifactError(f"no stored model {version} (with its card) under {SCORER_PREFIX}")
        pointer = {"version": version, "since": at.isoformat(), "by": by, "previous": self.in_force()}
        self.store.put(LATEST_KEY, _dump(pointer), "application/json")
        return pointer


class ScorerLoader:
    """The model in force for the validator: cached per container, re-checked every `max_age_s`.

    The pointer is re-read on the TTL; the model itself only when the pointer names another version.
    No pointer, or a pointer or model that cannot be read: the packaged model (logged as a warning), and
    the next check comes after the TTL again (a broken registry is not hammered batch after batch).
    """

    def __init__(
        self,
        registry: ModelRegistry | None,
        max_age_s: float = DEFAULT_MAX_AGE_S,
        clock: Callable[[], float] = time.monotonic,
        packaged: Callable[[], ScorerModel] = ScorerModel.load,
    ) -> None:
        self.registry, self.max_age_s, self._clock, self._load_packaged = registry, max_age_s, clock, packaged
        self._model: ScorerModel | None = None
        self._packaged_model: ScorerModel | None = None
        self._checked_at = float("-inf")

    def __call__(self) -> ScorerModel:
        now = self._clock()
        if self._model is None or now - self._checked_at > self.max_age_s:
            self._model = self._load(self._model)
            self._checked_at = now
        return self._model

    def _packaged(self) -> ScorerModel:
        if self._packaged_model is None:
            self._packaged_model = self._load_packaged()
        return self._packaged_model

    def _load(self, current: ScorerModel | None) -> ScorerModel:
        if self.registry is None:
            return self._packaged()
        try:
            version = self.registry.in_force()
            if version is None:
                if current is None or current is not self._packaged_model:
                    logger.info("no scorer model in force in the registry: the packaged model")
                return self._packaged()
            if current is not None and current.version == version:
                return current
            model = self.registry.model(version)
            if model is None:
                raise ArtifactError(f"the model in force {version} is not stored")
            logger.info("scorer model in force loaded from the registry", model_version=version)
            return model
        except ArtifactError as error:
            logger.warning("scorer registry unreadable: the packaged model", error=str(error))
            return self._packaged()
