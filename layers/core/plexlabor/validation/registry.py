"""The scorer's model registry in the artifacts bucket, and the validator's cached loader.

Layout under `models/scorer/` (an `ArtifactStore` rooted there, `plexlabor.platform.artifacts`):

- `<version>/model.json`: the `ScorerModel` (plain coefficients);
- `<version>/card.json`: what made it: training window, data counts, metrics on the held-out
  decisions (its own and the model in force's), the code version, promoted or shadow;
- `<version>/training.jsonl`: the pseudonymised rows it learned from (`plexlabor.validation.decisions`),
  readable by `plexlabor train --decisions`;
- `latest.json`: the pointer to the model in force (`{"version", "since", "by", "previous"}`); after a
  move back to the packaged model, `{"version": null, "packaged": "<its version>", ...}` (`put_packaged`);
  after an admin's rollback also `"promotion_held": {"by", "since"}`: scorer_retrain keeps every candidate
  in shadow until an admin puts a model in force again (`promotion_hold`, `held_reason`);
- `shadow.json`: the pointer to the newest candidate kept in shadow (`{"version", "since"}`), scored
  beside the model in force on every live finding but never used to route one; emptied (`{}`) when a
  model is put in force.

Nothing is deleted: a rollback moves the pointer back. `ScorerLoader` is what the validator uses: the
model in force and the shadow, cached per container and re-checked every `max_age_s` (10 minutes by
default); the packaged model when there is none or it cannot be read (logged), no shadow then.
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
SHADOW_KEY = "shadow.json"
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


def held_reason(hold: dict[str, Any]) -> str:
    """Why a retrain kept its candidate in shadow while an admin's rollback holds automatic promotion."""
    return f"automatic promotion held since {hold.get('by')}'s rollback at {hold.get('since')}"


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

    def promotion_hold(self) -> dict[str, Any] | None:
        """`{"by", "since"}` of the rollback that holds automatic promotion, or None (no hold stands)."""
        hold = (self.pointer() or {}).get("promotion_held")
        return hold if isinstance(hold, dict) else None

    def put_in_force(self, version: str, *, by: str, at: datetime, hold: bool = False) -> dict[str, Any]:
        """Point `latest.json` at a stored, complete model (and end any shadow); the new pointer. `hold`: an
        admin's rollback, which holds automatic promotion; any other move lifts a hold.
        ArtifactError if it is not stored."""
        self._require(version)
        pointer = {"version": version, "since": at.isoformat(), "by": by, "previous": self.in_force()}
        return self._point(pointer, hold)

    def put_packaged(self, packaged_version: str, *, by: str, at: datetime, hold: bool = False) -> dict[str, Any]:
        """Point `latest.json` at no stored model, so the packaged one is used (and end any shadow); the new
        pointer, naming the packaged version it meant (the code's, which a deployment may change). `hold` as
        in `put_in_force`."""
        pointer = {"version": None, "packaged": packaged_version, "since": at.isoformat(), "by": by}
        pointer["previous"] = self.in_force()
        return self._point(pointer, hold)

    def _point(self, pointer: dict[str, Any], hold: bool) -> dict[str, Any]:
        if hold:
            pointer["promotion_held"] = {"by": pointer["by"], "since": pointer["since"]}
        self.store.put(LATEST_KEY, _dump(pointer), "application/json")
        self.store.put(SHADOW_KEY, _dump({}), "application/json")
        return pointer

    def shadow(self) -> str | None:
        """The candidate kept in shadow, or None."""
        pointer = _json(self.store.get(SHADOW_KEY), SHADOW_KEY) or {}
        version = pointer.get("version")
        return version if isinstance(version, str) else None

    def put_shadow(self, version: str, *, at: datetime) -> None:
        """Score `version` (stored, complete) in shadow from now on, in place of any earlier shadow."""
        self._require(version)
        self.store.put(SHADOW_KEY, _dump({"version": version, "since": at.isoformat()}), "application/json")

    def _require(self, version: str) -> None:
        if self.model(version) is None or self.card(version) is None:
            raise ArtifactError(f"no stored model {version} (with its card) under {SCORER_PREFIX}")


class ScorerLoader:
    """The model in force for the validator: cached per container, re-checked every `max_age_s`.

    The pointer is re-read on the TTL; the model itself only when the pointer names another version.
    No pointer, or a pointer or model that cannot be read: the packaged model (logged as a warning), and
    the next check comes after the TTL again (a broken registry is not hammered batch after batch).
    `shadow()` is the shadow candidate, read on the same check (None when there is none or it cannot be
    read: a shadow never stops validation).
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
        self._shadow: ScorerModel | None = None
        self._packaged_model: ScorerModel | None = None
        self._checked_at = float("-inf")

    def __call__(self) -> ScorerModel:
        now = self._clock()
        if self._model is None or now - self._checked_at > self.max_age_s:
            self._model = self._load(self._model)
            self._shadow = self._load_shadow(self._shadow)
            self._checked_at = now
        return self._model

    def shadow(self) -> ScorerModel | None:
        """The shadow candidate as of the last check (call the loader first)."""
        return self._shadow

    def _load_shadow(self, current: ScorerModel | None) -> ScorerModel | None:
        if self.registry is None:
            return None
        try:
            version = self.registry.shadow()
            if version is None:
                return None
            if current is not None and current.version == version:
                return current
            model = self.registry.model(version)
            logger.info("shadow scorer loaded from the registry", model_version=version)
            return model
        except ArtifactError as error:
            logger.warning("shadow scorer unreadable: none scored in shadow", error=str(error))
            return None

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
