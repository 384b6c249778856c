"""A finding: one anomaly on one Plex record, with how sure we are and why, in a supervisor's words."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from plexlabor.models.anomalies import AnomalyType

Severity = Literal["low", "medium", "high"]
Route = Literal["review", "trend"]


def finding_id_for(record_key: str, anomaly_type: AnomalyType | str) -> str:
    """Stable id: the same anomaly on the same record always gets the same id (idempotent intake)."""
    digest = hashlib.sha256(f"{record_key}|{AnomalyType(anomaly_type).value}".encode()).hexdigest()
    return f"f-{digest[:24]}"


class Finding(BaseModel):
    """One line of `findings.jsonl`; the same fields go to the audit table."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    finding_id: str
    record_key: str
    employee_id: str | None
    anomaly_type: AnomalyType
    confidence: float = Field(ge=0, le=1)
    severity: Severity
    note: str = Field(min_length=1, max_length=300)
    evidence: dict[str, Any] = Field(default_factory=dict)
    suggested_correction: dict[str, Any] | None = None
    model_version: str
    route: Route = "trend"


def write_findings(path: Path | str, findings: Iterable[Finding]) -> int:
    """Write findings as JSON lines; return how many."""
    count = 0
    with Path(path).open("w", encoding="utf-8") as handle:
        for finding in findings:
            handle.write(finding.model_dump_json() + "\n")
            count += 1
    return count


def read_findings(path: Path | str) -> Iterator[Finding]:
    """Read a findings file; a malformed finding raises `BadRecordError` naming its file, line and field."""
    from plexlabor.plant import read_records  # here, not on the real-time handlers' cold path

    return read_records(Path(path), Finding.model_validate, "finding")
