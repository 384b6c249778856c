"""Procedures (SOPs, repair guides) as the copilot reads them: numbered steps and the tools they name.

A procedure file holds one JSON object per line:
`{"guide_id", "title", "tools": [names], "steps": [{"order", "text"}], ...}` (other keys are kept out).
A line that does not parse is refused with its line number and field; nothing is half-read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class ProcedureFileError(ValueError):
    """A procedure file that cannot be read; the message names the line and the field."""


class Step(BaseModel):
    model_config = ConfigDict(frozen=True)

    order: int
    text: str = Field(min_length=1)


class Procedure(BaseModel):
    """One procedure. `tools` is None when the source's list is not a list of names (see `named_tools`)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    id: str = Field(alias="guide_id")
    title: str = Field(min_length=1)
    tools: tuple[str, ...] | None = None
    steps: tuple[Step, ...] = Field(min_length=1)
    operations: tuple[str, ...] = ()
    """The operations (as Plex names them) this procedure is for; none: plant-wide (the copilot looks
    at the current operation's procedures first, then the part's, then all)."""
    parts: tuple[str, ...] = ()
    """The parts (part numbers) it is for."""
    departments: tuple[str, ...] = ()
    """The departments (Plex department codes) whose workcenters it is for; none: every department. Asked
    from a job, the department of its operation's workcenter is looked at after the operation and the part,
    and another department's procedure answers only a question naming a machine it names."""

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    @field_validator("tools", mode="before")
    @classmethod
    def _tools(cls, value: object) -> object:
        if value is None or not isinstance(value, list):
            return value
        return named_tools(value)

    @field_validator("steps")
    @classmethod
    def _ordered(cls, steps: tuple[Step, ...]) -> tuple[Step, ...]:
        return tuple(sorted(steps, key=lambda step: step.order))


def named_tools(tools: list[object]) -> tuple[str, ...] | None:
    """The tool names as given, or None when the list cannot be names: a blank entry, or every entry one
    character long (a joined string split into its letters, as in some published exports)."""
    names = [str(tool) for tool in tools]
    if any(not name.strip() for name in names) or (names and all(len(name) == 1 for name in names)):
        return None
    return tuple(names)


def read_procedures(lines: Iterable[str], source: str = "procedures") -> list[Procedure]:
    """Every procedure of a JSON-lines text; the first bad line is refused by number and field."""
    procedures: list[Procedure] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            procedure = Procedure.model_validate(json.loads(line))
        except json.JSONDecodeError as error:
            raise ProcedureFileError(f"{source}, line {number}: not JSON ({error.msg})") from None
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "line"
            raise ProcedureFileError(f"{source}, line {number}: {field}: {first['msg']}") from None
        if procedure.id in seen:
            raise ProcedureFileError(f"{source}, line {number}: guide_id: {procedure.id} appears twice")
        seen.add(procedure.id)
        procedures.append(procedure)
    if not procedures:
        raise ProcedureFileError(f"{source}: no procedures")
    return procedures
