"""The incident models beside the packaged one: every retrained model with its card, the pointer to the one
in force, and how incident_log finds it.

Keys under `models/incidents/` of the artifacts bucket (`PREFIX`): `<version>/model.pkl.gz` (the
classifier's own gzipped pickle, `IncidentClassifier.to_bytes`), `<version>/card.json` (what it was
trained on and how it and the model it was measured against did on the held-out corrections),
`<version>/rows.csv` (its corrections, in the OSHA layout), `latest.json` (the version in force, since
when, by whom, and the one before it), and `training/base.csv`: the OSHA-layout reports the packaged
model was trained on, which a retraining adds the corrections to (put there at deployment; without it
the corrections are all it learns from).

`put_in_force` moves the pointer (a promotion, or a rollback to an earlier version) with its `model`
audit event under `MODEL_RECORD_KEY`, recorded first. `ModelInForce` is incident_log's view: the
pointer re-read at most every `ttl_s` seconds, the model only when the pointer names another version;
no pointer: the packaged model; a pointer or model that cannot be read: the model held (the packaged
one when none is), logged as a warning.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from plexlabor.audit import append_once
from plexlabor.audit.events import AuditEvent, AuditStatus
from plexlabor.audit.events import model_event as audit_model_event
from plexlabor.audit.store import AuditStore
from plexlabor.incidents.classifier import IncidentClassifier
from plexlabor.incidents.errors import IncidentModelError
from plexlabor.platform.artifacts import ArtifactError, ArtifactStore

logger = logging.getLogger(__name__)

PREFIX = "models/incidents/"
"""Where incident models live in the artifacts bucket (infra grants it by this prefix)."""
LATEST = "latest.json"
BASE_ROWS = "training/base.csv"
MODEL_RECORD_KEY = "models:incidents"
"""The audit record an incident model's story is kept under."""
DEFAULT_TTL_S = 600.0


def _key(version: str, name: str) -> str:
    return f"{version}/{name}"


class IncidentModels:
    """Every retrained incident model with its card, and the pointer to the one in force."""

    def __init__(self, store: ArtifactStore) -> None:
        self.store = store

    def save(self, blob: bytes, version: str, card: dict[str, Any], rows: str) -> None:
        """Store a model, its rows and its card (the card last: a model with a card is complete)."""
        self.store.put(_key(version, "model.pkl.gz"), blob, "application/gzip")
        self.store.put(_key(version, "rows.csv"), rows.encode(), "text/csv")
        self.store.put(
            _key(version, "card.json"), json.dumps({**card, "version": version}).encode(), "application/json"
        )

    def card(self, version: str) -> dict[str, Any] | None:
        raw = self.store.get(_key(version, "card.json"))
        return None if raw is None else dict(json.loads(raw))

    def model(self, version: str) -> IncidentClassifier | None:
        raw = self.store.get(_key(version, "model.pkl.gz"))
        return None if raw is None else IncidentClassifier.from_bytes(raw, f"{PREFIX}{version}")

    def pointer(self) -> dict[str, Any] | None:
        """`latest.json` (version, since, by, previous), or None when no version was ever put in force."""
        raw = self.store.get(LATEST)
        if raw is None:
            return None
        try:
            pointer = json.loads(raw)
        except ValueError:
            pointer = None
        if not isinstance(pointer, dict):
            raise ArtifactError(f"{PREFIX}{LATEST} is not a model pointer")
        return pointer

    def in_force(self) -> str | None:
        """The version in force, or None (the packaged model is used)."""
        version = (self.pointer() or {}).get("version")
        return version if isinstance(version, str) else None

    def moved_since(self) -> str:
        """The mark of the pointer's last move (its `since`; "" for none) a scheduled verdict's id names."""
        return str((self.pointer() or {}).get("since", ""))

    def base_rows(self) -> str | None:
        raw = self.store.get(BASE_ROWS)
        return None if raw is None else raw.decode("utf-8")


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


def put_in_force(
    models: IncidentModels,
    audit: AuditStore,
    version: str,
    *,
    rollback: bool,
    by: str,
    at: datetime,
    card: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Point `latest.json` at a stored version (recorded first as a `model` event); the new pointer.
    ArtifactError when it is not stored with its card, or is already in force."""
    if models.card(version) is None or models.store.get(_key(version, "model.pkl.gz")) is None:
        raise ArtifactError(f"no stored incident model {version} (with its card)")
    moved = models.pointer() or {}
    previous = moved.get("version")
    if previous == version:
        raise ArtifactError(f"{version} is already in force")
    status = AuditStatus.ROLLED_BACK if rollback else AuditStatus.PROMOTED
    payload = {"previous": previous, "manual": card is None, **({"card": card} if card else {})}
    stable_after = None if card is None else str(moved.get("since", ""))  # a scheduled run's: read before the move
    append_once(audit, model_event(status, version, actor=by, at=at, payload=payload, stable_after=stable_after))
    pointer = {"version": version, "since": at.isoformat(), "by": by, "previous": previous}
    models.store.put(LATEST, json.dumps(pointer).encode(), "application/json")
    return pointer


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
