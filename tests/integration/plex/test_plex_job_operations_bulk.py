"""The operations of many jobs (issue 16): by REST one call per job; where the tenant configures the `job-operations`
data source, one call of it per `job_keys_per_call` jobs, served by the simulator the same way. Both give the
plant folder's operations, job by job in the order asked; a near crew read over either builds the same problem."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from plexlabor.crew.build import build_problem
from plexlabor.plant import PlantFolder
from plexlabor.plex import PlantFolderSource, PlexLaborClient, PlexRequestError
from plexlabor.plex.datasource import DataSourceTransport
from plexlabor.plex.defaults import JOB_OPERATIONS_DATASOURCE, SIMULATOR_JOB_OPERATIONS_ID
from plexlabor.plex.reference_cache import ReferenceCache
from plexlabor_dev.simulator.generator import PlantSpec
from plexlabor_dev.simulator.server import SimulatorServer
from tests.support import generated_plant

BULK = {"datasources": {JOB_OPERATIONS_DATASOURCE: SIMULATOR_JOB_OPERATIONS_ID}, "job_keys_per_call": 7}
DATA_SOURCE_PATH = f"/api/datasources/{SIMULATOR_JOB_OPERATIONS_ID}/execute"


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> PlantFolder:
    return PlantFolder(generated_plant(tmp_path_factory, "bulk", PlantSpec(employees=20, weeks=2, seed=11)))


def _paths(server: SimulatorServer) -> list[str]:
    return [request["path"] for request in server.requests()]


def test_the_data_source_gives_what_rest_gives_in_fewer_calls(
    plant: PlantFolder, plex_fast_retries: dict[str, Any]
) -> None:
    folder = PlantFolderSource(plant)
    job_ids = [job.id for job in folder.jobs()][::-3][:30]  # not in the plant's order
    expected = folder.job_operations_of(job_ids)
    assert expected and [op.job_id for op in expected] == sorted(
        (op.job_id for op in expected), key=job_ids.index
    )  # job by job, in the order asked
    with SimulatorServer(plant.path, rate_limit=0) as server:
        with PlexLaborClient(server.settings(**plex_fast_retries)) as rest:
            assert rest.job_operations_of(job_ids) == expected
        assert len(_paths(server)) == len(job_ids)
        server.state.clear_requests()
        with PlexLaborClient(server.settings(**plex_fast_retries, **BULK)) as bulk:
            assert bulk.job_operations_of(job_ids) == expected
        assert _paths(server) == [DATA_SOURCE_PATH] * 5  # 30 jobs, 7 a call


def test_an_answer_over_the_row_limit_is_asked_again_in_halves(
    plant: PlantFolder, plex_fast_retries: dict[str, Any]
) -> None:
    folder = PlantFolderSource(plant)
    job_ids = [job.id for job in folder.jobs()][:28]
    expected = folder.job_operations_of(job_ids)
    most = max(sum(op.job_id == job for op in expected) for job in job_ids)
    with SimulatorServer(plant.path, rate_limit=0) as server:
        server.state.update_config(
            {"datasource_row_limit": max(most, 8)}
        )  # 7 jobs' operations are more than that, 1 job's are not
        with PlexLaborClient(server.settings(**plex_fast_retries, **BULK)) as bulk:
            assert bulk.job_operations_of(job_ids) == expected
        assert len(_paths(server)) > 4  # 28 jobs, 7 a call: some calls were asked again in halves


def test_a_near_crew_read_over_the_data_source_builds_the_same_problem(
    plant: PlantFolder, plex_fast_retries: dict[str, Any]
) -> None:
    day = plant.meta().end.date() + timedelta(days=2)
    as_of, zone = plant.meta().end, plant.meta().timezone
    expected = build_problem(plant.path, day, "1", job_lead_days=None)
    assert expected.jobs and expected.operators
    with SimulatorServer(plant.path, rate_limit=0) as server:
        with PlexLaborClient(server.settings(**plex_fast_retries, **BULK)) as plex:
            cached = ReferenceCache(plex, history=("labor-entries",))
            for port in (plex, cached, cached):  # the cache's second read asks for no operations
                server.state.clear_requests()
                problem = build_problem(port, day, "1", timezone=zone, as_of=as_of)
                assert problem.jobs == expected.jobs and problem.operators == expected.operators
        assert not [path for path in _paths(server) if path == DATA_SOURCE_PATH or path.endswith("/operations")]


def test_the_data_source_refuses_a_call_without_job_keys(plant: PlantFolder) -> None:
    with SimulatorServer(plant.path, rate_limit=0) as server:
        transport = DataSourceTransport(server.settings(max_retries=0))
        with pytest.raises(PlexRequestError, match="Job_Keys"):
            transport.execute(SIMULATOR_JOB_OPERATIONS_ID, {})
        transport.close()
