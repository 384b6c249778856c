"""The backfill: planned shards cover the window once, and validated shard by shard they record what one
batch over the whole window finds, once, however often they run; with an extract store each slice is read
from the labor-data port once, and its shards read the extract."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from pydantic import ValidationError

from functions.validation_backfill import handler as backfill
from plexlabor.audit import AuditStatus
from plexlabor.intake.backfill import PLAN_RESULT_LIMIT, BackfillPlan, Shard, plan_shards, plan_slices
from plexlabor.intake.nightly import refresh_norms
from plexlabor.intake.norms_store import InMemoryNormsStore
from plexlabor.intake.recording import FindingRecorder
from plexlabor.intake.wiring import NORMS_REFRESH_ACTOR, NormsRefreshDependencies
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.platform.errors import ConfigurationError
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.source import read_plant_data
from tests.support import FakeLambdaContext

NOW = datetime(2026, 11, 26, 3, tzinfo=UTC)


class CountingReads:
    """The plant's labor-data port, counting the records each windowed read returns."""

    def __init__(self, port) -> None:
        self.port, self.windowed = port, 0

    def __getattr__(self, name: str):
        method = getattr(self.port, name)
        if name not in ("time_clock_entries", "labor_entries", "workcenter_events", "badge_swipes"):
            return method

        def counted(*args, **kwargs):
            rows = method(*args, **kwargs)
            self.windowed += len(rows)
            return rows

        return counted


@pytest.fixture(params=["from Plex", "from extracts"])
def deps(request, plant_source, audit, approvals) -> NormsRefreshDependencies:
    return dependencies(plant_source, audit, approvals, extracts=request.param == "from extracts")


@pytest.fixture
def extracting(plant_source, audit, approvals) -> NormsRefreshDependencies:
    return dependencies(plant_source, audit, approvals, extracts=True)


def dependencies(plant_source, audit, approvals, *, extracts: bool) -> NormsRefreshDependencies:
    recorder = FindingRecorder(
        audit=audit, approvals=approvals, actor=NORMS_REFRESH_ACTOR, clock=lambda: NOW, default_supervisor="SUP-1"
    )
    return NormsRefreshDependencies(
        source=plant_source,
        timezone=plant_source.plant.meta().timezone,
        norms_store=InMemoryNormsStore(),
        recorder=recorder,
        history=timedelta(weeks=26),
        extracts=InMemoryArtifactStore() if extracts else None,
    )


def backfill_window(plant_source) -> tuple[datetime, datetime]:
    meta = plant_source.plant.meta()
    return meta.end - timedelta(weeks=4), meta.end


def run_backfill(deps, since: datetime, until: datetime) -> tuple[dict, list[dict]]:
    """What the state machine does: plan, then every item of the map through the same handler."""
    plan = {"since": since.isoformat(), "until": until.isoformat(), "slice_days": 9}
    plan |= {"employee_shards": 3, "workcenter_shards": 2}
    planned = backfill.handler({"plan": plan}, FakeLambdaContext(), dependencies=deps)
    for piece in planned["slices"]:
        backfill.handler({"extract": piece}, FakeLambdaContext(), dependencies=deps)
    shards = [backfill.handler({"shard": s}, FakeLambdaContext(), dependencies=deps) for s in planned["shards"]]
    return planned, shards


def recorded_ids(audit) -> set[str]:
    entries = audit.by_status(AuditStatus.PENDING_APPROVAL, limit=100_000)
    entries += audit.by_status(AuditStatus.LOGGED, limit=100_000)
    return {e.finding_id for e in entries}


def test_the_plan_covers_the_window_once_in_slices_times_shards() -> None:
    since = datetime(2026, 1, 1, tzinfo=UTC)
    plan = BackfillPlan(since=since, until=since + timedelta(days=365), slice_days=28, employee_shards=50)
    shards = plan_shards(plan, "norms-1")
    # 14 slices (13 of 28 days and one of 1 day), each in 50 employee shards and 1 workcenter shard
    assert len(shards) == 14 * 51
    slices = sorted({(s.since, s.until) for s in shards})
    assert slices[0][0] == plan.since and slices[-1][1] == plan.until
    assert all(a[1] == b[0] for a, b in pairwise(slices))  # no gap, no overlap
    first = [s for s in shards if (s.since, s.until) == slices[0] and s.kind == "employees"]
    owners = [[s.index for s in first if s.holds(f"EMP-{n}")] for n in range(5000)]
    assert all(len(o) == 1 for o in owners)  # every employee in exactly one shard of a slice
    sizes = [sum(1 for o in owners if o == [i]) for i in range(50)]
    assert min(sizes) > 50 and max(sizes) < 150  # hashed evenly enough (100 each on average)


def test_bad_requests_are_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError, match="until"):
        BackfillPlan(since=NOW, until=NOW)
    with pytest.raises(ValidationError, match="exactly one"):
        backfill.EVENT_MODEL.model_validate({})
    plan = {"since": NOW.isoformat(), "until": (NOW + timedelta(days=1)).isoformat()}
    with pytest.raises(ValidationError, match="exactly one"):
        backfill.EVENT_MODEL.model_validate(
            {"plan": plan, "extract": plan | {"window_end": plan["until"], "norms_version": "n"}}
        )
    with pytest.raises(ValidationError, match="index"):
        Shard(kind="employees", index=3, count=3, since=NOW, until=NOW, window_end=NOW, norms_version="n")


def test_shards_record_what_one_batch_over_the_window_finds_once(deps, audit, plant_source) -> None:
    since, until = backfill_window(plant_source)
    planned, shards = run_backfill(deps, since, until)
    # The norms come first, kept under their version (not the live validator's latest), and every shard was
    # validated against them
    norms = deps.norms_store.version(planned["norms_version"])
    assert norms is not None and deps.norms_store.latest() is None
    assert len(shards) == 4 * 5  # 28 days in slices of 9 days (9, 9, 9, 1), 3 + 2 shards each
    # The same findings as one batch over the whole window, with the same norms
    whole = read_plant_data(plant_source, since - timedelta(days=8), until, deps.timezone)
    expected = {f.finding_id for f in ValidationEngine().batch(whole, norms, since.timestamp(), until.timestamp())}
    assert recorded_ids(audit) == expected and len(expected) > 20
    assert sum(s["new"] for s in shards) == sum(s["findings"] for s in shards) == len(expected)
    # Workcenter shards found workcenter-level findings, employee shards the rest
    by_kind = {k: {t for s in shards if s["kind"] == k for t in s["by_type"]} for k in ("employees", "workcenters")}
    assert "UNATTENDED_MACHINE" in by_kind["workcenters"] and "UNATTENDED_MACHINE" not in by_kind["employees"]
    # Each punch and labor entry of the window validated by exactly one employee shard
    in_window = [
        r
        for rows in (whole.punches, whole.labor)
        for records in rows.values()
        for r in records
        if since.timestamp() <= (r.t_in if hasattr(r, "t_in") else r.start) < until.timestamp()
    ]
    assert sum(s["validated"] for s in shards) == len(in_window)


def test_a_backfill_run_again_records_nothing_twice(deps, audit, plant_source) -> None:
    since, until = backfill_window(plant_source)
    run_backfill(deps, since, until)
    first = recorded_ids(audit)
    _, again = run_backfill(deps, since, until)
    assert recorded_ids(audit) == first
    assert sum(s["new"] for s in again) == 0 and sum(s["findings"] for s in again) == len(first)


def test_a_shard_planned_with_other_norms_is_refused(deps, plant_source) -> None:
    since, until = backfill_window(plant_source)
    planned = backfill.handler(
        {"plan": {"since": since.isoformat(), "until": until.isoformat(), "employee_shards": 1}},
        FakeLambdaContext(),
        dependencies=deps,
    )
    shard = planned["shards"][0] | {"norms_version": "norms-0"}
    with pytest.raises(ConfigurationError, match="norms-0 are missing"):
        backfill.handler({"shard": shard}, FakeLambdaContext(), dependencies=deps)


def test_a_backfill_runs_on_across_the_nightly_norms_refresh_and_leaves_the_live_norms_alone(
    extracting, plant_source, audit
) -> None:
    """The nightly norms_refresh (07:00 UTC) saves new latest norms between a backfill's Plan and its shards: the
    shards after it failed, so any run of a few hours across 07:00 failed; and the Plan replaced the live validator's
    norms with norms as of the backfill's end, possibly months old (review_infra_s17 #4)."""
    deps = extracting
    meta = plant_source.plant.meta()
    live = refresh_norms(deps.source, deps.timezone, deps.norms_store, meta.end - timedelta(days=2), deps.history)
    plan = {"since": (meta.end - timedelta(weeks=4)).isoformat(), "until": (meta.end - timedelta(days=1)).isoformat()}
    planned = backfill.handler(
        {"plan": plan | {"slice_days": 9, "employee_shards": 3, "workcenter_shards": 2}},
        FakeLambdaContext(),
        dependencies=deps,
    )
    latest = deps.norms_store.latest()
    assert latest is not None and latest.version == live.version != planned["norms_version"]  # the live norms kept
    for piece in planned["slices"]:
        backfill.handler({"extract": piece}, FakeLambdaContext(), dependencies=deps)
    first = backfill.handler({"shard": planned["shards"][0]}, FakeLambdaContext(), dependencies=deps)

    nightly = refresh_norms(deps.source, deps.timezone, deps.norms_store, meta.end, deps.history)
    rest = [backfill.handler({"shard": s}, FakeLambdaContext(), dependencies=deps) for s in planned["shards"][1:]]

    latest = deps.norms_store.latest()
    assert latest is not None and latest.version == nightly.version != planned["norms_version"]
    # every shard validated with the plan's norms: the same findings as one batch over the window with them
    norms = deps.norms_store.version(planned["norms_version"])
    assert norms is not None
    since, until = datetime.fromisoformat(plan["since"]), datetime.fromisoformat(plan["until"])
    whole = read_plant_data(plant_source, since - timedelta(days=8), until, deps.timezone)
    expected = {f.finding_id for f in ValidationEngine().batch(whole, norms, since.timestamp(), until.timestamp())}
    assert recorded_ids(audit) == expected and sum(s["new"] for s in [first, *rest]) == len(expected) > 0


def test_with_extracts_each_slice_is_read_once_and_no_shard_reads_the_port(
    extracting, plant_source, monkeypatch
) -> None:
    deps = extracting
    since, until = backfill_window(plant_source)
    planned, _ = run_backfill(deps, since, until)  # the norms, with nothing counted yet
    counting = CountingReads(plant_source)
    monkeypatch.setattr(deps, "source", counting)
    for piece in planned["slices"]:
        backfill.handler({"extract": piece}, FakeLambdaContext(), dependencies=deps)
    extracted = counting.windowed
    shards = [backfill.handler({"shard": s}, FakeLambdaContext(), dependencies=deps) for s in planned["shards"]]
    assert len(planned["slices"]) == 4 and all(s["extracted"] for s in planned["shards"])
    assert extracted > 1000 and counting.windowed == extracted  # the 20 shards read nothing more from the port
    for first in range(0, 20, 5):  # each slice's 3 + 2 shards were served its whole plant
        assert len({s["records_read"] for s in shards[first : first + 5]}) == 1 and shards[first]["records_read"]


def test_a_shard_whose_extract_is_missing_is_refused_naming_it(extracting, plant_source) -> None:
    deps = extracting
    since, until = backfill_window(plant_source)
    plan = {"since": since.isoformat(), "until": until.isoformat(), "employee_shards": 1}
    planned = backfill.handler({"plan": plan}, FakeLambdaContext(), dependencies=deps)
    with pytest.raises(ConfigurationError, match=r"extract .*\.json\.gz is missing"):
        backfill.handler({"shard": planned["shards"][0]}, FakeLambdaContext(), dependencies=deps)


YEAR = timedelta(days=365)


@pytest.mark.parametrize(
    "options",
    [{"since": NOW - 2 * YEAR}, {"slice_days": 7}, {"employee_shards": 150}],
    ids=["two years", "weekly slices", "150 employee shards"],
)
def test_a_plan_whose_items_overflow_step_functions_is_refused_before_the_norms_are_touched(
    extracting, options: dict
) -> None:
    """The Plan step's result is the map's items: above Step Functions' 256 KiB the execution fails with
    States.DataLimitExceeded after the norms were recomputed and saved as the latest (review_s15 #3)."""
    plan = {"since": (NOW - YEAR).isoformat(), "until": NOW.isoformat()} | {
        key: value.isoformat() if isinstance(value, datetime) else value for key, value in options.items()
    }
    with pytest.raises(ValidationError, match=r"256 KiB.*'slice_days'.*'employee_shards'"):
        backfill.handler({"plan": plan}, FakeLambdaContext(), dependencies=extracting)
    assert extracting.norms_store.latest() is None and extracting.norms_store.saved == {}


def test_every_plan_accepted_fits_step_functions_state_limit() -> None:
    """A year in slices of 7 to 28 days: each plan is refused or its Plan result fits, and the bound is not far below
    the limit (the largest accepted result is above 200 KB)."""
    version = f"norms-{int(NOW.timestamp())}"  # validation.norms: the version names the norms' end
    sizes = []
    for slice_days in range(7, 29):
        try:
            plan = BackfillPlan(since=NOW - YEAR, until=NOW, slice_days=slice_days)
        except ValidationError:
            continue
        slices, shards = plan_slices(plan, version), plan_shards(plan, version, extracted=True)
        result = {
            "norms_version": version,
            "max_concurrency": plan.max_concurrency,
            "slices": [s.model_dump(mode="json") for s in slices],
            "shards": [s.model_dump(mode="json") for s in shards],
        }
        sizes.append(len(json.dumps({"Payload": result})))
    assert sizes and max(sizes) <= PLAN_RESULT_LIMIT < 256 * 1024
    assert max(sizes) > 200_000
