"""Data Source answers: both shapes, the row-limit spellings, errors, and the column map."""

from __future__ import annotations

import pytest

from plexlabor.plex.datasource import map_columns, parse_datasource_response
from plexlabor.plex.errors import PlexError, PlexRequestError

TABLES = {
    "outputs": {"Result_Code": 0},
    "tables": [{"columns": ["Shift_Key", "Shift_Code"], "rows": [["SH1", "DAY"], ["SH2", "NIGHT"]]}],
    "transactionNo": "123",
}
ROWS = {"outputs": {}, "rows": [{"Shift_Key": "SH1", "Shift_Code": "DAY"}], "transactionNo": 124}


def test_the_tables_shape_becomes_rows_of_columns() -> None:
    result = parse_datasource_response(TABLES)
    assert result.rows == [
        {"Shift_Key": "SH1", "Shift_Code": "DAY"},
        {"Shift_Key": "SH2", "Shift_Code": "NIGHT"},
    ]
    assert result.outputs == {"Result_Code": 0} and result.transaction_no == "123"
    assert result.row_limit_exceeded is False


def test_the_rows_shape_is_taken_as_is() -> None:
    result = parse_datasource_response(ROWS)
    assert result.rows == [{"Shift_Key": "SH1", "Shift_Code": "DAY"}] and result.transaction_no == "124"


@pytest.mark.parametrize("flag", ["rowLimitExceeded", "RowLimitExceeded", "row_limit_exceeded"])
@pytest.mark.parametrize("where", ["top", "outputs"])
def test_each_row_limit_spelling_is_noticed(flag: str, where: str) -> None:
    body = {**ROWS, flag: True} if where == "top" else {**ROWS, "outputs": {flag: True}}
    assert parse_datasource_response(body).row_limit_exceeded is True


def test_an_errors_list_in_a_200_answer_raises() -> None:
    with pytest.raises(PlexRequestError, match="Part_Key"):
        parse_datasource_response({"errors": [{"message": "Part_Key is required"}], "transactionNo": "9"})


def test_a_non_object_answer_raises() -> None:
    with pytest.raises(PlexError):
        parse_datasource_response([1, 2])


def test_columns_are_renamed_to_model_fields_case_insensitively() -> None:
    rows = [{"SHIFT_KEY": "SH1", "Shift_Code": "DAY", "Extra_Column": 1}]
    mapped = map_columns(rows, {"shiftId": "Shift_Key", "shiftCode": "Shift_Code"})
    assert mapped == [{"shiftId": "SH1", "shiftCode": "DAY", "Extra_Column": 1}]
