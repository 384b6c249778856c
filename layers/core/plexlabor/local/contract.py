"""What the handlers read that `infra/function_specs.py` does not grant yet.

The handlers' settings (`plexlabor.intake.settings`, `plexlabor.approval.settings`) read variables
and resources beyond the infra specs. Until infra maps them, the local runtime adds exactly these,
per function, so each function still sees only what it uses. Names come from the handlers' own
settings modules (no third spelling here). When infra grants one, delete it here: the local
runtime then gets it from the spec like every other variable (a test fails on a duplicate).
"""

from __future__ import annotations

from collections.abc import Mapping

from infra.function_specs import PLEX, Access, TableAccess
from plexlabor.approval.settings import (
    ENV_APPROVAL_BASE_URL,
    ENV_MAX_RECEIVE_COUNT,
    ENV_NOTIFY_SENDER,
)
from plexlabor.intake.settings import (
    ENV_APPROVAL_STATE_MACHINE_ARN,
    ENV_ARTIFACTS_BUCKET_NAME,
    ENV_DEFAULT_SUPERVISOR_ID,
    ENV_PLANT_DIR,
    ENV_TIMEZONE,
)

ENV_APPROVAL_WAIT_SECONDS = "APPROVAL_WAIT_SECONDS"  # plexlabor.intake.settings.ApprovalSettings alias

_READS_LABOR_DATA = (ENV_PLANT_DIR, ENV_TIMEZONE)
_STARTS_APPROVALS = (ENV_APPROVAL_STATE_MACHINE_ARN, ENV_DEFAULT_SUPERVISOR_ID, ENV_APPROVAL_WAIT_SECONDS)

EXTRA_ACCESS: Mapping[str, tuple[Access, ...]] = {
    # NotifyService keeps the task token in the state table and looks supervisors' e-mail
    # addresses up in Plex (employees, user accounts).
    "approval_notify": (TableAccess.STATE_READ_WRITE, PLEX),
}
"""Resources a handler uses that its spec does not grant."""

EXTRA_VARIABLES: Mapping[str, tuple[str, ...]] = {
    "punch_poller": _READS_LABOR_DATA,
    "punch_validator": (*_READS_LABOR_DATA, *_STARTS_APPROVALS, ENV_ARTIFACTS_BUCKET_NAME),
    "norms_refresh": (*_READS_LABOR_DATA, *_STARTS_APPROVALS, ENV_ARTIFACTS_BUCKET_NAME),
    "approval_notify": (ENV_NOTIFY_SENDER, ENV_APPROVAL_BASE_URL),
    "approval_callback": (),
    "plex_writeback": (ENV_MAX_RECEIVE_COUNT,),
}
"""Variables outside infra's mapping that each handler reads (values come from the runtime)."""

CONTRACT_NAMES = frozenset(name for names in EXTRA_VARIABLES.values() for name in names)

__all__ = [
    "CONTRACT_NAMES",
    "ENV_APPROVAL_BASE_URL",
    "ENV_APPROVAL_STATE_MACHINE_ARN",
    "ENV_APPROVAL_WAIT_SECONDS",
    "ENV_ARTIFACTS_BUCKET_NAME",
    "ENV_DEFAULT_SUPERVISOR_ID",
    "ENV_MAX_RECEIVE_COUNT",
    "ENV_NOTIFY_SENDER",
    "ENV_PLANT_DIR",
    "ENV_TIMEZONE",
    "EXTRA_ACCESS",
    "EXTRA_VARIABLES",
]
