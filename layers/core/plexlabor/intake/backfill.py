"""The backfill: validate a long past window (a year of a plant) in shards a Step Functions Map runs at once.

Three steps, one function (`functions/validation_backfill`), the state machine
`infra/statemachines/backfill.asl.json` between them:

- **plan** computes the norms first (`nightly.refresh_norms`, as of the window's end, saved under their
  version only: the live validator keeps the nightly's latest norms), then cuts the window into time slices
  and each slice into shards: `employee_shards` shards that run the employee-level checks for the employees
  hashed to them, and `workcenter_shards` shards that run the workcenter-level checks (an unattended machine
  needs every operator's sessions at its workcenter, so those checks are sharded by workcenter, never by
  employee). The items are small (no ids listed), so a year of a 5,000-person plant in the default slices and
  shards fits the state's payload (Step Functions: 256 KiB); a plan whose items would not is refused when it
  is parsed (`PLAN_RESULT_LIMIT`), before the norms are touched, naming the options that size it.
- **extract** (when the function has an extract store: the artifacts bucket's `backfill/`) reads one
  slice of the whole plant from Plex, with a week and a day of context either side (`SWEEP_CONTEXT`:
  weekly checks see whole weeks; clipped at the window's end, which is the extract time), and stores it
  (`plex.extract.pack_snapshot`), once for all the slice's shards: the labor-data port reads by time,
  not by employee, so without it every shard would read the slice's whole plant from Plex again.
- **shard** reads its slice's extract (without an extract store: the slice from Plex), runs the engine's
  checks for its members only (`ValidationEngine.candidates(employees=..., workcenters=...)`), scores them
  with the scorer model in force when the shard runs (read as punch_validator reads it: a promotion or a
  rollback during a backfill reaches the shards after it; each finding and the shard's summary name the
  model), keeps the findings on records of its slice (half-open, so a record belongs to one slice) and records them
  through the nightly sweep's recorder, which skips findings already recorded (stable ids): a shard
  that is retried or overlaps another records nothing twice.

`docs/validation.md` ("Backfill") has the figures.
Findings are recorded `logged` or routed to review exactly as the sweep records them. The punches and
labor entries are not counted as validated for the KPIs: they are history, not today's work.
"""

from __future__ import annotations

import json
import math
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from time import perf_counter
from typing import TYPE_CHECKING, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from plexlabor.intake.nightly import SWEEP_CONTEXT, SweepResult, record_findings, refresh_norms, swept_records
from plexlabor.platform.clock import outside_dates
from plexlabor.platform.errors import ConfigurationError
from plexlabor.platform.observability import logger
from plexlabor.plex.extract import pack_snapshot, unpack_snapshot
from plexlabor.plex.snapshot import collector_paused
from plexlabor.validation.data import PlantData
from plexlabor.validation.engine import record_times
from plexlabor.validation.source import read_plant_data, read_plant_snapshot

if TYPE_CHECKING:
    from plexlabor.intake.wiring import NormsRefreshDependencies

ShardKind = Literal["employees", "workcenters"]
EXTRACTS_PREFIX = "backfill/"
"""The slices' extracts in the artifacts bucket: `backfill/<norms version>/<since>--<until>.json.gz`
(`infra.constants.BACKFILL_PREFIX` grants it to validation_backfill)."""


PLAN_RESULT_LIMIT = 256 * 1024 - 16 * 1024
"""The most the plan step's result may hold, in bytes of JSON: Step Functions fails a task whose result or state
output is above 256 KiB (States.DataLimitExceeded); 16 KiB are left for the Lambda response's envelope and the
execution's input beside `$.planned`."""


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

    @field_validator("since", "until")
    @classmethod
    def _plausible(cls, value: datetime) -> datetime:
        """In the years a punch may lie (a 9999-12-31 placeholder would overflow the window's arithmetic)."""
        if problem := outside_dates(value):
            raise ValueError(f"{problem}, not {value.isoformat()}")
        return value

    @model_validator(mode="after")
    def _window(self) -> BackfillPlan:
        if self.until <= self.since:
            raise ValueError("'until' must be after 'since'")
        size, shards = planned_size(self)
        if size > PLAN_RESULT_LIMIT:
            raise ValueError(
                f"the plan's {shards:,} shards make a Plan result of about {size:,} bytes, above what Step Functions "
                f"passes between states (256 KiB, {PLAN_RESULT_LIMIT:,} bytes with room for the rest): give a larger "
                "'slice_days', fewer 'employee_shards' or 'workcenter_shards', or split the window (since..until) into "
                "backfills run one after the other"
            )
        return self


def planned_size(plan: BackfillPlan) -> tuple[int, int]:
    """The bytes of the plan step's result (`run`) as Lambda's runtime writes it (`json.dumps`), and its shards; from
    one slice, since every slice and each shard of a slice are the same size (fixed-width instants)."""
    version = f"norms-{int(plan.until.timestamp())}"  # validation.norms names the norms by their end
    end = min(plan.since + timedelta(days=plan.slice_days), plan.until)
    first = Slice(since=plan.since, until=end, window_end=plan.until, norms_version=version)
    shards = [
        Shard(**first.model_dump(), kind=kind, index=index, count=count, extracted=True)  # type: ignore[arg-type]
        for kind, count in (("employees", plan.employee_shards), ("workcenters", plan.workcenter_shards))
        for index in range(count)
    ]
    separator = len(", ")
    per_slice = sum(len(json.dumps(item.model_dump(mode="json"))) + separator for item in (first, *shards))
    result = {"norms_version": version, "max_concurrency": plan.max_concurrency, "slices": [], "shards": []}
    slices = math.ceil((plan.until - plan.since) / timedelta(days=plan.slice_days))
    return len(json.dumps({"Payload": result})) + slices * per_slice, slices * len(shards)


class Slice(BaseModel):
    """One time slice of the backfill, read with `SWEEP_CONTEXT` either side (not past the end)."""

    model_config = ConfigDict(extra="forbid")

    since: AwareDatetime
    until: AwareDatetime
    window_end: AwareDatetime
    """The backfill's end: context is read up to it, never past it (it is the extract time)."""
    norms_version: str

    def context(self) -> tuple[datetime, datetime]:
        """What is read for the slice: its time, with a week and a day of context either side."""
        return self.since - SWEEP_CONTEXT, min(self.until + SWEEP_CONTEXT, self.window_end)

    def extract_key(self) -> str:
        """Where its extract is kept, under `EXTRACTS_PREFIX` (one per norms version and slice)."""
        return f"{self.norms_version}/{self.since:%Y%m%dT%H%M%SZ}--{self.until:%Y%m%dT%H%M%SZ}.json.gz"


class Shard(Slice):
    """One item of the map: the checks of one kind for the members `index` of `count` over one slice."""

    kind: ShardKind
    index: int = Field(ge=0)
    count: int = Field(ge=1)
    extracted: bool = False
    """Read from its slice's extract (`Slice.extract_key`); False: from Plex."""

    @model_validator(mode="after")
    def _member_index(self) -> Shard:
        if self.index >= self.count:
            raise ValueError("'index' must be below 'count'")
        return self

    def holds(self, member: str) -> bool:
        """Whether an employee or workcenter id falls in this shard (a stable hash, not Python's salted one)."""
        return zlib.crc32(member.encode()) % self.count == self.index


def plan_slices(plan: BackfillPlan, norms_version: str) -> list[Slice]:
    """The window in slices of `slice_days` (the last may be shorter)."""
    slices = []
    start = plan.since
    while start < plan.until:
        end = min(start + timedelta(days=plan.slice_days), plan.until)
        slices.append(Slice(since=start, until=end, window_end=plan.until, norms_version=norms_version))
        start = end
    return slices


def plan_shards(plan: BackfillPlan, norms_version: str, *, extracted: bool = False) -> list[Shard]:
    """The map's items: every slice of the window times every employee and workcenter shard (`extracted`:
    each reads its slice's extract)."""
    return [
        Shard(**piece.model_dump(), kind=kind, index=i, count=count, extracted=extracted)  # type: ignore[arg-type]
        for piece in plan_slices(plan, norms_version)
        for kind, count in (("employees", plan.employee_shards), ("workcenters", plan.workcenter_shards))
        for i in range(count)
    ]


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


def extract_slice(deps: NormsRefreshDependencies, piece: Slice) -> dict[str, Any]:
    """Read the slice's whole plant from Plex (with its context) and keep it for its shards."""
    if deps.extracts is None:
        raise ConfigurationError("the backfill has no extract store (ARTIFACTS_BUCKET_NAME)")
    started = perf_counter()
    with collector_paused():
        snapshot = read_plant_snapshot(deps.source, *piece.context(), deps.timezone)
    read_s = perf_counter() - started
    body = pack_snapshot(snapshot)
    deps.extracts.put(piece.extract_key(), body, "application/gzip")
    summary: dict[str, Any] = {
        "key": piece.extract_key(),
        "records": sum(len(rows) for rows in snapshot.rows().values()),
        "bytes": len(body),
        "read_s": round(read_s, 3),
        "store_s": round(perf_counter() - started - read_s, 3),
    }
    logger.info("backfill slice extracted", **summary)
    return summary


def read_shard(deps: NormsRefreshDependencies, shard: Shard) -> PlantData:
    """The whole plant's records of the shard's slice with `SWEEP_CONTEXT` either side (not past the end):
    from its slice's extract when it has one, else from Plex."""
    begin, end = shard.context()
    if not shard.extracted:
        return read_plant_data(deps.source, begin, end, deps.timezone)
    body = deps.extracts.get(shard.extract_key()) if deps.extracts is not None else None
    if body is None:
        raise ConfigurationError(f"the slice's extract {shard.extract_key()} is missing: extract the slice first")
    with collector_paused():
        return PlantData.from_snapshot(unpack_snapshot(body), end.timestamp())


def records_held(data: PlantData) -> int:
    """The transactions a shard read: punches, labor entries, badge swipes, shift assignments, workcenter
    sessions and runs (one each per login/logout or start/stop pair) and downtime entries."""
    held = (data.punches, data.labor, data.swipes, data.schedules, data.wc_sessions, data.runs, data.downtime)
    return sum(len(rows) for kind in held for rows in kind.values())


def validate_shard(deps: NormsRefreshDependencies, shard: Shard) -> ShardResult:
    """Validate one shard and record its findings (each once, however often the shard runs)."""
    norms = deps.norms_store.version(shard.norms_version)  # its own, whatever the nightly saved since the plan
    if norms is None:
        raise ConfigurationError(f"the backfill's norms {shard.norms_version} are missing: plan the backfill again")
    result = ShardResult(kind=shard.kind, model_version=deps.score_with_model_in_force())  # as punch_validator's
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
    """validation_backfill's event: `{"plan": {...}}` (the state machine's input), `{"extract": {...}}`
    (one slice) or `{"shard": {...}}` (one item of the map)."""

    model_config = ConfigDict(extra="forbid")

    plan: BackfillPlan | None = None
    extract: Slice | None = None
    shard: Shard | None = None

    @model_validator(mode="after")
    def _one_step(self) -> BackfillEvent:
        if sum(step is not None for step in (self.plan, self.extract, self.shard)) != 1:
            raise ValueError("give exactly one of 'plan', 'extract' and 'shard'")
        return self


def run(deps: NormsRefreshDependencies, request: BackfillEvent) -> dict[str, Any]:
    """plan: the norms (computed now, as of `until`) and the items `{"norms_version", "max_concurrency",
    "slices": [...], "shards": [...]}` (no slices to extract without an extract store);
    extract: the slice's extract `{"key", "records", "bytes", "read_s", "store_s"}`;
    shard: the shard's summary (the sweep's counts plus `kind`, `records_read`, `read_s`, `check_s`, `record_s`)."""
    if request.plan is not None:
        plan = request.plan
        norms = refresh_norms(deps.source, deps.timezone, deps.norms_store, plan.until, deps.history, latest=False)
        extracted = deps.extracts is not None
        slices = plan_slices(plan, norms.version) if extracted else []
        shards = plan_shards(plan, norms.version, extracted=extracted)
        logger.info("backfill planned", norms_version=norms.version, slices=len(slices), shards=len(shards))
        return {
            "norms_version": norms.version,
            "max_concurrency": plan.max_concurrency,
            "slices": [s.model_dump(mode="json") for s in slices],
            "shards": [s.model_dump(mode="json") for s in shards],
        }
    if request.extract is not None:
        return extract_slice(deps, request.extract)
    assert request.shard is not None  # the model holds exactly one
    return validate_shard(deps, request.shard).as_dict()
