"""The incident form's plant values are read from Plex through a client that is closed after the read, as
incident_log's reads are (helper 148: read_choices left its connections open, one set an hour per instance)."""

from __future__ import annotations

from typing import Any, TypeVar

import pytest
from pydantic import BaseModel

from plexlabor.incidents.service import PlantChoices
from plexlabor.plex import client as plex_client
from plexlabor.plex.settings import PlexSettings
from plexlabor.webapp import incidents as incidents_page
from plexlabor.webapp.app import WebAppSettings

ModelT = TypeVar("ModelT", bound=BaseModel)


def unvalidated(model: type[ModelT], **fields: Any) -> ModelT:
    """`model` holding only `fields`, what the code under test reads (`model_construct` validates nothing)."""
    return model.model_construct(**fields)


class CountingClient:
    """A Plex client with no plant in it that counts how often it was closed."""

    closed = 0

    def __init__(self, settings: Any) -> None:
        self.settings = settings

    def __enter__(self) -> CountingClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        CountingClient.closed += 1

    def workcenters(self) -> list[Any]:
        return []

    def employees(self) -> list[Any]:
        return []

    def shifts(self) -> list[Any]:
        raise RuntimeError("no shifts data source")  # readable_shifts takes none


@pytest.fixture
def plex(monkeypatch: pytest.MonkeyPatch) -> type[CountingClient]:
    CountingClient.closed = 0
    monkeypatch.setattr(incidents_page, "reads_plex", lambda settings: True)
    monkeypatch.setattr(incidents_page, "plex_settings", lambda settings: unvalidated(PlexSettings))
    monkeypatch.setattr(plex_client, "PlexLaborClient", CountingClient)
    return CountingClient


def test_the_forms_plant_values_are_read_through_a_client_that_is_closed(plex: type[CountingClient]) -> None:
    settings = unvalidated(WebAppSettings, plex_api_key_secret_arn="arn:secret", plex_env={})
    assert incidents_page.read_choices(settings) == PlantChoices()
    assert plex.closed == 1


def test_the_client_is_closed_when_the_read_fails(plex: type[CountingClient], monkeypatch: pytest.MonkeyPatch) -> None:
    def down(self: CountingClient) -> list[Any]:
        raise TimeoutError("Plex did not answer")

    monkeypatch.setattr(CountingClient, "employees", down)
    settings = unvalidated(WebAppSettings, plex_api_key_secret_arn="arn:secret", plex_env={})
    with pytest.raises(TimeoutError):
        incidents_page.read_choices(settings)
    assert plex.closed == 1
