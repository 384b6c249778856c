"""The KPI page says when each weekly retrain last ran and what came of it (ux164 #14): a plant in its first weeks
sees the scorer's and the incident coder's runs skipping for want of decisions and corrections, with how many
they need, not "No retrain has run yet"."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

from plexlabor.incidents.registry import PREFIX as INCIDENT_PREFIX
from plexlabor.platform.artifacts import ArtifactError, InMemoryArtifactStore
from plexlabor.platform.retrainruns import (
    INCIDENT_MODELS_PREFIX,
    SCORER_MODELS_PREFIX,
    RetrainRun,
    RetrainRuns,
    record_run,
)
from plexlabor.validation.registry import SCORER_PREFIX
from plexlabor.webapp.kpireads import REFRESH
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import ZONE, call_web, web_deps
from tests.unit.webapp.viewers import ADMIN


def _page(world: World, runs: RetrainRuns | None, lambda_context: Any) -> str:
    deps = dataclasses.replace(web_deps(world), retrain_runs=runs)
    response = call_web(deps, "GET", "/kpis", ADMIN, lambda_context)
    assert response["statusCode"] == 200
    return str(response["body"])


def _skipped_runs(world: World, runs: RetrainRuns) -> datetime:
    """Each retrain's last run, five hours ago, skipped: the scorer's at 1 of 80 decisions, the incident coder's at
    2 of 40 corrections. Returns when they ran."""
    at = world.clock() - timedelta(hours=5)
    record_run(runs.scorer, RetrainRun(at=at, outcome="too_few", counted=1, needed=80, unit="decision"))
    record_run(runs.incidents, RetrainRun(at=at, outcome="too_few", counted=2, needed=40, unit="correction"))
    return at


def test_a_skipped_run_of_each_retrain_is_shown_with_what_it_counted_and_needs(lambda_context: Any) -> None:
    world = World()
    runs = RetrainRuns(InMemoryArtifactStore(), InMemoryArtifactStore())
    at = _skipped_runs(world, runs)
    when = at.astimezone(ZONE).strftime("%a %Y-%m-%d %H:%M")

    body = _page(world, runs, lambda_context)

    scorer, coder = body.split('id="scorer"')[1].split('id="incident-coder"')
    assert f"Last retrain {when}: not trained, 1 decision (80 needed)." in scorer
    assert "In force: the packaged model" in scorer and "No retrain has run yet." not in scorer
    assert f"Last retrain {when}: not trained, 2 corrections (40 needed)." in coder


def test_a_trained_run_says_what_became_of_the_model(lambda_context: Any) -> None:
    world = World()
    runs = RetrainRuns(InMemoryArtifactStore(), InMemoryArtifactStore())
    at = world.clock() - timedelta(days=1)
    run = RetrainRun(at=at, outcome="shadow", counted=120, needed=80, unit="decision", version="scorer-bbbb")
    record_run(runs.scorer, run)

    body = _page(world, runs, lambda_context)

    assert "trained on 120 decisions, kept as a shadow candidate (scorer-bbbb)." in body
    assert "No retrain of the incident coder has run yet." in body


def test_without_any_run_the_page_says_none_has_run(lambda_context: Any) -> None:
    for runs in (RetrainRuns(InMemoryArtifactStore(), InMemoryArtifactStore()), None):
        body = _page(World(), runs, lambda_context)
        assert "No retrain has run yet." in body and "No retrain of the incident coder has run yet." in body


def test_the_records_are_read_where_the_retrains_write_them() -> None:
    assert (SCORER_MODELS_PREFIX, INCIDENT_MODELS_PREFIX) == (SCORER_PREFIX, INCIDENT_PREFIX)


class CountingArtifactStore(InMemoryArtifactStore):
    """Counts its reads (each an S3 GET on AWS); `broken` makes them fail."""

    def __init__(self) -> None:
        super().__init__()
        self.gets = 0
        self.broken = False

    def get(self, key: str) -> bytes | None:
        self.gets += 1
        if self.broken:
            raise ArtifactError(f"{key}: the bucket cannot be read")
        return super().get(key)


def test_the_runs_are_read_once_per_refresh_of_a_warm_container(lambda_context: Any) -> None:
    # Given each retrain's last run recorded
    world = World()
    runs = RetrainRuns(CountingArtifactStore(), CountingArtifactStore())
    _skipped_runs(world, runs)
    stores = (runs.scorer, runs.incidents)

    def reads() -> list[int]:
        return [store.gets for store in stores if isinstance(store, CountingArtifactStore)]

    # When the page is loaded, then again within REFRESH
    first = _page(world, runs, lambda_context)
    world.clock.advance(seconds=REFRESH.total_seconds() - 1)
    second = _page(world, runs, lambda_context)
    # Then the second load read nothing and shows the same runs
    assert reads() == [1, 1]
    assert all("not trained, 2 corrections (40 needed)." in page for page in (first, second))
    # And a run recorded meanwhile is shown once REFRESH has passed since the read
    record_run(runs.incidents, RetrainRun(at=world.clock(), outcome="too_few", counted=3, needed=40, unit="correction"))
    world.clock.advance(seconds=1)
    third = _page(world, runs, lambda_context)
    assert reads() == [2, 2] and "not trained, 3 corrections (40 needed)." in third


def test_a_record_that_cannot_be_read_is_not_kept(lambda_context: Any) -> None:
    world = World()
    scorer = CountingArtifactStore()
    runs = RetrainRuns(scorer, InMemoryArtifactStore())
    record_run(scorer, RetrainRun(at=world.clock(), outcome="too_few", counted=1, needed=80, unit="decision"))
    scorer.broken = True
    assert "No retrain has run yet." in _page(world, runs, lambda_context)
    scorer.broken = False
    assert "not trained, 1 decision (80 needed)." in _page(world, runs, lambda_context)
    assert scorer.gets == 2
