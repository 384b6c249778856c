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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cache
from itertools import repeat
from operator import itemgetter
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


Column = Callable[[list[Any]], list[Any] | None]
"""A field's check over the values of every record read at once: the values as the model holds them, or
None when one of them is refused (the records are then checked one by one)."""


def _all(values: list[Any], kind: type) -> bool:
    return set(map(type, values)) <= {kind}


_TIME_FORM = "0000-00-00T00:00:00.0000000Z"
_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _times(values: list[Any]) -> list[Any] | None:
    """`_time` of each value, or None when one is refused. When all are ASCII and as long as Plex's own form
    (`_TIME_FORM`, seven fraction digits), NumPy checks and converts them in one pass, digit by digit, as
    `fromisoformat` then `timestamp` would (a real day and time of day, the seventh digit dropped, whole
    microseconds over 10**6 rounded once, as Python divides); any date it does not take goes to `_time`.
    One Python call per date was a fifth of reading a plant (docs/validation.md section 4)."""
    if not _all(values, str):
        return None
    times: list[Any] = [_REFUSED] * len(values)
    left: Iterable[int] = range(len(values))
    try:
        import numpy as np  # the batch's reader only: not on the real-time path's import
    except ImportError:  # a dependency layer without NumPy: every date by `_time`
        np = None  # type: ignore[assignment]
    width = len(_TIME_FORM)
    joined = "".join(values) if np is not None and values and set(map(len, values)) == {width} else ""
    if joined and joined.isascii():  # joined, they are ASCII exactly when each is (`isascii` reads a flag)
        # one row per position in the form, each row's characters contiguous (a column of `chars` was strided)
        chars = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(len(values), width).T.copy()
        form = np.frombuffer(_TIME_FORM.encode("ascii"), dtype=np.uint8)
        digit = form == ord("0")
        digits = chars - np.uint8(ord("0"))  # a character below '0' wraps past 9
        taken = (chars[~digit] == form[~digit, None]).all(axis=0) & (digits[digit] <= 9).all(axis=0)

        def number(begin: int, end: int) -> Any:
            value = digits[begin].astype(np.int64)
            for at in range(begin + 1, end):
                value = value * 10 + digits[at]
            return value

        year, month, day = number(0, 4), number(5, 7), number(8, 10)
        hour, minute, second, micro = number(11, 13), number(14, 16), number(17, 19), number(20, 26)
        leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
        month_days = np.array(_MONTH_DAYS, dtype=np.int64)[np.clip(month, 0, 12)] + (leap & (month == 2))
        taken &= (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
        taken &= (hour <= 23) & (minute <= 59) & (second <= 59)
        # days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil)
        shifted = year - (month <= 2)
        era = shifted // 400
        of_era = shifted - era * 400
        of_year = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
        days = era * 146097 + of_era * 365 + of_era // 4 - of_era // 100 + of_year - 719468
        micros = (days * 86400 + hour * 3600 + minute * 60 + second) * 1_000_000 + micro
        taken &= np.abs(micros) < 2**53  # exact as a float (1685-2255): the quotient rounds as Python's
        times = (micros / 1e6).tolist()
        left = np.flatnonzero(~taken).tolist()
    for index in left:
        times[index] = _time(values[index])
        if times[index] is _REFUSED:
            return None
    return times


def _dates(values: list[Any]) -> list[Any] | None:
    """`_date` of each value, once per distinct value (a schedule holds few days)."""
    if not _all(values, str):
        return None
    days = {value: _date(value) for value in set(values)}
    return None if _REFUSED in days.values() else list(map(days.__getitem__, values))


@dataclass(frozen=True)
class _Rule:
    """One field type's check, as source for the generated reader: `convert` turns `v` into the value the
    model would hold (if it must), then `refused` is true when the model must read the record itself."""

    refused: str
    column: Column
    convert: str = ""
    names: dict[str, Any] = field(default_factory=dict)
    optional: bool = False


def _text(constraints: StringConstraints | None) -> _Rule | None:
    """A string the model keeps as it is: ASCII (Python's and pydantic's trimming agree on it) with no
    surrounding whitespace, within the length bounds."""
    if constraints is None:
        return _Rule("type(v) is not str", lambda values: values if _all(values, str) else None)
    if constraints.to_upper or constraints.to_lower or constraints.pattern or constraints.strict is not None:
        return None
    low, high = constraints.min_length or 0, constraints.max_length
    length = f"not {low} <= len(v)" + (f" <= {high}" if high is not None else "")

    def column(values: list[Any]) -> list[Any] | None:
        if not values:
            return values
        if not _all(values, str):
            return None
        lengths = set(map(len, values))  # ids are of few lengths: one pass, then the bounds on the few
        if min(lengths) < low or (high is not None and max(lengths) > high):
            return None
        # joined, they are ASCII exactly when each is (one copy; `isascii` reads a flag): 0.20 -> 0.14 s a plant
        return values if "".join(values).isascii() and list(map(str.strip, values)) == values else None

    return _Rule(f"type(v) is not str or {length} or not v.isascii() or v.strip() != v", column)


def _number(bounds: list[Any], tag: str) -> _Rule | None:
    if not all(type(bound) in _BOUNDS for bound in bounds):
        return None
    names = {f"{tag}_{index}": getattr(bound, _BOUNDS[type(bound)]) for index, bound in enumerate(bounds)}
    tests = [f"v {_OPERATORS[type(bound)]} {tag}_{index}" for index, bound in enumerate(bounds)]
    limits = [(_OPERATORS[type(bound)], getattr(bound, _BOUNDS[type(bound)])) for bound in bounds]

    def column(values: list[Any]) -> list[Any] | None:
        kinds = set(map(type, values))
        if not kinds <= {float, int}:
            return None
        if int in kinds:
            if not all(-(2**53) < v < 2**53 for v in values if type(v) is int):
                return None
            values = list(map(float, values))
        if not values:
            return values
        if not all(map(math.isfinite, values)):
            return None
        low, high = min(values), max(values)
        held = {">=": low.__ge__, ">": low.__gt__, "<=": high.__le__, "<": high.__lt__}
        return values if all(held[operator](limit) for operator, limit in limits) else None

    return _Rule(
        " or ".join(["type(v) is not float or not isfinite(v)", *(f"not ({test})" for test in tests)]),
        column,
        "if type(v) is int and -2**53 < v < 2**53: v = float(v)",  # pydantic reads a JSON integer as its float
        names,
    )


def _literal(values: tuple[Any, ...], tag: str) -> _Rule | None:
    if not all(type(value) is str for value in values):
        return None
    allowed = frozenset(values)
    return _Rule(
        f"type(v) is not str or v not in {tag}",
        lambda column: column if _all(column, str) and allowed.issuperset(column) else None,
        names={tag: allowed},
    )


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
        return _Rule("v is REFUSED", _times, "v = plex_time(v)")
    if annotation is date:
        return None if known else _Rule("v is REFUSED", _dates, "v = plex_date(v)")
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


@dataclass(frozen=True)
class _Field:
    alias: str
    rule: _Rule
    default: Any  # PydanticUndefined: required


@cache
def _fields(model: type[models.PlexModel]) -> tuple[_Field, ...] | None:
    """Each field's check, or None when the model has a field or validator this module does not know."""
    decorators = model.__pydantic_decorators__
    validators = (decorators.validators, decorators.field_validators, decorators.model_validators)
    if any(validators) or model.model_config.get("strict"):
        return None
    fields = []
    for index, info in enumerate(model.model_fields.values()):
        rule = _rule_for(*_unwrap(info.annotation, list(info.metadata)), f"F{index}")
        if rule is None or info.default_factory is not None or info.alias is None:
            return None
        if info.validation_alias not in (None, info.alias):
            return None
        fields.append(_Field(info.alias, rule, info.default))
    return tuple(fields)


def _by_name(model: type[models.PlexModel]) -> frozenset[str]:
    """Fields a record may give by their Python name (populate_by_name): the model decides those."""
    return frozenset(name for name, info in model.model_fields.items() if name != info.alias)


@cache
def plain_check(model: type[models.PlexModel]) -> Callable[[dict[str, Any]], PlainRow | None] | None:
    """The check of one kind of record: a parsed JSON object -> its plain row (the object itself, filled
    in), or None where the model must read it. None when the model has a field or validator it does not know.

    The check is generated as one function per model (as `dataclasses` generates `__init__`): a call per
    field was most of its time."""
    fields = _fields(model)
    if fields is None:
        return None
    names: dict[str, Any] = {"REFUSED": _REFUSED, "plex_time": _time, "plex_date": _date, "isfinite": math.isfinite}
    lines = ["def read(row):"]
    if by_name := _by_name(model):
        names["BY_NAME"] = by_name
        lines.append("    if not BY_NAME.isdisjoint(row): return None")
    lines.append("    get = row.get")
    for index, item in enumerate(fields):
        tag, rule = f"F{index}", item.rule
        names.update(rule.names)
        alias = repr(item.alias)
        check = [*([rule.convert] if rule.convert else []), f"if {rule.refused}: return None"]
        if rule.convert:
            check.append(f"row[{alias}] = v")
        if rule.optional:
            check = ["if v is not None:", *(f"    {line}" for line in check)]
        lines.append(f"    v = get({alias}, REFUSED)")
        if item.default is PydanticUndefined:
            lines += ["    if v is REFUSED: return None", *(f"    {line}" for line in check)]
        else:
            names[f"{tag}_default"] = item.default
            lines += [f"    if v is REFUSED: row[{alias}] = {tag}_default", "    else:"]
            lines += [f"        {line}" for line in check]
    lines.append("    return row")
    exec("\n".join(lines), names)  # the source is made above from the model's fields only
    read: Callable[[dict[str, Any]], PlainRow | None] = names["read"]
    return read


@cache
def plain_columns(model: type[models.PlexModel]) -> Callable[[list[Any]], list[PlainRow] | None] | None:
    """`plain_check` over every parsed JSON object of a read at once, field by field (each field's values
    checked and converted in a few C-level passes, the dates by NumPy): their plain rows when every object
    is taken, else None (and the objects untouched), when `plain_check` decides one by one. None when the
    model has a field or validator this module does not know."""
    fields = _fields(model)
    if fields is None:
        return None
    by_name = _by_name(model)
    aliases_apart = by_name.isdisjoint(item.alias for item in fields)

    def read(items: list[Any]) -> list[PlainRow] | None:
        if not _all(items, dict):
            return None
        # A row holding a field by its Python name is the model's. Every row's keys are looked at, unless each
        # row has as many keys as the model has fields and none of its fields is missing (a KeyError below):
        # then its keys are the fields' aliases (one pass of `len` instead of a set of every row's keys).
        exact = aliases_apart and set(map(len, items)) == {len(fields)}
        if not exact and not by_name.isdisjoint(set().union(*items)):
            return None
        filled: list[tuple[str, list[Any]]] = []
        for item in fields:
            missing = False
            try:
                values = list(map(itemgetter(item.alias), items))
            except KeyError:  # a field left out: its default (unchecked, as the model takes it), or refused
                if exact and not by_name.isdisjoint(set().union(*items)):
                    return None
                exact = False
                if item.default is PydanticUndefined:
                    return None
                values, missing = [row.get(item.alias, _REFUSED) for row in items], True
            given = [v for v in values if v is not _REFUSED] if missing else values
            present = [v for v in given if v is not None] if item.rule.optional and None in given else given
            checked = item.rule.column(present)
            if checked is None:
                return None
            if checked is present and not missing:
                continue
            if present is not values:  # converted, among nulls or defaults to fill in
                kept = iter(checked)
                checked = [
                    item.default if v is _REFUSED else v if v is None and present is not given else next(kept)
                    for v in values
                ]
            filled.append((item.alias, checked))
        for alias, values in filled:  # each row's value set by one C-level pass (`any` of None results)
            any(map(dict.__setitem__, items, repeat(alias), values))
        return items

    return read


def plain_of(record: models.PlexModel) -> PlainRow:
    """A model's plain row: how a record the plain check left to the model joins the others."""
    row: PlainRow = {}
    for name, info in type(record).model_fields.items():
        value = getattr(record, name)
        row[info.alias or name] = value.timestamp() if isinstance(value, datetime) else value
    return row
