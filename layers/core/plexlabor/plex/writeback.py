"""`PlexWriter`: write approved suggestions back to Plex in the configured write mode.

- `dry_run` (default): nothing is sent; the result says what would have been sent (and is kept in
  `writer.recorded`).
- `custom_object`: the suggestion is POSTed as one record to `/platform/custom-objects/v1/data/{name}`,
  for a person or a Plex Process Flow to apply. The target call travels flat (`action`, `targetPath`,
  `payloadJson`, and the request's `approval` columns), because custom object fields are scalar columns on a tenant.
- `direct`: POST to the real resource (e.g. `.../workcenters/{id}/operators/clockout`), its body as Plex documents
  it (the `approval` is kept in the result, not sent: a documented resource has no column for it).

Failures raise typed `PlexError`s; nothing is half-written on our side (one POST per call). A POST is
repeated only with an `idempotency_key` and only after a 429 or 503 (rejected before processing); a
500, a timeout or a dropped connection is raised at once because Plex may have applied the write:
the caller re-reads Plex before deciding to try again.
"""

from __future__ import annotations

import json
import logging
from collections import deque
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TypedDict, Unpack

from pydantic import BaseModel, ConfigDict, Field

from plexlabor.models.types import format_plex_datetime
from plexlabor.plex.settings import PlexSettings, WriteMode, load_plex_settings
from plexlabor.plex.transport import ConnectTransport, fill_path

logger = logging.getLogger(__name__)

RECORDED_MAX = 1000


class WriteRequest(BaseModel):
    """One write-back: a logical target resource (a key of `resource_paths`) and its JSON body."""

    model_config = ConfigDict(frozen=True)

    action: str = Field(description="logical resource, e.g. 'workcenter-clockout'")
    path_params: dict[str, str] = Field(default_factory=dict)
    payload: dict[str, Any]
    idempotency_key: str | None = None
    reference: str | None = Field(default=None, description="the finding/approval this write comes from")
    approval: dict[str, Any] = Field(
        default_factory=dict,
        description="who approved the write, when and why (`plexlabor.approval.approved`): columns of the "
        "custom-object record in custom_object mode, kept in the result in every mode; not sent to a direct target",
    )


class WriteKeys(TypedDict, total=False):
    """What every write may carry besides its body."""

    idempotency_key: str | None
    """Repeat the POST after a 429 or 503 (and tell Plex it is the same write)."""
    reference: str | None
    """The finding/approval this write comes from."""


class WriteResult(BaseModel):
    """What was written (or would have been, in dry run)."""

    model_config = ConfigDict(frozen=True)

    mode: WriteMode
    method: str
    path: str
    payload: dict[str, Any]
    sent: bool
    status: int | None = None
    response: Any = None
    idempotency_key: str | None = None
    reference: str | None = None
    approval: dict[str, Any] = Field(default_factory=dict)
    """The request's `approval` (a `write`; empty for a `record`, whose body carries its own)."""


class PlexWriter:
    """Sends (or records) write-backs according to `settings.write_mode`."""

    def __init__(
        self,
        settings: PlexSettings | None = None,
        *,
        transport: ConnectTransport | None = None,
        mode: WriteMode | None = None,
    ) -> None:
        self.settings = settings or load_plex_settings()
        self.mode: WriteMode = mode or self.settings.write_mode
        self._transport = transport
        self.recorded: deque[WriteResult] = deque(maxlen=RECORDED_MAX)  # bounded in a warm Lambda

    @property
    def transport(self) -> ConnectTransport:
        if self._transport is None:
            self._transport = ConnectTransport(self.settings)
        return self._transport

    def _custom_object_path(self, name: str | None = None) -> str:
        return fill_path(
            self.settings.path_for("custom-object-data"), {"name": name or self.settings.custom_object_name}
        )

    def plan(self, request: WriteRequest) -> tuple[str, dict[str, Any]]:
        """The path and body this request becomes in the current mode (no I/O)."""
        target = fill_path(self.settings.path_for(request.action), request.path_params)
        if self.mode == "custom_object":
            record = {
                "action": request.action,
                "targetPath": target,
                "payloadJson": json.dumps(request.payload, sort_keys=True, separators=(",", ":")),
                "reference": request.reference,
                "idempotencyKey": request.idempotency_key,
                "requestedAt": format_plex_datetime(datetime.now(UTC)),
                **request.approval,
            }
            return self._custom_object_path(), record
        return target, dict(request.payload)

    def write(self, request: WriteRequest) -> WriteResult:
        path, body = self.plan(request)
        keys: WriteKeys = {"idempotency_key": request.idempotency_key, "reference": request.reference}
        return self._post(path, body, request.approval, **keys)

    def clock_in(self, workcenter_id: str, payload: Mapping[str, Any], **keys: Unpack[WriteKeys]) -> WriteResult:
        """`POST .../workcenters/{id}/operators/clockin` (in direct mode)."""
        return self._punch("workcenter-clockin", workcenter_id, payload, **keys)

    def clock_out(self, workcenter_id: str, payload: Mapping[str, Any], **keys: Unpack[WriteKeys]) -> WriteResult:
        """`POST .../workcenters/{id}/operators/clockout` (in direct mode)."""
        return self._punch("workcenter-clockout", workcenter_id, payload, **keys)

    def record(self, record: Mapping[str, Any], *, name: str | None = None, **keys: Unpack[WriteKeys]) -> WriteResult:
        """Store one record (a finding, a suggestion) in a custom object; not sent in dry run.

        In `direct` and `custom_object` mode alike this goes to the custom object: a finding has no
        other home in Plex.
        """
        return self._post(self._custom_object_path(name), dict(record), {}, **keys)

    def _punch(
        self, action: str, workcenter_id: str, payload: Mapping[str, Any], **keys: Unpack[WriteKeys]
    ) -> WriteResult:
        where = {"workcenterId": workcenter_id}
        return self.write(WriteRequest(action=action, path_params=where, payload=dict(payload), **keys))

    def _post(
        self, path: str, body: dict[str, Any], approval: dict[str, Any], **keys: Unpack[WriteKeys]
    ) -> WriteResult:
        """POST `body` to `path` (dry run: only record what would have been sent, with its `approval`)."""
        idempotency_key, reference = keys.get("idempotency_key"), keys.get("reference")
        common = {
            "mode": self.mode,
            "method": "POST",
            "path": path,
            "payload": body,
            "idempotency_key": idempotency_key,
            "reference": reference,
            "approval": approval,
        }
        if self.mode == "dry_run":
            result = WriteResult(sent=False, **common)
            logger.info("dry run: write not sent", extra={"path": path, "reference": reference})
        else:
            response = self.transport.post(path, body, idempotency_key=idempotency_key)
            try:
                answer = response.json() if response.content.strip() else None
            except ValueError:
                answer = response.text
            result = WriteResult(sent=True, status=response.status_code, response=answer, **common)
            logger.info("write sent", extra={"path": path, "status": response.status_code, "reference": reference})
        self.recorded.append(result)
        return result
