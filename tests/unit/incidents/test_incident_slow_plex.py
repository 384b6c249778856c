"""An injury report is never lost because Plex is slow (review 140 R1): incident_log reads Plex's jobs with the
short limits of a read a person waits on (`plex.settings.INTERACTIVE_LIMITS`, as the copilot does; before, the
batch limits: 30 s, 4 retries, past API Gateway's 29 s), and a report whose job cannot be checked is recorded
with the job as typed and says so."""

from __future__ import annotations

import json
from typing import ClassVar
from urllib.parse import urlencode

import pytest

from plexlabor.audit.store import InMemoryAuditStore
from plexlabor.incidents.service import IncidentDeps, opening
from plexlabor.incidents.wiring import plant_jobs
from plexlabor.models.production import Job
from plexlabor.platform.kept import Kept
from plexlabor.platform.settings import PlexSourceSettings
from plexlabor.plex import client
from plexlabor.plex.errors import PlexTimeoutError
from plexlabor.plex.jobs import JobCheck, PlexJobs
from plexlabor.plex.settings import PlexSettings
from tests.unit.incidents.test_incident_handler import FORM, NARRATIVE, SAME_SITE, _post


class SlowPlexClient:
    """`PlexLaborClient` against a Plex that does not answer: every read a timeout; the clients made (their
    settings) and closed are counted in `made` and `closed`."""

    made: ClassVar[list[PlexSettings]]
    closed: ClassVar[int]

    def __init__(self, settings: PlexSettings) -> None:
        self.made.append(settings)

    def jobs(self) -> list[Job]:
        raise PlexTimeoutError(f"no answer within {self.made[-1].timeout_s:g} s", method="GET", path="/jobs")

    def close(self) -> None:
        SlowPlexClient.closed += 1


def test_the_job_check_reads_plex_once_with_the_short_limits_and_takes_the_job_as_typed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # (a silent Plex on a real socket: tests/integration/plex/test_plex_slow_job_checks.py)
    monkeypatch.setattr(client, "PlexLaborClient", SlowPlexClient)
    monkeypatch.setattr(SlowPlexClient, "made", [], raising=False)
    monkeypatch.setattr(SlowPlexClient, "closed", 0, raising=False)
    settings = PlexSourceSettings.model_validate(
        {"PLEXLABOR_PLEX_BASE_URL": "http://plex.test", "PLEXLABOR_PLEX_API_KEY": "k", "PLEXLABOR_TIMEZONE": "UTC"}
    )

    found = plant_jobs(settings).check("J101058")

    assert found == JobCheck("J101058", checked=False)
    [made] = SlowPlexClient.made
    assert (made.timeout_s, made.connect_timeout_s, made.max_retries) == (4.0, 2.0, 0)  # was (30, 5, 4)
    assert SlowPlexClient.closed == 1  # each read's client is closed (was left open)


@pytest.fixture
def unreadable() -> IncidentDeps:
    def slow() -> dict[str, str]:
        raise TimeoutError("GET /scheduling/v1/jobs: no answer within 4 s")

    return IncidentDeps(InMemoryAuditStore(), None, jobs=PlexJobs(Kept(slow, "Plex jobs")))


def test_a_report_whose_job_cannot_be_checked_is_recorded_as_typed_and_says_so(unreadable: IncidentDeps) -> None:
    taken = _post(unreadable, json.dumps({"narrative": NARRATIVE, "kind": "injury", "job_no": "J101077"}))

    logged = json.loads(taken["body"])
    event = opening(unreadable.audit, logged["incident_id"])
    assert taken["statusCode"] == 201 and logged["job_unchecked"] is True
    assert event is not None and event.payload["incident"]["job_no"] == "J101077"
    assert event.payload["job_unchecked"] is True  # kept with the incident, for the EHS lead (was only told)


def test_a_form_whose_job_cannot_be_checked_goes_to_the_incident_saying_so(unreadable: IncidentDeps) -> None:
    typed = {"narrative": NARRATIVE, "kind": "injury", "job_no": "J101077"}

    response = _post(unreadable, urlencode(typed), FORM, **SAME_SITE)

    assert response["statusCode"] == 303
    [location] = response["multiValueHeaders"]["Location"]
    assert location.endswith("?reported=1&job=unchecked")


def test_a_checked_job_is_not_said_to_be_unchecked() -> None:
    deps = IncidentDeps(InMemoryAuditStore(), None, jobs=PlexJobs(Kept(lambda: {"j101058": "J101058"}, "Plex jobs")))
    taken = _post(deps, json.dumps({"narrative": NARRATIVE, "job_no": "j101058"}))
    logged = json.loads(taken["body"])
    assert taken["statusCode"] == 201 and logged["job_unchecked"] is False
    event = opening(deps.audit, logged["incident_id"])
    assert event is not None and event.payload["job_unchecked"] is False
