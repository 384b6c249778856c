"""Plain rows: Plex records checked against their models without building them (the batch's fast path).

A plain row is a record's JSON object (camelCase keys), every field of its model present (a missing
optional one at its default) and each date as epoch seconds. Building 600,000 pydantic models, and a
UTC datetime for each of their dates, was most of reading a plant folder for a batch
(docs/validation.md section 4), while the engine keeps only a few values of each record.

The check is derived from the model's own fields, so it cannot drift from them: it accepts a value
only in the form Plex writes and only where the model would read it to the same value (an id that
needs no trimming, a date as `YYYY-MM-DDThh:mm:ss.fffffffZ`, a finite number within its bounds, one of
a literal's values, ...). Anything else, including a bad record, is left to the model itself
(`plain_of(model.from_plex(...))`), which reads other forms or names the bad field as before. A model
with a field or validator this module does not know has no plain check: every row goes to the model.
Written here rather than with a second library's typed decoder, because a declaration of the same
records in another library would be a copy of the models that can drift from them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cache
from types import NoneType, UnionType
from typing import Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt
from pydantic import AfterValidator, PlainSerializer, StringConstraints
from pydantic_core import PydanticUndefined

from plexlabor import models
from plexlabor.models.types import _to_utc

PlainRow = dict[str, Any]


class PlainRows(list[PlainRow]):
    """One kind of record as plain rows: what tells them from camelCase dicts still to be parsed."""


_REFUSED = object()
_PLEX_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{1,7}Z")
_PLEX_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_BOUNDS = {Ge: "ge", Gt: "gt", Le: "le", Lt: "lt"}
_OPERATORS = {Ge: ">=", Gt: ">", Le: "<=", Lt: "<"}


def _time(value: Any) -> Any:
    """Epoch seconds of a date in Plex's form (`fromisoformat` drops a seventh fraction digit, as pydantic does)."""
    if type(value) is not str or _PLEX_TIME.fullmatch(value) is None:
        return _REFUSED
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:  # a month 13, an hour 24: the model says what is wrong
        return _REFUSED


def _date(value: Any) -> Any:
    if type(value) is not str or _PLEX_DATE.fullmatch(value) is None:
        return _REFUSED
    try:
        return date.fromisoformat(value)
    except ValueError:
        return _REFUSED


@dataclass(frozen=True)
class _Rule:
    """One field type's check, as source for the generated reader: `convert` turns `v` into the value the
    model would hold (if it must), then `refused` is true when the model must read the record itself."""

    refused: str
    convert: str = ""
    names: dict[str, Any] = field(default_factory=dict)
    optional: bool = False


def _text(constraints: StringConstraints | None) -> _Rule | None:
    """A string the model keeps as it is: ASCII (Python's and pydantic's trimming agree on it) with no
    surrounding whitespace, within the length bounds."""
    if constraints is None:
        return _Rule("type(v) is not str")
    if constraints.to_upper or constraints.to_lower or constraints.pattern or constraints.strict is not None:
        return None
    low, high = constraints.min_length or 0, constraints.max_length
    length = f"not {low} <= len(v)" + (f" <= {high}" if high is not None else "")
    return _Rule(f"type(v) is not str or {length} or not v.isascii() or v.strip() != v")


def _number(bounds: list[Any], tag: str) -> _Rule | None:
    if not all(type(bound) in _BOUNDS for bound in bounds):
        return None
    names = {f"{tag}_{index}": getattr(bound, _BOUNDS[type(bound)]) for index, bound in enumerate(bounds)}
    tests = [f"v {_OPERATORS[type(bound)]} {tag}_{index}" for index, bound in enumerate(bounds)]
    return _Rule(
        " or ".join(["type(v) is not float or not isfinite(v)", *(f"not ({test})" for test in tests)]),
        "if type(v) is int and -2**53 < v < 2**53: v = float(v)",  # pydantic reads a JSON integer as its float
        names,
    )


def _literal(values: tuple[Any, ...], tag: str) -> _Rule | None:
    if not all(type(value) is str for value in values):
        return None
    return _Rule(f"type(v) is not str or v not in {tag}", names={tag: frozenset(values)})


def _rule_for(annotation: Any, metadata: list[Any], tag: str) -> _Rule | None:
    """The check of one field's type, or None when this module does not know the type or a constraint."""
    if get_origin(annotation) in (Union, UnionType):
        members = [member for member in get_args(annotation) if member is not NoneType]
        if len(members) != 1 or len(members) == len(get_args(annotation)):
            return None
        inner = _rule_for(*_unwrap(members[0], metadata), tag)
        return None if inner is None or inner.optional else replace(inner, optional=True)
    known = [item for item in metadata if not isinstance(item, PlainSerializer)]  # serializing only
    if annotation is datetime:
        if [type(item) for item in known] != [AfterValidator] or known[0].func is not _to_utc:
            return None
        return _Rule("v is REFUSED", "v = plex_time(v)")
    if annotation is date:
        return None if known else _Rule("v is REFUSED", "v = plex_date(v)")
    if annotation is str:
        if len(known) > 1 or (known and not isinstance(known[0], StringConstraints)):
            return None
        return _text(known[0] if known else None)
    if annotation is float:
        return _number(known, tag)
    if get_origin(annotation) is Literal and not known:
        return _literal(get_args(annotation), tag)
    return None


def _unwrap(annotation: Any, metadata: list[Any]) -> tuple[Any, list[Any]]:
    """An `Annotated` type's inner type, its metadata added to the field's."""
    if hasattr(annotation, "__metadata__"):
        return annotation.__origin__, [*metadata, *annotation.__metadata__]
    return annotation, metadata


@cache
def plain_check(model: type[models.PlexModel]) -> Callable[[dict[str, Any]], PlainRow | None] | None:
    """The check of one kind of record: a parsed JSON object -> its plain row (the object itself, filled
    in), or None where the model must read it. None when the model has a field or validator it does not know.

    The check is generated as one function per model (as `dataclasses` generates `__init__`): a call per
    field was most of its time."""
    decorators = model.__pydantic_decorators__
    validators = (decorators.validators, decorators.field_validators, decorators.model_validators)
    if any(validators) or model.model_config.get("strict"):
        return None
    names: dict[str, Any] = {"REFUSED": _REFUSED, "plex_time": _time, "plex_date": _date, "isfinite": math.isfinite}
    by_name = {name for name, info in model.model_fields.items() if name != info.alias}
    lines = ["def read(row):"]
    if by_name:  # a field given by its Python name: the model decides (populate_by_name)
        names["BY_NAME"] = frozenset(by_name)
        lines.append("    if not BY_NAME.isdisjoint(row): return None")
    lines.append("    get = row.get")
    for index, info in enumerate(model.model_fields.values()):
        tag = f"F{index}"
        rule = _rule_for(*_unwrap(info.annotation, list(info.metadata)), tag)
        if rule is None or info.default_factory is not None or info.alias is None:
            return None
        if info.validation_alias not in (None, info.alias):
            return None
        names.update(rule.names)
        alias = repr(info.alias)
        check = [*([rule.convert] if rule.convert else []), f"if {rule.refused}: return None"]
        if rule.convert:
            check.append(f"row[{alias}] = v")
        if rule.optional:
            check = ["if v is not None:", *(f"    {line}" for line in check)]
        lines.append(f"    v = get({alias}, REFUSED)")
        if info.default is PydanticUndefined:
            lines += ["    if v is REFUSED: return None", *(f"    {line}" for line in check)]
        else:
            names[f"{tag}_default"] = info.default
            lines += [f"    if v is REFUSED: row[{alias}] = {tag}_default", "    else:"]
            lines += [f"        {line}" for line in check]
    lines.append("    return row")
    exec("\n".join(lines), names)  # the source is made above from the model's fields only
    read: Callable[[dict[str, Any]], PlainRow | None] = names["read"]
    return read


def plain_of(record: models.PlexModel) -> PlainRow:
    """A model's plain row: how a record the plain check left to the model joins the others."""
    row: PlainRow = {}
    for name, info in type(record).model_fields.items():
        value = getattr(record, name)
        row[info.alias or name] = value.timestamp() if isinstance(value, datetime) else value
    return row
