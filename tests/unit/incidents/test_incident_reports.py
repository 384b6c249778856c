"""Reading coded reports: every column checked, problems named by file, line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from plexlabor.incidents.errors import IncidentDataError
from plexlabor.incidents.oiics import Field
from plexlabor.incidents.reports import read_coded_reports, time_split
from tests.unit.incidents.conftest import COLUMNS, coded_rows, write_csv


def test_reads_codes_and_divisions_of_part_and_source(tmp_path: Path) -> None:
    reports = read_coded_reports(write_csv(tmp_path / "r.csv", coded_rows(5)))
    assert len(reports) == 5
    fall = reports[0]
    assert fall.codes == {
        Field.EVENT_DIVISION: "4",
        Field.EVENT_GROUP: "43",
        Field.NATURE_DIVISION: "1",
        Field.PART_DIVISION: "5",
        Field.SOURCE_DIVISION: "6",
    }
    assert fall.titles[Field.EVENT_GROUP] == "Falls to lower level"


def test_missing_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(",".join(c for c in COLUMNS if c != "part_code") + "\n")
    with pytest.raises(IncidentDataError, match=r"r\.csv, line 1: missing column\(s\) part_code"):
        read_coded_reports(path)


def test_bad_value_is_named_by_line_and_column_after_a_quoted_newline(tmp_path: Path) -> None:
    rows = coded_rows(3)
    rows[0]["narrative"] = "two\nlines"
    rows[2]["event_date"] = "03/01/2015"
    with pytest.raises(IncidentDataError, match=r"r\.csv, line 5, column 'event_date'") as caught:
        read_coded_reports(write_csv(tmp_path / "r.csv", rows))
    assert "03/01/2015" in str(caught.value)


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("event_group", "61", "event group 61 is not in event division 4"),
        ("event_division", "x", "expected 1 digit"),
        ("narrative", " ", "is empty"),
        ("source_code", "", "expected digits"),
    ],
)
def test_each_bad_value_names_its_column(tmp_path: Path, column: str, value: str, problem: str) -> None:
    rows = coded_rows(2)
    rows[1][column] = value
    with pytest.raises(IncidentDataError, match=problem) as caught:
        read_coded_reports(write_csv(tmp_path / "r.csv", rows))
    assert (caught.value.line, caught.value.column) == (3, column)


def test_duplicate_id_and_empty_file_are_refused(tmp_path: Path) -> None:
    rows = coded_rows(2)
    rows[1]["id"] = rows[0]["id"]
    with pytest.raises(IncidentDataError, match="appears twice"):
        read_coded_reports(write_csv(tmp_path / "r.csv", rows))
    with pytest.raises(IncidentDataError, match="no reports"):
        read_coded_reports(write_csv(tmp_path / "empty.csv", []))


def test_time_split_keeps_the_newest_apart(tmp_path: Path) -> None:
    reports = read_coded_reports(write_csv(tmp_path / "r.csv", list(reversed(coded_rows(30)))))
    older, newest = time_split(reports, 0.3)
    assert (len(older), len(newest)) == (21, 9)
    assert max(r.event_date for r in older) <= min(r.event_date for r in newest)
