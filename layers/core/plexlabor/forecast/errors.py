"""Typed errors of the forecasting package (`ArtifactError` is the shared artifact store's: a model or
run file that could not be stored, found or trusted)."""

from __future__ import annotations

from plexlabor.platform.artifacts import ArtifactError

__all__ = ["ArtifactError", "ForecastError", "ForecastInputError"]


class ForecastError(Exception):
    """Base of the forecasting errors."""


class ForecastInputError(ForecastError, ValueError):
    """Input the forecasts cannot use; the message names the resource, the record and the field."""

    def __init__(self, resource: str, field: str, problem: str, record_id: str | None = None) -> None:
        self.resource, self.field, self.problem, self.record_id = resource, field, problem, record_id
        where = f"{resource} {record_id}" if record_id else resource
        super().__init__(f"{where}: field '{field}' {problem}")
