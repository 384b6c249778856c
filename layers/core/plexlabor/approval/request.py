"""What starts an approval: the contract between the validator and the approval workflow."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from plexlabor.validation.findings import Finding


class ApprovalRequest(BaseModel):
    """The input of one approval execution (Step Functions) for one finding.

    `supervisor_id` is asked first; after `wait_seconds` without an answer the request escalates to
    `escalation_supervisor_id` (if any), and after another `wait_seconds` it expires.
    """

    model_config = ConfigDict(frozen=True)

    finding: Finding
    supervisor_id: str = Field(min_length=1)
    escalation_supervisor_id: str | None = None
    employee_number: str | None = Field(default=None, max_length=32)
    """The plant's employee number, so the supervisor knows who it is (shown on the page and in the
    e-mail, never logged); the finding itself keeps only the pseudonymous id."""
    wait_seconds: int = Field(default=8 * 3600, ge=1, le=7 * 24 * 3600)

    @property
    def execution_name(self) -> str:
        """One execution per finding: starting it twice is refused by Step Functions."""
        return self.finding.finding_id


class ApprovalStarter(Protocol):
    """Starts the approval workflow; starting the same finding twice is a no-op that returns False."""

    def start(self, request: ApprovalRequest) -> bool: ...
