"""The incident models beside the packaged one: every retrained model with its card, the pointer to the one
in force, the shadow, and how incident_log finds the one in force.

Keys under `models/incidents/` of the artifacts bucket (`PREFIX`): `<version>/model.pkl.gz` (the
classifier's own gzipped pickle, `IncidentClassifier.to_bytes`), `<version>/card.json` (what it was
trained on and how it and the model it was measured against did on the held-out corrections),
`<version>/rows.csv` (its corrections, in the OSHA layout), `latest.json` (the version in force, since
when, by whom, and the one before it; the packaged model's version after a move back to it; the hold on
automatic promotion an admin's rollback leaves), `shadow.json` (the newest candidate kept in shadow) and
`training/base.csv`: the OSHA-layout reports the packaged model was trained on, which a retraining adds the
corrections to (put there at deployment; without it the corrections are all it learns from). The pointers,
cards and hold are the scorer's registry's (`platform.modelregistry.VersionedModels`).

`promote` is the scheduled run's move, its `model` audit event under `MODEL_RECORD_KEY` recorded first; moves by
hand (promote, rollback, to the packaged model too) are the scorer's (`learning.manage`, through `line`).
`ModelInForce` is incident_log's view: the pointer re-read at most every `ttl_s` seconds, the model only when the
pointer names another version; no version in force: the packaged model; a pointer or model that cannot be read:
the model held (the packaged one when none is), logged as a warning.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from plexlabor.audit import append_once
from plexlabor.audit.events import AuditEvent, AuditStatus
from plexlabor.audit.events import model_event as audit_model_event
from plexlabor.audit.store import AuditStore
from plexlabor.incidents.errors import IncidentModelError
from plexlabor.platform.artifacts import ArtifactError, check_key
from plexlabor.platform.modelregistry import ModelLine, VersionedModels

if TYPE_CHECKING:  # scikit-learn is loaded where a model is read, not where the story is (the KPI page)
    from plexlabor.incidents.classifier import IncidentClassifier

logger = logging.getLogger(__name__)

PREFIX = "models/incidents/"
"""Where incident models live in the artifacts bucket (infra grants it by this prefix)."""
BASE_ROWS = "training/base.csv"
MODEL_RECORD_KEY = "models:incidents"
"""The audit record an incident model's story is kept under."""
DEFAULT_TTL_S = 600.0


class IncidentModels(VersionedModels):
    """Every retrained incident model with its card, the pointer to the one in force and the shadow."""

    model_file = "model.pkl.gz"
    prefix = PREFIX

    def save(self, blob: bytes, version: str, card: dict[str, Any], rows: str) -> None:
        """Store a model, its rows and its card (the card last: a model with a card is complete)."""
        self.store.put(self.model_key(version), blob, "application/gzip")
        self.store.put(check_key(f"{version}/rows.csv"), rows.encode(), "text/csv")
        self.put_card(version, card)

    def model(self, version: str) -> IncidentClassifier | None:
        from plexlabor.incidents.classifier import IncidentClassifier

        raw = self.store.get(self.model_key(version))
        return None if raw is None else IncidentClassifier.from_bytes(raw, f"{PREFIX}{version}")

    def base_rows(self) -> str | None:
        raw = self.store.get(BASE_ROWS)
        return None if raw is None else raw.decode("utf-8")


def line(models: IncidentModels, packaged: str | None) -> ModelLine:
    """The incident coder's line as an admin moves it (`plexlabor model ... --of incidents`); `packaged`: the
    version of the model packaged with the code (`wiring.packaged_version`), None when none is."""
    return ModelLine(models, MODEL_RECORD_KEY, packaged, what="incident model", of="incidents")


def model_event(
    status: AuditStatus,
    version: str,
    *,
    actor: str,
    at: datetime,
    payload: dict[str, Any],
    stable_after: str | None = None,
) -> AuditEvent:
    """One `model` event of an incident model. `stable_after`: a scheduled run's verdict, whose id is the version,
    the status and this mark of the model in force's last move (`IncidentModels.moved_since`, read before the run
    moves the pointer): a retried run records its verdict once, and the same version promoted again after a
    rollback is a step of its own (the scorer's rule, `learning.events.model_event`). None: a fresh id (a person's
    promotion or rollback)."""
    stable_as = None if stable_after is None else f"incident-model:{stable_after}"
    return audit_model_event(
        MODEL_RECORD_KEY, status, version, occurred_at=at, actor=actor, payload=payload, stable_as=stable_as
    )


def promote(
    models: IncidentModels, audit: AuditStore, version: str, *, by: str, at: datetime, card: dict[str, Any]
) -> dict[str, Any]:
    """The scheduled run's promotion: its `promoted` event (stable id: a retried run records it once), then
    `latest.json` moved to `version` (stored with its card); the new pointer. ArtifactError when it is not
    stored."""
    if not models.complete(version):
        raise ArtifactError(f"no stored incident model {version} (with its card)")
    payload = {"previous": models.in_force(), "manual": False, "card": card}
    stable_after = models.moved_since()  # read before the move
    append_once(
        audit, model_event(AuditStatus.PROMOTED, version, actor=by, at=at, payload=payload, stable_after=stable_after)
    )
    return models.put_in_force(version, by=by, at=at)


class ModelInForce:
    """incident_log's model: the registry's version in force (re-checked every `ttl_s`), else the packaged one."""

    def __init__(
        self,
        models: IncidentModels | None,
        packaged: Callable[[], IncidentClassifier | None],
        ttl_s: float = DEFAULT_TTL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.models, self._packaged, self.ttl_s, self._clock = models, packaged, ttl_s, clock
        self._held: IncidentClassifier | None = None
        self._held_version: str | None = None
        self._checked_at: float | None = None
        self._lock = threading.Lock()

    def current(self) -> IncidentClassifier | None:
        with self._lock:
            now = self._clock()
            if self._checked_at is not None and now - self._checked_at < self.ttl_s:
                return self._held
            self._checked_at = now
            try:
                version = self.models.in_force() if self.models is not None else None
                if version is not None and version != self._held_version:
                    loaded = self.models.model(version) if self.models is not None else None
                    if loaded is None:
                        raise ArtifactError(f"{PREFIX}{version} is not stored")
                    self._held, self._held_version = loaded, version
            except (ArtifactError, IncidentModelError, OSError) as error:
                # keep the model held; with none, the packaged one
                logger.warning("incident model in force not read", extra={"reason": str(error)})
                if self._held is None:
                    self._held = self._packaged()
                return self._held
            if version is None and (self._held_version is not None or self._held is None):
                self._held, self._held_version = self._packaged(), None
            return self._held
