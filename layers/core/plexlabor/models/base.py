"""Base of every Plex-shaped model: explicit camelCase mapping, tolerant of extra fields."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel


class PlexDataError(ValueError):
    """A Plex record could not be read; the message names the resource and the field."""

    def __init__(self, resource: str, field: str, problem: str) -> None:
        self.resource, self.field, self.problem = resource, field, problem
        super().__init__(f"{resource}: field '{field}' {problem}")


def describe_validation_error(resource: str, error: ValidationError) -> PlexDataError:
    """Turn pydantic's first error into a PlexDataError naming the (camelCase) field."""
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "(record)"
    problem = "is missing" if first["type"] == "missing" else f"is invalid: {first['msg']}"
    return PlexDataError(resource, field, problem)


class PlexModel(BaseModel):
    """A record as Plex exchanges it: camelCase JSON in and out, unknown fields ignored."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        frozen=True,
        defer_build=True,  # schemas build on first use: a Lambda touching two models should not pay for 19
    )

    resource: ClassVar[str] = ""
    """The plant-file and record-key name of this kind of record (e.g. `time-clock-entries`)."""

    @classmethod
    def from_plex(cls, data: Mapping[str, Any]) -> Self:
        """Parse one Plex JSON object; raise PlexDataError naming a missing or bad field."""
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            raise describe_validation_error(cls.resource or cls.__name__, error) from None

    @classmethod
    def from_plex_list(cls, rows: Iterable[Mapping[str, Any]]) -> list[Self]:
        """Parse a bare JSON array, as every Plex list endpoint returns."""
        return [cls.from_plex(row) for row in rows]

    def to_plex(self) -> dict[str, Any]:
        """Serialize back to Plex's camelCase JSON shape."""
        return self.model_dump(mode="json", by_alias=True)
