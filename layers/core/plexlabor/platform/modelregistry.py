"""A registry of versioned models in the artifacts bucket: what the scorer's (`validation.registry`) and the incident
coder's (`incidents.registry`) have in common, so each fact below is kept once.

Under the registry's prefix (an `ArtifactStore` rooted there): `<version>/<model file>` and `<version>/card.json` (a
version is complete, so it may be put in force, once its card is stored: the card is written last);
`latest.json`, the pointer to the model in force (`{"version", "since", "by", "previous"}`; after a move back to the
packaged model `{"version": null, "packaged": "<its version>", ...}`; after an admin's rollback also
`"promotion_held": {"by", "since"}`: the line's scheduled retrain keeps every candidate in shadow until a move by hand
that is no rollback lifts it, `held_reason`); `shadow.json`, the newest candidate kept in shadow (`{"version",
"since"}`, emptied by every move of `latest.json`). Nothing is deleted: a rollback moves the pointer back.

`ModelLine` is what a move by hand needs besides the registry (`learning.manage`): the audit record the line's
story is kept under and the version of the model packaged with the code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from plexlabor.platform.artifacts import ArtifactError, ArtifactStore, check_key

LATEST_KEY = "latest.json"
SHADOW_KEY = "shadow.json"
LAST_RUN_KEY = "runs/last.json"
"""Under the registry's prefix, in a folder of its own: the web app is granted read of it alone, not of the models
or the training rows (`plexlabor.platform.retrainruns`)."""


def in_force_keys(model_file: str) -> tuple[str, str, str]:
    """The keys under a registry's prefix that loading its model in force and its shadow reads (the pointers, the
    models; `*` any version): what a function that only scores is granted, not the cards or the training rows.
    Here, beside the keys, so the CDK stack reads them without importing a capability's handler-side code."""
    return (LATEST_KEY, SHADOW_KEY, f"*/{model_file}")


def read_json(data: bytes | None, where: str) -> dict[str, Any] | None:
    """A stored JSON object, or None when nothing is stored; ArtifactError when it is no JSON object."""
    if data is None:
        return None
    try:
        value = json.loads(data)
    except ValueError as error:
        raise ArtifactError(f"{where} is not JSON: {error}") from None
    if not isinstance(value, dict):
        raise ArtifactError(f"{where} is not a JSON object")
    return value


def dump_json(value: dict[str, Any]) -> bytes:
    return (json.dumps(value, indent=1, sort_keys=True) + "\n").encode()


def held_reason(hold: dict[str, Any]) -> str:
    """Why a retrain kept its candidate in shadow while an admin's rollback holds automatic promotion."""
    return f"automatic promotion held since {hold.get('by')}'s rollback at {hold.get('since')}"


class VersionedModels:
    """Every stored version of one model line with its card, the pointer to the one in force and the shadow."""

    model_file: ClassVar[str]
    """The name of a version's model under `<version>/`."""
    prefix: ClassVar[str]
    """The registry's prefix of the artifacts bucket (for messages)."""

    def __init__(self, store: ArtifactStore) -> None:
        self.store = store

    def model_key(self, version: str) -> str:
        return check_key(f"{version}/{self.model_file}")

    def card(self, version: str) -> dict[str, Any] | None:
        return read_json(self.store.get(check_key(f"{version}/card.json")), f"card of {version}")

    def put_card(self, version: str, card: dict[str, Any]) -> None:
        """Store a version's card (after its model and rows: a version with its card is complete)."""
        self.store.put(check_key(f"{version}/card.json"), dump_json({**card, "version": version}), "application/json")

    def complete(self, version: str) -> bool:
        """Whether `version` is stored with its card (so it may be put in force)."""
        return self.store.get(self.model_key(version)) is not None and self.card(version) is not None

    def pointer(self) -> dict[str, Any] | None:
        """`latest.json`, or None when no model was ever put in force."""
        return read_json(self.store.get(LATEST_KEY), f"{self.prefix}{LATEST_KEY}")

    def in_force(self) -> str | None:
        """The version in force, or None (the packaged model is used)."""
        version = (self.pointer() or {}).get("version")
        return version if isinstance(version, str) else None

    def moved_since(self) -> str:
        """The mark of the pointer's last move (its `since`; "" for none) a scheduled verdict's event id names."""
        return str((self.pointer() or {}).get("since", ""))

    def promotion_hold(self) -> dict[str, Any] | None:
        """`{"by", "since"}` of the rollback that holds automatic promotion, or None (no hold stands)."""
        hold = (self.pointer() or {}).get("promotion_held")
        return hold if isinstance(hold, dict) else None

    def put_in_force(self, version: str, *, by: str, at: datetime, hold: bool = False) -> dict[str, Any]:
        """Point `latest.json` at a stored, complete version (and end any shadow); the new pointer. `hold`: an
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
        self.store.put(LATEST_KEY, dump_json(pointer), "application/json")
        self.store.put(SHADOW_KEY, dump_json({}), "application/json")
        return pointer

    def shadow(self) -> str | None:
        """The candidate kept in shadow, or None."""
        version = (read_json(self.store.get(SHADOW_KEY), f"{self.prefix}{SHADOW_KEY}") or {}).get("version")
        return version if isinstance(version, str) else None

    def put_shadow(self, version: str, *, at: datetime) -> None:
        """Keep `version` (stored, complete) in shadow from now on, in place of any earlier shadow."""
        self._require(version)
        self.store.put(SHADOW_KEY, dump_json({"version": version, "since": at.isoformat()}), "application/json")

    def _require(self, version: str) -> None:
        if not self.complete(version):
            raise ArtifactError(f"no stored model {version} (with its card) under {self.prefix}")


def _nothing(version: str | None) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class ModelLine:
    """One model line as an admin moves it by hand (`plexlabor model ... [--of incidents]`)."""

    registry: VersionedModels
    record_key: str
    """The audit record the line's `model` events are kept under."""
    packaged: str | None
    """The version of the model packaged with the code; None when none is (the incident coder before
    `make incidents-model`)."""
    what: str = "model"
    """The line's models in words ("incident model")."""
    of: str = ""
    """`plexlabor model ... --of` naming the line ("": the default line, the scorer's)."""
    about: Callable[[str | None], dict[str, Any]] = field(default=_nothing)
    """What a move's event says of the model it puts in force (None: the packaged one); the scorer: its cuts."""

    @property
    def flag(self) -> str:
        """What a `plexlabor model` command of this line adds (" --of incidents"; "" for the scorer's)."""
        return f" --of {self.of}" if self.of else ""
