"""Coded incident reports in the OSHA Severe Injury Reports layout (columns as in the benchmark's README).

`read_coded_reports` reads a CSV file, checks every column the classifier needs and names the file,
the line and the column of the first problem; nothing is half read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from plexlabor.incidents.errors import IncidentDataError
from plexlabor.incidents.oiics import Field

REQUIRED_COLUMNS = (
    "id",
    "event_date",
    "narrative",
    "event_division",
    "event_group",
    "nature_division",
    "part_code",
    "source_code",
)
TITLE_COLUMNS = {Field.EVENT_GROUP: "event_group_title"}
"""Optional columns whose titles the model keeps for the codes it learns (divisions: `oiics.FIXED_TITLES`)."""


@dataclass(frozen=True)
class CodedReport:
    """One narrative with its OIICS codes (divisions and the two-digit event group)."""

    report_id: str
    event_date: date
    narrative: str
    codes: Mapping[Field, str]
    titles: Mapping[Field, str]


DIGITS = {"event_division": 1, "event_group": 2, "nature_division": 1, "part_code": None, "source_code": None}
"""Code columns and how many digits each has (None: any number)."""


def _check(column: str, value: str) -> None:
    """Raise ValueError(problem, column) when `value` cannot be the column's."""
    if column in ("id", "narrative") and not value:
        raise ValueError("is empty", column)
    if column == "event_date":
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"expected an ISO date (YYYY-MM-DD), got {value!r}", column) from None
    size = DIGITS.get(column, 0)
    if size != 0 and (not value.isdigit() or (size is not None and len(value) != size)):
        raise ValueError(f"expected {f'{size} digit(s)' if size else 'digits'}, got {value!r}", column)


def _report(row: Mapping[str, str]) -> CodedReport:
    """Parse one row; a ValueError's args are the problem and the column."""
    values = {column: (row.get(column) or "").strip() for column in REQUIRED_COLUMNS}
    for column, value in values.items():
        _check(column, value)
    if not values["event_group"].startswith(values["event_division"]):
        raise ValueError(
            f"event group {values['event_group']} is not in event division {values['event_division']}", "event_group"
        )
    codes = {
        Field.EVENT_DIVISION: values["event_division"],
        Field.EVENT_GROUP: values["event_group"],
        Field.NATURE_DIVISION: values["nature_division"],
        Field.PART_DIVISION: values["part_code"][0],
        Field.SOURCE_DIVISION: values["source_code"][0],
    }
    titles = {field: (row.get(column) or "").strip() for field, column in TITLE_COLUMNS.items() if row.get(column)}
    narrative = " ".join(values["narrative"].split())
    return CodedReport(values["id"], date.fromisoformat(values["event_date"]), narrative, codes, titles)


def parse_coded_reports(lines: Iterable[str], path: str) -> list[CodedReport]:
    """Every report of a CSV text; the first bad row raises IncidentDataError naming line and column."""
    reader = csv.DictReader(lines)
    header = reader.fieldnames or []
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise IncidentDataError(path, f"missing column(s) {', '.join(missing)}", line=1)
    reports: list[CodedReport] = []
    seen: set[str] = set()
    line = reader.line_num + 1
    for row in reader:
        if None in row:
            raise IncidentDataError(path, f"{len(header) + len(row[None])} values, header has {len(header)}", line)
        try:
            report = _report(row)
        except ValueError as error:
            raise IncidentDataError(path, str(error.args[0]), line, str(error.args[1])) from None
        if report.report_id in seen:
            raise IncidentDataError(path, f"report id {report.report_id} appears twice", line, "id")
        seen.add(report.report_id)
        reports.append(report)
        line = reader.line_num + 1
    if not reports:
        raise IncidentDataError(path, "no reports")
    return reports


def read_coded_reports(path: str | Path) -> list[CodedReport]:
    """The reports of a CSV file (UTF-8, header row), checked; see `parse_coded_reports`."""
    with open(path, newline="", encoding="utf-8") as handle:
        return parse_coded_reports(handle, str(path))


def time_ordered(reports: Iterable[CodedReport]) -> list[CodedReport]:
    """Oldest first; reports of one day by id, so a split is the same on every run."""
    return sorted(reports, key=lambda report: (report.event_date, report.report_id))


def time_split(reports: Iterable[CodedReport], newest_share: float) -> tuple[list[CodedReport], list[CodedReport]]:
    """(older, newest) with about `newest_share` of the reports in the newest part."""
    ordered = time_ordered(reports)
    cut = len(ordered) - max(1, round(len(ordered) * newest_share))
    return ordered[:cut], ordered[cut:]


def write_coded_reports(reports: Iterable[CodedReport]) -> str:
    """Reports as CSV text in the layout `read_coded_reports` reads (part and source as their division)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow((*REQUIRED_COLUMNS, *TITLE_COLUMNS.values()))
    for report in reports:
        codes = report.codes
        writer.writerow(
            (
                report.report_id,
                report.event_date.isoformat(),
                report.narrative,
                codes[Field.EVENT_DIVISION],
                codes[Field.EVENT_GROUP],
                codes[Field.NATURE_DIVISION],
                codes[Field.PART_DIVISION],
                codes[Field.SOURCE_DIVISION],
                *(report.titles.get(of, "") for of in TITLE_COLUMNS),
            )
        )
    return out.getvalue()
