"""`PlantFolderSource`: the labor-data port over a plant folder on disk (batch commands and tests).

Same semantics as `PlexLaborClient`: half-open windows on the same fields, each record once, ordered.
Reading fast is this adapter's business, not its callers': a windowed read looks at the date on each
raw line first and parses only the lines near the window (parsing every workcenter event of a
5,000-person plant takes longer than any analysis of them), and lines are parsed by pydantic straight
from JSON, all in one call. Reference data is parsed on first use and kept (a plant folder does not
change under a reader).

A line that does not parse raises `BadRecordError` naming the file, the line, the record and the field;
with `skip_bad_records` it is left out instead and listed in `skipped` (the batch commands report them).
"""

from __future__ import annotations

import json
import re
import threading
from datetime import datetime, timedelta
from functools import cache
from operator import itemgetter
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from pydantic_core import from_json

from plexlabor import models
from plexlabor.plant import BadRecord, BadRecordError, PlantFolder
from plexlabor.plex.plain import PlainRow, plain_check, plain_columns, plain_of
from plexlabor.plex.port import Extract, ModelT, TypedReads, operations_by_job
from plexlabor.plex.windows import WINDOW_FIELDS, check_window, in_order, modified_marker, moment_of

DATE_MARGIN = timedelta(days=1)
"""A raw line's date is compared as written: a UTC offset moves it by less than a day."""


@cache
def list_adapter(model: type[models.PlexModel]) -> TypeAdapter[list[Any]]:
    """Reads and writes a JSON array of `model`s in one call (pydantic's core, no Python per record)."""
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def json_array(lines: list[bytes]) -> bytes:
    """JSON lines as one JSON array, the same bytes as `b"[" + b",".join(lines) + b"]"` copied once, not three
    times (0.15 s of reading the seed-201 bench plant's 190 MB: docs/validation.md section 4)."""
    if not lines:
        return b"[]"
    parts = lines.copy()
    parts[0] = b"[" + parts[0]
    parts[-1] = parts[-1] + b"]"
    return b",".join(parts)


def parse_lines(model: type[ModelT], lines: list[bytes]) -> list[ModelT]:
    """Parse JSON lines into `model`s in one call; a bad record raises `PlexDataError` naming its field."""
    if not lines:
        return []
    try:
        return list_adapter(model).validate_json(json_array(lines))
    except ValidationError:
        return [model.from_plex(json.loads(line)) for line in lines]  # raises, naming the record's field


def _json_object(line: bytes) -> Any:
    """A line's JSON value, None when it is not JSON (the model then names the line)."""
    try:
        return from_json(line)
    except ValueError:
        return None


@cache
def _date_pattern(camel_field: str) -> re.Pattern[bytes]:
    return re.compile(rb'"' + re.escape(camel_field.encode()) + rb'"\s*:\s*"(\d{4}-\d{2}-\d{2})')


def _near(lines: list[bytes], camel_field: str, begin: datetime, end: datetime) -> list[bytes]:
    """Lines whose `camel_field` date is within a day of [begin, end); lines without one are kept."""
    pattern = _date_pattern(camel_field)
    low = (begin - DATE_MARGIN).date().isoformat().encode()
    high = (end + DATE_MARGIN).date().isoformat().encode()
    kept = []
    for line in lines:
        found = pattern.search(line)
        if found is None or low <= found.group(1) <= high:
            kept.append(line)
    return kept


_JOB_ID = re.compile(rb'"jobId"\s*:\s*"([^"\\]*)"')


def _lines_by_job(lines: list[bytes]) -> dict[str, list[bytes]] | None:
    """Job operations' raw lines by the job each names, in file order; None when a line's job cannot be read from its
    bytes alone (none named, two, or one written with an escape or outside ASCII): then only the model can tell."""
    by_job: dict[str, list[bytes]] = {}
    for line in lines:
        found = _JOB_ID.findall(line)
        if len(found) != 1 or line.count(b'"jobId"') != 1 or not found[0].isascii():
            return None
        by_job.setdefault(found[0].decode(), []).append(line)
    return by_job


class PlantFolderSource(TypedReads):
    """Reads a plant folder through `PlantFolder`; implements `LaborDataPort`.

    `skip_bad_records`: a line that does not parse is left out and kept in `skipped` (once per line),
    instead of raising `BadRecordError`.
    """

    def __init__(self, plant: PlantFolder | Path | str, *, skip_bad_records: bool = False) -> None:
        self.plant = plant if isinstance(plant, PlantFolder) else PlantFolder(plant)
        self.skip_bad_records = skip_bad_records
        self.skipped: list[BadRecord] = []
        self._skipped_at: set[tuple[str, int]] = set()
        self._cache: dict[str, list[Any]] = {}
        self._operations_by_job: dict[str, list[models.JobOperation]] | None = None
        self._lines_of_jobs: dict[str, list[bytes]] | None = None
        self._parsed_jobs: dict[str, list[models.JobOperation]] = {}
        self._lock = threading.RLock()  # reentrant: a bad record is noted while `_all` holds it

    def timezone(self) -> str:
        """The zone in `plant.json`."""
        return self.plant.meta().timezone

    def extract(self) -> Extract:
        meta = self.plant.meta()
        return Extract(name=meta.name, start=meta.start, end=meta.end)

    def _lines(self, resource: str) -> list[bytes]:
        path = self.plant.file_for(resource)
        if not path.exists():
            return []
        return [line for line in path.read_bytes().splitlines() if line.strip()]

    def _parse(self, model: type[ModelT], lines: list[bytes]) -> list[ModelT]:
        """`parse_lines`; when a line does not parse, each line on its own, naming (or skipping) the bad ones."""
        return [record for record in self._parse_each(model, lines) if record is not None]

    def _parse_each(self, model: type[ModelT], lines: list[bytes]) -> list[ModelT | None]:
        """Each line's model, in one call when all parse; else line by line, None for a bad line."""
        if not lines:
            return []
        try:
            return list(list_adapter(model).validate_json(json_array(lines)))
        except ValidationError:
            pass
        path = self.plant.file_for(model.resource)
        numbers: dict[bytes, int] = {}
        for number, raw in enumerate(path.read_bytes().splitlines(), start=1):
            numbers.setdefault(raw, number)
        records: list[ModelT | None] = []
        for line in lines:
            try:
                records.append(model.from_plex(json.loads(line)))
            except ValueError as error:  # JSONDecodeError, PlexDataError
                self._bad(BadRecord.of(path, numbers.get(line, 0), line, error))
                records.append(None)
        return records

    def _plain(self, model: type[ModelT], lines: list[bytes]) -> list[PlainRow]:
        """`_parse` as plain rows: the lines the plain check does not take are parsed by the model."""
        check = plain_check(model)
        try:
            parsed = from_json(json_array(lines))
        except ValueError:
            parsed = [_json_object(line) for line in lines]
        if check is None or len(parsed) != len(lines):  # (a line holding two records: the model reads it)
            return [plain_of(record) for record in self._parse(model, lines)]
        columns = plain_columns(model)
        if columns is not None and (taken := columns(parsed)) is not None:
            return taken  # every record taken at once, field by field
        rows: list[PlainRow | None] = [check(item) if type(item) is dict else None for item in parsed]
        left = [line for line, row in zip(lines, rows, strict=True) if row is None]
        if not left:
            return rows  # type: ignore[return-value]
        models_of_left = self._parse_each(model, left)
        if len(models_of_left) != len(left):
            return [plain_of(record) for record in self._parse(model, lines)]
        left_records = iter(models_of_left)
        kept = []
        for row in rows:
            if row is None:
                record = next(left_records)
                if record is None:  # a bad record, named or skipped by `_parse_each`
                    continue
                row = plain_of(record)
            kept.append(row)
        return kept

    def _bad(self, bad: BadRecord) -> None:
        if not self.skip_bad_records:
            raise BadRecordError(bad)
        with self._lock:
            where = (str(bad.file), bad.line)
            if where not in self._skipped_at:
                self._skipped_at.add(where)
                self.skipped.append(bad)

    def _all(self, model: type[ModelT]) -> list[ModelT]:
        with self._lock:
            if model.resource not in self._cache:
                self._cache[model.resource] = self._parse(model, self._lines(model.resource))
            return list(self._cache[model.resource])

    def _window(self, model: type[ModelT], begin: datetime, end: datetime) -> list[ModelT]:
        begin, end = check_window(begin, end)
        field = WINDOW_FIELDS[model.resource]
        records = self._parse(model, _near(self._lines(model.resource), field, begin, end))
        return in_order(records, begin, end, moment_of(field))

    def plain_window(self, model: type[ModelT], begin: datetime, end: datetime) -> list[PlainRow]:
        """What a windowed read returns, as plain rows (`plex.plain`): the same records in the same order,
        the same bad records named (or skipped), without a model built for each (the batch's reader)."""
        begin, end = check_window(begin, end)
        field = WINDOW_FIELDS[model.resource]
        lines = self._lines(model.resource)
        rows = self._whole_file(model, lines, field) if self._reaches_all(begin, end) else None
        if rows is None:
            rows = self._plain(model, _near(lines, field, begin, end))
        return in_order(rows, begin.timestamp(), end.timestamp(), itemgetter(field), itemgetter("id"))

    def _reaches_all(self, begin: datetime, end: datetime) -> bool:
        """Whether a window holds the plant's whole extract, when the date pre-filter would keep nearly every line."""
        meta = self.plant.meta()
        return begin <= meta.start and end >= meta.end

    def _whole_file(self, model: type[ModelT], lines: list[bytes], field: str) -> list[PlainRow] | None:
        """Every line's plain row without the date pre-filter, when the plain check takes every record at once
        (`plain_columns`) and each line names its date field once; else None. The window then drops the same
        records the pre-filter would have (a record it takes is good, so none is named or skipped)."""
        columns = plain_columns(model)
        joined = json_array(lines)
        if columns is None or joined.count(b'"' + field.encode() + b'"') != len(lines):
            return None
        try:
            parsed = from_json(joined)
        except ValueError:
            return None
        return columns(parsed) if len(parsed) == len(lines) else None

    def job_operations(self, job_id: str | None = None) -> list[models.JobOperation]:
        """All operations, or one job's. A job's are parsed from its own lines only (`_lines_by_job`, indexed once), as
        the jobs asked one by one are a fraction of a plant's (a 2,400-person plant's 1st shift asks for 4,519 of 15,966
        jobs: parsing all 37,515 operations took 0.32 s CPU of a crew re-plan's read of the shift, those 0.13 s; issue
        16), so a bad line of another job is not named; once all are parsed (or a line's job is not readable from its
        bytes), a job's are answered from them."""
        if job_id is None:
            return self._all(models.JobOperation)
        resource = models.JobOperation.resource
        with self._lock:
            if self._lines_of_jobs is None and self._operations_by_job is None and resource not in self._cache:
                self._lines_of_jobs = _lines_by_job(self._lines(resource))
            if self._lines_of_jobs is not None and self._operations_by_job is None and resource not in self._cache:
                if job_id not in self._parsed_jobs:
                    self._parsed_jobs[job_id] = self._parse(models.JobOperation, self._lines_of_jobs.get(job_id, []))
                return list(self._parsed_jobs[job_id])
        operations = None if self._operations_by_job is not None else self._all(models.JobOperation)
        with self._lock:  # indexed by job once: not a copy of them all per job
            if self._operations_by_job is None:
                self._operations_by_job = operations_by_job(operations or ())
            return list(self._operations_by_job.get(job_id, ()))

    def time_clock_entries_modified(self, since: datetime, until: datetime) -> list[models.TimeClockEntry]:
        since, until = check_window(since, until)
        return in_order(self._all(models.TimeClockEntry), since, until, modified_marker)
