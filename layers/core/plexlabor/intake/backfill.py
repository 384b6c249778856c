"""The backfill: validate a long past window (a year of a plant) in shards a Step Functions Map runs at once.

Two steps, one function (`functions/validation_backfill`), the state machine
`infra/statemachines/backfill.asl.json` between them:

- **plan** computes the norms first (`nightly.refresh_norms`, as of the window's end, saved as the
  latest), then cuts the window into time slices and each slice into shards: `employee_shards`
  shards that run the employee-level checks for the employees hashed to them, and `workcenter_shards`
  shards that run the workcenter-level checks (an unattended machine needs every operator's sessions
  at its workcenter, so those checks are sharded by workcenter, never by employee). The items are
  small (no ids listed), so a year of a 5,000-person plant fits the state's payload.
- **shard** reads its slice with a week and a day of context either side (`SWEEP_CONTEXT`: weekly
  checks see whole weeks; clipped at the window's end, which is the extract time), runs the engine's
  checks for its members only (`ValidationEngine.candidates(employees=..., workcenters=...)`), keeps
  the findings on records of its slice (half-open, so a record belongs to one slice) and records them
  through the nightly sweep's recorder, which skips findings already recorded (stable ids): a shard
  that is retried or overlaps another records nothing twice.

Every shard re-reads its slice's records for the whole plant (the labor-data port reads by time, not
by employee), so on Plex the calls grow with the shards per slice; `docs/validation.md` has the figures.
Findings are recorded `logged` or routed to review exactly as the sweep records them. The punches and
labor entries are not counted as validated for the KPIs: they are history, not today's work.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import timedelta
from time import perf_counter
from typing import TYPE_CHECKING, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from plexlabor.intake.nightly import SWEEP_CONTEXT, SweepResult, record_findings, refresh_norms, swept_records
from plexlabor.platform.errors import ConfigurationError
from plexlabor.platform.observability import logger
from plexlabor.validation.engine import record_times
from plexlabor.validation.source import read_plant_data

if TYPE_CHECKING:
    from plexlabor.intake.wiring import NormsRefreshDependencies
    from plexlabor.validation.data import PlantData

ShardKind = Literal["employees", "workcenters"]


class BackfillPlan(BaseModel):
    """What to backfill: [since, until) in slices of `slice_days`, each in so many shards."""

    model_config = ConfigDict(extra="forbid")

    since: AwareDatetime
    until: AwareDatetime
    slice_days: int = Field(default=28, ge=1, le=366)
    employee_shards: int = Field(default=50, ge=1, le=1000)
    workcenter_shards: int = Field(default=1, ge=1, le=100)
    max_concurrency: int = Field(default=10, ge=1, le=1000)
    """Shards validated at once by the state machine's map (each reads Plex: the call limit is shared)."""

    @model_validator(mode="after")
    def _window(self) -> BackfillPlan:
        if self.until <= self.since:
            raise ValueError("'until' must be after 'since'")
        return self


class Shard(BaseModel):
    """One item of the map: the checks of one kind for the members `index` of `count` over one slice."""

    model_config = ConfigDict(extra="forbid")

    kind: ShardKind
    index: int = Field(ge=0)
    count: int = Field(ge=1)
    since: AwareDatetime
    until: AwareDatetime
    window_end: AwareDatetime
    """The backfill's end: context is read up to it, never past it (it is the extract time)."""
    norms_version: str

    @model_validator(mode="after")
    def _member_index(self) -> Shard:
        if self.index >= self.count:
            raise ValueError("'index' must be below 'count'")
        return self

    def holds(self, member: str) -> bool:
        """Whether an employee or workcenter id falls in this shard (a stable hash, not Python's salted one)."""
        return zlib.crc32(member.encode()) % self.count == self.index


def plan_shards(plan: BackfillPlan, norms_version: str) -> list[Shard]:
    """The map's items: every slice of the window times every employee and workcenter shard."""
    items = []
    start = plan.since
    while start < plan.until:
        end = min(start + timedelta(days=plan.slice_days), plan.until)
        for kind, count in (("employees", plan.employee_shards), ("workcenters", plan.workcenter_shards)):
            items += [
                Shard(
                    kind=kind,  # type: ignore[arg-type]
                    index=i,
                    count=count,
                    since=start,
                    until=end,
                    window_end=plan.until,
                    norms_version=norms_version,
                )
                for i in range(count)
            ]
        start = end
    return items


@dataclass
class ShardResult(SweepResult):
    """A shard's sweep result with its size and where its time went."""

    kind: str = ""
    records_read: int = 0
    read_s: float = 0.0
    check_s: float = 0.0
    """Running the checks and scoring (the engine)."""
    record_s: float = 0.0
    """Recording the findings (audit table, approvals started)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            **super().as_dict(),
            "kind": self.kind,
            "records_read": self.records_read,
            "read_s": round(self.read_s, 3),
            "check_s": round(self.check_s, 3),
            "record_s": round(self.record_s, 3),
        }


def read_shard(deps: NormsRefreshDependencies, shard: Shard) -> PlantData:
    """The whole plant's records of the shard's slice with `SWEEP_CONTEXT` either side (not past the end)."""
    return read_plant_data(
        deps.source,
        shard.since - SWEEP_CONTEXT,
        min(shard.until + SWEEP_CONTEXT, shard.window_end),
        deps.timezone,
    )


def records_held(data: PlantData) -> int:
    """The transactions a shard read: punches, labor entries, badge swipes, shift assignments, workcenter
    sessions and runs (one each per login/logout or start/stop pair) and downtime entries."""
    held = (data.punches, data.labor, data.swipes, data.schedules, data.wc_sessions, data.runs, data.downtime)
    return sum(len(rows) for kind in held for rows in kind.values())


def validate_shard(deps: NormsRefreshDependencies, shard: Shard) -> ShardResult:
    """Validate one shard and record its findings (each once, however often the shard runs)."""
    norms = deps.norms_store.latest()
    if norms is None or norms.version != shard.norms_version:
        found = norms.version if norms else None
        raise ConfigurationError(f"the backfill planned with norms {shard.norms_version}; the latest are {found}")
    result = ShardResult(kind=shard.kind)
    started = perf_counter()
    data = read_shard(deps, shard)
    result.records_read = records_held(data)
    result.read_s = perf_counter() - started

    started = perf_counter()
    if shard.kind == "employees":
        members = sorted(e for e in set(data.punches) | set(data.labor) | set(data.swipes) if shard.holds(e))
        candidates = deps.engine.candidates(data, norms, employees=members, workcenters=())
        records = swept_records(data, shard.since, shard.until)
        result.validated = len(_records_of(data, records, set(members)))
    else:
        members = sorted(w for w in data.runs if shard.holds(w))
        candidates = deps.engine.candidates(data, norms, employees=(), workcenters=members)
    times = record_times(data)
    low, high = shard.since.timestamp(), shard.until.timestamp()
    in_slice = [c for c in candidates if low <= times.get(c.record_key, low) < high]
    findings = deps.engine.findings(in_slice, data, norms)
    result.check_s = perf_counter() - started
    started = perf_counter()
    record_findings(findings, deps.recorder, data, result)
    result.record_s = perf_counter() - started
    logger.info("backfill shard done", shard=shard.model_dump(mode="json"), **result.as_dict())
    return result


def _records_of(data: PlantData, records: list[Any], employees: set[str]) -> list[Any]:
    """Of the slice's punches and labor entries, those of these employees (each counted by one shard)."""
    owner = {p.key: p.employee for punches in data.punches.values() for p in punches}
    owner |= {e.key: e.employee for entries in data.labor.values() for e in entries}
    return [r for r in records if owner.get(r.record_key) in employees]


class BackfillEvent(BaseModel):
    """validation_backfill's event: `{"plan": {...}}` (the state machine's input) or `{"shard": {...}}`
    (one item of the map)."""

    model_config = ConfigDict(extra="forbid")

    plan: BackfillPlan | None = None
    shard: Shard | None = None

    @model_validator(mode="after")
    def _one_step(self) -> BackfillEvent:
        if (self.plan is None) == (self.shard is None):
            raise ValueError("give exactly one of 'plan' and 'shard'")
        return self


def run(deps: NormsRefreshDependencies, request: BackfillEvent) -> dict[str, Any]:
    """plan: the norms (computed now, as of `until`) and the items `{"norms_version", "max_concurrency",
    "shards": [...]}`;
    shard: the shard's summary (the sweep's counts plus `kind`, `records_read`, `read_s`, `check_s`, `record_s`)."""
    if request.plan is not None:
        plan = request.plan
        norms = refresh_norms(deps.source, deps.timezone, deps.norms_store, plan.until, deps.history)
        shards = plan_shards(plan, norms.version)
        logger.info("backfill planned", norms_version=norms.version, shards=len(shards))
        shards_json = [s.model_dump(mode="json") for s in shards]
        return {"norms_version": norms.version, "max_concurrency": plan.max_concurrency, "shards": shards_json}
    assert request.shard is not None  # the model holds exactly one
    return validate_shard(deps, request.shard).as_dict()
