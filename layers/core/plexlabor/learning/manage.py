"""Put a scorer model in force by hand, and list what can be: `plexlabor model promote|rollback|list`.

`put_in_force` moves `models/scorer/latest.json` to a stored version (one with its card), or back to the
packaged model (`PACKAGED`, or its version: `ModelRegistry.put_packaged`), and records a `model` audit event
(`promoted` or `rolled_back`) naming who did it, the version that was in force and the plant's cuts the
version brings (a rollback to a version without cuts, or to the packaged model, removes them). The event is
recorded first: a pointer is never moved without its event. A rollback holds automatic promotion (the pointer's
`promotion_held`, its event's `holds_promotion`): scorer_retrain keeps its candidates in shadow until a promote
by hand lifts it (the event's `lifted_hold`; `model promote packaged` lifts it with the packaged model in force).

`stored_models` is what an admin may move the pointer to: the packaged model, then every stored version
newest first. The registry's store cannot list its keys (`platform.artifacts.ArtifactStore` is put/get only,
and punch_validator is granted no listing), so the versions are the ones the scorer's `model` events name
(scorer_retrain records one for every model it stores) and the two pointers, kept when their card is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from plexlabor.audit.events import AuditStatus
from plexlabor.audit.store import AuditStore
from plexlabor.learning.cuts import cuts_json
from plexlabor.learning.events import model_event, model_story
from plexlabor.platform.artifacts import ArtifactError
from plexlabor.validation.registry import ModelRegistry
from plexlabor.validation.scorer import ScorerModel

PACKAGED = "packaged"
"""The name `plexlabor model rollback` (or promote) takes for the packaged scorer; its version works too."""


def put_in_force(
    registry: ModelRegistry,
    audit: AuditStore,
    version: str,
    *,
    rollback: bool,
    by: str,
    at: datetime,
    packaged: ScorerModel | None = None,
) -> dict[str, Any]:
    """Point the registry at `version` (`PACKAGED` or the packaged model's version: no stored model) and record
    why; the new pointer. A rollback holds automatic promotion, a promote lifts a hold (the module docstring).
    ArtifactError if it is not stored or is already in force (a promote of the model in force that lifts a
    hold is allowed)."""
    packaged = packaged or ScorerModel.load()
    status = AuditStatus.ROLLED_BACK if rollback else AuditStatus.PROMOTED
    previous, held = registry.in_force(), registry.promotion_hold()
    hold: dict[str, Any] = {"holds_promotion": True} if rollback else {"lifted_hold": held} if held else {}
    if version in (PACKAGED, packaged.version) and registry.model(packaged.version) is None:
        if previous is None and (rollback or held is None):
            raise ArtifactError(f"the packaged model {packaged.version} is already in force")
        payload = {"previous": previous, "manual": True, "packaged": True, "cuts": cuts_json(packaged), **hold}
        audit.append(model_event(status, packaged.version, actor=by, occurred_at=at, payload=payload))
        return registry.put_packaged(packaged.version, by=by, at=at, hold=rollback)
    model = registry.model(version)
    if model is None or registry.card(version) is None:
        raise ArtifactError(
            f"no stored model {version} (with its card); `plexlabor model list` lists the stored versions, "
            f"and `plexlabor model rollback {PACKAGED}` puts the packaged model ({packaged.version}) back"
        )
    if previous == version and (rollback or held is None):
        raise ArtifactError(f"{version} is already in force")
    audit.append(
        model_event(
            status,
            version,
            actor=by,
            occurred_at=at,
            payload={"previous": previous, "manual": True, "cuts": cuts_json(model), **hold},
        )
    )
    return registry.put_in_force(version, by=by, at=at, hold=rollback)


@dataclass(frozen=True)
class StoredModel:
    """One version an admin may put in force: its card (None for the packaged model), and whether it is the
    one in force or the shadow candidate."""

    version: str
    card: dict[str, Any] | None
    in_force: bool
    shadow: bool

    @property
    def packaged(self) -> bool:
        return self.card is None


def stored_models(registry: ModelRegistry, audit: AuditStore, packaged: ScorerModel | None = None) -> list[StoredModel]:
    """The packaged model, then every stored version with its card, the newest event's first (module docstring)."""
    packaged = packaged or ScorerModel.load()
    in_force, shadow = registry.in_force(), registry.shadow()
    named = [event.model_version for event in model_story(audit).events]
    versions = dict.fromkeys(v for v in (*named, in_force, shadow) if v and v != packaged.version)
    listed = [StoredModel(packaged.version, None, in_force in (None, packaged.version), False)]
    for version in versions:
        card = registry.card(version)
        if card is not None:
            listed.append(StoredModel(version, card, version == in_force, version == shadow))
    return listed
