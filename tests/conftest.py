"""Fixtures and switches shared by every test tier.

- The Powertools test switches are set once for the whole session, when pytest imports this file:
  before any other conftest or test module can import a handler (handlers create their
  Logger/Tracer/Metrics at import), and undone when the session ends.
- `lambda_context`: a fake Lambda context (tests.support.FakeLambdaContext).
- `labelled_plant`: the generated plant most tiers read.
Canonical events are loaded by function name with `tests.support.load_event`.
"""

from __future__ import annotations

import pytest

from plexlabor.plant import PlantFolder
from plexlabor_dev.simulator.generator import PlantSpec
from tests.support import FakeLambdaContext, generated_plant

LABELLED_PLANT = PlantSpec(employees=60, weeks=8, seed=3, anomaly_rate=0.12)
"""Small enough to build in a second, large enough that every anomaly type occurs."""

TEST_SWITCHES = {
    "POWERTOOLS_SERVICE_NAME": "plexlabor",
    "POWERTOOLS_METRICS_NAMESPACE": "plexlabor-test",
    "POWERTOOLS_TRACE_DISABLED": "1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "PLEXLABOR_LOCAL_MAX_BATCHING_WINDOW_S": "0.5",
}
"""Set for the whole session, whatever the shell says: no X-Ray, metrics in a test namespace, and a
region for any boto3 client a test builds (credentials stay per test, from each tier's fixtures), and local
runtimes whose queues batch for at most 0.5 s (AWS's windows, up to 60 s, would make each e2e test wait)."""

_session_environment = pytest.MonkeyPatch()


def _switch_on() -> None:
    for name, value in TEST_SWITCHES.items():
        _session_environment.setenv(name, value)


# Not in pytest_configure: pytest imports the conftests of the paths it is given before it calls
# pytest_configure, and some of them import handlers. It imports this root conftest first of all.
_switch_on()


def pytest_unconfigure(config: pytest.Config) -> None:
    _session_environment.undo()


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()


@pytest.fixture(scope="session")
def labelled_plant(tmp_path_factory: pytest.TempPathFactory) -> PlantFolder:
    return PlantFolder(generated_plant(tmp_path_factory, "labelled", LABELLED_PLANT))
