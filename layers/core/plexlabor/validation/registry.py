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
  in shadow until an admin puts a model in force again (`promotion_hold`, `platform.modelregistry.held_reason`);
- `shadow.json`: the pointer to the newest candidate kept in shadow (`{"version", "since"}`), scored
  beside the model in force on every live finding but never used to route one; emptied (`{}`) when a
  model is put in force.

Nothing is deleted: a rollback moves the pointer back. The pointers, cards and hold are the incident coder's too
(`platform.modelregistry.VersionedModels`, which `ModelRegistry` is). `ScorerLoader` is what every deployed
function that scores findings uses (`scorer_in_force`: punch_validator, norms_refresh's sweep, validation_backfill's
shards): the model in force and the shadow, cached per container and re-checked every `max_age_s` (10 minutes by
default); the packaged model when there is none or it cannot be read (logged), no shadow then.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from plexlabor.platform.artifacts import ArtifactError, check_key
from plexlabor.platform.modelregistry import (
    VersionedModels,
    dump_json,
    in_force_keys,
    read_json,
)
from plexlabor.platform.observability import logger
from plexlabor.validation.scorer import MODEL_FILE, ScorerModel

if TYPE_CHECKING:
    from plexlabor.validation.engine import ValidationEngine

SCORER_PREFIX = "models/scorer/"
"""The registry's prefix of the artifacts bucket (infra grants it: `infra.constants.SCORER_MODELS_PREFIX`)."""
SALT_PREFIX = "models/scorer-salt/"
"""Where each plant's pseudonymisation salt is (`<plant>.key`): apart from the rows, so a reader of the
registry (punch_validator) cannot reverse the pseudonyms; only scorer_retrain is granted it."""
DEFAULT_MAX_AGE_S = 600.0


def rows_key(version: str) -> str:
    return check_key(f"{version}/training.jsonl")


class ModelRegistry(VersionedModels):
    """Every scorer model with its card, the pointer to the one in force and the shadow (`VersionedModels`)."""

    model_file = MODEL_FILE
    prefix = SCORER_PREFIX

    def save(self, model: ScorerModel, card: dict[str, Any], rows: bytes = b"") -> None:
        """Store a model, its card and its training rows (the card last: a model with a card is complete)."""
        self.store.put(self.model_key(model.version), dump_json(model.to_json()), "application/json")
        if rows:
            self.store.put(rows_key(model.version), rows, "application/x-ndjson")
        self.put_card(model.version, card)

    def model(self, version: str) -> ScorerModel | None:
        data = read_json(self.store.get(self.model_key(version)), f"model {version}")
        if data is None:
            return None
        try:
            return ScorerModel.from_json(data)
        except (KeyError, TypeError, ValueError) as error:
            raise ArtifactError(f"model {version} is malformed: {error!r}") from None

    def complete(self, version: str) -> bool:
        """Stored, readable as a scorer model, with its card."""
        return self.model(version) is not None and self.card(version) is not None


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

    def score_with(self, engine: ValidationEngine) -> ScorerModel:
        """Have `engine` score with the model in force and the shadow beside it (re-read on the TTL); the model.
        Called once per batch, sweep or shard, so every finding of it names the same model version."""
        engine.model = self()
        engine.shadow = self._shadow
        return engine.model

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


IN_FORCE_KEYS = in_force_keys(MODEL_FILE)
"""The keys under SCORER_PREFIX that `scorer_in_force` reads (the pointers, the models; `*` any version): the functions
that score findings are granted these only (`infra.function_specs`), not the cards or the training rows."""


def scorer_in_force(bucket_name: str | None, max_age_s: float = DEFAULT_MAX_AGE_S) -> ScorerLoader:
    """The scorer in force for a deployed function that scores findings: the registry under `models/scorer/` of
    the artifacts bucket `bucket_name` (the function is granted read on it); None: the packaged model. The one
    way punch_validator, norms_refresh's sweep and validation_backfill's shards get their model, so a promotion
    or a rollback reaches them all and a record is routed the same by each."""
    if not bucket_name:
        return ScorerLoader(None, max_age_s)
    from plexlabor.platform.s3artifacts import S3ArtifactStore  # boto3: loaded only where a bucket is

    return ScorerLoader(ModelRegistry(S3ArtifactStore(bucket_name, SCORER_PREFIX)), max_age_s)
