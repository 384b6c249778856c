"""`LocalStack`: the Plex simulator and the local runtime wired together, on one plant folder.

    with LocalStack(plant_dir, approval_wait_s=60) as stack:
        stack.send_punches(day_replay(plant_dir, day).punches)
        stack.runtime.drain()
        links = stack.approval_links()

- The simulator serves the plant over Plex's APIs; functions that talk to Plex (the e-mail
  directory, write-back) use it: `PLEXLABOR_PLEX_BASE_URL` is its URL and the Plex API key secret
  holds its key.
- The intake functions read labor data from the same plant folder (`PLEXLABOR_PLANT_DIR`): the
  validator needs the Data Source API's tables too, whose credentials the single-value Plex secret
  that the approval functions read cannot carry yet (see docs/local-runtime.md).
- Writes go to the simulator in `custom_object` mode unless told otherwise; the simulator records
  every write (`stack.simulator.writes()`).
- Approvals are on, so the validator requires `DEFAULT_SUPERVISOR_ID`: unless one is given, it is the
  plant's top manager (`plant_default_supervisor`).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TextIO

from infra.constants import DEFAULT_APPROVAL_WAIT_SECONDS, SecretName
from plexlabor.plant import PlantFolder
from plexlabor_dev.local.environment import PlexEnvironment
from plexlabor_dev.local.lifecycle import Lifecycle
from plexlabor_dev.local.runtime import LocalRuntime
from plexlabor_dev.local.scenario import ApprovalLink, AuditView, approval_links
from plexlabor_dev.simulator.server import SimulatorServer
from plexlabor_dev.simulator.webhook_sender import WebhookReport, WebhookSender

LOCAL_PLEX_SETTINGS = {
    "RATE_LIMIT_PER_MINUTE": "0",  # the simulator is told not to limit either
    "MAX_RETRIES": "1",
    "BACKOFF_FACTOR": "0.1",
    "BACKOFF_JITTER_S": "0.05",
    "TIMEOUT_S": "5",
}
"""Plex client settings for local runs: fail fast (the queue's redelivery is the retry that matters)."""


def plant_default_supervisor(plant_dir: Path | str) -> str | None:
    """Who approves findings about employees with no supervisor in a local run: the plant's top
    manager (someone others report to who reports to nobody; the lowest employee number first), else
    the first supervisor; None for a plant where nobody reports to anybody."""
    rows = {str(row["id"]): row for row in PlantFolder(plant_dir).iter_raw("employees")}
    bosses = {str(row["supervisorId"]) for row in rows.values() if str(row.get("supervisorId") or "") in rows}
    ranked = sorted(
        bosses, key=lambda key: (bool(rows[key].get("supervisorId")), str(rows[key].get("employeeNo") or key))
    )
    return ranked[0] if ranked else None


class LocalStack(Lifecycle):
    def __init__(
        self,
        plant_dir: Path | str,
        *,
        write_mode: str = "custom_object",
        approval_wait_s: int = DEFAULT_APPROVAL_WAIT_SECONDS,
        default_supervisor_id: str | None = None,
        plex_settings: Mapping[str, str] | None = None,
        plex_port: int = 0,
        api_port: int = 0,
        moto_port: int = 0,
        handler_output: TextIO | None = None,
        log_level: str = "WARNING",
        **runtime_options: Any,
    ) -> None:
        self.plant_dir = Path(plant_dir)
        self.meta = PlantFolder(self.plant_dir).meta()
        self.simulator = SimulatorServer(self.plant_dir, rate_limit=0, port=plex_port)
        self._write_mode = write_mode
        self._plex_settings = {**LOCAL_PLEX_SETTINGS, **(plex_settings or {})}
        self._runtime_options = {
            "plant_dir": self.plant_dir,
            "timezone": self.meta.timezone,
            "approval_wait_s": approval_wait_s,
            "default_supervisor_id": default_supervisor_id or plant_default_supervisor(self.plant_dir),
            "api_port": api_port,
            "moto_port": moto_port,
            "handler_output": handler_output,
            "log_level": log_level,
            **runtime_options,
        }
        self._runtime: LocalRuntime | None = None

    @property
    def runtime(self) -> LocalRuntime:
        if self._runtime is None:
            raise RuntimeError("the local stack is not started")
        return self._runtime

    def _open(self, stack: contextlib.ExitStack) -> None:
        stack.callback(setattr, self, "_runtime", None)  # the last thing stop() does
        stack.enter_context(self.simulator)
        self._runtime = stack.enter_context(
            LocalRuntime(
                plex=PlexEnvironment(self.simulator.base_url, self._write_mode, self._plex_settings),
                secret_values={SecretName.PLEX_API_KEY: self._plex_secret()},
                **self._runtime_options,
            )
        )

    def _plex_secret(self) -> str:
        """The Plex secret as a plant stores it (`plexlabor.plex.settings.parse_plex_secret`): the
        simulator's Connect key and its Data Source API credentials."""
        simulator = self.simulator.state
        return json.dumps(
            {
                "api_key": simulator.api_key,
                "datasource_username": simulator.datasource_user,
                "datasource_password": simulator.datasource_password,
            }
        )

    # -- driving it ------------------------------------------------------------------------------------
    @property
    def punches_url(self) -> str:
        return f"{self.runtime.api_url}/punches"

    def webhook_sender(self) -> WebhookSender:
        """Signs with the webhook secret, as a Plex process flow configured with it would."""
        return WebhookSender(self.punches_url, self.runtime.secret_value(SecretName.WEBHOOK_HMAC))

    def send_punches(self, punches: Iterable[Mapping[str, Any]]) -> WebhookReport:
        return self.webhook_sender().send_all(punches)

    def approval_links(self) -> list[ApprovalLink]:
        return approval_links(self.runtime.sent_emails(), self.runtime.api_url)

    def audit(self) -> AuditView:
        return AuditView(self.runtime.audit_store())

    def urls(self) -> dict[str, str]:
        return {**self.runtime.urls(), "plex": self.simulator.base_url}
