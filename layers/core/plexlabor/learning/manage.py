"""Put a model in force by hand, and list what can be: `plexlabor model promote|rollback|list [--of incidents]`.

The scorer's line and the incident coder's (`incidents.registry.line`) move alike (`platform.modelregistry`):
`put_in_force` moves the line's `latest.json` to a stored version (one with its card), or back to the packaged
model (`PACKAGED`, or its version: `VersionedModels.put_packaged`), and records a `model` audit event (`promoted` or
`rolled_back`) under the line's record naming who did it and the version that was in force (the scorer's also the
plant's cuts the version brings: a rollback to a version without cuts, or to the packaged model, removes them). The
event is recorded first: a pointer is never moved without its event. A rollback holds automatic promotion (the
pointer's `promotion_held`, its event's `holds_promotion`): the line's scheduled retrain keeps its candidates in
shadow until a promote by hand lifts it (the event's `lifted_hold`; `model promote packaged` lifts it with the
packaged model in force).

`stored_models` is what an admin may move the pointer to: the packaged model, then every stored version
newest first. The registry's store cannot list its keys (`platform.artifacts.ArtifactStore` is put/get only,
and punch_validator is granted no listing), so the versions are the ones the line's `model` events name
(its retrain records one for every model it stores) and the two pointers, kept when their card is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from plexlabor.audit.events import AuditStatus
from plexlabor.audit.events import model_event as audit_model_event
from plexlabor.audit.store import AuditStore
from plexlabor.learning.cuts import cuts_json
from plexlabor.learning.events import MODEL_RECORD_KEY, model_story
from plexlabor.platform.artifacts import ArtifactError
from plexlabor.platform.modelregistry import ModelLine
from plexlabor.validation.registry import ModelRegistry
from plexlabor.validation.scorer import ScorerModel

PACKAGED = "packaged"
"""The name `plexlabor model rollback` (or promote) takes for the packaged model; its version works too."""


def scorer_line(registry: ModelRegistry, packaged: ScorerModel | None = None) -> ModelLine:
    """The scorer's line: its events under `MODEL_RECORD_KEY`, each naming the plant's cuts of the model it puts
    in force."""
    packaged = packaged or ScorerModel.load()

    def cuts(version: str | None) -> dict[str, Any]:
        model = packaged if version is None else registry.model(version)
        return {"cuts": cuts_json(model)} if model is not None else {}

    return ModelLine(registry, MODEL_RECORD_KEY, packaged.version, about=cuts)


def put_in_force(
    line: ModelLine | ModelRegistry,
    audit: AuditStore,
    version: str,
    *,
    rollback: bool,
    by: str,
    at: datetime,
    packaged: ScorerModel | None = None,
) -> dict[str, Any]:
    """Point the line's registry (a `ModelRegistry`: the scorer's line, `packaged` its packaged model) at `version`
    (`PACKAGED` or the packaged model's version: no stored model) and record why; the new pointer. A rollback holds
    automatic promotion, a promote lifts a hold (the module docstring). UnknownVersionError if it is not stored,
    ArtifactError if it is already in force (a promote of the model in force that lifts a hold is allowed)."""
    line = line if isinstance(line, ModelLine) else scorer_line(line, packaged)
    registry = line.registry
    status = AuditStatus.ROLLED_BACK if rollback else AuditStatus.PROMOTED
    previous, held = registry.in_force(), registry.promotion_hold()
    hold: dict[str, Any] = {"holds_promotion": True} if rollback else {"lifted_hold": held} if held else {}

    def record(moved: str, payload: dict[str, Any]) -> None:
        event_payload = {"previous": previous, "manual": True, **payload, **hold}
        audit.append(audit_model_event(line.record_key, status, moved, occurred_at=at, actor=by, payload=event_payload))

    if version in (PACKAGED, line.packaged) and not (line.packaged and registry.complete(line.packaged)):
        if line.packaged is None:
            raise UnknownVersionError(f"no {line.what} is packaged with the code")
        if previous is None and (rollback or held is None):
            raise ArtifactError(f"the packaged {line.what} {line.packaged} is already in force")
        record(line.packaged, {"packaged": True, **line.about(None)})
        return registry.put_packaged(line.packaged, by=by, at=at, hold=rollback)
    if not registry.complete(version):
        of = line.flag
        back = f", and `plexlabor model rollback {PACKAGED}{of}` puts the packaged model ({line.packaged}) back"
        raise UnknownVersionError(
            f"no stored {line.what} {version} (with its card); `plexlabor model list{of}` lists the stored versions"
            + (back if line.packaged else "")
        )
    if previous == version and (rollback or held is None):
        raise ArtifactError(f"{version} is already in force")
    record(version, line.about(version))
    return registry.put_in_force(version, by=by, at=at, hold=rollback)


class UnknownVersionError(ArtifactError):
    """The version asked for is neither stored nor packaged: the asker's error, not the registry's."""


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


def stored_models(line: ModelLine, audit: AuditStore) -> list[StoredModel]:
    """The packaged model (when one is), then every stored version with its card, the newest event's first
    (module docstring)."""
    registry = line.registry
    in_force, shadow = registry.in_force(), registry.shadow()
    named = [event.model_version for event in model_story(audit, line.record_key).events]
    versions = dict.fromkeys(v for v in (*named, in_force, shadow) if v and v != line.packaged)
    listed = [StoredModel(line.packaged, None, in_force in (None, line.packaged), False)] if line.packaged else []
    for version in versions:
        card = registry.card(version)
        if card is not None:
            listed.append(StoredModel(version, card, version == in_force, version == shadow))
    return listed
